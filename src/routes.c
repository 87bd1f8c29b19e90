/*
 * The kernel's route MTUs from rtnetlink (rtnl.c), shaped like links.c:
 * subscribe first, then dump, so no change falls between the two; validate
 * each attribute before use; on lost events, dump again.
 *
 * What is kept is what can change the answer to "which MTU metric has the
 * route the kernel would pick for this address": the routes with one, and
 * the more specific routes without one inside them. Whether a route without
 * an MTU is inside one is asked of the MTU routes already known (the
 * cover); an MTU route whose prefix the cover did not know may have had
 * routes inside it passed over, so its arrival starts a fresh dump, which
 * then knows it. A first dump with MTU routes in it is therefore followed
 * by a second.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "lpm.h"
#include "nlmsg.h"
#include "routes.h"
#include "rtnl.h"

#define ROUTES_RCVBUF (4 << 20)        /* a BGP session's burst of updates */
#define ROUTES_START_TIMEOUT_MS 5000   /* then the dump goes on in the event loop */
#define ROUTES_BUFSIZ 32768            /* the kernel sends dump parts of up to 32 KiB */

struct routes {
	struct rtnl rtnl;
	struct route_set set;          /* what the view is built from */
	struct route_set dumping;      /* a dump in progress fills this; swapped in at its end */
	bool dump_again;               /* events lost, dump interrupted, or an MTU route to look inside */
	size_t dropped_said;           /* dropped routes already in the log */
	_Alignas(8) char buf[ROUTES_BUFSIZ];
};

struct route_attrs {
	const uint8_t *dst;
	size_t dst_len;
	uint32_t table;
	bool has_table;
	uint32_t priority;
	uint32_t oif;
	uint32_t mtu;
	bool bad;                     /* an attribute we need is malformed: skip the message */
};

void
route_set_init(struct route_set *set)
{
	memset(set, 0, sizeof(*set));
	lpm_init(&set->cover4, 4);
	lpm_init(&set->cover6, 16);
}

void
route_set_free(struct route_set *set)
{
	free(set->r);
	lpm_free(&set->cover4);
	lpm_free(&set->cover6);
	route_set_init(set);
}

/* A u32 attribute's value into *out; one of another size makes the message bad. */
static void
routes_u32(const struct nlattr *attr, uint32_t *out, struct route_attrs *a)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*out = mnl_attr_get_u32(attr);
	else
		a->bad = true;
}

static int
routes_metrics_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *a = data;

	if (mnl_attr_get_type(attr) == RTAX_MTU)
		routes_u32(attr, &a->mtu, a);
	return MNL_CB_OK;
}

/* RTA_MULTIPATH: struct rtnexthop after struct rtnexthop. One device for all, or 0. */
static void
routes_multipath(const struct nlattr *attr, struct route_attrs *a)
{
	const uint8_t *p = mnl_attr_get_payload(attr);
	size_t left = mnl_attr_get_payload_len(attr);
	bool first = true;

	while (left >= sizeof(struct rtnexthop)) {
		struct rtnexthop nh;
		size_t step;

		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			break; /* a broken list: what came before it stands */
		if (first)
			a->oif = (uint32_t)nh.rtnh_ifindex;
		else if (a->oif != (uint32_t)nh.rtnh_ifindex)
			a->oif = 0;
		first = false;
		step = RTNH_ALIGN(nh.rtnh_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
}

static int
routes_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *a = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		a->dst = mnl_attr_get_payload(attr);
		a->dst_len = mnl_attr_get_payload_len(attr);
		break;
	case RTA_TABLE:
		routes_u32(attr, &a->table, a);
		a->has_table = true;
		break;
	case RTA_PRIORITY:
		routes_u32(attr, &a->priority, a);
		break;
	case RTA_OIF:
		routes_u32(attr, &a->oif, a);
		break;
	case RTA_MULTIPATH:
		routes_multipath(attr, a);
		break;
	case RTA_METRICS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, routes_metrics_cb, a);
		else
			a->bad = true;
		break;
	}
	return MNL_CB_OK; /* unknown attributes are skipped, never fatal */
}

/* One route message as a struct route: 0, or -1 if it is none of ours (another table, a cache entry, broken). */
static int
routes_parse(const struct nlmsghdr *nlh, size_t len, struct route *r)
{
	const struct rtmsg *rtm;
	struct route_attrs a = { 0 };
	size_t bytes;

	if (!nlmsg_whole(nlh, len, sizeof(*rtm)))
		return -1;
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -1;
	bytes = rtm->rtm_family == AF_INET ? 4 : 16;
	/* exceptions (PMTU from ICMP) are per host, expire, and change without an event */
	if (rtm->rtm_dst_len > 8 * bytes || (rtm->rtm_flags & RTM_F_CLONED))
		return -1;
	if (mnl_attr_parse(nlh, sizeof(*rtm), routes_attr_cb, &a) < 0 || a.bad)
		return -1;
	if ((a.has_table ? a.table : rtm->rtm_table) != RT_TABLE_MAIN)
		return -1;
	if (a.dst != NULL ? a.dst_len != bytes : rtm->rtm_dst_len != 0)
		return -1;

	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family == AF_INET ? 4 : 6;
	r->len = rtm->rtm_dst_len;
	r->tos = rtm->rtm_tos;
	/* the kernel keeps host bits clear; a message that does not is no reason to misplace it */
	if (a.dst != NULL)
		lpm_mask(r->dst, a.dst, r->len, bytes);
	r->priority = a.priority;
	r->oif = a.oif;
	/* blackhole, unreachable, prohibit, throw: no MTU of their own, but they still override */
	r->mtu = rtm->rtm_type == RTN_UNICAST ? a.mtu : 0;
	return 0;
}

static bool
same_key(const struct route *a, const struct route *b)
{
	return a->family == b->family && a->len == b->len && a->tos == b->tos &&
	       a->priority == b->priority && memcmp(a->dst, b->dst, sizeof(a->dst)) == 0;
}

static size_t
route_find(const struct route_set *set, const struct route *key)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (same_key(&set->r[i], key))
			return i;
	return set->n;
}

/* The cover indexes, rebuilt from the set's MTU routes if they changed. 0 or -1. */
static int
route_cover(struct route_set *set)
{
	struct lpm_prefix *p4 = NULL, *p6 = NULL;
	size_t i, n4 = 0, n6 = 0;
	int r = -1;

	if (!set->cover_stale)
		return 0;
	p4 = calloc(set->n_mtu + 1, sizeof(*p4));
	p6 = calloc(set->n_mtu + 1, sizeof(*p6));
	if (p4 == NULL || p6 == NULL)
		goto cleanup;
	for (i = 0; i < set->n; i++) {
		const struct route *rt = &set->r[i];
		struct lpm_prefix *p;

		if (rt->mtu == 0)
			continue;
		p = rt->family == 4 ? &p4[n4++] : &p6[n6++];
		memcpy(p->addr, rt->dst, sizeof(p->addr));
		p->len = rt->len;
	}
	lpm_free(&set->cover4);
	lpm_free(&set->cover6);
	if (lpm_build(&set->cover4, 4, p4, n4) == -1 || lpm_build(&set->cover6, 16, p6, n6) == -1)
		goto cleanup;
	set->cover_stale = false;
	r = 0;
cleanup:
	free(p4);
	free(p6);
	return r;
}

static int
route_add(struct route_set *set, const struct route *r)
{
	if (set->n == set->cap) {
		size_t cap = set->cap == 0 ? 16 : set->cap * 2;
		struct route *grown = realloc(set->r, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		set->r = grown;
		set->cap = cap;
	}
	set->r[set->n++] = *r;
	return 0;
}

int
routes_apply(struct route_set *set, struct route_set *cover, const struct nlmsghdr *nlh,
	     size_t len)
{
	struct route r;
	const struct lpm *index;
	size_t i, first;

	if (routes_parse(nlh, len, &r) == -1)
		return 0;
	i = route_find(set, &r);

	if (nlh->nlmsg_type == RTM_DELROUTE) {
		if (i == set->n)
			return 0;
		if (set->r[i].mtu != 0) {
			set->n_mtu--;
			set->cover_stale = true;
		}
		set->r[i] = set->r[--set->n];
		return 1;
	}
	if (route_cover(cover) == -1)
		return -1;
	index = r.family == 4 ? &cover->cover4 : &cover->cover6;
	/* an MTU prefix new to the cover: what lies inside it was not looked at */
	if (r.mtu != 0 && !lpm_has(index, r.dst, r.len))
		set->new_mtu_prefix = true;
	if (i < set->n) {
		if (same_key(&set->r[i], &r) && set->r[i].oif == r.oif && set->r[i].mtu == r.mtu)
			return 0;
		if (set->r[i].mtu == 0 && r.mtu != 0)
			set->n_mtu++;
		if (set->r[i].mtu != 0 && r.mtu == 0)
			set->n_mtu--;
		set->cover_stale = true;
		set->r[i] = r;
		return 1;
	}
	if (r.mtu != 0) {
		if (set->n_mtu >= ROUTES_MTU_MAX) {
			set->dropped++;
			return 0;
		}
		set->n_mtu++;
		set->cover_stale = true;
	} else {
		/* a route outside every MTU route answers "no MTU" like no route at all */
		if (lpm_find(index, r.dst, r.len, &first) == 0)
			return 0;
		if (set->n - set->n_mtu >= ROUTES_INSIDE_MAX) {
			set->dropped++; /* its addresses get the MTU route's MTU: a lower clamp, never a higher */
			return 0;
		}
	}
	if (route_add(set, &r) == -1) {
		if (r.mtu != 0)
			set->n_mtu--;
		return -1;
	}
	return 1;
}

static int
routes_request_dump(struct routes *routes)
{
	route_set_free(&routes->dumping);
	/* AF_UNSPEC: every family's routes in one dump, IPv4 and IPv6 for us */
	if (rtnl_dump(&routes->rtnl, RTM_GETROUTE, AF_UNSPEC, sizeof(struct rtmsg)) == -1)
		return -1;
	routes->dump_again = false;
	return 0;
}

/* A new MTU prefix in the set in use: look inside it with a fresh dump. */
static void
routes_look_inside(struct routes *routes)
{
	if (routes->set.new_mtu_prefix)
		routes->dump_again = true;
	routes->set.new_mtu_prefix = false;
}

/*
 * An event or a dump's part. Events during a dump go to the set being
 * dumped into, judged by the set in use, as links.c does with links.
 */
static int
routes_message(void *arg, const struct nlmsghdr *nlh, size_t len)
{
	struct routes *routes = arg;
	bool filling = rtnl_dumping(&routes->rtnl);
	int r;

	r = routes_apply(filling ? &routes->dumping : &routes->set, &routes->set, nlh, len);
	if (r == -1 || filling)
		return r == -1 ? -1 : 0;
	routes_look_inside(routes);
	return r;
}

/* The dump ended: a whole one replaces the set; a broken one is done again. */
static int
routes_done(void *arg, bool whole)
{
	struct routes *routes = arg;
	struct route_set done;
	int changed = 0;

	if (whole && !routes->dump_again) {
		done = routes->dumping;
		routes->dumping = routes->set;
		routes->set = done;
		route_set_free(&routes->dumping);
		routes->dropped_said = 0;
		changed = 1;
	} else {
		routes->dump_again = true;
	}
	routes_look_inside(routes);
	return changed;
}

static const struct rtnl_ops routes_ops = { routes_message, routes_done };

int
routes_dispatch(struct routes *routes)
{
	bool lost = false;
	int changed;

	changed = rtnl_receive(&routes->rtnl, routes->buf, sizeof(routes->buf), &routes_ops,
			       routes, &lost);
	if (changed == -1)
		return -1;
	if (lost) {
		log_warnx("rtnetlink: route events were lost; reading the routes again");
		routes->dump_again = true;
	}
	if (routes->set.dropped > routes->dropped_said) {
		log_warnx("routes: %zu routes not kept (at most %d with an MTU, %d inside them): "
			  "their MTUs are not honoured, or their addresses get the MTU of the route "
			  "that holds them", routes->set.dropped, ROUTES_MTU_MAX, ROUTES_INSIDE_MAX);
		routes->dropped_said = routes->set.dropped;
	}
	if (routes->dump_again && !rtnl_dumping(&routes->rtnl) && routes_request_dump(routes) == -1)
		return -1;
	return changed;
}

static int
routes_dispatch_cb(void *arg)
{
	return routes_dispatch(arg);
}

struct routes *
routes_open(void)
{
	struct routes *routes;
	int r;

	routes = calloc(1, sizeof(*routes));
	if (routes == NULL) {
		log_warn("routes");
		return NULL;
	}
	route_set_init(&routes->set);
	route_set_init(&routes->dumping);
	if (rtnl_open(&routes->rtnl, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, ROUTES_RCVBUF) == -1 ||
	    routes_request_dump(routes) == -1)
		goto fail;
	/* Route MTUs from the first packet on, unless a huge table takes longer. */
	r = rtnl_wait(&routes->rtnl, ROUTES_START_TIMEOUT_MS, routes_dispatch_cb, routes,
		      &routes->dump_again);
	if (r == -1)
		goto fail;
	if (r == 0)
		log_info("routes: the route dump takes more than %d ms; route MTUs apply once it "
			 "is done", ROUTES_START_TIMEOUT_MS);
	return routes;
fail:
	routes_close(routes);
	return NULL;
}

void
routes_close(struct routes *routes)
{
	if (routes == NULL)
		return;
	rtnl_close(&routes->rtnl);
	route_set_free(&routes->set);
	route_set_free(&routes->dumping);
	free(routes);
}

int
routes_fd(const struct routes *routes)
{
	return rtnl_fd(&routes->rtnl);
}

const struct route *
routes_list(const struct routes *routes, size_t *n)
{
	*n = routes->set.n;
	return routes->set.r;
}
