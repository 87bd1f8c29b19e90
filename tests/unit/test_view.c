/*
 * The packet path's view: ceilings per interface from kernel MTU and config,
 * the minimum over a packet's interfaces and which interface set it, and
 * what the builder tells its slot callback (floored ceilings, overheads
 * counted twice). Slot names and warnings are report.c's: test_report.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "conf.h"
#include "link.h"
#include "view.h"

/* What the builder said about each interface, by ifindex. */
static struct view_link told[16];
static struct link told_link[16];

static uint16_t
slot_by_ifindex(void *arg, const struct view_link *vl, const struct conf *conf)
{
	(void)arg;
	(void)conf;
	if (vl->link->ifindex < 16) {
		told[vl->link->ifindex] = *vl;
		told_link[vl->link->ifindex] = *vl->link;
	}
	return (uint16_t)vl->link->ifindex;
}

int
main(void)
{
	struct iftable links;
	struct conf conf;
	struct view *view;
	struct engine_ceiling c;
	uint32_t ifs[4];
	uint16_t slot;

	link_table_init(&links);
	fixture_link(&links, 2, "lan0", "veth", 1500);
	fixture_link(&links, 3, "wan0", "veth", 1492);
	fixture_link(&links, 4, "ppp0", "ppp", 1492);
	fixture_link(&links, 5, "tiny0", "", 600);
	CHECK_EQ(fixture_conf(&conf, "[global]\nmode = observe\n"
			     "[interface wan0]\noverhead = ipip\n"
			     "[interface ppp*]\noverhead = pppoe\n"
			     "[interface lan0]\nmss = 1400\n"), 0);

	view = view_build(&links, &conf, slot_by_ifindex, NULL);
	CHECK(view != NULL && view->dry_run);
	CHECK_EQ(view->entries.count, 4);
	/* tiny0: MTU 600 leaves IPv4 560 and IPv6 540: the IPv6 floor applies */
	CHECK(told[5].ceiling.floored);
	CHECK_EQ(told[5].ceiling.effective_mtu, 600);
	CHECK(told[5].iface == NULL);
	CHECK(!told[3].ceiling.floored);
	/* ppp0 is a ppp device with overhead 8: counted twice */
	CHECK(told[4].counted_twice != NULL && strcmp(told[4].counted_twice, "PPPoE") == 0);
	CHECK(told[4].iface != NULL && told[4].iface->line == 5);
	CHECK(told[3].counted_twice == NULL); /* nothing wrong with wan0 */
	CHECK(told[2].counted_twice == NULL);
	CHECK(strcmp(told_link[3].name, "wan0") == 0);

	/* one interface: its own ceilings */
	ifs[0] = 3; ifs[1] = 0; ifs[2] = 0; ifs[3] = 0;
	c = view_ceiling(view, ifs, 4, &slot);
	CHECK_EQ(c.ipv4, 1492 - 20 - 40);
	CHECK_EQ(c.ipv6, 1492 - 20 - 60);
	CHECK_EQ(slot, 3);

	/* lan0 -> wan0: the minimum per family; lan0's mss cap 1400 wins IPv4, wan0 IPv6 */
	ifs[0] = 3; ifs[1] = 2;
	c = view_ceiling(view, ifs, 4, &slot);
	CHECK_EQ(c.ipv4, 1400);
	CHECK_EQ(c.ipv6, 1380); /* lan0's cap 1400 - 20, below wan0's 1412 */
	CHECK_EQ(slot, 2); /* the lowest IPv4 ceiling names the slot */

	/* a tie goes to the first interface given */
	ifs[0] = 4; ifs[1] = 4;
	c = view_ceiling(view, ifs, 2, &slot);
	CHECK_EQ(c.ipv4, 1492 - 8 - 40);
	CHECK_EQ(slot, 4);

	/* the floor: never below 536 / 1220 */
	ifs[0] = 5;
	c = view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(c.ipv4, 560);
	CHECK_EQ(c.ipv6, 1220);

	/* no interface the view knows: no limit, slot "other" */
	ifs[0] = 99; ifs[1] = 0;
	c = view_ceiling(view, ifs, 2, &slot);
	CHECK_EQ(c.ipv4, 0xffff);
	CHECK_EQ(c.ipv6, 0xffff);
	CHECK_EQ(slot, VIEW_SLOT_OTHER);
	view_free(view);

	/* wan0 reconnects under a new ifindex at a new MTU: the old ifindex is gone */
	iftable_del(&links, 3);
	fixture_link(&links, 11, "wan0", "veth", 1400);
	view = view_build(&links, &conf, slot_by_ifindex, NULL);
	ifs[0] = 11;
	c = view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(c.ipv4, 1400 - 20 - 40);
	ifs[0] = 3;
	view_ceiling(view, ifs, 1, &slot);
	CHECK_EQ(slot, VIEW_SLOT_OTHER);
	view_free(view);

	conf_free(&conf);
	iftable_free(&links);
	return check_summary();
}
