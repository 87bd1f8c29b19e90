/*
 * Interface reporting: slots by name that survive a reconnect, warnings
 * given once per change and not on every rebuild, slots of departed
 * interfaces reclaimed when they run short (never a configured one), and
 * the records written. Workers on the fake queue stand behind the counts.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "fake_queue.h"
#include "link.h"
#include "log.h"
#include "report.h"
#include "view.h"
#include "worker.h"

/* Builds and publishes a view as main.c does, with stderr going to logged. */
static struct view *
publish_logged(struct workers *workers, struct report *report, const struct iftable *links,
	       const struct conf *conf, char *logged, size_t size)
{
	char path[] = "/tmp/test_report_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct view *view;
	ssize_t n;

	dup2(fd, STDERR_FILENO);
	view = view_build(links, NULL, 0, conf, report_slot, report);
	if (view != NULL) {
		workers_publish(workers, view);
		report_published(report, view, conf, workers);
	}
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, logged, size - 1, 0);
	logged[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return view;
}

/* The stats file's text, into text (size bytes). */
static void
read_stats(const char *path, char *text, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, size - 1, f) : 0;

	text[n] = '\0';
	if (f)
		fclose(f);
}

static uint16_t
slot_number(const struct view *view, uint32_t ifindex)
{
	struct view_verdict v;

	view_lookup(view, &ifindex, 1, NULL, 0, &v);
	return v.slot;
}

static const char *
slot_of(const struct report *report, const struct view *view, uint32_t ifindex)
{
	return report_slot_name(report, slot_number(view, ifindex));
}

int
main(void)
{
	char stats_path[] = "/tmp/test_report_stats.XXXXXX";
	static char logged[1 << 16], text[1 << 16];
	struct iftable links;
	struct workers *workers;
	struct report *report;
	struct conf conf;
	struct view *view;
	uint16_t wan_slot, veth_slot;
	unsigned i;
	int fd;

	log_init(0);
	fd = mkstemp(stats_path);
	close(fd);
	link_table_init(&links);
	fixture_link(&links, 2, "lan0", "veth", 1500);
	fixture_link(&links, 3, "wan0", "veth", 1492);
	fixture_link(&links, 4, "ppp0", "ppp", 1492);
	fixture_link(&links, 5, "tiny0", "", 600);
	snprintf(text, sizeof(text), "[global]\nqueue = 0\nstats_log = %s\n"
		 "[interface wan0]\noverhead = ipip\n"
		 "[interface ppp*]\noverhead = pppoe\n"
		 "[interface lan0]\nmss = 1400\n", stats_path);
	CHECK_EQ(fixture_conf(&conf, text), 0);

	report = report_new();
	CHECK(report != NULL);
	CHECK(strcmp(report_slot_name(report, VIEW_SLOT_OTHER), "-") == 0);
	view = view_build(&links, NULL, 0, &conf, report_slot, report);
	workers = workers_open(&conf, view);   /* no thread runs: only the counters matter */
	CHECK(workers != NULL);
	report_reopen(report, &conf);

	/* the first build warns */
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	printf("logged:\n%s", logged);
	/* (the build in workers_open() above already warned: this one must not again) */
	CHECK_EQ(strlen(logged), 0);
	view_free(view_build(&links, NULL, 0, &conf, report_slot, report)); /* nothing changed: quiet */

	/* a fresh report warns at its first build, with the words operators see */
	{
		struct report *fresh = report_new();
		struct view *v;
		char path[] = "/tmp/test_report_log.XXXXXX";
		int lfd = mkstemp(path), saved = dup(STDERR_FILENO);
		ssize_t n;

		dup2(lfd, STDERR_FILENO);
		v = view_build(&links, NULL, 0, &conf, report_slot, fresh);
		dup2(saved, STDERR_FILENO);
		close(saved);
		n = pread(lfd, logged, sizeof(logged) - 1, 0);
		logged[n > 0 ? n : 0] = '\0';
		close(lfd);
		unlink(path);
		printf("logged:\n%s", logged);
		/* tiny0: MTU 600 leaves IPv4 560 and IPv6 540: the IPv6 floor applies */
		CHECK(strstr(logged, "tiny0: IPv6 MTU 600 (MTU 600 - overhead 0) is below IPv6's 1280: "
				     "IPv6 cannot run on it; IPv6 MSS held at its floor 1220") != NULL);
		CHECK(strstr(logged, "tiny0: effective MTU") == NULL); /* IPv4's 560 is no floor */
		/* ppp0 is a ppp device with overhead 8: counted twice */
		CHECK(strstr(logged, "ppp0: a ppp device's MTU (1492) already excludes PPPoE's 8 bytes; "
				     "overhead = 8 in test.conf:6 probably counts them twice") != NULL);
		CHECK(strstr(logged, "wan0") == NULL); /* nothing wrong with wan0 */
		view_free(v);
		report_free(fresh);
	}

	CHECK(strcmp(slot_of(report, view, 3), "wan0") == 0);
	CHECK(strcmp(slot_of(report, view, 2), "lan0") == 0);
	CHECK(strcmp(slot_of(report, view, 99), "-") == 0);
	wan_slot = slot_number(view, 3);

	/* wan0 reconnects under a new ifindex at a new MTU: same slot, new ceiling */
	iftable_del(&links, 3);
	fixture_link(&links, 4711, "wan0", "veth", 1400);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	CHECK_EQ(slot_number(view, 4711), wan_slot);
	CHECK_EQ(slot_number(view, 3), VIEW_SLOT_OTHER); /* the old ifindex is gone */
	CHECK_EQ(strlen(logged), 0);

	/* tiny0's MTU changes but stays floored: warned again, since the numbers changed */
	iftable_del(&links, 5);
	fixture_link(&links, 5, "tiny0", "", 700);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	CHECK(strstr(logged, "tiny0: IPv6 MTU 700") != NULL);

	/* below IPv4's 576 too: both families said, each with its own floor */
	iftable_del(&links, 5);
	fixture_link6(&links, 5, "tiny0", "", 500, 0);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	CHECK(strstr(logged, "tiny0: effective MTU 500 (MTU 500 - overhead 0) is below IPv4's 576: "
			     "IPv4 MSS held at its floor 536") != NULL);
	CHECK(strstr(logged, "tiny0: IPv6 MTU 500 (MTU 500 - overhead 0) is below IPv6's 1280") != NULL);
	iftable_del(&links, 5);
	fixture_link(&links, 5, "tiny0", "", 700);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));

	/* what a status query gets about an interface: the kernel's MTUs and the view's */
	{
		struct report_iface ri;

		iftable_del(&links, 2);
		fixture_link6(&links, 2, "lan0", "veth", 1500, 1400);
		view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
		CHECK(report_iface(report, workers, slot_number(view, 2), &ri));
		CHECK(strcmp(ri.name, "lan0") == 0 && ri.present && ri.clamp);
		CHECK_EQ(ri.mtu, 1500);
		CHECK_EQ(ri.mtu6, 1400);
		CHECK_EQ(ri.effective_mtu, 1500);
		CHECK_EQ(ri.effective_mtu6, 1400);
		CHECK_EQ(ri.mss.ipv4, 1400); /* its mss cap */
		CHECK_EQ(ri.mss.ipv6, 1340); /* the IPv6 MTU's 1340 is below mss - 20 */
		CHECK_EQ(stats_total(&ri.counters, ENGINE_ACTION_COUNT), 0);
		CHECK(!report_iface(report, workers, VIEW_SLOT_OTHER, &ri));
		CHECK(!report_iface(report, workers, report_slots(report), &ri));
	}

	/* a record: configured interfaces show with their ceilings, idle unconfigured ones do not */
	report_write(report, workers, &conf, NULL);
	{
		read_stats(stats_path, text, sizeof(text));
		printf("stats:\n%s", text);
		CHECK(strstr(text, " iface=wan0 seen=0 clamped=0 unchanged=0 inserted=0 malformed=0 "
				   "skipped=0 ipv4=0 ipv6=0 mss4=1340 mss6=1320\n") != NULL);
		CHECK(strstr(text, " iface=ppp0 ") != NULL);
		CHECK(strstr(text, " iface=tiny0 ") == NULL);
		CHECK(strstr(text, " iface=all seen=0 ") != NULL);
		CHECK(strstr(text, "bypassed=") == NULL); /* unknown without the rules' counts */
	}

	/* clamp = no: the interface is there, configured, with no ceiling to show */
	{
		struct conf no_clamp;
		struct report_iface ri;

		snprintf(text, sizeof(text), "[global]\nstats_log = %s\n"
			 "[interface wan0]\nclamp = no\n", stats_path);
		CHECK_EQ(fixture_conf(&no_clamp, text), 0);
		view = view_build(&links, NULL, 0, &no_clamp, report_slot, report);
		workers_publish(workers, view);
		report_published(report, view, &no_clamp, workers);
		CHECK(report_iface(report, workers, wan_slot, &ri));
		CHECK(ri.present && !ri.clamp && ri.mss.ipv4 == 0 && ri.mtu == 1400);
		report_write(report, workers, &no_clamp, NULL);
		read_stats(stats_path, text, sizeof(text));
		CHECK(strstr(text, " iface=wan0 seen=0 clamped=0 unchanged=0 inserted=0 malformed=0 "
				   "skipped=0 ipv4=0 ipv6=0\n") != NULL);
		view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
		conf_free(&no_clamp);
	}

	/*
	 * Departed names: veth9 goes away and has no section; wan0 has one, so
	 * its slot stays. Slots are reclaimed only when 3/4 are taken: 800
	 * fillers first.
	 */
	for (i = 0; i < 800; i++) {
		char name[16];

		snprintf(name, sizeof(name), "fill%u", i);
		fixture_link(&links, 10000 + i, name, "veth", 1500);
	}
	fixture_link(&links, 9, "veth9", "veth", 1500);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	veth_slot = slot_number(view, 9);
	CHECK(strcmp(report_slot_name(report, veth_slot), "veth9") == 0);
	iftable_del(&links, 9);
	iftable_del(&links, 4711); /* wan0 down between reconnects */
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	CHECK_EQ(report_slot_name(report, veth_slot)[0], '\0');
	CHECK(strcmp(report_slot_name(report, wan_slot), "wan0") == 0);
	CHECK(strstr(logged, "stats: 1 interfaces that no longer exist now count under iface=-") != NULL);
	CHECK(strcmp(report_slot_name(report, VIEW_SLOT_OTHER), "-") == 0); /* never released */

	/* the next new name takes the freed slot; wan0 comes back to its own */
	fixture_link(&links, 10, "veth10", "veth", 1500);
	fixture_link(&links, 4712, "wan0", "veth", 1492);
	view = publish_logged(workers, report, &links, &conf, logged, sizeof(logged));
	CHECK_EQ(slot_number(view, 10), veth_slot);
	CHECK(strcmp(report_slot_name(report, veth_slot), "veth10") == 0);
	CHECK_EQ(slot_number(view, 4712), wan_slot);

	workers_stop(workers);
	report_free(report);
	fake_queue_reset();
	conf_free(&conf);
	iftable_free(&links);
	unlink(stats_path);
	return check_summary();
}
