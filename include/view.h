/*
 * The packet path's view of the interfaces: for each ifindex its ceilings
 * (kernel MTU and config combined) and its stats slot. Built on the main
 * thread when a link or the config changes, then read-only, so a packet
 * costs one hash lookup per interface and no arithmetic. Pure: the
 * builder logs nothing; what deserves a warning goes to its caller.
 */
#ifndef MSSCLAMPD_VIEW_H
#define MSSCLAMPD_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ceiling.h"
#include "conf.h"
#include "engine.h"
#include "iftable.h"
#include "link.h"

/*
 * A slot indexes the workers' per-interface counters: below VIEW_MAX_SLOTS,
 * VIEW_SLOT_OTHER for packets on no interface the view knows. Who gets
 * which slot is report.c's business.
 */
#define VIEW_MAX_SLOTS 1024
#define VIEW_SLOT_OTHER 0

/* What the packet path needs of one interface. */
struct view_entry {
	uint32_t ifindex;               /* first: the key of the view's iftable */
	struct engine_ceiling mss;
	uint16_t slot;
};

struct view {
	struct iftable entries;         /* struct view_entry */
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
 * Builds a view of links (struct link entries) under conf, asking slot_for
 * for each interface's slot. NULL on ENOMEM.
 */
struct view *view_build(const struct iftable *links, const struct conf *conf,
			view_slot_fn *slot_for, void *arg);
void view_free(struct view *view);

/*
 * The ceilings for a packet on interfaces ifindex[0..n-1] (0 = none): the
 * minimum over those the view knows, and the slot of the one that set it
 * (on a tie, the first in ifindex[]).
 * No interface known: no limit but the engine's defaults, slot VIEW_SLOT_OTHER.
 */
struct engine_ceiling view_ceiling(const struct view *view, const uint32_t *ifindex,
				   unsigned n, uint16_t *slot);

#endif
