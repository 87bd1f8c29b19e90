/*
 * The workers: two threads, each on its own (fake) queue, running SYNs
 * through the engine with whatever view is current, while this thread
 * publishes new views. Checked: every packet gets exactly one verdict, in
 * order, with valid checksums; counts per slot, family and action are
 * exact; every MSS is the ceiling of a view that was current; folding a
 * slot moves its counts and keeps the totals. The wait: under load the
 * workers poll, idle they sleep and poll no more. Queues by CPU: each
 * worker runs on its own CPU and goes back there when moved. Run under
 * ThreadSanitizer (the view hand-over and the counters' locking) and
 * AddressSanitizer (a view freed while a worker still reads it) by CI.
 */
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "check.h"
#include "cpus.h"
#include "fixture.h"
#include "fake_queue.h"
#include "links.h"
#include "view.h"
#include "worker.h"

#define QUEUES 2
#define CHUNK 800                 /* packets per queue released per gated step */
#define GATED_STEPS 10
#define PACKETS (CHUNK * GATED_STEPS + 40000)
#define WAIT_MS 30000             /* bound on any wait for the workers */

enum { IF_LAN = 2, IF_WAN = 3, IF_PPP = 4, IF_UNKNOWN = 99 };

/* The round of interfaces the fake queue sends packets out of, in order. */
static const uint32_t round_ifindex[FAKE_QUEUE_IFS] = { IF_LAN, IF_WAN, IF_PPP, IF_UNKNOWN };

static uint16_t
slot_by_ifindex(void *arg, const struct view_link *vl, const struct conf *conf)
{
	(void)arg;
	(void)conf;
	return (uint16_t)vl->link->ifindex;
}

/* Two states of the router: wan0 at 1492, then at 1400 (ceilings 1452/1432 and 1360/1340). */
static struct view *
build(const struct conf *conf, unsigned wan_mtu)
{
	struct iftable links;
	struct view *view;

	link_table_init(&links);
	fixture_link(&links, IF_LAN, "lan0", "veth", 1500);
	fixture_link(&links, IF_WAN, "wan0", "veth", wan_mtu);
	fixture_link(&links, IF_PPP, "ppp0", "ppp", 1492);
	view = view_build(&links, NULL, 0, conf, slot_by_ifindex, NULL);
	iftable_free(&links);
	if (view == NULL)
		abort();
	return view;
}

static unsigned
accepted_total(void)
{
	unsigned q, total = 0;

	for (q = 0; q < QUEUES; q++)
		total += atomic_load(&fake_queue_record(q)->accepted);
	return total;
}

/* Waits (bounded) until the workers have sent verdicts for want packets. */
static int
wait_accepted(unsigned want)
{
	const struct timespec ms = { 0, 1000000 };
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		if (accepted_total() == want)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/* How many verdicts carried MSS mss, for interface number i of the round and family f (0: 4, 1: 6). */
static unsigned
mss_count(unsigned i, unsigned f, unsigned mss)
{
	unsigned q, n = 0;

	for (q = 0; q < QUEUES; q++)
		n += fake_queue_record(q)->mss[i][f][mss];
	return n;
}

/* Workers for config text, started on the fake queues, one chunk per queue accepted; NULL if they did not open. */
static struct workers *
run_one_chunk(struct conf *conf, const char *text)
{
	struct workers *workers;

	fake_queue_reset();
	CHECK_EQ(fixture_conf(conf, text), 0);
	fake_queue_plan.packets = CHUNK;
	atomic_store(&fake_queue_plan.released, CHUNK);
	workers = workers_open(conf, build(conf, 1492));
	CHECK(workers != NULL);
	if (workers == NULL)
		return NULL;
	CHECK_EQ(workers_run(workers), 0);
	CHECK_EQ(wait_accepted(QUEUES * CHUNK), 0);
	return workers;
}

/*
 * ppp0 with clamp = no: its packets (on no other interface) are left alone,
 * counted unchanged with the note "excluded", their MSS values still seen.
 */
static void
test_excluded(void)
{
	static struct stats_counters per_slot[VIEW_MAX_SLOTS];
	static struct stats_mss mss[VIEW_MAX_SLOTS];
	struct stats_extra extra;
	struct workers *workers;
	struct conf conf;
	unsigned q, per_if_family = QUEUES * CHUNK / 8;

	workers = run_one_chunk(&conf, "[global]\nqueue = 0-1\n[interface ppp0]\nclamp = no\n");
	if (workers == NULL)
		return;
	for (q = 0; q < QUEUES; q++)
		CHECK_EQ(fake_queue_record(q)->changed, CHUNK / 4); /* wan0's only */
	CHECK_EQ(mss_count(2, 0, 1460), per_if_family);  /* ppp0: as sent */
	CHECK_EQ(mss_count(2, 1, 1440), per_if_family);
	CHECK_EQ(mss_count(1, 0, 1452), per_if_family);  /* wan0: clamped as ever */
	workers_collect(workers, per_slot, &extra, mss, VIEW_MAX_SLOTS);
	CHECK_EQ(per_slot[IF_PPP].packets[STATS_IPV4][ENGINE_UNCHANGED], per_if_family);
	CHECK_EQ(per_slot[IF_PPP].packets[STATS_IPV6][ENGINE_UNCHANGED], per_if_family);
	CHECK_EQ(extra.notes[ENGINE_NOTE_EXCLUDED], 2 * per_if_family);
	CHECK_EQ(mss[IF_PPP].bins[STATS_IPV4][stats_mss_bin(1460)], per_if_family);
	CHECK_EQ(mss[IF_PPP].bins[STATS_IPV6][stats_mss_bin(1440)], per_if_family);
	workers_stop(workers);
	fake_queue_reset();
	conf_free(&conf);
}

/* The id of this process's thread named "queue NUM", or 0 if there is none. */
static pid_t
worker_tid(unsigned num)
{
	char want[16], path[300], comm[32];
	struct dirent *de;
	pid_t tid = 0;
	DIR *dir;
	FILE *f;

	snprintf(want, sizeof(want), "queue %u\n", num);
	if ((dir = opendir("/proc/self/task")) == NULL)
		return 0;
	while (tid == 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL && strcmp(comm, want) == 0)
			tid = (pid_t)atoi(de->d_name);
		fclose(f);
	}
	closedir(dir);
	return tid;
}

/* A thread's Cpus_allowed_list, as the kernel shows it, into buf[64]; "" if unknown. */
static const char *
thread_cpus(pid_t tid, char buf[64])
{
	char path[64], line[256];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	if ((f = fopen(path, "r")) == NULL)
		return buf;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Cpus_allowed_list: %63s", buf) == 1)
			break;
	fclose(f);
	return buf;
}

/* Waits (bounded) until thread tid's CPUs read want. */
static int
wait_cpus(pid_t tid, const char *want)
{
	const struct timespec ms = { 0, 1000000 };
	char now[64];
	int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		if (strcmp(thread_cpus(tid, now), want) == 0)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/*
 * queue = 0-1, queue_fanout = cpu: each worker on the CPUs whose packets
 * its queue gets (here, with two CPUs or more, 0 and 1 and every other
 * one after them), named "queue N"; moved elsewhere (as a CPU going
 * offline and back does), it goes back. Idle, the workers sleep: no more
 * polls, only waits.
 */
static void
test_by_cpu(void)
{
	const struct timespec settle = { 0, 100000000 }, spell = { 0, 50000000 };
	struct cpulist present, allowed, mine;
	struct workers *workers;
	struct conf conf;
	char want[QUEUES][64], now[64];
	unsigned q, polls[QUEUES], waits[QUEUES];
	cpu_set_t all;
	pid_t tid;

	if (cpus_present(&present) == -1 || cpus_allowed(&allowed) == -1 ||
	    cpulist_count(&allowed) < 2 || !cpulist_has(&allowed, 0) || !cpulist_has(&allowed, 1)) {
		printf("SKIP: queues by CPU not tested: this test may not run on CPUs 0 and 1\n");
		return;
	}
	workers = run_one_chunk(&conf, "[global]\nqueue = 0-1\nqueue_fanout = cpu\n");
	if (workers == NULL)
		return;
	for (q = 0; q < QUEUES; q++) {
		cpulist_for_queue(&present, &allowed, q, QUEUES, &mine);
		cpulist_format(&mine, want[q], sizeof(want[q]));
		tid = worker_tid(q);
		CHECK_MSG(tid != 0, "by CPU: a thread named \"queue %u\"", q);
		CHECK_MSG(tid != 0 && wait_cpus(tid, want[q]) == 0, "by CPU: queue %u's worker on "
		    "CPU %s (%s)", q, want[q], thread_cpus(tid, now));
	}

	/* moved to every CPU (the kernel does that when its CPU goes offline): back home */
	tid = worker_tid(0);
	CPU_ZERO(&all);
	for (q = 0; q < CPU_SETSIZE; q++)
		if (cpulist_has(&allowed, q))
			CPU_SET(q, &all);
	CHECK(tid != 0 && sched_setaffinity(tid, sizeof(all), &all) == 0);
	CHECK_MSG(tid != 0 && wait_cpus(tid, want[0]) == 0, "by CPU: queue 0's worker, moved, "
	    "back on CPU %s (%s)", want[0], thread_cpus(tid, now));

	/* idle: sleeping in the receive, not polling */
	nanosleep(&settle, NULL);
	for (q = 0; q < QUEUES; q++) {
		polls[q] = atomic_load(&fake_queue_record(q)->polls);
		waits[q] = atomic_load(&fake_queue_record(q)->waits);
	}
	nanosleep(&spell, NULL);
	for (q = 0; q < QUEUES; q++) {
		CHECK_MSG(atomic_load(&fake_queue_record(q)->polls) == polls[q],
		    "idle: queue %u's worker polls no more", q);
		CHECK_MSG(atomic_load(&fake_queue_record(q)->waits) > waits[q],
		    "idle: queue %u's worker waits in the receive", q);
	}
	workers_stop(workers);
	fake_queue_reset();
	conf_free(&conf);
}

int
main(void)
{
	static struct stats_counters per_slot[VIEW_MAX_SLOTS];
	static struct stats_mss mss[VIEW_MAX_SLOTS];
	struct stats_counters one;
	struct stats_mss one_mss;
	struct stats_extra extra;
	struct workers *workers;
	struct conf conf;
	unsigned step, q, publishes = 0, per_if_family;
	uint64_t seen_before, seen_after;

	conf_defaults(&conf);
	conf.queue_per_cpu = false; /* queues balanced by flow: test_by_cpu() pins them */
	conf.queue_fanout = CONF_FANOUT_FLOW;
	conf.queue_count = QUEUES;
	fake_queue_plan.packets = PACKETS;
	atomic_store(&fake_queue_plan.released, 0);
	memcpy(fake_queue_plan.ifindex, round_ifindex, sizeof(round_ifindex));

	workers = workers_open(&conf, build(&conf, 1492));
	CHECK(workers != NULL);
	if (workers == NULL)
		return check_summary();
	CHECK_EQ(workers_run(workers), 0);

	/*
	 * Gated: each step publishes a view, then releases a chunk and waits for
	 * its verdicts, so every packet of the step met that view: exact MSS counts.
	 */
	for (step = 0; step < GATED_STEPS; step++) {
		workers_publish(workers, build(&conf, step % 2 ? 1400 : 1492));
		atomic_store(&fake_queue_plan.released, (step + 1) * CHUNK);
		CHECK_EQ(wait_accepted(QUEUES * (step + 1) * CHUNK), 0);
	}
	per_if_family = QUEUES * CHUNK / 8 * GATED_STEPS / 2; /* per view, interface and family */
	CHECK_EQ(mss_count(1, 0, 1452), per_if_family);  /* wan0 at 1492 */
	CHECK_EQ(mss_count(1, 1, 1432), per_if_family);
	CHECK_EQ(mss_count(1, 0, 1360), per_if_family);  /* wan0 at 1400 */
	CHECK_EQ(mss_count(1, 1, 1340), per_if_family);

	/* Under load: everything else released while views keep changing. */
	atomic_store(&fake_queue_plan.released, PACKETS);
	while (accepted_total() < QUEUES * PACKETS && publishes < 100000) {
		workers_publish(workers, build(&conf, publishes % 2 ? 1400 : 1492));
		publishes++;
	}
	CHECK_EQ(wait_accepted(QUEUES * PACKETS), 0);
	printf("views published under load: %u\n", publishes);
	CHECK(publishes > 0);

	for (q = 0; q < QUEUES; q++) {
		const struct fake_queue_record *r = fake_queue_record(q);

		CHECK_EQ(atomic_load(&r->accepted), PACKETS);
		CHECK_EQ(r->out_of_order, 0);
		CHECK_EQ(r->bad_checksum, 0);
		/* wan0 and ppp0 packets are clamped (rewritten); lan0 and unknown ones are not */
		CHECK_EQ(r->changed, PACKETS / 2);
		/* batch after batch, the next is there at once: the worker polls for it */
		CHECK(atomic_load(&r->polls) > 0);
	}
	/* every MSS was a ceiling of the view current at the time, in both families */
	per_if_family = QUEUES * PACKETS / 8;
	CHECK_EQ(mss_count(0, 0, 1460), per_if_family);  /* lan0: 1500 - 40, as sent */
	CHECK_EQ(mss_count(0, 1, 1440), per_if_family);
	CHECK_EQ(mss_count(1, 0, 1452) + mss_count(1, 0, 1360), per_if_family);
	CHECK_EQ(mss_count(1, 1, 1432) + mss_count(1, 1, 1340), per_if_family);
	CHECK_EQ(mss_count(2, 0, 1452), per_if_family);  /* ppp0 */
	CHECK_EQ(mss_count(2, 1, 1432), per_if_family);
	CHECK_EQ(mss_count(3, 0, 1460), per_if_family);  /* unknown: no limit */
	CHECK_EQ(mss_count(3, 1, 1440), per_if_family);

	/* the counts, per slot, family and action */
	workers_collect(workers, per_slot, &extra, mss, VIEW_MAX_SLOTS);
	CHECK_EQ(per_slot[IF_LAN].packets[STATS_IPV4][ENGINE_UNCHANGED], per_if_family);
	CHECK_EQ(per_slot[IF_LAN].packets[STATS_IPV6][ENGINE_UNCHANGED], per_if_family);
	CHECK_EQ(per_slot[IF_WAN].packets[STATS_IPV4][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(per_slot[IF_WAN].packets[STATS_IPV6][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(per_slot[IF_PPP].packets[STATS_IPV4][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(per_slot[IF_PPP].packets[STATS_IPV6][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(per_slot[VIEW_SLOT_OTHER].packets[STATS_IPV4][ENGINE_UNCHANGED], per_if_family);
	CHECK_EQ(per_slot[VIEW_SLOT_OTHER].packets[STATS_IPV6][ENGINE_UNCHANGED], per_if_family);
	seen_before = 0;
	for (step = 0; step < VIEW_MAX_SLOTS; step++)
		seen_before += stats_total(&per_slot[step], ENGINE_ACTION_COUNT);
	CHECK_EQ(seen_before, QUEUES * PACKETS);
	CHECK_EQ(extra.queue_gaps, 0);
	CHECK_EQ(extra.verdict_errors, 0);
	CHECK_EQ(extra.notes[ENGINE_NOTE_NONE], QUEUES * PACKETS);
	/* the MSS values the SYNs arrived with, before the clamp, per slot and family */
	CHECK_EQ(mss[IF_WAN].bins[STATS_IPV4][stats_mss_bin(1460)], per_if_family);
	CHECK_EQ(mss[IF_WAN].bins[STATS_IPV6][stats_mss_bin(1440)], per_if_family);
	CHECK_EQ(mss[IF_LAN].bins[STATS_IPV4][stats_mss_bin(1460)], per_if_family);
	CHECK_EQ(mss[VIEW_SLOT_OTHER].bins[STATS_IPV6][stats_mss_bin(1440)], per_if_family);
	CHECK_EQ(mss[IF_WAN].bins[STATS_IPV4][stats_mss_bin(1452)], 0);
	workers_collect_slot(workers, IF_WAN, &one, &one_mss);
	CHECK_EQ(one.packets[STATS_IPV4][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(one_mss.bins[STATS_IPV6][stats_mss_bin(1440)], per_if_family);

	/* folding ppp0's slot into "other" moves its counts and keeps the total */
	workers_fold(workers, IF_PPP, VIEW_SLOT_OTHER);
	workers_collect(workers, per_slot, &extra, mss, VIEW_MAX_SLOTS);
	/* (ppp0's mss[] is left as it was: it counted nothing now) */
	CHECK_EQ(mss[VIEW_SLOT_OTHER].bins[STATS_IPV4][stats_mss_bin(1460)], 2 * per_if_family);
	workers_collect_slot(workers, IF_PPP, &one, &one_mss);
	CHECK_EQ(one_mss.bins[STATS_IPV4][stats_mss_bin(1460)], 0); /* moved, not copied */
	CHECK_EQ(stats_total(&per_slot[IF_PPP], ENGINE_ACTION_COUNT), 0);
	CHECK_EQ(per_slot[VIEW_SLOT_OTHER].packets[STATS_IPV4][ENGINE_CLAMPED], per_if_family);
	CHECK_EQ(per_slot[VIEW_SLOT_OTHER].packets[STATS_IPV4][ENGINE_UNCHANGED], per_if_family);
	seen_after = 0;
	for (step = 0; step < VIEW_MAX_SLOTS; step++)
		seen_after += stats_total(&per_slot[step], ENGINE_ACTION_COUNT);
	CHECK_EQ(seen_after, seen_before);

	/* the loops still turn: the watchdog would be fed */
	{
		const struct timespec tick = { 0, 20000000 };

		workers_alive(workers);
		nanosleep(&tick, NULL);
		CHECK(workers_alive(workers));
	}

	workers_stop(workers); /* joins, closes the queues, frees the current view */
	fake_queue_reset();
	conf_free(&conf);
	test_excluded();
	test_by_cpu();
	return check_summary();
}
