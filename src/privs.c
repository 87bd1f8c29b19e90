/* privs: not written yet */
