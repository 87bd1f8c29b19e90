/* iftable: not written yet */
