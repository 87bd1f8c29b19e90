/*
 * The packet path's view: the kernel's links with their ceilings and stats
 * slots, and the route MTUs, worked out in advance, so a packet costs
 * lookups, not arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "presets.h"
#include "route.h"
#include "view.h"

/* An overhead configured on top of a kernel MTU that already excludes it, or NULL. */
static const char *
view_counted_twice(const struct link *link, const struct conf_iface *iface)
{
	const struct preset *p;

	if (iface == NULL || iface->mtu != 0)
		return NULL;
	p = presets_device_match(link->kind, iface->overhead);
	return p != NULL ? p->device_label : NULL;
}

/*
 * One family's routes as a longest-prefix table. A route through an
 * interface that is not clamped (entries: the view's, built first) limits
 * nothing, but stays in the table: it still overrides a less specific route.
 */
static int
view_routes_build(struct view_routes *vr, int family, const struct route *routes, size_t n,
		  const struct iftable *entries)
{
	struct lpm_prefix *p = NULL;
	size_t i, count = 0;
	int r = -1;

	lpm_init(&vr->lpm, family == 4 ? 4 : 16);
	vr->route = NULL;
	for (i = 0; i < n; i++)
		count += routes[i].family == family;
	if (count == 0)
		return 0;
	p = calloc(count, sizeof(*p));
	vr->route = calloc(count, sizeof(*vr->route));
	if (p == NULL || vr->route == NULL)
		goto cleanup;
	for (i = 0, count = 0; i < n; i++) {
		const struct route *rt = &routes[i];
		const struct view_entry *dev = iftable_find(entries, rt->oif);
		struct engine_ceiling c = ceiling_for_route(rt->mtu);

		if (rt->family != family)
			continue;
		memcpy(p[count].addr, rt->dst, sizeof(p[count].addr));
		p[count].len = rt->len;
		p[count].tie = rt->priority; /* the kernel prefers the lowest metric */
		p[count].value = (uint32_t)count;
		vr->route[count].oif = rt->oif;
		if (rt->mtu != 0 && !(dev != NULL && !dev->clamp))
			vr->route[count].mss = family == 4 ? c.ipv4 : c.ipv6;
		count++;
	}
	r = lpm_build(&vr->lpm, family == 4 ? 4 : 16, p, count);
cleanup:
	free(p);
	return r;
}

static void
view_routes_free(struct view_routes *vr)
{
	lpm_free(&vr->lpm);
	free(vr->route);
	vr->route = NULL;
}

struct view *
view_build(const struct iftable *links, const struct route *routes, size_t n_routes,
	   const struct conf *conf, view_slot_fn *slot_for, void *arg)
{
	const struct link *link;
	struct view *view;
	size_t iter = 0;

	view = calloc(1, sizeof(*view));
	if (view == NULL)
		return NULL;
	lpm_init(&view->routes4.lpm, 4);
	lpm_init(&view->routes6.lpm, 16);
	if (iftable_init(&view->entries, sizeof(struct view_entry)) == -1)
		goto fail;
	view->dry_run = conf->mode == CONF_MODE_OBSERVE;
	while ((link = iftable_next(links, &iter)) != NULL) {
		struct view_link vl = { .link = link, .iface = conf_iface_find(conf, link->name) };
		struct view_entry e = { .ifindex = link->ifindex };

		ceiling_for_link(vl.iface, link->mtu, link->mtu6, &vl.ceiling);
		vl.counted_twice = view_counted_twice(link, vl.iface);
		e.mss = vl.ceiling.mss;
		e.clamp = conf_iface_clamps(vl.iface);
		e.slot = slot_for(arg, &vl, conf);
		if (iftable_put(&view->entries, &e) == -1)
			goto fail;
	}
	if (view_routes_build(&view->routes4, 4, routes, n_routes, &view->entries) == -1 ||
	    view_routes_build(&view->routes6, 6, routes, n_routes, &view->entries) == -1)
		goto fail;
	return view;
fail:
	view_free(view);
	return NULL;
}

void
view_free(struct view *view)
{
	if (view == NULL)
		return;
	iftable_free(&view->entries);
	view_routes_free(&view->routes4);
	view_routes_free(&view->routes6);
	free(view);
}

/*
 * The MSS the route towards addr allows a packet through device dev: the
 * first route (lowest metric) of the longest prefix holding addr whose
 * device is dev. None through dev: the packet took another table's route
 * (policy routing), and the main table says nothing about it.
 */
static uint16_t
view_route_mss(const struct view_routes *vr, const uint8_t *addr, uint32_t dev)
{
	size_t first, n, k;

	if (dev == 0 || vr->lpm.n == 0)
		return 0;
	n = lpm_find(&vr->lpm, addr, 128, &first);
	for (k = first; k < first + n; k++) {
		const struct view_route *r = &vr->route[vr->lpm.p[k].value];

		if (r->oif == 0 || r->oif == dev)
			return r->mss;
	}
	return 0;
}

/* Lowers *ceiling to the routes' MSS for the packet's addresses (RFC 791 / 8200 offsets). */
static void
view_routes_limit(const struct view *view, const uint32_t *ifindex, unsigned n, const uint8_t *pkt,
		  size_t len, struct engine_ceiling *ceiling)
{
	const struct view_routes *vr;
	const uint8_t *src, *dst;
	uint16_t *limit, mss;

	if (len >= BOUNDS_IPV4_HEADER && pkt[0] >> 4 == 4) {
		vr = &view->routes4;
		src = pkt + 12;
		dst = pkt + 16;
		limit = &ceiling->ipv4;
	} else if (len >= BOUNDS_IPV6_HEADER && pkt[0] >> 4 == 6) {
		vr = &view->routes6;
		src = pkt + 8;
		dst = pkt + 24;
		limit = &ceiling->ipv6;
	} else {
		return;
	}
	if (vr->lpm.n == 0)
		return;
	mss = view_route_mss(vr, dst, n > VIEW_OUT ? ifindex[VIEW_OUT] : 0);
	if (mss != 0 && mss < *limit)
		*limit = mss;
	mss = view_route_mss(vr, src, n > VIEW_IN ? ifindex[VIEW_IN] : 0);
	if (mss != 0 && mss < *limit)
		*limit = mss;
}

void
view_lookup(const struct view *view, const uint32_t *ifindex, unsigned n, const uint8_t *pkt,
	    size_t len, struct view_verdict *out)
{
	const struct engine_ceiling none = { 0xffff, 0xffff };
	unsigned i, lowest = ~0u;
	bool clamped = false, unclamped = false;
	uint16_t unclamped_slot = VIEW_SLOT_OTHER;

	out->mss = none;
	out->slot = VIEW_SLOT_OTHER;
	out->excluded = false;
	for (i = 0; i < n; i++) {
		const struct view_entry *e = iftable_find(&view->entries, ifindex[i]);

		if (e == NULL)
			continue;
		if (!e->clamp) {
			if (!unclamped)
				unclamped_slot = e->slot;
			unclamped = true;
			continue;
		}
		clamped = true;
		/* count the packet against the interface that limits it; on a tie the first */
		if (e->mss.ipv4 < lowest) {
			lowest = e->mss.ipv4;
			out->slot = e->slot;
		}
		if (e->mss.ipv4 < out->mss.ipv4)
			out->mss.ipv4 = e->mss.ipv4;
		if (e->mss.ipv6 < out->mss.ipv6)
			out->mss.ipv6 = e->mss.ipv6;
	}
	if (unclamped && !clamped) {
		out->slot = unclamped_slot;
		out->excluded = true;
		return;
	}
	view_routes_limit(view, ifindex, n, pkt, len, &out->mss);
}
