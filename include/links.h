/*
 * The kernel's interfaces, from rtnetlink: a dump at start, then RTNLGRP_LINK
 * events. An MTU change, or an interface deleted and re-created under its
 * name (a PPPoE reconnect), shows in the next packet's lookup. Lost events
 * (ENOBUFS) trigger a fresh dump.
 *
 * Each interface's IPv6 MTU too: link events carry it, but a router
 * advertisement or a sysctl changes it without one, so an AF_INET6 link dump
 * reads it again every LINKS_INET6_POLL_MS (a timer of this module's): a
 * change is in force within that and one dump.
 */
#ifndef MSSCLAMPD_LINKS_H
#define MSSCLAMPD_LINKS_H

#include <stddef.h>

#include "iftable.h"

#define LINKS_INET6_POLL_MS 1000

struct nlmsghdr;
struct links;

/* Opens the socket, subscribes and dumps. NULL after logging why. */
struct links *links_open(void);
void links_close(struct links *links);

/* The two descriptors to watch: the rtnetlink socket and the IPv6 MTU timer. Either calls links_dispatch(). */
int links_fd(const struct links *links);
int links_timer_fd(const struct links *links);

/* Handles whatever the socket and the timer have. 1: the table changed; 0: it did not; -1: fatal. */
int links_dispatch(struct links *links);

/* The current interfaces, struct link entries; valid until the next dispatch. */
const struct iftable *links_table(const struct links *links);

/*
 * Applies one RTM_NEWLINK/RTM_DELLINK message to table (of struct link),
 * checking every attribute's type and length first: an AF_UNSPEC one (the
 * link itself) in full, an AF_INET6 one (the IPv6 dump's) for the IPv6 MTU
 * of a link already known; any other family (a bridge's port messages)
 * says nothing about the link. 1: changed; 0: nothing to do or not a link
 * message; -1: out of memory. No socket: fuzzers call it directly.
 */
int links_apply(struct iftable *table, const struct nlmsghdr *nlh, size_t len);

#endif
