/* statlog: not written yet */
