/*
 * The packet path's view: the kernel's links with their ceilings and stats
 * slots worked out in advance, so a packet costs lookups, not arithmetic.
 */
#include <stdlib.h>

#include "presets.h"
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

struct view *
view_build(const struct iftable *links, const struct conf *conf, view_slot_fn *slot_for, void *arg)
{
	const struct link *link;
	struct view *view;
	size_t iter = 0;

	view = calloc(1, sizeof(*view));
	if (view == NULL || iftable_init(&view->entries, sizeof(struct view_entry)) == -1)
		goto fail;
	view->dry_run = conf->mode == CONF_MODE_OBSERVE;
	while ((link = iftable_next(links, &iter)) != NULL) {
		struct view_link vl = { .link = link, .iface = conf_iface_find(conf, link->name) };
		struct view_entry e = { .ifindex = link->ifindex };

		ceiling_for_link(vl.iface, link->mtu, &vl.ceiling);
		vl.counted_twice = view_counted_twice(link, vl.iface);
		e.mss = vl.ceiling.mss;
		e.slot = slot_for(arg, &vl, conf);
		if (iftable_put(&view->entries, &e) == -1)
			goto fail;
	}
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
	free(view);
}

struct engine_ceiling
view_ceiling(const struct view *view, const uint32_t *ifindex, unsigned n, uint16_t *slot)
{
	struct engine_ceiling ceiling = { 0xffff, 0xffff };
	unsigned i, lowest = ~0u;

	*slot = VIEW_SLOT_OTHER;
	for (i = 0; i < n; i++) {
		const struct view_entry *e = iftable_find(&view->entries, ifindex[i]);

		if (e == NULL)
			continue;
		/* count the packet against the interface that limits it; on a tie the first */
		if (e->mss.ipv4 < lowest) {
			lowest = e->mss.ipv4;
			*slot = e->slot;
		}
		if (e->mss.ipv4 < ceiling.ipv4)
			ceiling.ipv4 = e->mss.ipv4;
		if (e->mss.ipv6 < ceiling.ipv6)
			ceiling.ipv6 = e->mss.ipv6;
	}
	return ceiling;
}
