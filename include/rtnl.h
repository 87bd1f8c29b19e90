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

struct mnl_socket;
struct nlmsghdr;

struct rtnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;            /* of the last dump asked for */
};

/* A non-blocking socket with a receive buffer of rcvbuf bytes, bound to groups. 0, or -1 after logging why. */
int rtnl_open(struct rtnl *rtnl, unsigned groups, int rcvbuf);
void rtnl_close(struct rtnl *rtnl);
int rtnl_fd(const struct rtnl *rtnl);

/*
 * Asks for a dump of type (RTM_GETLINK, RTM_GETROUTE) of family, behind a
 * zeroed family header of hdr_len bytes (struct rtgenmsg, struct rtmsg: the
 * family comes first in each). 0, or -1 after logging why.
 */
int rtnl_dump(struct rtnl *rtnl, uint16_t type, uint8_t family, size_t hdr_len);

/* Whether nlh is a reply to the last dump asked for. */
bool rtnl_from_dump(const struct rtnl *rtnl, const struct nlmsghdr *nlh);

/*
 * Reads every datagram waiting into buf (size bytes) and hands each to
 * handle(arg, len). Sets *lost when events were lost (ENOBUFS). Returns the
 * handlers' results or'ed (0 or 1), or -1 on a socket error (logged) or a
 * handler's -1.
 */
int rtnl_receive(struct rtnl *rtnl, void *buf, size_t size, int (*handle)(void *arg, size_t len),
		 void *arg, bool *lost);

/*
 * At start-up, before the event loop: calls dispatch(arg) whenever the
 * socket is readable, until busy(arg) is false or timeout_ms passed. 1: done;
 * 0: the time ran out; -1: dispatch failed, or poll (logged).
 */
int rtnl_wait(struct rtnl *rtnl, int timeout_ms, int (*dispatch)(void *arg),
	      bool (*busy)(void *arg), void *arg);

#endif
