/*
 * The packet path's view: ceilings per interface from kernel MTUs and
 * config, the minimum over a packet's interfaces and which interface set
 * it, clamp = no, the route MTUs towards the destination and back to the
 * source, and what the builder tells its slot callback (floored ceilings,
 * overheads counted twice). Slot names and warnings are report.c's:
 * test_report.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "conf.h"
#include "link.h"
#include "route.h"
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

/* An IP header from src to dst (text), as much as the view reads; len as it returns. */
static size_t
packet(uint8_t *pkt, const char *src, const char *dst)
{
	memset(pkt, 0, 40);
	if (strchr(src, ':') != NULL) {
		pkt[0] = 0x60;
		inet_pton(AF_INET6, src, pkt + 8);
		inet_pton(AF_INET6, dst, pkt + 24);
		return 40;
	}
	pkt[0] = 0x45;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	return 20;
}

static struct route
route(const char *prefix, unsigned len, uint32_t oif, uint32_t mtu, uint32_t priority)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	r.family = strchr(prefix, ':') != NULL ? 6 : 4;
	inet_pton(r.family == 4 ? AF_INET : AF_INET6, prefix, r.dst);
	r.len = (uint8_t)len;
	r.oif = oif;
	r.mtu = mtu;
	r.priority = priority;
	return r;
}

/* The verdict for a packet from src to dst leaving by out and coming in by in. */
static struct view_verdict
lookup(const struct view *view, uint32_t out, uint32_t in, const char *src, const char *dst)
{
	uint32_t ifs[4] = { out, in, 0, 0 };
	struct view_verdict v;
	uint8_t pkt[40];
	size_t len = packet(pkt, src, dst);

	view_lookup(view, ifs, 4, pkt, len, &v);
	return v;
}

static void
test_interfaces(void)
{
	struct iftable links;
	struct conf conf;
	struct view *view;
	struct view_verdict v;
	uint32_t ifs[4];

	link_table_init(&links);
	fixture_link(&links, 2, "lan0", "veth", 1500);
	fixture_link(&links, 3, "wan0", "veth", 1492);
	fixture_link(&links, 4, "ppp0", "ppp", 1492);
	fixture_link6(&links, 5, "tiny0", "", 600, 0);
	CHECK_EQ(fixture_conf(&conf, "[global]\nmode = observe\n"
			     "[interface wan0]\noverhead = ipip\n"
			     "[interface ppp*]\noverhead = pppoe\n"
			     "[interface lan0]\nmss = 1400\n"), 0);

	view = view_build(&links, NULL, 0, &conf, slot_by_ifindex, NULL);
	CHECK(view != NULL && view->dry_run);
	CHECK_EQ(view->entries.count, 4);
	/* tiny0: MTU 600 leaves IPv4 560 and IPv6 540: the IPv6 floor applies */
	CHECK(!told[5].ceiling.floored4 && told[5].ceiling.floored6);
	CHECK_EQ(told[5].ceiling.effective_mtu, 600);
	CHECK(told[5].iface == NULL);
	CHECK(!told[3].ceiling.floored4 && !told[3].ceiling.floored6);
	/* ppp0 is a ppp device with overhead 8: counted twice */
	CHECK(told[4].counted_twice != NULL && strcmp(told[4].counted_twice, "PPPoE") == 0);
	CHECK(told[4].iface != NULL && told[4].iface->line == 5);
	CHECK(told[3].counted_twice == NULL); /* nothing wrong with wan0 */
	CHECK(told[2].counted_twice == NULL);
	CHECK(strcmp(told_link[3].name, "wan0") == 0);

	/* one interface: its own ceilings */
	v = lookup(view, 3, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1492 - 20 - 40);
	CHECK_EQ(v.mss.ipv6, 1492 - 20 - 60);
	CHECK_EQ(v.slot, 3);
	CHECK(!v.excluded);

	/* lan0 -> wan0: the minimum per family; lan0's mss cap 1400 wins IPv4, wan0 IPv6 */
	v = lookup(view, 3, 2, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1400);
	CHECK_EQ(v.mss.ipv6, 1380); /* lan0's cap 1400 - 20, below wan0's 1412 */
	CHECK_EQ(v.slot, 2); /* the lowest IPv4 ceiling names the slot */

	/* a tie goes to the first interface given */
	v = lookup(view, 4, 4, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1492 - 8 - 40);
	CHECK_EQ(v.slot, 4);

	/* the floor: never below 536 / 1220 */
	v = lookup(view, 5, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 560);
	CHECK_EQ(v.mss.ipv6, 1220);

	/* no interface the view knows: no limit, slot "other" */
	v = lookup(view, 99, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 0xffff);
	CHECK_EQ(v.mss.ipv6, 0xffff);
	CHECK_EQ(v.slot, VIEW_SLOT_OTHER);
	CHECK(!v.excluded);

	/* bridge ports count like the rest, and no packet bytes at all is no route lookup */
	ifs[0] = 2; ifs[1] = 0; ifs[2] = 3; ifs[3] = 0;
	view_lookup(view, ifs, 4, NULL, 0, &v);
	CHECK_EQ(v.mss.ipv4, 1400);
	CHECK_EQ(v.mss.ipv6, 1380);
	view_free(view);

	/* wan0 reconnects under a new ifindex at a new MTU: the old ifindex is gone */
	iftable_del(&links, 3);
	fixture_link(&links, 11, "wan0", "veth", 1400);
	view = view_build(&links, NULL, 0, &conf, slot_by_ifindex, NULL);
	v = lookup(view, 11, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1400 - 20 - 40);
	v = lookup(view, 3, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.slot, VIEW_SLOT_OTHER);
	view_free(view);

	/* IPv6's own MTU (a router advertisement lowered it): IPv6 alone follows */
	fixture_link6(&links, 11, "wan0", "veth", 1492, 1400);
	view = view_build(&links, NULL, 0, &conf, slot_by_ifindex, NULL);
	v = lookup(view, 11, 0, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1492 - 20 - 40);
	CHECK_EQ(v.mss.ipv6, 1400 - 60); /* the RA's MTU limits the packet; the overhead is the link's */
	CHECK_EQ(told[11].ceiling.effective_mtu6, 1400);
	view_free(view);

	conf_free(&conf);
	iftable_free(&links);
}

/* clamp = no: such an interface limits nothing; a path of nothing else is left alone. */
static void
test_clamp_no(void)
{
	struct iftable links;
	struct conf conf;
	struct view *view;
	struct view_verdict v;
	struct route routes[1];
	uint32_t ifs[4] = { 0, 0, 0, 0 };

	link_table_init(&links);
	fixture_link(&links, 2, "lan0", "veth", 1500);
	fixture_link(&links, 3, "wan0", "veth", 1492);
	fixture_link(&links, 4, "docker0", "bridge", 1400);
	fixture_link(&links, 5, "veth1", "veth", 1300);
	CHECK_EQ(fixture_conf(&conf, "[interface docker0]\nclamp = no\n"
			     "[interface veth*]\nclamp = no\n"), 0);
	routes[0] = route("172.17.0.0", 16, 4, 1280, 0);
	view = view_build(&links, routes, 1, &conf, slot_by_ifindex, NULL);

	/* docker0 -> wan0: wan0 is clamped, docker0's lower MTU does not count */
	v = lookup(view, 3, 4, "172.17.0.2", "10.2.0.2");
	CHECK(!v.excluded);
	CHECK_EQ(v.mss.ipv4, 1452);
	CHECK_EQ(v.mss.ipv6, 1432);
	CHECK_EQ(v.slot, 3);
	/* ... nor does a route through docker0 back to the source */
	CHECK_EQ(lookup(view, 3, 4, "172.17.0.2", "10.2.0.2").mss.ipv4, 1452);

	/* docker0 <-> veth1: neither is clamped: left alone, counted against the first */
	v = lookup(view, 5, 4, "172.17.0.2", "172.17.0.3");
	CHECK(v.excluded);
	CHECK_EQ(v.mss.ipv4, 0xffff);
	CHECK_EQ(v.mss.ipv6, 0xffff);
	CHECK_EQ(v.slot, 5);
	/* a bridged packet between two unclamped ports, on an unclamped bridge */
	ifs[0] = 4; ifs[1] = 4; ifs[2] = 5; ifs[3] = 5;
	view_lookup(view, ifs, 4, NULL, 0, &v);
	CHECK(v.excluded && v.slot == 4);
	/* an unknown interface beside an unclamped one: still left alone */
	v = lookup(view, 99, 4, "172.17.0.2", "10.9.0.1");
	CHECK(v.excluded && v.slot == 4);
	/* a clamped one with it: clamped */
	v = lookup(view, 2, 5, "172.17.0.3", "10.1.0.2");
	CHECK(!v.excluded && v.mss.ipv4 == 1460 && v.slot == 2);
	view_free(view);
	conf_free(&conf);
	iftable_free(&links);
}

static void
test_routes(void)
{
	struct iftable links;
	struct conf conf;
	struct view *view;
	struct view_verdict v;
	struct route routes[16];
	size_t n = 0;

	link_table_init(&links);
	fixture_link(&links, 2, "lan0", "veth", 1500);
	fixture_link(&links, 3, "wan0", "veth", 1492);
	fixture_link(&links, 6, "wan1", "veth", 1500);
	CHECK_EQ(fixture_conf(&conf, ""), 0);

	routes[n++] = route("10.2.0.3", 32, 3, 1400, 0);        /* one server behind a tunnel */
	routes[n++] = route("10.8.0.0", 16, 3, 1300, 0);        /* a network of them */
	routes[n++] = route("10.8.5.0", 24, 3, 0, 0);           /* ... but this part is direct */
	routes[n++] = route("10.9.0.0", 16, 3, 1350, 100);      /* two metrics: the lower wins */
	routes[n++] = route("10.9.0.0", 16, 3, 1250, 200);
	routes[n++] = route("10.7.0.0", 16, 0, 1420, 0);        /* multipath: any device */
	routes[n++] = route("10.1.0.0", 24, 2, 1440, 0);        /* the LAN, back to the source */
	routes[n++] = route("fd02::3", 128, 3, 1400, 1024);
	routes[n++] = route("fd08::", 32, 3, 1000, 1024);       /* IPv6 floored at 1220 */
	view = view_build(&links, routes, n, &conf, slot_by_ifindex, NULL);
	CHECK_EQ(view->routes4.lpm.n, 7);
	CHECK_EQ(view->routes6.lpm.n, 2);

	/* the route towards the destination, leaving by its device */
	v = lookup(view, 3, 0, "192.0.2.1", "10.2.0.3");
	CHECK_EQ(v.mss.ipv4, 1360);
	CHECK_EQ(v.slot, 3); /* the interface still names the slot */
	v = lookup(view, 3, 0, "192.0.2.1", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1452);
	v = lookup(view, 3, 0, "192.0.2.1", "10.8.1.1");
	CHECK_EQ(v.mss.ipv4, 1260);
	/* the more specific route without an MTU overrides */
	v = lookup(view, 3, 0, "192.0.2.1", "10.8.5.9");
	CHECK_EQ(v.mss.ipv4, 1452);
	v = lookup(view, 3, 0, "192.0.2.1", "10.9.1.1");
	CHECK_EQ(v.mss.ipv4, 1310);
	v = lookup(view, 6, 0, "192.0.2.1", "10.7.1.1");
	CHECK_EQ(v.mss.ipv4, 1380);
	/* policy routing sent it out by another device: the main table's route is not the one */
	v = lookup(view, 6, 0, "192.0.2.1", "10.2.0.3");
	CHECK_EQ(v.mss.ipv4, 1460);
	/* no device to leave by (to the router itself): no route towards */
	v = lookup(view, 0, 3, "192.0.2.1", "10.2.0.3");
	CHECK_EQ(v.mss.ipv4, 1452);

	/* the route back to the source, for the packet that came in by its device */
	v = lookup(view, 2, 3, "10.2.0.3", "10.1.0.2");
	CHECK_EQ(v.mss.ipv4, 1360); /* the SYN-ACK from the server behind the tunnel */
	v = lookup(view, 2, 3, "10.2.0.2", "10.1.0.2");
	CHECK_EQ(v.mss.ipv4, 1400); /* the route to 10.1.0.0/24 leaves by lan0, the packet's out */
	v = lookup(view, 3, 2, "10.1.0.2", "10.2.0.2");
	CHECK_EQ(v.mss.ipv4, 1400); /* ... and came in by lan0: back to the source, 1440 - 40 */

	/* IPv6, and its floor */
	v = lookup(view, 3, 2, "fd01::2", "fd02::3");
	CHECK_EQ(v.mss.ipv6, 1340);
	CHECK_EQ(v.mss.ipv4, 1452); /* the other family is not touched */
	v = lookup(view, 3, 2, "fd01::2", "fd02::2");
	CHECK_EQ(v.mss.ipv6, 1432);
	v = lookup(view, 3, 2, "fd01::2", "fd08::1");
	CHECK_EQ(v.mss.ipv6, 1220);
	/* an IPv6 address is never looked up among IPv4 routes: 10.2.0.3 is 0a02:0003:: */
	v = lookup(view, 3, 2, "fd01::2", "a02:3::");
	CHECK_EQ(v.mss.ipv6, 1432);
	view_free(view);
	conf_free(&conf);
	iftable_free(&links);
}

int
main(void)
{
	test_interfaces();
	test_clamp_no();
	test_routes();
	return check_summary();
}
