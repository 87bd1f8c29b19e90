/* calc: not written yet */
