/*
 * The packet path: one thread per queue.
 *
 * A worker holds its own mutex while it works on a batch, and only then
 * reads the current view and its own counters. That gives the main thread
 * two cheap guarantees without a lock on the packet path's hot data: after
 * taking and releasing every worker's mutex once, no worker can still be
 * using a view replaced before that (so it may be freed), and counters
 * copied under the mutex are whole.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "log.h"
#include "queue.h"
#include "worker.h"

#define WORKER_BATCH 64             /* packets per receive */
#ifndef WORKER_SPIN_US
#define WORKER_SPIN_US 50           /* under load, poll without sleeping this long after a batch */
#endif
#ifndef WORKER_SPIN_MIN_BATCH
#define WORKER_SPIN_MIN_BATCH 2     /* "under load": the last batch had this many packets */
#endif
#define WORKER_DRAIN_QUIET_MS 50    /* at stop: no packet for this long means drained */
#define WORKER_DRAIN_MAX_STEPS 1000  /* batches or idle milliseconds */

struct worker {
	pthread_t thread;
	bool started;
	struct workers *owner;
	struct queue *queue;
	unsigned num;
	pthread_mutex_t lock;
	/* under lock: */
	struct stats_counters *counters;       /* [VIEW_MAX_SLOTS] */
	struct stats_mss *mss;                 /* [VIEW_MAX_SLOTS]: pages touched only for slots in use */
	uint64_t malformed[ENGINE_MALFORMED_COUNT];
	uint64_t notes[ENGINE_NOTE_COUNT];
	struct queue_counters queue_counters;
	/* heartbeat: bumped by the worker, compared by the main thread */
	atomic_uint_fast64_t heartbeat;
	uint64_t heartbeat_seen;
	struct timespec last_packet;           /* worker thread only: when it last had work */
	int last_batch;                        /* worker thread only: its size */
};

struct workers {
	_Atomic(struct view *) view;
	atomic_bool stopping;
	size_t count;
	struct worker worker[];
};

/* Runs the engine over one batch and sends its verdicts. */
static void
worker_batch(struct worker *w, struct queue_packet *pkts, int n)
{
	const struct view *view;
	struct engine_result res;
	unsigned flags;
	int i;

	pthread_mutex_lock(&w->lock);
	view = atomic_load_explicit(&w->owner->view, memory_order_acquire);
	flags = view->dry_run ? ENGINE_DRY_RUN : 0;
	for (i = 0; i < n; i++) {
		struct queue_packet *pkt = &pkts[i];
		enum stats_family family = pkt->family == 6 ? STATS_IPV6 : STATS_IPV4;
		struct view_verdict v;

		view_lookup(view, pkt->ifindex, QUEUE_DEV_COUNT, pkt->payload,
			    pkt->payload != NULL ? pkt->len : 0, &v);
		if (pkt->truncated) {
			/* a partial copy cannot go back; the kernel queued it whole */
			w->counters[v.slot].packets[family][ENGINE_SKIPPED]++;
			queue_accept(w->queue, pkt, false);
			continue;
		}
		engine_clamp(pkt->payload, pkt->len, pkt->room, v.mss,
			     flags | (v.excluded ? ENGINE_EXCLUDED : 0), &res);
		w->counters[v.slot].packets[family][res.action]++;
		if (res.action == ENGINE_MALFORMED)
			w->malformed[res.malformed]++;
		w->notes[res.note]++;
		if (res.mss_before != 0)
			w->mss[v.slot].bins[family][stats_mss_bin(res.mss_before)]++;
		pkt->len = res.len;
		queue_accept(w->queue, pkt, res.changed);
	}
	queue_counters(w->queue, &w->queue_counters);
	pthread_mutex_unlock(&w->lock);
	queue_flush(w->queue);
}

/* Verdicts whatever is still queued: at stop, before unbinding. */
static void
worker_drain(struct worker *w)
{
	const struct timespec one_ms = { 0, 1000000 };
	struct queue_packet *pkts;
	int n, quiet = 0, total = 0;

	while (quiet < WORKER_DRAIN_QUIET_MS && total < WORKER_DRAIN_MAX_STEPS) {
		n = queue_receive(w->queue, false, &pkts);
		total++;
		if (n > 0) {
			worker_batch(w, pkts, n);
			quiet = 0;
			continue;
		}
		if (n == -1)
			break;
		nanosleep(&one_ms, NULL);
		quiet++;
	}
}

/*
 * Under load, poll without sleeping for a moment after the last batch: the
 * next one is already on its way, and not sleeping spares the enqueuing CPU
 * a wakeup per batch (the biggest cost the daemon adds there). Load shows
 * as batches of more than one packet; a quiet router sleeps at once.
 */
static bool
worker_spin(const struct worker *w)
{
	struct timespec now;
	long elapsed_us;

	if (WORKER_SPIN_US == 0 || w->last_batch < WORKER_SPIN_MIN_BATCH)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed_us = (now.tv_sec - w->last_packet.tv_sec) * 1000000 +
		     (now.tv_nsec - w->last_packet.tv_nsec) / 1000;
	return elapsed_us < WORKER_SPIN_US;
}

static void *
worker_run(void *arg)
{
	const struct timespec backoff = { 0, 100000000 };
	struct worker *w = arg;
	struct queue_packet *pkts;
	bool spinning;
	int n;

	/* One syscall to wait and receive, one to send the verdicts: the
	 * receive returns at least every QUEUE_WAIT_MS, to beat the heart and
	 * look up to stop. */
	while (!atomic_load_explicit(&w->owner->stopping, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&w->heartbeat, 1, memory_order_relaxed);
		spinning = worker_spin(w);
		n = queue_receive(w->queue, !spinning, &pkts);
		if (n > 0) {
			worker_batch(w, pkts, n);
			clock_gettime(CLOCK_MONOTONIC, &w->last_packet);
			if (!spinning || n > 1)
				w->last_batch = n;
		} else if (n == 0 && spinning) {
			sched_yield(); /* polling, but never ahead of a task that has work here */
		} else if (n == -1) {
			log_warn("queue %u: receive", w->num);
			nanosleep(&backoff, NULL);
		}
	}
	worker_drain(w);
	return NULL;
}

struct workers *
workers_open(const struct conf *conf, struct view *view)
{
	struct workers *workers;
	size_t i;

	workers = calloc(1, sizeof(*workers) + conf->queue_count * sizeof(workers->worker[0]));
	if (workers == NULL) {
		log_warn("workers");
		return NULL;
	}
	atomic_init(&workers->view, view);
	atomic_init(&workers->stopping, false);
	for (i = 0; i < conf->queue_count; i++) {
		struct worker *w = &workers->worker[i];

		w->owner = workers;
		w->num = conf->queue_first + (unsigned)i;
		pthread_mutex_init(&w->lock, NULL);
		atomic_init(&w->heartbeat, 0);
		workers->count++;
		w->counters = calloc(VIEW_MAX_SLOTS, sizeof(*w->counters));
		w->mss = calloc(VIEW_MAX_SLOTS, sizeof(*w->mss));
		if (w->counters == NULL || w->mss == NULL) {
			log_warn("counters");
			goto fail;
		}
		w->queue = queue_open(w->num, conf->queue_maxlen, WORKER_BATCH);
		if (w->queue == NULL)
			goto fail;
	}
	return workers;
fail:
	atomic_store(&workers->view, NULL); /* the caller still owns view */
	workers_stop(workers);
	return NULL;
}

int
workers_run(struct workers *workers)
{
	sigset_t all, old;
	size_t i;
	int err = 0;

	/* signals belong to the main thread's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < workers->count && err == 0; i++) {
		struct worker *w = &workers->worker[i];

		err = pthread_create(&w->thread, NULL, worker_run, w);
		if (err) {
			errno = err;
			log_warn("starting the worker for queue %u", w->num);
		} else {
			w->started = true;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? -1 : 0;
}

void
workers_publish(struct workers *workers, struct view *view)
{
	struct view *old;
	size_t i;

	old = atomic_exchange_explicit(&workers->view, view, memory_order_acq_rel);
	for (i = 0; i < workers->count; i++) {
		pthread_mutex_lock(&workers->worker[i].lock);
		pthread_mutex_unlock(&workers->worker[i].lock);
	}
	view_free(old);
}

void
workers_collect(struct workers *workers, struct stats_counters *per_slot,
		struct stats_extra *extra, struct stats_mss *mss, size_t n_mss)
{
	bool cleared[VIEW_MAX_SLOTS] = { false };
	size_t i, slot;
	int reason, note;

	memset(per_slot, 0, VIEW_MAX_SLOTS * sizeof(*per_slot));
	memset(extra, 0, sizeof(*extra));
	for (i = 0; i < workers->count; i++) {
		struct worker *w = &workers->worker[i];

		pthread_mutex_lock(&w->lock);
		for (slot = 0; slot < VIEW_MAX_SLOTS; slot++)
			stats_add(&per_slot[slot], &w->counters[slot]);
		/* Only slots that counted a packet have MSS values: the others'
		 * pages, big and many, are never touched (nor mss[] for them). */
		for (slot = 0; mss != NULL && slot < n_mss && slot < VIEW_MAX_SLOTS; slot++) {
			if (stats_total(&w->counters[slot], ENGINE_ACTION_COUNT) == 0)
				continue;
			if (!cleared[slot])
				memset(&mss[slot], 0, sizeof(mss[slot]));
			cleared[slot] = true;
			stats_mss_add(&mss[slot], &w->mss[slot]);
		}
		for (reason = 0; reason < ENGINE_MALFORMED_COUNT; reason++)
			extra->malformed[reason] += w->malformed[reason];
		for (note = 0; note < ENGINE_NOTE_COUNT; note++)
			extra->notes[note] += w->notes[note];
		extra->queue_gaps += w->queue_counters.gaps;
		extra->verdict_errors += w->queue_counters.verdict_errors;
		pthread_mutex_unlock(&w->lock);
	}
}

void
workers_fold(struct workers *workers, uint16_t from, uint16_t to)
{
	size_t i;

	for (i = 0; i < workers->count; i++) {
		struct worker *w = &workers->worker[i];

		pthread_mutex_lock(&w->lock);
		stats_add(&w->counters[to], &w->counters[from]);
		memset(&w->counters[from], 0, sizeof(w->counters[from]));
		stats_mss_add(&w->mss[to], &w->mss[from]);
		memset(&w->mss[from], 0, sizeof(w->mss[from]));
		pthread_mutex_unlock(&w->lock);
	}
}

void
workers_collect_slot(struct workers *workers, uint16_t slot, struct stats_counters *counters,
		     struct stats_mss *mss)
{
	size_t i;

	memset(counters, 0, sizeof(*counters));
	memset(mss, 0, sizeof(*mss));
	if (slot >= VIEW_MAX_SLOTS)
		return;
	for (i = 0; i < workers->count; i++) {
		struct worker *w = &workers->worker[i];

		pthread_mutex_lock(&w->lock);
		stats_add(counters, &w->counters[slot]);
		stats_mss_add(mss, &w->mss[slot]);
		pthread_mutex_unlock(&w->lock);
	}
}

bool
workers_alive(struct workers *workers)
{
	bool alive = true;
	size_t i;

	for (i = 0; i < workers->count; i++) {
		struct worker *w = &workers->worker[i];
		uint64_t beat = atomic_load_explicit(&w->heartbeat, memory_order_relaxed);

		if (beat == w->heartbeat_seen)
			alive = false;
		w->heartbeat_seen = beat;
	}
	return alive;
}

void
workers_stop(struct workers *workers)
{
	size_t i;

	if (workers == NULL)
		return;
	atomic_store(&workers->stopping, true);
	for (i = 0; i < workers->count; i++) {
		struct worker *w = &workers->worker[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		queue_close(w->queue);
		free(w->counters);
		free(w->mss);
		pthread_mutex_destroy(&w->lock);
	}
	view_free(atomic_load(&workers->view));
	free(workers);
}
