/* conf: not written yet */
