/* notify: not written yet */
