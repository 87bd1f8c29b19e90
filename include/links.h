/*
 * The kernel's interfaces, from rtnetlink: a dump at start, then RTNLGRP_LINK
 * events. An MTU change, or an interface deleted and re-created under its
 * name (a PPPoE reconnect), shows in the next packet's lookup. Lost events
 * (ENOBUFS) trigger a fresh dump.
 */
#ifndef MSSCLAMPD_LINKS_H
#define MSSCLAMPD_LINKS_H

#include <stddef.h>

#include "iftable.h"

struct nlmsghdr;
struct links;

/* Opens the socket, subscribes and dumps. NULL after logging why. */
struct links *links_open(void);
void links_close(struct links *links);
int links_fd(const struct links *links);

/* Handles whatever the socket has. 1: the table changed; 0: it did not; -1: fatal. */
int links_dispatch(struct links *links);

/* The current interfaces, struct link entries; valid until the next dispatch. */
const struct iftable *links_table(const struct links *links);

/*
 * Applies one RTM_NEWLINK/RTM_DELLINK message to table (of struct link), checking every
 * attribute's type and length first. 1: changed; 0: nothing to do or not a
 * link message; -1: out of memory. No socket: fuzzers call it directly.
 */
int links_apply(struct iftable *table, const struct nlmsghdr *nlh, size_t len);

#endif
