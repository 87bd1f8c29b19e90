/*
 * An rtnetlink subscription, after libmnl's examples rtnl-link-dump.c and
 * rtnl-link-event.c: the caller subscribes first, then dumps, so no change
 * falls between the two.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "clock.h"
#include "log.h"
#include "nlmsg.h"
#include "rtnl.h"

int
rtnl_open(struct rtnl *rtnl, unsigned groups, int rcvbuf)
{
	int fd;

	memset(rtnl, 0, sizeof(*rtnl));
	rtnl->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (rtnl->nl == NULL) {
		log_warn("rtnetlink socket");
		return -1;
	}
	/* room for an event storm before ENOBUFS; FORCE passes rmem_max with CAP_NET_ADMIN */
	fd = mnl_socket_get_fd(rtnl->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(rtnl->nl, groups, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("rtnetlink bind");
		rtnl_close(rtnl);
		return -1;
	}
	rtnl->portid = mnl_socket_get_portid(rtnl->nl);
	rtnl->seq = (uint32_t)time(NULL);
	return 0;
}

void
rtnl_close(struct rtnl *rtnl)
{
	if (rtnl->nl != NULL)
		mnl_socket_close(rtnl->nl);
	rtnl->nl = NULL;
}

int
rtnl_fd(const struct rtnl *rtnl)
{
	return mnl_socket_get_fd(rtnl->nl);
}

int
rtnl_dump(struct rtnl *rtnl, uint16_t type, uint8_t family, size_t hdr_len)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint8_t *hdr;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++rtnl->seq;
	hdr = mnl_nlmsg_put_extra_header(nlh, hdr_len);
	hdr[0] = family;
	if (mnl_socket_sendto(rtnl->nl, nlh, nlh->nlmsg_len) < 0) {
		log_warn("rtnetlink: dump request");
		return -1;
	}
	rtnl->dumping = true;
	rtnl->interrupted = false;
	return 0;
}

bool
rtnl_dumping(const struct rtnl *rtnl)
{
	return rtnl->dumping;
}

/* One datagram's messages. */
static int
rtnl_walk(struct rtnl *rtnl, const void *buf, size_t len, const struct rtnl_ops *ops, void *arg)
{
	const struct nlmsghdr *nlh = buf;
	int remaining = (int)len, changed = 0, r;

	for (; nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		bool from_dump = rtnl->dumping && nlh->nlmsg_seq == rtnl->seq &&
				 nlh->nlmsg_pid == rtnl->portid;

		if (from_dump && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			rtnl->interrupted = true; /* the table changed under it */
		if (from_dump && (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)) {
			rtnl->dumping = false;
			r = ops->done(arg, nlh->nlmsg_type == NLMSG_DONE && !rtnl->interrupted);
		} else {
			r = ops->message(arg, nlh, (size_t)remaining);
		}
		if (r == -1)
			return -1;
		changed |= r;
	}
	return changed;
}

int
rtnl_receive(struct rtnl *rtnl, void *buf, size_t size, const struct rtnl_ops *ops, void *arg,
	     bool *lost)
{
	int changed = 0, r;
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(rtnl->nl), buf, size, MSG_DONTWAIT);
		if (n == -1 && errno == ENOBUFS) {
			*lost = true;
			rtnl->interrupted |= rtnl->dumping; /* it may have passed what was lost */
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == -1) {
			log_warn("rtnetlink: receive");
			return -1;
		}
		r = rtnl_walk(rtnl, buf, (size_t)n, ops, arg);
		if (r == -1)
			return -1;
		changed |= r;
	}
	return changed;
}

int
rtnl_wait(struct rtnl *rtnl, int timeout_ms, int (*dispatch)(void *arg), void *arg,
	  const bool *again)
{
	uint64_t start = clock_ms();

	while (rtnl->dumping || *again) {
		struct pollfd pfd = { .fd = rtnl_fd(rtnl), .events = POLLIN };

		if (clock_ms() - start > (uint64_t)timeout_ms)
			return 0;
		if (poll(&pfd, 1, 100) == -1 && errno != EINTR) {
			log_warn("poll");
			return -1;
		}
		if (dispatch(arg) == -1)
			return -1;
	}
	return 1;
}
