/*
 * Netlink message iteration that a hostile length cannot stall.
 * libmnl 1.0.4's mnl_nlmsg_ok() compares (int)nlmsg_len <= len: a length of
 * 2^31 or more turns negative and passes, and mnl_nlmsg_next() then never
 * advances (found by fuzz_netlink). This one compares unsigned.
 */
#ifndef MSSCLAMPD_NLMSG_H
#define MSSCLAMPD_NLMSG_H

#include <stdbool.h>
#include <linux/netlink.h>

static inline bool
nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)len;
}

#endif
