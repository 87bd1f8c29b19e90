/*
 * Netlink messages (and the legacy tables' rule blob) as the kernel would
 * send them, from the fuzzer: the first byte, modulo 9, picks the consumer.
 *   0, 7: a datagram of rtnetlink link messages (the links dump's, events,
 *         the IPv6 dump's), applied to an interface table;
 *   1:    one NFQUEUE packet message, parsed, then run through the engine
 *         in place exactly as a worker does (room from the parser);
 *   2:    a datagram of nf_tables ruleset events, judged for both backends;
 *   3:    a datagram of NFT_MSG_NEWRULE (iptables-nft's counters);
 *   4:    a datagram of NFT_MSG_NEWOBJ (nft's named counters);
 *   5, 6: an iptables-legacy table (IPv4, IPv6): its layout, then its blob;
 *   8:    a datagram of rtnetlink route messages, applied to a route set as
 *         events and as a dump judged by it; the set then built into a view
 *         and looked up.
 * The buffer is an exact-size copy, so ASan sees any read or write past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "engine.h"
#include "fw_netlink.h"
#include "fw_xtables.h"
#include "iftable.h"
#include "link.h"
#include "links.h"
#include "nlmsg.h"
#include "queue.h"
#include "routes.h"
#include "view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_links(uint8_t *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct link *e;
	struct iftable table;
	int remaining = (int)len;
	size_t iter = 0, count = 0;

	if (link_table_init(&table) == -1)
		return;
	for (; nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining))
		if (links_apply(&table, nlh, (size_t)remaining) == -1)
			abort();
	while ((e = iftable_next(&table, &iter)) != NULL) {
		/* every entry has a name and a terminated kind, and is found by its ifindex */
		if (e->name[0] == '\0' || memchr(e->name, 0, sizeof(e->name)) == NULL ||
		    memchr(e->kind, 0, sizeof(e->kind)) == NULL || link_find(&table, e->ifindex) != e)
			abort();
		/* an IPv6 MTU is one the kernel could have: 1280 or more, or none */
		if (e->mtu6 != 0 && e->mtu6 < 1280)
			abort();
		count++;
	}
	if (count != table.count)
		abort();
	iftable_free(&table);
}

static void
fuzz_queue(uint8_t *buf, size_t len)
{
	struct engine_ceiling ceiling = { 1400, 1380 };
	struct engine_result res;
	struct queue_packet pkt;

	if (len < sizeof(struct nlmsghdr))
		return;
	if (queue_parse_packet((const struct nlmsghdr *)buf, len, &pkt) == -1 || pkt.payload == NULL)
		return;
	if (pkt.payload < buf || pkt.payload + pkt.room > buf + len || pkt.len > pkt.room)
		abort();
	engine_clamp(pkt.payload, pkt.len, pkt.room, ceiling, 0, &res);
	if (res.len > pkt.room)
		abort();
}

/* Every message of a datagram through one nf_tables parser; a result must be a sane one. */
static void
fuzz_nftables(uint8_t *buf, size_t len, unsigned which)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int remaining = (int)len, family = -1, r;
	uint64_t packets, handle;

	for (; nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		switch (which) {
		case 2:
			(void)fw_netlink_event_matters(nlh, (size_t)remaining, FW_NETLINK_IPTABLES);
			(void)fw_netlink_event_matters(nlh, (size_t)remaining, FW_NETLINK_NFTABLES);
			break;
		case 3:
			if (fw_netlink_parse_rule(nlh, (size_t)remaining, &packets, &handle) < -1)
				abort();
			break;
		default:
			r = fw_netlink_parse_counter(nlh, (size_t)remaining, &family, &packets, &handle);
			if (r == 1 && family != 0 && family != 1)
				abort();
			break;
		}
	}
}

static void
fuzz_xtables(uint8_t *buf, size_t len, int family)
{
	struct fw_xtables_scan scan, again;
	struct fw_xtables_info info;

	if (len < sizeof(info))
		return;
	memcpy(&info, buf, sizeof(info));
	/* the same blob, the same answer: nothing is read from outside it */
	if (fw_xtables_parse(family, &info, buf + sizeof(info), len - sizeof(info), &scan) == 0 &&
	    (fw_xtables_parse(family, &info, buf + sizeof(info), len - sizeof(info), &again) != 0 ||
	     memcmp(&scan, &again, sizeof(scan)) != 0 || (!scan.found && scan.packets != 0)))
		abort();
}

/* Every route kept is whole, and the counts agree with the routes. */
static void
check_set(const struct route_set *set)
{
	size_t i, n_mtu = 0, k;

	for (i = 0; i < set->n; i++) {
		const struct route *r = &set->r[i];
		unsigned bits = r->family == 4 ? 32 : 128;

		if ((r->family != 4 && r->family != 6) || r->len > bits)
			abort();
		for (k = r->len; k < 128; k++) /* host bits clear, and nothing past an IPv4 address */
			if ((r->dst[k / 8] >> (7 - k % 8)) & 1)
				abort();
		n_mtu += r->mtu != 0;
	}
	if (n_mtu != set->n_mtu || n_mtu > ROUTES_MTU_MAX || set->n - n_mtu > ROUTES_INSIDE_MAX)
		abort();
}

static uint16_t
fuzz_slot(void *arg, const struct view_link *vl, const struct conf *conf)
{
	(void)arg;
	(void)vl;
	(void)conf;
	return 1;
}

/* Every route message of the datagram buf[0..len) into set, judged by cover. */
static void
apply_routes(struct route_set *set, struct route_set *cover, const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int remaining = (int)len;

	for (; nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining))
		if (routes_apply(set, cover, nlh, (size_t)remaining) == -1)
			abort();
	check_set(set);
}

static void
fuzz_routes(uint8_t *buf, size_t len)
{
	struct route_set set, dumping;
	struct iftable links;
	struct conf conf;
	struct view *view;

	route_set_init(&set);
	route_set_init(&dumping);
	/* twice, as events: the first pass's MTU routes cover the second's */
	apply_routes(&set, &set, buf, len);
	apply_routes(&set, &set, buf, len);
	/* as a dump into a fresh set, judged by the first */
	apply_routes(&dumping, &set, buf, len);

	/* the view's route tables from them, and lookups that read both addresses */
	conf_defaults(&conf);
	if (link_table_init(&links) == -1)
		abort();
	view = view_build(&links, set.r, set.n, &conf, fuzz_slot, NULL);
	if (view != NULL) {
		static const uint32_t ifs[4] = { 3, 2, 0, 0 };
		struct view_verdict v;
		size_t i;

		for (i = 0; i < set.n; i++) {
			uint8_t pkt[40] = { 0 };

			pkt[0] = set.r[i].family == 4 ? 0x45 : 0x60;
			memcpy(pkt + (set.r[i].family == 4 ? 16 : 24), set.r[i].dst,
			       set.r[i].family == 4 ? 4 : 16);
			view_lookup(view, ifs, 4, pkt, sizeof(pkt), &v);
			if (v.excluded || v.slot != VIEW_SLOT_OTHER ||
			    (set.r[i].family == 4 ? v.mss.ipv6 : v.mss.ipv4) != 0xffff)
				abort();
		}
		view_free(view);
	}
	iftable_free(&links);
	route_set_free(&set);
	route_set_free(&dumping);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size < 1)
		return 0;
	buf = malloc(size > 1 ? size - 1 : 1); /* malloc aligns as netlink needs */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	switch (data[0] % 9) {
	case 1:
		fuzz_queue(buf, size - 1);
		break;
	case 2:
	case 3:
	case 4:
		fuzz_nftables(buf, size - 1, data[0] % 9);
		break;
	case 5:
	case 6:
		fuzz_xtables(buf, size - 1, data[0] % 9 == 5 ? 4 : 6);
		break;
	case 8:
		fuzz_routes(buf, size - 1);
		break;
	default:
		fuzz_links(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
