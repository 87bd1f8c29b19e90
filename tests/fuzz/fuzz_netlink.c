/*
 * Netlink messages (and the legacy tables' rule blob) as the kernel would
 * send them, from the fuzzer: the first byte, modulo 8, picks the consumer.
 *   0, 7: a datagram of rtnetlink messages, applied to an interface table;
 *   1:    one NFQUEUE packet message, parsed, then run through the engine
 *         in place exactly as a worker does (room from the parser);
 *   2:    a datagram of nf_tables ruleset events, judged for both backends;
 *   3:    a datagram of NFT_MSG_NEWRULE (iptables-nft's counters);
 *   4:    a datagram of NFT_MSG_NEWOBJ (nft's named counters);
 *   5, 6: an iptables-legacy table (IPv4, IPv6): its layout, then its blob.
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
	switch (data[0] % 8) {
	case 1:
		fuzz_queue(buf, size - 1);
		break;
	case 2:
	case 3:
	case 4:
		fuzz_nftables(buf, size - 1, data[0] % 8);
		break;
	case 5:
	case 6:
		fuzz_xtables(buf, size - 1, data[0] % 8 == 5 ? 4 : 6);
		break;
	default:
		fuzz_links(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
