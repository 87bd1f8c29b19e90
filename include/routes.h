/*
 * The kernel's route MTUs, from rtnetlink: a dump of the main table at
 * start, then RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE events; lost events
 * (ENOBUFS) trigger a fresh dump.
 *
 * A router may carry a full BGP table, so only the routes that can change
 * an answer are kept: those with an MTU metric, and the routes without one
 * inside them (a more specific route overrides the MTU route for its part
 * of the address space). At most ROUTES_MTU_MAX of the first and
 * ROUTES_INSIDE_MAX of the second: past them a route is not kept and the
 * log says so whenever that count grows.
 *
 * Read from the main table only. Other policy-routing tables, route
 * exceptions (PMTU learned from ICMP, `ip route show cache`) and nexthop
 * objects' own MTUs are not read.
 */
#ifndef MSSCLAMPD_ROUTES_H
#define MSSCLAMPD_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "lpm.h"
#include "route.h"

#define ROUTES_MTU_MAX 65536     /* routes with an MTU metric */
#define ROUTES_INSIDE_MAX 16384  /* routes without one, kept because an MTU route holds them */

struct nlmsghdr;
struct routes;

/* A set of routes worth keeping, and an index of its MTU routes to decide what else is. */
struct route_set {
	struct route *r;
	size_t n, cap;
	size_t n_mtu;               /* of them with an MTU metric */
	size_t dropped;             /* routes not kept for the caps above */
	bool new_mtu_prefix;        /* an MTU route came that its cover did not know: dump again */
	struct lpm cover4, cover6;  /* its MTU routes' prefixes */
	bool cover_stale;           /* rebuilt before its next use */
};

/* Opens the socket, subscribes and dumps (waiting a few seconds at most). NULL after logging why. */
struct routes *routes_open(void);
void routes_close(struct routes *routes);
int routes_fd(const struct routes *routes);

/* Handles whatever the socket has. 1: the routes kept changed; 0: they did not; -1: fatal. */
int routes_dispatch(struct routes *routes);

/* The routes kept, valid until the next dispatch. */
const struct route *routes_list(const struct routes *routes, size_t *n);

/* An empty set, and freeing one. */
void route_set_init(struct route_set *set);
void route_set_free(struct route_set *set);

/*
 * Applies one RTM_NEWROUTE/RTM_DELROUTE message to set, checking every
 * attribute's type and length first. Whether a route without an MTU is kept
 * depends on cover's MTU routes (set itself, or during a dump the set in
 * use). 1: set changed; 0: nothing to do or not a main-table route; -1: out
 * of memory. No socket: fuzzers call it directly.
 */
int routes_apply(struct route_set *set, struct route_set *cover, const struct nlmsghdr *nlh,
		 size_t len);

#endif
