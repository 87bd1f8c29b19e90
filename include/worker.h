/*
 * The packet path: one thread per queue. Each receives a batch, runs the
 * engine on every packet with the current view, counts, and sends the
 * verdicts in one message. The main thread publishes new views; a view is
 * freed only after every worker has finished the batch that might use it.
 */
#ifndef MSSCLAMPD_WORKER_H
#define MSSCLAMPD_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "stats.h"
#include "view.h"

struct workers;

/*
 * Binds every queue of conf, failing loudly (EPERM, EBUSY), with view as the
 * first view. No thread runs yet: packets wait in the kernel's queues.
 * NULL after logging why (view is then still the caller's).
 */
struct workers *workers_open(const struct conf *conf, struct view *view);

/*
 * Starts one thread per queue. Capabilities are per thread and a thread
 * inherits its creator's, so call this after dropping privileges. 0 or -1.
 */
int workers_run(struct workers *workers);

/* Makes view current and frees the one it replaces once no worker can be reading it. */
void workers_publish(struct workers *workers, struct view *view);

/*
 * Sums every worker's counters into per_slot[0..VIEW_MAX_SLOTS-1] and *extra,
 * and, unless mss is NULL, the MSS values of slots 0..n_mss-1 into mss[]:
 * one consistent snapshot per worker. mss[slot] is written only for a slot
 * whose per_slot counts are not all zero; the others are left as they were.
 */
void workers_collect(struct workers *workers, struct stats_counters *per_slot,
		     struct stats_extra *extra, struct stats_mss *mss, size_t n_mss);

/* The counters and MSS values of one slot, summed over every worker. */
void workers_collect_slot(struct workers *workers, uint16_t slot, struct stats_counters *counters,
			  struct stats_mss *mss);

/*
 * Adds every worker's counters of slot from to slot to, and zeroes from.
 * Only for a slot the current view no longer maps any interface to.
 */
void workers_fold(struct workers *workers, uint16_t from, uint16_t to);

/* True if every worker has gone round its loop since the last call: feeds the watchdog. */
bool workers_alive(struct workers *workers);

/* Verdicts what is still queued, unbinds, joins the threads and frees the current view. */
void workers_stop(struct workers *workers);

#endif
