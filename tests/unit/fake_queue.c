/* The fake queue: see fake_queue.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_queue.h"
#include "pkt.h"

#define FAKE_SLOT 256   /* bytes per packet buffer: a SYN and room to grow */

struct fake_queue_plan fake_queue_plan;
static struct fake_queue_record *records[FAKE_QUEUE_MAX];
static unsigned opened;

struct queue {
	unsigned batch;
	unsigned sent;                       /* packets handed out */
	unsigned verdicts;                   /* accepted, not yet flushed */
	uint32_t next_verdict;
	struct queue_packet *pkts;
	uint8_t (*buf)[FAKE_SLOT];
	struct fake_queue_record *record;
};

struct fake_queue_record *
fake_queue_record(unsigned num)
{
	return num < opened ? records[num] : NULL;
}

void
fake_queue_reset(void)
{
	unsigned i;

	for (i = 0; i < opened; i++)
		free(records[i]);
	opened = 0;
}

struct queue *
queue_open(unsigned num, unsigned maxlen, unsigned batch)
{
	struct queue *q;

	(void)num;
	(void)maxlen;
	if (opened == FAKE_QUEUE_MAX || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->batch = batch;
	q->pkts = calloc(batch, sizeof(*q->pkts));
	q->buf = calloc(batch, sizeof(*q->buf));
	q->record = calloc(1, sizeof(*q->record));
	if (q->pkts == NULL || q->buf == NULL || q->record == NULL) {
		queue_close(q);
		return NULL;
	}
	records[opened++] = q->record;
	return q;
}

/* Packet id: odd ones IPv6, even ones IPv4; MSS 1460 / 1440 (an Ethernet host's). */
static void
fake_build(struct queue *q, uint32_t id, unsigned i)
{
	static const uint8_t mss4[] = { 2, 4, 0x05, 0xb4 }, mss6[] = { 2, 4, 0x05, 0xa0 };
	struct pkt_tcp tcp = { .flags = PKT_SYN, .seq = id };
	struct pkt_ip ip = { .family = id % 2 ? 6 : 4 };
	struct queue_packet *pkt = &q->pkts[i];

	tcp.opts = id % 2 ? mss6 : mss4;
	tcp.opts_len = 4;
	memset(pkt, 0, sizeof(*pkt));
	pkt->id = id;
	pkt->family = ip.family;
	pkt->payload = q->buf[i];
	pkt->len = pkt_build(q->buf[i], FAKE_SLOT, &ip, &tcp);
	pkt->room = FAKE_SLOT;
	pkt->ifindex[QUEUE_OUTDEV] = fake_queue_plan.ifindex[FAKE_QUEUE_IF(id)];
}

int
queue_receive(struct queue *q, bool wait, struct queue_packet **pkts)
{
	const struct timespec one_ms = { 0, 1000000 };
	unsigned n = 0, limit = atomic_load(&fake_queue_plan.released);

	if (limit > fake_queue_plan.packets)
		limit = fake_queue_plan.packets;
	*pkts = q->pkts;
	while (n < q->batch && q->sent < limit)
		fake_build(q, q->sent++, n++);
	if (!wait)
		atomic_fetch_add(&q->record->polls, 1);
	if (n == 0 && wait) {
		atomic_fetch_add(&q->record->waits, 1);
		nanosleep(&one_ms, NULL); /* as a blocked receive would */
	}
	return (int)n;
}

/* The MSS option of a packet fake_build() made: right after the TCP header's 20 bytes. */
static unsigned
fake_mss(const struct queue_packet *pkt)
{
	size_t off;

	if (pkt_tcp_offset(pkt->payload, pkt->len, &off) == -1 || off + 24 > pkt->len ||
	    pkt->payload[off + 20] != 2)
		return 0;
	return (unsigned)pkt->payload[off + 22] << 8 | pkt->payload[off + 23];
}

void
queue_accept(struct queue *q, const struct queue_packet *pkt, bool changed)
{
	unsigned mss = fake_mss(pkt);

	if (pkt->id != q->next_verdict)
		q->record->out_of_order++;
	q->next_verdict = pkt->id + 1;
	if (changed)
		q->record->changed++;
	if (!pkt_csum_exact(pkt->payload, pkt->len))
		q->record->bad_checksum++;
	if (mss <= FAKE_QUEUE_MSS_MAX)
		q->record->mss[FAKE_QUEUE_IF(pkt->id)][pkt->family == 6][mss]++;
	q->verdicts++;
}

int
queue_flush(struct queue *q)
{
	atomic_fetch_add(&q->record->accepted, q->verdicts);
	q->verdicts = 0;
	return 0;
}

void
queue_counters(const struct queue *q, struct queue_counters *out)
{
	(void)q;
	memset(out, 0, sizeof(*out));
}

void
queue_close(struct queue *q)
{
	if (q == NULL)
		return;
	free(q->pkts);
	free(q->buf);
	free(q);
}
