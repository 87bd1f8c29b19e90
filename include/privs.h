/* Least privilege: run on as an unprivileged user with CAP_NET_ADMIN alone. */
#ifndef MSSCLAMPD_PRIVS_H
#define MSSCLAMPD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Whether the daemon could switch to user: it exists and is not root. 0 and,
 * where uid and gid are not NULL, its ids; or -1 and why.
 */
int privs_check_user(const char *user, char *why, size_t size, uid_t *uid, gid_t *gid);

/*
 * Whether the firewall tools will still work once we run as user ("" for
 * the one we started as): with raw (iptables-legacy) only root can take
 * their lock. 0, or -1 after saying why.
 */
int privs_check(const char *user, bool raw);

/*
 * Switches to user (and its group), keeping only CAP_NET_ADMIN (and with
 * raw CAP_NET_RAW, which iptables-legacy needs), also as ambient
 * capabilities so the firewall tools run at exit still have them.
 * Call before any thread starts. 0, or -1 after logging why.
 */
int privs_drop(const char *user, bool raw);

/* Drops every capability but CAP_NET_ADMIN (and CAP_NET_RAW with raw) without changing user. 0 or -1. */
int privs_limit(bool raw);

#endif
