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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cpus.h"
#include "engine.h"
#include "log.h"
#include "queue.h"
#include "worker.h"

#define WORKER_BATCH 64             /* packets per receive */
#ifndef WORKER_SPIN_NS
#define WORKER_SPIN_NS 10000        /* poll this long for a batch expected sooner than that */
#endif
static const uint64_t worker_spin_ns = WORKER_SPIN_NS; /* (0 builds a worker that never polls) */
#define WORKER_GAP_MAX_NS 1000000000u /* a longer wait counts as this long */
#define WORKER_DRAIN_QUIET_MS 50    /* at stop: no packet for this long means drained */
#define WORKER_DRAIN_MAX_STEPS 1000  /* batches or idle milliseconds */
#define WORKER_PIN_CHECK_LOOPS 65536 /* under load, look at the affinity this often (and when idle) */

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
	uint64_t gap_ns;                       /* worker thread only: the wait for a batch, averaged */
	struct cpulist cpus;                   /* where it belongs (queues by CPU); empty: anywhere */
	unsigned loops;                        /* worker thread only: since the last affinity look */
	bool pin_failed;                       /* worker thread only: the last pin failed (said once) */
};

struct workers {
	_Atomic(struct view *) view;
	atomic_bool stopping;
	bool by_cpu;                 /* queues picked by CPU: workers pinned */
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
 * Waits for the next batch: polls while batches come sooner than
 * WORKER_SPIN_NS on average, sleeps in the receive otherwise. Polling
 * spares the CPU that queues a packet the wakeup of a sleeping worker (an
 * IPI when it sleeps on another CPU) and the worker its sleep and wake; on
 * a quiet router it would only burn CPU. The average (1/8 of each new wait)
 * is the wait as it was, slept or polled: a poll that ran out counts its
 * time and the sleep after it, so polling stops by itself once batches
 * come further apart. sched_yield(): polling, but never ahead of a task
 * that has work on this CPU (with queues by CPU, the one queuing).
 */
static int
worker_wait(struct worker *w, struct queue_packet **pkts)
{
	uint64_t start = clock_ns(), now = start, gap;
	int n = 0;

	if (w->gap_ns < worker_spin_ns) {
		while ((n = queue_receive(w->queue, false, pkts)) == 0 &&
		       (now = clock_ns()) - start < worker_spin_ns)
			sched_yield();
	}
	if (n == 0) {
		n = queue_receive(w->queue, true, pkts);
		now = clock_ns();
	}
	gap = now - start < WORKER_GAP_MAX_NS ? now - start : WORKER_GAP_MAX_NS;
	w->gap_ns = (7 * w->gap_ns + gap) / 8;
	return n;
}

/* Pins the worker to its CPUs; says so when that fails, or works again after failing. */
static void
worker_pin(struct worker *w)
{
	char cpus[64];
	int err;

	err = cpus_pin(&w->cpus);
	cpulist_format(&w->cpus, cpus, sizeof(cpus));
	if (err != 0 && !w->pin_failed)
		log_warnx("queue %u: its worker cannot run on CPU %s (%s): it runs where it may",
			  w->num, cpus, strerror(-err));
	else if (err == 0 && w->pin_failed)
		log_info("queue %u: its worker runs on CPU %s again", w->num, cpus);
	w->pin_failed = err != 0;
}

/*
 * A CPU taken offline takes its pinned threads' affinity with it (the
 * kernel lets them run anywhere), and a cpuset change resets it: a worker
 * that finds itself elsewhere than its CPUs pins itself again. A syscall
 * when idle or every WORKER_PIN_CHECK_LOOPS loops, never per packet.
 */
static void
worker_keep_pinned(struct worker *w)
{
	struct cpulist now;

	w->loops = 0;
	if (cpulist_count(&w->cpus) > 0 && (cpus_allowed(&now) == -1 || !cpulist_equal(&now, &w->cpus)))
		worker_pin(w);
}

static void *
worker_run(void *arg)
{
	const struct timespec backoff = { 0, 100000000 };
	struct worker *w = arg;
	struct queue_packet *pkts;
	int n;

	if (cpulist_count(&w->cpus) > 0)
		worker_pin(w);
	else if (w->owner->by_cpu)
		log_warnx("queue %u: none of its CPUs is one the daemon may run on: its worker runs "
			  "on any", w->num);
	/* One syscall to wait and receive, one to send the verdicts: the
	 * receive returns at least every QUEUE_WAIT_MS, to beat the heart and
	 * look up to stop. */
	while (!atomic_load_explicit(&w->owner->stopping, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&w->heartbeat, 1, memory_order_relaxed);
		n = worker_wait(w, &pkts);
		if (n > 0) {
			worker_batch(w, pkts, n);
		} else if (n == 0) {
			worker_keep_pinned(w); /* idle: a quarter second without a packet */
		} else {
			log_warn("queue %u: receive", w->num);
			nanosleep(&backoff, NULL);
		}
		if (++w->loops == WORKER_PIN_CHECK_LOOPS)
			worker_keep_pinned(w);
	}
	worker_drain(w);
	return NULL;
}

/*
 * Queues picked by CPU: each worker belongs on the CPUs whose packets its
 * queue gets (the kernel's first + cpu % count), among those the daemon
 * may run on, so that the kernel wakes it where the packet is, without an
 * IPI. None of them allowed (CPUAffinity=, a cpuset): it runs anywhere.
 */
static void
workers_plan_cpus(struct workers *workers, const struct conf *conf)
{
	struct cpulist present, allowed;
	size_t i;

	if (conf->queue_fanout != CONF_FANOUT_CPU)
		return;
	workers->by_cpu = true;
	if (cpus_present(&present) == -1 || cpus_allowed(&allowed) == -1) {
		log_warn("queues by CPU: cannot tell the CPUs; the workers run on any");
		return;
	}
	for (i = 0; i < workers->count; i++)
		cpulist_for_queue(&present, &allowed, (unsigned)i, (unsigned)workers->count,
				  &workers->worker[i].cpus);
}

struct workers *
workers_open(const struct conf *conf, struct view *view)
{
	struct workers *workers;
	size_t i;

	if (conf->queue_count == 0) {
		log_warnx("no queues to bind (queue = cpu, the CPUs not counted)");
		return NULL;
	}
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
	workers_plan_cpus(workers, conf);
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
		char name[16];

		err = pthread_create(&w->thread, NULL, worker_run, w);
		if (err) {
			errno = err;
			log_warn("starting the worker for queue %u", w->num);
			break;
		}
		w->started = true;
		/* what ps -L, top -H and a test see: "queue 3" */
		snprintf(name, sizeof(name), "queue %u", w->num);
		(void)pthread_setname_np(w->thread, name);
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
