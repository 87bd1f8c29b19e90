/*
 * An rtnetlink subscription, as links.c and routes.c both hold one: the
 * socket bound to multicast groups, dump requests and the replies that
 * answer them, the receive loop, and the wait for the first dump at
 * start-up. What the messages mean is the caller's; so is the answer to
 * lost events (a fresh dump).
 */
#ifndef MSSCLAMPD_RTNL_H
#define MSSCLAMPD_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

struct rtnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;            /* of the last dump asked for */
	bool dumping;            /* it has not ended yet */
	bool interrupted;        /* it will not be whole: NLM_F_DUMP_INTR, an error, lost messages */
};

/* What a subscriber does with what arrives. Each returns 1 (changed), 0, or -1 (fatal). */
struct rtnl_ops {
	/* A message that does not end a dump: an event, or a part of the dump. */
	int (*message)(void *arg, const struct nlmsghdr *nlh, size_t len);
	/* The dump asked for ended: whole, or not (interrupted, refused: dump again). */
	int (*done)(void *arg, bool whole);
};

/* A non-blocking socket with a receive buffer of rcvbuf bytes, bound to groups. 0, or -1 after logging why. */
int rtnl_open(struct rtnl *rtnl, unsigned groups, int rcvbuf);
void rtnl_close(struct rtnl *rtnl);
int rtnl_fd(const struct rtnl *rtnl);

/*
 * Asks for a dump of type (RTM_GETLINK, RTM_GETROUTE) of family, behind a
 * zeroed family header of hdr_len bytes (struct rtgenmsg, struct rtmsg: the
 * family comes first in each). One at a time: the kernel refuses a second
 * while one runs. 0, or -1 after logging why.
 */
int rtnl_dump(struct rtnl *rtnl, uint16_t type, uint8_t family, size_t hdr_len);

/* Whether a dump asked for has not ended yet. */
bool rtnl_dumping(const struct rtnl *rtnl);

/*
 * Reads every datagram waiting into buf (size bytes) and walks its
 * messages: the end of the dump asked for (NLMSG_DONE, or an error in its
 * place) to ops->done, every other message to ops->message. Sets *lost when
 * events were lost (ENOBUFS: a dump running then is not whole either).
 * Returns the ops' results or'ed (0 or 1), or -1 on a socket error (logged)
 * or an op's -1.
 */
int rtnl_receive(struct rtnl *rtnl, void *buf, size_t size, const struct rtnl_ops *ops,
		 void *arg, bool *lost);

/*
 * At start-up, before the event loop: calls dispatch(arg) after each poll
 * of the socket (readable, or 100 ms passed), until no dump runs and *again (the caller's "another
 * dump is due") is false, or timeout_ms passed. 1: done; 0: the time ran
 * out; -1: dispatch failed, or poll (logged).
 */
int rtnl_wait(struct rtnl *rtnl, int timeout_ms, int (*dispatch)(void *arg), void *arg,
	      const bool *again);

#endif
