/*
 * A stand-in for queue.c (the same queue.h API) for unit tests of the
 * workers and the report: each fake queue hands out a fixed number of
 * IPv4 and IPv6 SYNs with MSS 1460 / 1440, over a round of interfaces, and
 * records every verdict. No kernel, no sockets.
 */
#ifndef MSSCLAMPD_TEST_FAKE_QUEUE_H
#define MSSCLAMPD_TEST_FAKE_QUEUE_H

#include <stdatomic.h>
#include <stdint.h>

#include "queue.h"

#define FAKE_QUEUE_MAX 8
#define FAKE_QUEUE_IFS 4            /* the round of outgoing interfaces */
#define FAKE_QUEUE_MSS_MAX 1500     /* verdicts' MSS values, counted up to this */

/* Set before workers_open(). */
struct fake_queue_plan {
	unsigned packets;                   /* per queue */
	atomic_uint released;               /* of those, ids below this may be handed out now */
	uint32_t ifindex[FAKE_QUEUE_IFS];   /* packet id leaves by ifindex[FAKE_QUEUE_IF(id)] */
};
/* Both families on every interface: ids 2k (IPv4) and 2k+1 (IPv6) share one. */
#define FAKE_QUEUE_IF(id) ((id) / 2 % FAKE_QUEUE_IFS)
extern struct fake_queue_plan fake_queue_plan;

/* What one queue saw; written by its worker's thread, read once it is done. */
struct fake_queue_record {
	atomic_uint accepted;               /* verdicts sent (queue_flush) */
	atomic_uint polls;                  /* receives that would not wait */
	atomic_uint waits;                  /* receives that would, when nothing was there */
	unsigned changed;                   /* of which with a rewritten payload */
	unsigned bad_checksum;              /* payloads whose checksums a recomputation disputes */
	unsigned out_of_order;              /* verdicts for an id other than the next */
	unsigned mss[FAKE_QUEUE_IFS][2][FAKE_QUEUE_MSS_MAX + 1]; /* by interface, family [0] 4 [1] 6, MSS */
};

/* The record of the num-th queue opened (0, 1, ...); NULL if none. */
struct fake_queue_record *fake_queue_record(unsigned num);

/* Forgets every queue opened so far (between test cases). */
void fake_queue_reset(void);

#endif
