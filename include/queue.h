/*
 * One NFQUEUE, through libnetfilter_queue's libmnl-based API: bound in copy
 * mode, fail-open, verdicts batched. Receives many packets per syscall and
 * sends all their verdicts in one.
 */
#ifndef MSSCLAMPD_QUEUE_H
#define MSSCLAMPD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* The order is the tie-break for stats: a packet counts against the device it leaves by. */
enum queue_dev { QUEUE_OUTDEV, QUEUE_INDEV, QUEUE_PHYSOUTDEV, QUEUE_PHYSINDEV, QUEUE_DEV_COUNT };

/* A packet as the kernel queued it. payload points into the receive buffer. */
struct queue_packet {
	uint32_t id;
	uint8_t family;                   /* 4 or 6, from the hook that queued it */
	bool truncated;                   /* a partial copy (NFQA_CAP_LEN) or none: never sent back */
	uint8_t *payload;                 /* the IP packet; may be rewritten in place; NULL if none */
	size_t len;
	size_t room;                      /* writable bytes from payload: len plus tail room */
	uint32_t ifindex[QUEUE_DEV_COUNT];/* 0 where the kernel gave none */
};

struct queue_counters {
	uint64_t gaps;            /* ids we never saw: lost to a full socket, fail-open let them pass */
	uint64_t verdict_errors;  /* error replies, e.g. ENOENT when the packet's interface went away */
};

struct queue;

/*
 * Binds queue number num (copy mode, fail-open, maxlen packets) in one
 * acknowledged config message, so EPERM or EBUSY (another daemon on it)
 * fails here. batch: packets per receive. NULL after logging why.
 */
struct queue *queue_open(unsigned num, unsigned maxlen, unsigned batch);

/*
 * Receives up to the batch size of packets in one syscall. With wait, blocks
 * until one arrives or a quarter second passes. Returns how many are in
 * *pkts (0 if none), or -1 on a fatal socket error. The packets stay valid
 * until the next call.
 */
int queue_receive(struct queue *queue, bool wait, struct queue_packet **pkts);

/* Accepts pkt, with its (rewritten) payload if changed. Buffered until queue_flush(). */
void queue_accept(struct queue *queue, const struct queue_packet *pkt, bool changed);

/* Sends every buffered verdict in one message. 0 or -1. */
int queue_flush(struct queue *queue);

void queue_counters(const struct queue *queue, struct queue_counters *out);

/* Unbinds and closes. Verdict everything first: the kernel drops what is still queued. */
void queue_close(struct queue *queue);

/*
 * Parses one NFQNL_MSG_PACKET, checking every attribute's type and length.
 * room: bytes from nlh to the end of its buffer. 0 if it carries a packet
 * id (to be accepted whatever else is wrong), -1 if not. No socket:
 * fuzzers call it directly.
 */
int queue_parse_packet(const struct nlmsghdr *nlh, size_t room, struct queue_packet *pkt);

#endif
