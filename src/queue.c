/* queue: not written yet */
