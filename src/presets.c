/* presets: not written yet */
