/* Least privilege: run on as an unprivileged user with CAP_NET_ADMIN alone. */
#ifndef MSSCLAMPD_PRIVS_H
#define MSSCLAMPD_PRIVS_H

/*
 * Switches to user (and its group), keeping only CAP_NET_ADMIN, also as an
 * ambient capability so the firewall tools run at exit still have it.
 * 0, or -1 after logging why.
 */
int privs_drop(const char *user);

/* Drops every capability but CAP_NET_ADMIN without changing user. 0 or -1. */
int privs_limit(void);

#endif
