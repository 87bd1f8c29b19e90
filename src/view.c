/*
 * The packet path's view: the kernel's links with their ceilings and stats
 * slots worked out in advance, so a packet costs lookups, not arithmetic.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "log.h"
#include "view.h"

/* Device kinds whose kernel MTU already leaves room for their own encapsulation. */
static const struct {
	const char *kind;
	unsigned overhead;
	const char *what;
} view_tunnel_kinds[] = {
	{ "ppp", 8, "PPPoE" },
	{ "wireguard", 60, "WireGuard over IPv4" },
	{ "wireguard", 80, "WireGuard over IPv6" },
	{ "gre", 24, "GRE" },
	{ "ip6gre", 44, "GRE over IPv6" },
	{ "ipip", 20, "IP-in-IP" },
	{ "sit", 20, "6in4" },
	{ "ip6tnl", 40, "IPv6 tunnelling" },
	{ "vxlan", 50, "VXLAN" },
};

void
view_slots_init(struct view_slots *slots)
{
	memset(slots, 0, sizeof(*slots));
	strcpy(slots->names[VIEW_SLOT_OTHER], "-");
	slots->count = 1;
}

static uint16_t
view_slot(struct view_slots *slots, const char *name)
{
	uint16_t i, free_slot = 0;

	for (i = 1; i < slots->count; i++) {
		if (strcmp(slots->names[i], name) == 0)
			return i;
		if (slots->names[i][0] == '\0' && free_slot == 0)
			free_slot = i;
	}
	if (free_slot == 0 && slots->count == VIEW_MAX_SLOTS)
		return VIEW_SLOT_OTHER;
	if (free_slot == 0)
		free_slot = slots->count++;
	strcpy(slots->names[free_slot], name); /* both CONF_IFNAMSIZ */
	return free_slot;
}

unsigned
view_slots_departed(const struct view *view, const struct view_slots *slots,
		    const struct conf *conf, uint16_t *departed)
{
	bool present[VIEW_MAX_SLOTS] = { false };
	const struct iftable_entry *e;
	size_t iter = 0;
	unsigned n = 0;
	uint16_t i;

	while ((e = iftable_next(&view->links, &iter)) != NULL)
		present[e->slot] = true;
	for (i = 1; i < slots->count; i++)
		if (!present[i] && slots->names[i][0] != '\0' &&
		    conf_iface_find(conf, slots->names[i]) == NULL)
			departed[n++] = i;
	return n;
}

void
view_slots_release(struct view_slots *slots, uint16_t slot)
{
	if (slot == VIEW_SLOT_OTHER || slot >= slots->count)
		return;
	memset(slots->names[slot], 0, sizeof(slots->names[slot]));
	memset(&slots->warned[slot], 0, sizeof(slots->warned[slot]));
}

/*
 * Warnings an operator should see once, not on every link event: each slot
 * remembers the inputs it last warned about.
 */
static void
view_warn(struct view_slots *slots, const struct iftable_entry *e,
	  const struct conf_iface *iface, const struct conf *conf)
{
	struct view_slot_warned *w = &slots->warned[e->slot];
	unsigned overhead = iface ? iface->overhead : 0;
	size_t i;

	if (w->mtu == e->mtu && w->overhead == overhead && w->floored == e->ceiling.floored &&
	    w->warned_once)
		return;
	w->mtu = e->mtu;
	w->overhead = overhead;
	w->floored = e->ceiling.floored;
	w->warned_once = true;

	if (e->ceiling.floored) {
		char where[PATH_MAX + 32] = "";

		if (iface)
			snprintf(where, sizeof(where), " (%s:%u)", conf->path, iface->line);
		log_warnx("%s: effective MTU %u (MTU %u - overhead %u%s) leaves too little; "
			  "MSS held at %u (IPv4) / %u (IPv6): never below 536 / 1220",
			  e->name, e->ceiling.effective_mtu, iface && iface->mtu ? iface->mtu : e->mtu,
			  overhead, where, e->ceiling.mss.ipv4, e->ceiling.mss.ipv6);
	}
	for (i = 0; iface && i < sizeof(view_tunnel_kinds) / sizeof(view_tunnel_kinds[0]); i++) {
		if (strcmp(e->kind, view_tunnel_kinds[i].kind) == 0 &&
		    overhead == view_tunnel_kinds[i].overhead && iface->mtu == 0)
			log_warnx("%s: a %s device's MTU (%u) already excludes %s's %u bytes; "
				  "overhead = %u in %s:%u probably counts them twice",
				  e->name, e->kind, e->mtu, view_tunnel_kinds[i].what, overhead,
				  overhead, conf->path, iface->line);
	}
}

struct view *
view_build(const struct iftable *links, const struct conf *conf, struct view_slots *slots)
{
	const struct iftable_entry *link;
	struct view *view;
	size_t iter = 0;

	view = calloc(1, sizeof(*view));
	if (view == NULL || iftable_init(&view->links) == -1)
		goto fail;
	view->dry_run = conf->mode == CONF_MODE_OBSERVE;
	while ((link = iftable_next(links, &iter)) != NULL) {
		const struct conf_iface *iface = conf_iface_find(conf, link->name);
		struct iftable_entry e = *link;

		ceiling_for_link(iface, link->mtu, &e.ceiling);
		e.slot = view_slot(slots, link->name);
		if (iftable_put(&view->links, &e) == -1)
			goto fail;
		if (e.slot != VIEW_SLOT_OTHER)
			view_warn(slots, &e, iface, conf);
	}
	return view;
fail:
	log_warn("building the interface view");
	view_free(view);
	return NULL;
}

void
view_free(struct view *view)
{
	if (view == NULL)
		return;
	iftable_free(&view->links);
	free(view);
}

struct engine_ceiling
view_ceiling(const struct view *view, const uint32_t *ifindex, unsigned n, uint16_t *slot)
{
	struct engine_ceiling ceiling = { 0xffff, 0xffff };
	unsigned i, lowest = ~0u;

	*slot = VIEW_SLOT_OTHER;
	for (i = 0; i < n; i++) {
		const struct iftable_entry *e = iftable_find(&view->links, ifindex[i]);

		if (e == NULL)
			continue;
		/* count the packet against the interface that limits it; on a tie the first */
		if (e->ceiling.mss.ipv4 < lowest) {
			lowest = e->ceiling.mss.ipv4;
			*slot = e->slot;
		}
		if (e->ceiling.mss.ipv4 < ceiling.ipv4)
			ceiling.ipv4 = e->ceiling.mss.ipv4;
		if (e->ceiling.mss.ipv6 < ceiling.ipv6)
			ceiling.ipv6 = e->ceiling.mss.ipv6;
	}
	return ceiling;
}
