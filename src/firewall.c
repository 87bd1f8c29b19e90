/* firewall: not written yet */
