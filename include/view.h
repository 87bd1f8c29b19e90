/*
 * The packet path's view of the interfaces: for each ifindex its ceilings
 * (kernel MTU and config combined) and its stats slot. Built on the main
 * thread when a link or the config changes, then read-only, so a packet
 * costs one hash lookup per interface and no arithmetic.
 */
#ifndef MSSCLAMPD_VIEW_H
#define MSSCLAMPD_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "engine.h"
#include "iftable.h"

#define VIEW_MAX_SLOTS 1024   /* interface names with stats; when full, departed ones are folded into slot 0 */
#define VIEW_SLOT_OTHER 0     /* "other": packets on no interface we know */

struct view {
	struct iftable links;     /* entries with ceiling and slot filled in */
	bool dry_run;             /* observe mode */
};

/* Stats slots by interface name, kept across views so counts survive a PPPoE reconnect. */
struct view_slots {
	char names[VIEW_MAX_SLOTS][CONF_IFNAMSIZ];   /* "" for a released slot */
	uint16_t count;
	struct view_slot_warned {      /* what the last warning about the slot was based on */
		unsigned mtu, overhead;
		bool floored, warned_once;
	} warned[VIEW_MAX_SLOTS];
};

void view_slots_init(struct view_slots *slots);

/*
 * Slots of names that view has no interface for and conf no section for
 * (a container's veth, gone): stored in departed[], which has room for
 * VIEW_MAX_SLOTS. Their count.
 */
unsigned view_slots_departed(const struct view *view, const struct view_slots *slots,
			     const struct conf *conf, uint16_t *departed);

/* Frees a slot for the next new name; its counters must be zero or folded away first. */
void view_slots_release(struct view_slots *slots, uint16_t slot);

/*
 * Builds a view of links under conf, taking slots for new names. Warns about
 * ceilings floored by the config and overheads likely counted twice, once per
 * interface and config. NULL on ENOMEM.
 */
struct view *view_build(const struct iftable *links, const struct conf *conf,
			struct view_slots *slots);
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
