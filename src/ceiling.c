/* ceiling: not written yet */
