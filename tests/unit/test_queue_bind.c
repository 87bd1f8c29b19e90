/*
 * queue_open()'s wait for the kernel's acknowledgement of the bind, against
 * a scripted kernel: the program is linked with --wrap for
 * mnl_socket_sendto, poll and recv (tests/unit/CMakeLists.txt), so the
 * queue's netlink socket is real but what it reads comes from the script
 * below, on a real clock. Packets that arrive before the acknowledgement
 * (a restart under load with the old rules still in) are accepted and must
 * not shorten the wait: the limit is 2 s of time, not a count of loop passes.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "check.h"
#include "clock.h"
#include "queue.h"

#define NEVER INT64_MAX

/* What the scripted kernel does after the bind request. */
static struct {
	bool active;            /* a bind request came and is being answered */
	int64_t start_ms;       /* when it came */
	uint32_t seq;           /* its sequence number, for the acknowledgement */
	unsigned packets;       /* queued packets to deliver before the ack ... */
	int64_t packet_every_ms;/* ... one per this many ms */
	int64_t ack_at_ms;      /* after start; NEVER for no answer */
	unsigned delivered;     /* packets handed out so far */
	bool acked;
	/* what came back */
	uint32_t verdict_max_id;/* the highest id a verdict (batch or single) covered */
	unsigned verdicts;
} k;

/* Signed, for deadlines that may have passed. */
static int64_t
now_ms(void)
{
	return (int64_t)clock_ms();
}

/* When the next message is due (absolute ms), or NEVER. */
static int64_t
next_due(void)
{
	int64_t packet = k.delivered < k.packets ?
		k.start_ms + (int64_t)(k.delivered + 1) * k.packet_every_ms : NEVER;
	int64_t ack = k.acked || k.ack_at_ms == NEVER ? NEVER : k.start_ms + k.ack_at_ms;

	return packet < ack ? packet : ack;
}

ssize_t __real_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t size);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t size);

ssize_t
__wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t size)
{
	const struct nlmsghdr *nlh = req;
	int remaining = (int)size;

	(void)nl;
	for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		unsigned type = nlh->nlmsg_type & 0xff;

		if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_QUEUE)
			continue;
		if (type == NFQNL_MSG_CONFIG) {
			bool first = k.start_ms == 0;

			/* the bind follows the script; the unbind at close is answered at once */
			k.active = true;
			k.seq = nlh->nlmsg_seq;
			k.acked = false;
			k.start_ms = now_ms();
			if (!first) {
				k.packets = k.delivered;
				k.ack_at_ms = 0;
			}
		} else if (type == NFQNL_MSG_VERDICT || type == NFQNL_MSG_VERDICT_BATCH) {
			struct nlattr *attr;

			k.verdicts++;
			mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
				if (mnl_attr_get_type(attr) == NFQA_VERDICT_HDR) {
					const struct nfqnl_msg_verdict_hdr *vh = mnl_attr_get_payload(attr);

					if (ntohl(vh->id) > k.verdict_max_id)
						k.verdict_max_id = ntohl(vh->id);
				}
			}
		}
	}
	return (ssize_t)size;
}

int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);

int
__wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int64_t due, wait;

	if (!k.active || n != 1)
		return __real_poll(fds, n, timeout);
	due = next_due();
	wait = due == NEVER ? timeout : due - now_ms();
	if (wait < 0)
		wait = 0;
	if (timeout >= 0 && wait > timeout)
		wait = timeout;
	if (wait > 0)
		__real_poll(NULL, 0, (int)wait);
	fds[0].revents = now_ms() >= due ? POLLIN : 0;
	return fds[0].revents ? 1 : 0;
}

ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);

ssize_t
__wrap_recv(int fd, void *buf, size_t len, int flags)
{
	int64_t packet_due = k.start_ms + (int64_t)(k.delivered + 1) * k.packet_every_ms;
	struct nlmsghdr *nlh;

	if (!k.active)
		return __real_recv(fd, buf, len, flags);
	if (len < 256 || now_ms() < next_due()) {
		errno = EAGAIN;
		return -1;
	}
	memset(buf, 0, 256);
	nlh = mnl_nlmsg_put_header(buf);
	if (k.delivered < k.packets && (k.acked || k.ack_at_ms == NEVER ||
					 packet_due <= k.start_ms + k.ack_at_ms)) {
		struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(++k.delivered),
						   .hw_protocol = htons(0x0800) };
		struct nfgenmsg *nfg;

		nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = AF_INET;
		mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	} else {
		struct nlmsgerr *err;

		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_seq = k.seq;
		err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
		err->error = 0;
		k.acked = true;
		k.active = false;
	}
	return (ssize_t)nlh->nlmsg_len;
}

/* A bind under the script; returns the queue (or NULL) and how long queue_open() took. */
static struct queue *
bind_with(unsigned packets, int64_t every_ms, int64_t ack_at_ms, int64_t *took_ms)
{
	struct queue *queue;
	int64_t t0;

	memset(&k, 0, sizeof(k));
	k.packets = packets;
	k.packet_every_ms = every_ms;
	k.ack_at_ms = ack_at_ms;
	t0 = now_ms();
	queue = queue_open(7, 1024, 64);
	*took_ms = now_ms() - t0;
	k.active = false;
	return queue;
}

int
main(void)
{
	struct queue *queue;
	int64_t took;

	setvbuf(stdout, NULL, _IOLBF, 0);

	queue = bind_with(0, 1, 5, &took);
	CHECK_MSG(queue != NULL, "an acknowledgement after 5 ms: bound (%lld ms)", (long long)took);
	queue_close(queue);

	/* 150 SYNs in 300 ms before the ack: the old count of passes gave up after 20 */
	queue = bind_with(150, 2, 305, &took);
	CHECK_MSG(queue != NULL, "150 packets before the acknowledgement at 305 ms: bound (%lld ms)",
		  (long long)took);
	CHECK_MSG(k.delivered == 150 && k.verdict_max_id == 150,
		  "every packet that came before it was accepted (%u delivered, verdicts up to id %u)",
		  k.delivered, k.verdict_max_id);
	queue_close(queue);

	/* a flood and no answer: the wait ends at 2 s by the clock, not sooner, not much later */
	queue = bind_with(5000, 1, NEVER, &took);
	CHECK_MSG(queue == NULL, "a packet every ms and no acknowledgement: the bind fails");
	CHECK_MSG(took >= 1950 && took < 2600,
		  "after 2 s of waiting, however many packets came (%lld ms, %u packets)",
		  (long long)took, k.delivered);

	queue = bind_with(0, 1, NEVER, &took);
	CHECK_MSG(queue == NULL && took >= 1950 && took < 2600,
		  "silence: the bind fails after 2 s (%lld ms)", (long long)took);
	return check_summary();
}
