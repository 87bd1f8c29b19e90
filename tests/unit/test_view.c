/*
 * The packet path's view: ceilings per interface from kernel MTU and config,
 * the minimum over a packet's interfaces, stats slots that survive a
 * reconnect, and warnings given once, not on every rebuild.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "conffile.h"
#include "log.h"
#include "view.h"

static char conf_path[] = "/tmp/test_view.XXXXXX";

static void
add_link(struct iftable *links, uint32_t ifindex, const char *name, const char *kind, unsigned mtu)
{
	struct iftable_entry e;

	memset(&e, 0, sizeof(e));
	e.ifindex = ifindex;
	snprintf(e.name, sizeof(e.name), "%s", name);
	snprintf(e.kind, sizeof(e.kind), "%s", kind);
	e.mtu = mtu;
	iftable_put(links, &e);
}

static void
ignore_report(void *arg, const char *file, unsigned line, const char *msg)
{
	(void)arg;
	fprintf(stderr, "unexpected config error %s:%u: %s\n", file, line, msg);
}

static int
load(struct conf *conf, const char *text)
{
	int fd = mkstemp(conf_path);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	return conf_load(conf, conf_path, ignore_report, NULL);
}

/* Runs build with stderr going to a file; returns what was logged. */
static struct view *
build_logged(const struct iftable *links, const struct conf *conf, struct view_slots *slots,
	     char *logged, size_t size)
{
	char path[] = "/tmp/test_view_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct view *view;
	ssize_t n;

	dup2(fd, STDERR_FILENO);
	view = view_build(links, conf, slots);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, logged, size - 1, 0);
	logged[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return view;
}

int
main(void)
{
	static struct view_slots slots;
	struct iftable links;
	struct conf conf;
	struct view *view;
	struct engine_ceiling c;
	uint32_t ifs[4];
	uint16_t slot, wan_slot;
	char logged[4096];

	log_init(0);
	view_slots_init(&slots);
	iftable_init(&links);
	add_link(&links, 2, "lan0", "veth", 1500);
	add_link(&links, 3, "wan0", "veth", 1492);
	add_link(&links, 4, "ppp0", "ppp", 1492);
	add_link(&links, 5, "tiny0", "", 600);
	CHECK_EQ(load(&conf, "[global]\nmode = observe\n"
			     "[interface wan0]\noverhead = ipip\n"
			     "[interface ppp*]\noverhead = pppoe\n"
			     "[interface lan0]\nmss = 1400\n"), 0);

	view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
	CHECK(view != NULL && view->dry_run);
	printf("logged:\n%s", logged);
	/* tiny0: MTU 600 leaves IPv4 560 and IPv6 540: the IPv6 floor applies */
	CHECK(strstr(logged, "tiny0: effective MTU 600 (MTU 600 - overhead 0) leaves too little; "
			     "MSS held at 560 (IPv4) / 1220 (IPv6)") != NULL);
	/* ppp0 is a ppp device with overhead 8: counted twice */
	CHECK(strstr(logged, "ppp0: a ppp device's MTU (1492) already excludes PPPoE's 8 bytes") != NULL);
	CHECK(strstr(logged, "wan0") == NULL); /* nothing wrong with wan0 */

	/* one interface: its own ceilings */
	ifs[0] = 3; ifs[1] = 0; ifs[2] = 0; ifs[3] = 0;
	c = view_ceiling(view, ifs, 4, &slot);
	CHECK_EQ(c.ipv4, 1492 - 20 - 40);
	CHECK_EQ(c.ipv6, 1492 - 20 - 60);
	CHECK(strcmp(slots.names[slot], "wan0") == 0);
	wan_slot = slot;

	/* lan0 -> wan0: the minimum per family; lan0's mss cap 1400 wins IPv4, wan0 IPv6 */
	ifs[0] = 3; ifs[1] = 2;
	c = view_ceiling(view, ifs, 4, &slot);
	CHECK_EQ(c.ipv4, 1400);
	CHECK_EQ(c.ipv6, 1380); /* lan0's cap 1400 - 20, below wan0's 1412 */
	CHECK(strcmp(slots.names[slot], "lan0") == 0); /* the lowest IPv4 ceiling names the slot */

	/* a tie goes to the first interface given */
	ifs[0] = 4; ifs[1] = 4;
	c = view_ceiling(view, ifs, 2, &slot);
	CHECK_EQ(c.ipv4, 1492 - 8 - 40);
	CHECK(strcmp(slots.names[slot], "ppp0") == 0);

	/* the floor: never below 536 / 1220 */
	ifs[0] = 5;
	c = view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(c.ipv4, 560);
	CHECK_EQ(c.ipv6, 1220);

	/* no interface the view knows: no limit, slot "-" */
	ifs[0] = 99; ifs[1] = 0;
	c = view_ceiling(view, ifs, 2, &slot);
	CHECK_EQ(c.ipv4, 0xffff);
	CHECK_EQ(c.ipv6, 0xffff);
	CHECK_EQ(slot, VIEW_SLOT_OTHER);
	CHECK(strcmp(slots.names[slot], "-") == 0);
	view_free(view);

	/* rebuilt with nothing changed: no warning again, same slots */
	view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
	CHECK_EQ(strlen(logged), 0);
	view_free(view);

	/* wan0 reconnects under a new ifindex at a new MTU: same slot, new ceiling */
	iftable_del(&links, 3);
	add_link(&links, 4711, "wan0", "veth", 1400);
	view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
	ifs[0] = 4711;
	c = view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(slot, wan_slot);
	CHECK_EQ(c.ipv4, 1400 - 20 - 40);
	ifs[0] = 3;
	view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(slot, VIEW_SLOT_OTHER); /* the old ifindex is gone */
	view_free(view);

	/* tiny0's MTU changes but stays floored: warned again, since the numbers changed */
	iftable_del(&links, 5);
	add_link(&links, 5, "tiny0", "", 700);
	view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
	CHECK(strstr(logged, "tiny0: effective MTU 700") != NULL);
	view_free(view);

	/* departed names: veth9 went away and has no section; wan0 has one, so it stays */
	{
		uint16_t departed[VIEW_MAX_SLOTS], veth_slot;
		unsigned n;

		add_link(&links, 9, "veth9", "veth", 1500);
		view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
		ifs[0] = 9;
		view_ceiling(view, ifs, 1, &veth_slot);
		view_free(view);
		iftable_del(&links, 9);
		iftable_del(&links, 4711); /* wan0 down between reconnects */
		view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
		n = view_slots_departed(view, &slots, &conf, departed);
		CHECK_EQ(n, 1);
		CHECK_EQ(departed[0], veth_slot);
		view_slots_release(&slots, departed[0]);
		CHECK_EQ(slots.names[veth_slot][0], '\0');
		view_slots_release(&slots, VIEW_SLOT_OTHER); /* never released */
		CHECK(strcmp(slots.names[VIEW_SLOT_OTHER], "-") == 0);
		view_free(view);

		/* the next new name takes the freed slot; wan0 comes back to its own */
		add_link(&links, 10, "veth10", "veth", 1500);
		add_link(&links, 4712, "wan0", "veth", 1492);
		view = build_logged(&links, &conf, &slots, logged, sizeof(logged));
		ifs[0] = 10;
		view_ceiling(view, ifs, 1, &slot);
		CHECK_EQ(slot, veth_slot);
		CHECK(strcmp(slots.names[slot], "veth10") == 0);
		ifs[0] = 4712;
		view_ceiling(view, ifs, 1, &slot);
		CHECK_EQ(slot, wan_slot);
		view_free(view);
	}

	conf_free(&conf);
	iftable_free(&links);
	unlink(conf_path);
	return check_summary();
}
