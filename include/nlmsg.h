/*
 * Netlink message iteration that a hostile length cannot stall.
 * libmnl 1.0.4's mnl_nlmsg_ok() compares (int)nlmsg_len <= len: a length of
 * 2^31 or more turns negative and passes, and mnl_nlmsg_next() then never
 * advances (found by fuzz_netlink). This one compares unsigned.
 */
#ifndef MSSCLAMPD_NLMSG_H
#define MSSCLAMPD_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>

static inline bool
nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)len;
}

/*
 * A whole message of one kind, len bytes from nlh: its header, a fixed
 * payload of payload bytes, and nothing past len (libmnl walks attributes
 * up to the message's aligned end, so that end must be inside too).
 */
static inline bool
nlmsg_whole(const struct nlmsghdr *nlh, size_t len, size_t payload)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len <= len && NLMSG_ALIGN(nlh->nlmsg_len) <= len &&
	       nlh->nlmsg_len >= NLMSG_LENGTH(payload);
}

#endif
