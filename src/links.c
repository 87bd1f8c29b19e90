/* links: not written yet */
