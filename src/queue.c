/*
 * One NFQUEUE. Kernel facts behind the choices here are in
 * net/netfilter/nfnetlink_queue.c:
 * - a config message is applied command first, then params, maxlen and one
 *   flags/mask pair: binding and configuring in one acknowledged message
 *   makes EPERM (no CAP_NET_ADMIN, or another process owns the queue) and
 *   EBUSY fail at start-up instead of silently;
 * - a verdict whose payload cannot be applied becomes a drop, so a payload
 *   goes back only when we changed it and never from a truncated copy;
 * - unbinding drops what is still queued, so the caller drains first;
 * - error replies (ENOENT when the packet's interface went down and the
 *   kernel flushed it) arrive on the same socket and are not fatal.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "clock.h"
#include "log.h"
#include "nlmsg.h"
#include "queue.h"

#define QUEUE_COPY_RANGE 0xffff                     /* the whole packet, always */
/* One message: headers, attributes, a whole packet and room to grow it. A
 * page multiple, so every slot's netlink header is aligned. */
#define QUEUE_SLOT_SIZE (17 * 4096)
_Static_assert(QUEUE_SLOT_SIZE >= QUEUE_COPY_RANGE + 2048, "a slot holds a whole packet message");
#define QUEUE_RCVBUF_PER_PACKET 2048                /* socket memory a queued SYN costs, roughly */
#define QUEUE_MIN_RCVBUF (4 << 20)
#define QUEUE_MAX_RCVBUF (256 << 20)                 /* a limit, not an allocation; the kernel doubles it */
#define QUEUE_WAIT_MS 250                           /* a blocked receive returns this often */
#define QUEUE_ACK_TIMEOUT_MS 2000

struct queue {
	struct mnl_socket *nl;
	unsigned num;
	unsigned batch;
	struct mmsghdr *msgs;
	struct iovec *iov;
	char *rx;                   /* batch slots of QUEUE_SLOT_SIZE */
	struct queue_packet *pkts;
	char *tx;                   /* verdicts waiting for queue_flush() */
	size_t tx_len, tx_size;
	uint32_t run_last;          /* last id of a run of unchanged packets not yet verdicted */
	bool run_pending;
	uint32_t next_id;           /* the id we expect next, to count gaps */
	bool have_id;
	struct queue_counters counters;
};

static int
queue_parse_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFQA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case NFQA_PACKET_HDR:
		if (mnl_attr_validate2(attr, MNL_TYPE_UNSPEC, sizeof(struct nfqnl_msg_packet_hdr)) < 0)
			return MNL_CB_OK;
		break;
	case NFQA_IFINDEX_INDEV:
	case NFQA_IFINDEX_OUTDEV:
	case NFQA_IFINDEX_PHYSINDEV:
	case NFQA_IFINDEX_PHYSOUTDEV:
	case NFQA_CAP_LEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case NFQA_PAYLOAD:
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int
queue_parse_packet(const struct nlmsghdr *nlh, size_t room, struct queue_packet *pkt)
{
	static const int dev_attr[QUEUE_DEV_COUNT] = {
		[QUEUE_INDEV] = NFQA_IFINDEX_INDEV,
		[QUEUE_OUTDEV] = NFQA_IFINDEX_OUTDEV,
		[QUEUE_PHYSINDEV] = NFQA_IFINDEX_PHYSINDEV,
		[QUEUE_PHYSOUTDEV] = NFQA_IFINDEX_PHYSOUTDEV,
	};
	const struct nlattr *tb[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *nfg;
	int i;

	memset(pkt, 0, sizeof(*pkt));
	/* libmnl walks attributes up to the aligned end of the message */
	if (room < sizeof(*nlh) || nlh->nlmsg_len > room || MNL_ALIGN(nlh->nlmsg_len) > room ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return -1;
	if (nlh->nlmsg_type != (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET))
		return -1;
	if (mnl_attr_parse(nlh, sizeof(*nfg), queue_parse_cb, tb) < 0)
		return -1;
	if (tb[NFQA_PACKET_HDR] == NULL)
		return -1;

	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	pkt->id = ntohl(ph->packet_id);
	nfg = mnl_nlmsg_get_payload(nlh);
	pkt->family = nfg->nfgen_family == AF_INET6 ? 6 : 4;
	for (i = 0; i < QUEUE_DEV_COUNT; i++)
		if (tb[dev_attr[i]])
			pkt->ifindex[i] = ntohl(mnl_attr_get_u32(tb[dev_attr[i]]));
	if (tb[NFQA_PAYLOAD] == NULL) {
		/* nothing to clamp, but an id to accept: never leave a packet queued */
		pkt->truncated = true;
		return 0;
	}
	pkt->payload = mnl_attr_get_payload(tb[NFQA_PAYLOAD]);
	pkt->len = mnl_attr_get_payload_len(tb[NFQA_PAYLOAD]);
	/* the payload is the message's last attribute: what follows is ours */
	pkt->room = room - (size_t)((const char *)pkt->payload - (const char *)nlh);
	if (tb[NFQA_CAP_LEN] && ntohl(mnl_attr_get_u32(tb[NFQA_CAP_LEN])) != pkt->len)
		pkt->truncated = true;
	return 0;
}

static void queue_track_id(struct queue *queue, uint32_t id);

/*
 * Waits for the acknowledgement of the request with sequence seq, up to
 * QUEUE_ACK_TIMEOUT_MS by the clock. 0 or -errno. Packets can arrive before
 * the acknowledgement (other CPUs queue while we bind, or rules left by a
 * killed daemon under load): they are accepted as they are, which is what
 * --queue-bypass did for them a moment earlier, and however many they are
 * they do not shorten the wait.
 */
static int
queue_wait_ack(struct queue *queue, uint32_t seq)
{
	_Alignas(8) char buf[QUEUE_SLOT_SIZE];
	int fd = mnl_socket_get_fd(queue->nl);
	int64_t deadline = (int64_t)clock_ms() + QUEUE_ACK_TIMEOUT_MS, left;
	int remaining, result = -ETIMEDOUT;
	const struct nlmsghdr *nlh;
	ssize_t n;

	while (result == -ETIMEDOUT && (left = deadline - (int64_t)clock_ms()) > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		remaining = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; nlmsg_ok(nlh, remaining);
		     nlh = mnl_nlmsg_next(nlh, &remaining)) {
			struct queue_packet pkt;

			if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == seq &&
			    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(struct nlmsgerr))) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

				result = err->error;
			} else if (queue_parse_packet(nlh, sizeof(buf) - (size_t)((const char *)nlh - buf),
						      &pkt) == 0) {
				queue_track_id(queue, pkt.id);
				queue_accept(queue, &pkt, false);
			}
		}
	}
	queue_flush(queue);
	return result;
}

/* A config message: command cmd, and for a bind the whole configuration. */
static int
queue_config(struct queue *queue, uint8_t cmd, unsigned maxlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL) + cmd;

	memset(buf, 0, sizeof(buf)); /* libmnl 1.0.4 leaves attribute padding as it finds it */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue->num);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, cmd);
	if (cmd == NFQNL_CFG_CMD_BIND) {
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, QUEUE_COPY_RANGE);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
		/* Fail open: past a full queue the kernel accepts instead of
		 * dropping. No F_GSO: the kernel then completes partial
		 * checksums before queueing, so our incremental updates hold. */
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	}
	if (mnl_socket_sendto(queue->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return queue_wait_ack(queue, seq);
}

/* Why a bind failed, in words an operator can act on. */
static const char *
queue_bind_hint(int err)
{
	switch (err) {
	case EPERM:
		return "another process has bound this queue (is another mssclampd running?), "
		       "or we lack CAP_NET_ADMIN";
	case EBUSY:
		return "the queue is already bound";
	case EINVAL:
		return "the kernel rejected the queue configuration";
	case ETIMEDOUT:
		return "the kernel did not answer";
	default:
		return "is the nfnetlink_queue module available?";
	}
}

struct queue *
queue_open(unsigned num, unsigned maxlen, unsigned batch)
{
	struct queue *queue;
	struct timeval wait = { 0, QUEUE_WAIT_MS * 1000 };
	int fd, one = 1, rcvbuf, err;
	uint64_t want;
	unsigned i;

	queue = calloc(1, sizeof(*queue));
	if (queue == NULL)
		goto nomem;
	queue->num = num;
	queue->batch = batch;
	queue->msgs = calloc(batch, sizeof(*queue->msgs));
	queue->iov = calloc(batch, sizeof(*queue->iov));
	queue->pkts = calloc(batch, sizeof(*queue->pkts));
	/* untouched pages cost no memory: a SYN touches one page of its slot */
	queue->rx = malloc((size_t)batch * QUEUE_SLOT_SIZE);
	queue->tx_size = (size_t)batch * 256 + QUEUE_SLOT_SIZE;
	queue->tx = calloc(1, queue->tx_size); /* attribute padding goes to the kernel */
	if (!queue->msgs || !queue->iov || !queue->pkts || !queue->rx || !queue->tx)
		goto nomem;
	for (i = 0; i < batch; i++) {
		queue->iov[i].iov_base = queue->rx + (size_t)i * QUEUE_SLOT_SIZE;
		queue->iov[i].iov_len = QUEUE_SLOT_SIZE;
		queue->msgs[i].msg_hdr.msg_iov = &queue->iov[i];
		queue->msgs[i].msg_hdr.msg_iovlen = 1;
	}

	queue->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (queue->nl == NULL) {
		log_warn("queue %u: netlink socket", num);
		goto fail;
	}
	if (mnl_socket_bind(queue->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_warn("queue %u: netlink bind", num);
		goto fail;
	}
	fd = mnl_socket_get_fd(queue->nl);
	/* Room for a full kernel queue; when even that fills, fail-open lets
	 * SYNs through unclamped and we see a gap in the ids. */
	want = (uint64_t)maxlen * QUEUE_RCVBUF_PER_PACKET;
	rcvbuf = (int)(want < QUEUE_MIN_RCVBUF ? QUEUE_MIN_RCVBUF :
		       want > QUEUE_MAX_RCVBUF ? QUEUE_MAX_RCVBUF : want);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1)
		log_warn("queue %u: receive buffer", num);
	/* so that a worker blocked in queue_receive() still looks up to stop */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) == -1)
		log_warn("queue %u: receive timeout", num);
	/* ENOBUFS only says a packet went past: the id gaps count them */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one)) == -1)
		log_warn("queue %u: NETLINK_NO_ENOBUFS", num);

	err = -queue_config(queue, NFQNL_CFG_CMD_BIND, maxlen);
	if (err) {
		log_err("queue %u: cannot bind: %s: %s", num, strerror(err), queue_bind_hint(err));
		goto fail;
	}
	return queue;
nomem:
	log_warn("queue %u", num);
fail:
	queue_close(queue);
	return NULL;
}

static void
queue_handle_error(struct queue *queue, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)) || err->error == 0)
		return;
	queue->counters.verdict_errors++;
	if (err->error != -ENOENT)
		log_debug("queue %u: kernel error reply: %s", queue->num, strerror(-err->error));
}

static void
queue_track_id(struct queue *queue, uint32_t id)
{
	/* ids rise by one per queued packet (modulo 2^32); a jump is loss */
	if (queue->have_id && id != queue->next_id && id - queue->next_id < 0x80000000u)
		queue->counters.gaps += id - queue->next_id;
	queue->next_id = id + 1;
	queue->have_id = true;
}

int
queue_receive(struct queue *queue, bool wait, struct queue_packet **pkts)
{
	int n, i, count = 0;

	*pkts = queue->pkts;
	/* MSG_WAITFORONE: block for the first packet only, take what else is there */
	n = recvmmsg(mnl_socket_get_fd(queue->nl), queue->msgs, queue->batch,
		     wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR || errno == ENOBUFS) ? 0 : -1;

	for (i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = queue->iov[i].iov_base;
		size_t len = queue->msgs[i].msg_len;
		struct queue_packet *pkt = &queue->pkts[count];

		if (len >= sizeof(*nlh) && nlh->nlmsg_type == NLMSG_ERROR) {
			queue_handle_error(queue, nlh);
			continue;
		}
		/* room runs to the end of the slot: insertion needs 4 bytes more */
		if (queue_parse_packet(nlh, len < nlh->nlmsg_len ? len : QUEUE_SLOT_SIZE, pkt) == -1)
			continue;
		queue_track_id(queue, pkt->id);
		count++;
	}
	return count;
}

/* Sends the buffered verdicts. A failed send is retried: a lost verdict
 * would leave its packet in the kernel's queue until we unbind. */
static int
queue_send(struct queue *queue)
{
	int attempt;

	for (attempt = 0; queue->tx_len > 0 && attempt < 3; attempt++) {
		if (mnl_socket_sendto(queue->nl, queue->tx, queue->tx_len) >= 0) {
			queue->tx_len = 0;
			return 0;
		}
		if (errno != ENOBUFS && errno != ENOMEM && errno != EINTR)
			break;
	}
	if (queue->tx_len == 0)
		return 0;
	log_warn("queue %u: sending verdicts", queue->num);
	queue->tx_len = 0;
	return -1;
}

static struct nlmsghdr *
queue_put_verdict(struct queue *queue, int type, uint32_t id, size_t payload_len)
{
	struct nlmsghdr *nlh;

	if (queue->tx_len + payload_len + 128 > queue->tx_size)
		queue_send(queue);
	nlh = nfq_nlmsg_put(queue->tx + queue->tx_len, type, queue->num);
	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	return nlh;
}

static void
queue_end_run(struct queue *queue)
{
	struct nlmsghdr *nlh;

	if (!queue->run_pending)
		return;
	/* ids rise in queue order: one batch verdict covers the whole run */
	nlh = queue_put_verdict(queue, NFQNL_MSG_VERDICT_BATCH, queue->run_last, 0);
	queue->tx_len += nlh->nlmsg_len;
	queue->run_pending = false;
}

void
queue_accept(struct queue *queue, const struct queue_packet *pkt, bool changed)
{
	struct nlmsghdr *nlh;

	if (!changed || pkt->truncated) {
		queue->run_last = pkt->id;
		queue->run_pending = true;
		return;
	}
	queue_end_run(queue);
	nlh = queue_put_verdict(queue, NFQNL_MSG_VERDICT, pkt->id, pkt->len);
	nfq_nlmsg_verdict_put_pkt(nlh, pkt->payload, (uint32_t)pkt->len);
	queue->tx_len += nlh->nlmsg_len;
}

int
queue_flush(struct queue *queue)
{
	queue_end_run(queue);
	return queue_send(queue);
}

void
queue_counters(const struct queue *queue, struct queue_counters *out)
{
	*out = queue->counters;
}

void
queue_close(struct queue *queue)
{
	if (queue == NULL)
		return;
	if (queue->nl) {
		queue_flush(queue);
		(void)queue_config(queue, NFQNL_CFG_CMD_UNBIND, 0);
		mnl_socket_close(queue->nl);
	}
	free(queue->msgs);
	free(queue->iov);
	free(queue->pkts);
	free(queue->rx);
	free(queue->tx);
	free(queue);
}
