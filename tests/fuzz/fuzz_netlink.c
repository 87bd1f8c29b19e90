/*
 * Netlink messages as the kernel would send them, from the fuzzer: the
 * first byte picks the consumer.
 *   even: a datagram of rtnetlink messages, applied to an interface table;
 *   odd:  one NFQUEUE packet message, parsed, then run through the engine
 *         in place exactly as a worker does (room from the parser).
 * The buffer is an exact-size copy, so ASan sees any read or write past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "engine.h"
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
	if (data[0] & 1)
		fuzz_queue(buf, size - 1);
	else
		fuzz_links(buf, size - 1);
	free(buf);
	return 0;
}
