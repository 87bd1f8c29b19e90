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
 * of the last record), from the workers' counters collected now; after
 * it, report_slot_counters() has every slot's.
 */
void report_status(struct report *report, struct workers *workers, const struct conf *conf,
		   struct status *st);

/* A slot's counters as report_status() or report_write() last collected them. */
const struct stats_counters *report_slot_counters(const struct report *report, uint16_t slot);

/* Opens the outputs conf names, or reopens them (logrotate; paths may change on reload). */
void report_reopen(struct report *report, const struct conf *conf);

#endif
