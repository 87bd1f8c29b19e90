/*
 * The packet path's view of the interfaces and routes: for each ifindex its
 * ceilings (kernel MTUs and config combined), whether it is clamped, and
 * its stats slot; the route MTUs as longest-prefix tables. Built on the
 * main thread when a link, a route or the config changes, then read-only,
 * so a packet costs a hash lookup per interface, a search per route table
 * that has routes, and no arithmetic. Pure: the builder logs nothing; what
 * deserves a warning goes to its caller.
 */
#ifndef MSSCLAMPD_VIEW_H
#define MSSCLAMPD_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ceiling.h"
#include "conf.h"
#include "engine.h"
#include "iftable.h"
#include "link.h"
#include "lpm.h"

struct route;

/*
 * A slot indexes the workers' per-interface counters: below VIEW_MAX_SLOTS,
 * VIEW_SLOT_OTHER for packets on no interface the view knows. Who gets
 * which slot is report.c's business.
 */
#define VIEW_MAX_SLOTS 1024
#define VIEW_SLOT_OTHER 0

/* The interfaces a packet crosses come in queue.h's order: these two first. */
#define VIEW_OUT 0      /* the one it leaves by */
#define VIEW_IN 1       /* the one it came in by */

/* What the packet path needs of one interface. */
struct view_entry {
	uint32_t ifindex;               /* first: the key of the view's iftable */
	struct engine_ceiling mss;
	uint16_t slot;
	bool clamp;                     /* false: clamp = no, it limits no packet */
};

/* What the packet path needs of one route. */
struct view_route {
	uint32_t oif;                   /* the device it leaves by; 0: any (multipath) */
	uint16_t mss;                   /* its family's MSS from its MTU; 0: no limit */
};

/* The routes of one family: a longest-prefix table whose values index route[]. */
struct view_routes {
	struct lpm lpm;
	struct view_route *route;
};

struct view {
	struct iftable entries;         /* struct view_entry */
	struct view_routes routes4, routes6;
	bool dry_run;                   /* observe mode */
};

/* One interface as the builder worked it out, for the slot callback. */
struct view_link {
	const struct link *link;
	const struct conf_iface *iface;  /* its config section; NULL if none */
	struct link_ceiling ceiling;
	/* A device of this kind already leaves room for this encapsulation in
	 * its MTU ("PPPoE"), and its section's overhead adds it again; or NULL. */
	const char *counted_twice;
};

/* Gives the slot for an interface; anything worth a warning is in *vl. */
typedef uint16_t view_slot_fn(void *arg, const struct view_link *vl, const struct conf *conf);

/*
 * Builds a view of links (struct link entries) and routes[0..n_routes)
 * under conf, asking slot_for for each interface's slot. NULL on ENOMEM.
 */
struct view *view_build(const struct iftable *links, const struct route *routes, size_t n_routes,
			const struct conf *conf, view_slot_fn *slot_for, void *arg);
void view_free(struct view *view);

/* What the view says about one packet. */
struct view_verdict {
	struct engine_ceiling mss;      /* 0xffff where nothing limits the family */
	uint16_t slot;                  /* where the packet counts */
	bool excluded;                  /* leave it alone: its interfaces are all clamp = no */
};

/*
 * The verdict for the IP packet pkt[0..len) on interfaces ifindex[0..n-1]
 * (VIEW_OUT first, then VIEW_IN, then bridge ports; 0 = none):
 * - the ceiling is the minimum over the clamped interfaces the view knows,
 *   and over the MTU of the route towards the destination (if the packet
 *   leaves by that route's device) and of the route back to the source (if
 *   it came in by that route's device);
 * - the slot is that of the clamped interface with the lowest IPv4 ceiling
 *   (on a tie, the first in ifindex[]);
 * - a packet whose known interfaces are all clamp = no is excluded: no
 *   limit, the slot of the first of them;
 * - on no known interface: no interface limit (routes still count), slot
 *   VIEW_SLOT_OTHER.
 */
void view_lookup(const struct view *view, const uint32_t *ifindex, unsigned n, const uint8_t *pkt,
		 size_t len, struct view_verdict *out);

#endif
