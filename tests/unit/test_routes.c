/*
 * routes_apply(): rtnetlink route messages as the kernel sends them, and
 * broken ones, against a route set: which routes are kept (MTU routes and
 * the routes inside them), which are not (other tables, cache entries,
 * routes outside every MTU route), and when a new dump is needed.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "routes.h"

static char buf[4096];

struct msg {
	uint16_t type;          /* RTM_NEWROUTE, RTM_DELROUTE */
	const char *dst;        /* NULL: the default route (no RTA_DST) */
	unsigned len;
	uint32_t mtu;           /* 0: no RTA_METRICS */
	uint32_t oif;           /* 0: no RTA_OIF */
	uint32_t priority;
	uint32_t table;         /* RT_TABLE_MAIN if 0 */
	uint8_t type_rtn;       /* RTN_UNICAST if 0 */
	unsigned flags;         /* rtm_flags */
};

static struct nlmsghdr *
route_msg(const struct msg *m)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool v6 = m->dst != NULL && strchr(m->dst, ':') != NULL;
	struct rtmsg *rtm;
	uint8_t addr[16];

	nlh->nlmsg_type = m->type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = v6 ? AF_INET6 : AF_INET;
	rtm->rtm_dst_len = (uint8_t)m->len;
	rtm->rtm_table = m->table != 0 && m->table < 256 ? (uint8_t)m->table : RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = m->type_rtn != 0 ? m->type_rtn : RTN_UNICAST;
	rtm->rtm_flags = m->flags;
	mnl_attr_put_u32(nlh, RTA_TABLE, m->table != 0 ? m->table : RT_TABLE_MAIN);
	if (m->dst != NULL) {
		inet_pton(rtm->rtm_family, m->dst, addr);
		mnl_attr_put(nlh, RTA_DST, v6 ? 16 : 4, addr);
	}
	if (m->priority != 0 || v6)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, m->priority);
	if (m->oif != 0)
		mnl_attr_put_u32(nlh, RTA_OIF, m->oif);
	if (m->mtu != 0) {
		struct nlattr *metrics = mnl_attr_nest_start(nlh, RTA_METRICS);

		mnl_attr_put_u32(nlh, RTAX_MTU, m->mtu);
		mnl_attr_nest_end(nlh, metrics);
	}
	return nlh;
}

static int
apply(struct route_set *set, const struct msg *m)
{
	struct nlmsghdr *nlh = route_msg(m);

	return routes_apply(set, set, nlh, nlh->nlmsg_len);
}

/* The kept route for dst/len, or NULL. */
static const struct route *
kept(const struct route_set *set, const char *dst, unsigned len)
{
	uint8_t addr[16] = { 0 };
	int family = strchr(dst, ':') != NULL ? 6 : 4;
	size_t i;

	inet_pton(family == 6 ? AF_INET6 : AF_INET, dst, addr);
	for (i = 0; i < set->n; i++)
		if (set->r[i].family == family && set->r[i].len == len &&
		    memcmp(set->r[i].dst, addr, 16) == 0)
			return &set->r[i];
	return NULL;
}

static void
test_keep(void)
{
	struct route_set set;
	const struct route *r;

	route_set_init(&set);
	/* a full table's worth of routes without an MTU: none of them kept */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.5.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = NULL, .len = 0, .mtu = 0,
					   .oif = 3 }), 0);
	CHECK_EQ(set.n, 0);
	CHECK(!set.new_mtu_prefix);

	/* an MTU route: kept, and a new prefix to look inside (a dump) */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 3 }), 1);
	r = kept(&set, "10.8.0.0", 16);
	CHECK(r != NULL && r->mtu == 1400 && r->oif == 3 && r->family == 4 && r->priority == 0);
	CHECK(set.new_mtu_prefix);
	set.new_mtu_prefix = false;
	CHECK_EQ(set.n_mtu, 1);

	/* now a route inside it is kept, one outside is not */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.5.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 1);
	CHECK(kept(&set, "10.8.5.0", 24) != NULL);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.9.0.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 0);
	/* the same again: nothing new */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.5.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 3 }), 0);
	CHECK(!set.new_mtu_prefix);
	/* a less specific route holding the MTU route is outside it: not kept */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.0.0.0", .len = 8,
					   .mtu = 0, .oif = 3 }), 0);

	/* its MTU changes (ip route change ... mtu 1300): the same route, replaced */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1300, .oif = 3 }), 1);
	CHECK_EQ(kept(&set, "10.8.0.0", 16)->mtu, 1300);
	CHECK(!set.new_mtu_prefix);
	CHECK_EQ(set.n, 2);

	/* another metric is another route */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1200, .oif = 4, .priority = 100 }), 1);
	CHECK_EQ(set.n, 3);
	CHECK_EQ(set.n_mtu, 2);

	/* deleted: gone; deleting what was never kept changes nothing */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_DELROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1200, .oif = 4, .priority = 100 }), 1);
	CHECK_EQ(set.n_mtu, 1);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_DELROUTE, .dst = "10.9.0.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 0);
	CHECK_EQ(set.n, 2);

	/* an MTU route loses its MTU: kept as a route without one (it still overrides) */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 0, .oif = 3 }), 1);
	CHECK_EQ(kept(&set, "10.8.0.0", 16)->mtu, 0);
	CHECK_EQ(set.n_mtu, 0);
	/* and gains one back: a prefix the cover knows no more, so a dump */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 3 }), 1);
	CHECK(set.new_mtu_prefix);
	set.new_mtu_prefix = false;

	/* IPv6, and the default route with an MTU: everything is inside it */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "2001:db8::", .len = 32,
					   .mtu = 0, .oif = 3, .priority = 1024 }), 0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "::", .len = 0,
					   .mtu = 1480, .oif = 3, .priority = 1024 }), 1);
	r = kept(&set, "::", 0);
	CHECK(r != NULL && r->family == 6 && r->mtu == 1480 && r->priority == 1024);
	set.new_mtu_prefix = false;
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "2001:db8::", .len = 32,
					   .mtu = 0, .oif = 3, .priority = 1024 }), 1);
	/* an IPv4 address is never inside an IPv6 route */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.9.0.0", .len = 24,
					   .mtu = 0, .oif = 3 }), 0);
	route_set_free(&set);
}

static void
test_not_ours(void)
{
	struct route_set set;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	route_set_init(&set);
	/* other tables (policy routing), cache entries (PMTU from ICMP): not read */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 3, .priority = 0, .table = 100 }),
					   0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 3, .priority = 0, .table = 1000 }),
					   0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 3, .priority = 0,
					   .table = RT_TABLE_LOCAL }), 0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 3, .priority = 0, .table = 0,
					   .type_rtn = 0, .flags = RTM_F_CLONED }), 0);
	CHECK_EQ(set.n, 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 3 });
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 1);
	set.new_mtu_prefix = false;
	/* a blackhole or unreachable route has no MTU of its own, but overrides */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 0, .priority = 0, .table = 0,
					   .type_rtn = RTN_UNREACHABLE }), 0);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 32,
					   .mtu = 1400, .oif = 0, .priority = 5, .table = 0,
					   .type_rtn = RTN_BLACKHOLE }), 1);
	CHECK(kept(&set, "10.2.0.3", 32) != NULL);
	/* broken: a destination of the wrong size, a length past the address, truncated */
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.3", .len = 33,
					   .mtu = 1400, .oif = 3 });
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.4", .len = 32,
					   .mtu = 1400, .oif = 3 });
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET6; /* a 4-byte RTA_DST for IPv6 */
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.4", .len = 32,
					   .mtu = 1400, .oif = 3 });
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len - 1), 0);
	CHECK_EQ(routes_apply(&set, &set, nlh, 8), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = NULL, .len = 8, .mtu = 1400,
					   .oif = 3 }); /* a /8 with no RTA_DST */
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.4", .len = 32,
					   .mtu = 0, .oif = 3 });
	mnl_attr_put_u16(nlh, RTA_PRIORITY, 7); /* a second, of the wrong size */
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.4", .len = 32,
					   .mtu = 0, .oif = 3 });
	nlh->nlmsg_type = RTM_NEWLINK;
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.2.0.4", .len = 32,
					   .mtu = 0, .oif = 3 });
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_BRIDGE;
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 0);
	/* host bits set in the destination: cleared, as the kernel would have them */
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = "10.7.255.255",
					   .len = 16, .mtu = 1400, .oif = 3 }), 1);
	CHECK(kept(&set, "10.7.0.0", 16) != NULL);
	route_set_free(&set);
}

/* A route to 10.8.0.0/16, MTU 1400, over nexthops of ifindex[0..n); rtnh_len 0: a broken one. */
static struct nlmsghdr *
multipath_msg(const int *ifindex, const unsigned short *rtnh_len, size_t n)
{
	struct nlmsghdr *nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0",
							.len = 16, .mtu = 1400 });
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	size_t i;

	for (i = 0; i < n; i++) {
		struct rtnexthop *nh = mnl_nlmsg_put_extra_header(nlh, sizeof(*nh));

		nh->rtnh_len = rtnh_len[i];
		nh->rtnh_ifindex = ifindex[i];
	}
	mnl_attr_nest_end(nlh, mp);
	return nlh;
}

/* RTA_MULTIPATH: one device for all nexthops, or 0 (any) for several. */
static void
test_multipath(void)
{
	static const int same[] = { 3, 3 }, mixed[] = { 3, 4, 5 };
	static const unsigned short whole[] = { 8, 8, 8 }, broken[] = { 8, 8, 200 };
	struct route_set set;
	struct nlmsghdr *nlh;

	route_set_init(&set);
	nlh = multipath_msg(same, whole, 2);
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(kept(&set, "10.8.0.0", 16)->oif, 3);
	/* the third nexthop claims 200 bytes: ignored, with what follows; 3 and 4 remain */
	nlh = multipath_msg(mixed, broken, 3);
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(kept(&set, "10.8.0.0", 16)->oif, 0);
	nlh = multipath_msg(mixed + 2, whole, 1);
	CHECK_EQ(routes_apply(&set, &set, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(kept(&set, "10.8.0.0", 16)->oif, 5);
	route_set_free(&set);
}

/*
 * A dump fills a fresh set, judged by the set in use: an MTU route the
 * cover does not know asks for another dump; one it knows does not.
 */
static void
test_dump_cover(void)
{
	struct route_set live, dumping;
	struct nlmsghdr *nlh;

	route_set_init(&live);
	route_set_init(&dumping);
	/* the first dump: nothing known, the more specific route comes first */
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.5.0", .len = 24,
					   .mtu = 0, .oif = 3 });
	CHECK_EQ(routes_apply(&dumping, &live, nlh, nlh->nlmsg_len), 0);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 3 });
	CHECK_EQ(routes_apply(&dumping, &live, nlh, nlh->nlmsg_len), 1);
	CHECK(dumping.new_mtu_prefix);
	CHECK(kept(&dumping, "10.8.5.0", 24) == NULL);
	/* swapped in; the second dump, judged by it, keeps the route inside */
	live = dumping;
	live.new_mtu_prefix = false;
	route_set_init(&dumping);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.5.0", .len = 24,
					   .mtu = 0, .oif = 3 });
	CHECK_EQ(routes_apply(&dumping, &live, nlh, nlh->nlmsg_len), 1);
	nlh = route_msg(&(struct msg){ .type = RTM_NEWROUTE, .dst = "10.8.0.0", .len = 16,
					   .mtu = 1400, .oif = 3 });
	CHECK_EQ(routes_apply(&dumping, &live, nlh, nlh->nlmsg_len), 1);
	CHECK(!dumping.new_mtu_prefix);
	CHECK_EQ(dumping.n, 2);
	route_set_free(&live);
	route_set_free(&dumping);
}

/* Past ROUTES_INSIDE_MAX routes inside MTU routes, the rest are counted, not kept. */
static void
test_caps(void)
{
	struct route_set set;
	char dst[32];
	unsigned i, kept_n = 0;

	route_set_init(&set);
	CHECK_EQ(apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = NULL, .len = 0,
					   .mtu = 1400, .oif = 3 }), 1);
	for (i = 0; i < ROUTES_INSIDE_MAX + 100; i++) {
		snprintf(dst, sizeof(dst), "10.%u.%u.0", i / 256 % 256, i % 256);
		kept_n += (unsigned)apply(&set, &(struct msg){ .type = RTM_NEWROUTE, .dst = dst,
					   .len = 24, .mtu = 0, .oif = 3 });
	}
	CHECK_EQ(kept_n, ROUTES_INSIDE_MAX);
	CHECK_EQ(set.dropped, 100);
	CHECK_EQ(set.n, ROUTES_INSIDE_MAX + 1);
	route_set_free(&set);
}

int
main(void)
{
	test_keep();
	test_not_ours();
	test_multipath();
	test_dump_cover();
	test_caps();
	return check_summary();
}
