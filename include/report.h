/*
 * Interface reporting: what the operator is told about each interface.
 * One owner for the stats slot: slot names (kept across reconnects, so a
 * PPPoE redial keeps its counts), their allocation and reclaim, each
 * slot's current ceilings, the warnings about an interface's settings
 * (once per change), the records the stats outputs print, and the
 * accounting of SYNs that went past the daemon (gaps, bypassed).
 * Runs on the main thread.
 */
#ifndef MSSCLAMPD_REPORT_H
#define MSSCLAMPD_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "firewall.h"
#include "stats.h"
#include "status.h"
#include "view.h"
#include "worker.h"

struct report;

/* No slots taken, no outputs open yet. NULL after logging why. */
struct report *report_new(void);
void report_free(struct report *report);

/* A view_slot_fn for view_build(): the interface's slot; warns once about odd settings. */
uint16_t report_slot(void *report, const struct view_link *vl, const struct conf *conf);

/* The name slot counts for: "-" for VIEW_SLOT_OTHER, "" for a free slot. */
const char *report_slot_name(const struct report *report, uint16_t slot);

/*
 * One interface as an operator's status query shows it: what the kernel
 * says of it, what the daemon makes of that, and what came through it.
 */
struct report_iface {
	const char *name;
	bool present;                       /* in the current view; else only its counts remain */
	bool clamp;                         /* false: clamp = no */
	unsigned mtu, mtu6;                 /* the kernel's link MTU and IPv6 MTU (0: no IPv6) */
	unsigned effective_mtu, effective_mtu6; /* per family, after config and overhead */
	struct engine_ceiling mss;          /* its ceilings; 0 when not clamped or not present */
	struct stats_counters counters;     /* since start, from every worker */
	struct stats_mss mss_seen;          /* the MSS values its SYNs and SYN-ACKs arrived with */
};

/* Slots 1 .. report_slots() - 1 may name an interface. */
uint16_t report_slots(const struct report *report);

/* Fills *out for slot, its counts fresh from the workers. false for slot 0 or a free slot. */
bool report_iface(const struct report *report, struct workers *workers, uint16_t slot,
		  struct report_iface *out);

/*
 * view has just been published (no worker uses an older one): its slots
 * and ceilings are now the current ones. When slots run short, the counts
 * of names gone from the system and the config fold into iface=- and their
 * slots are reused.
 */
void report_published(struct report *report, const struct view *view, const struct conf *conf,
		      struct workers *workers);

/*
 * Writes one record to every output: the workers' counters per interface,
 * then the iface=all totals. fw: the firewall, asked for its rules' packet
 * counts (before the workers' counters are read, so that bypassed= can
 * only underestimate) and how often it restored them; NULL: neither.
 * Never waits (firewall_counts()).
 */
void report_write(struct report *report, struct workers *workers, const struct conf *conf,
		  struct firewall *fw);

/*
 * The daemon-wide part of a status (uptime, mode, the totals, bypassed as
 * of the last record), from the workers' counters collected now; each
 * interface's part comes from report_iface().
 */
void report_status(struct report *report, struct workers *workers, const struct conf *conf,
		   struct status *st);

/* Opens the outputs conf names, or reopens them (logrotate; paths may change on reload). */
void report_reopen(struct report *report, const struct conf *conf);

#endif
