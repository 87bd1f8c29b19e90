/*
 * nf_tables over netlink, for the firewall: the ruleset's change events
 * (group NFNLGRP_NFTABLES) and the packet counters of our rules, read
 * without a tool. iptables-nft keeps our chain in table mangle of families
 * ip and ip6, each rule with a counter expression (NFT_MSG_GETRULE); the
 * nftables backend counts in named counters syn4 and syn6 of table inet
 * mssclampd (NFT_MSG_GETOBJ). Every message is validated attribute by
 * attribute, as links.c does; the parsers take a buffer, so that the unit
 * tests and the fuzzer drive them. Internal to the firewall.
 */
#ifndef MSSCLAMPD_FW_NETLINK_H
#define MSSCLAMPD_FW_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firewall.h"

struct nlmsghdr;

/* Whose rules: the tool that made them. */
enum fw_netlink_rules {
	FW_NETLINK_IPTABLES,   /* iptables-nft: chain MSSCLAMPD in table mangle, ip and ip6 */
	FW_NETLINK_NFTABLES,   /* nft: table inet mssclampd, counters syn4 and syn6 */
};

struct fw_netlink;

/* A NETLINK_NETFILTER socket, non-blocking; with events, subscribed to nf_tables' changes. NULL (logged). */
struct fw_netlink *fw_netlink_open(bool events);
void fw_netlink_close(struct fw_netlink *nl);
int fw_netlink_fd(const struct fw_netlink *nl);

/*
 * Reads every event waiting (never waits). 1: one may concern rules of
 * which (or events were lost); 0: none does; -1: the socket failed (logged).
 */
int fw_netlink_events(struct fw_netlink *nl, enum fw_netlink_rules which);

/*
 * The packets our rules of which have counted, per family, and each
 * counting rule's handle as its epoch. Asks the kernel, which answers a
 * dump at once: never waits. 0, or -1 (a rule or counter is not there, or
 * the socket failed; logged at debug level).
 */
int fw_netlink_counts(struct fw_netlink *nl, enum fw_netlink_rules which,
		      struct firewall_counts *counts);

/* The parsers, one message each (len: what is left of the datagram). */

/* Whether an nf_tables event may concern rules of which: anything in their table but sets. */
bool fw_netlink_event_matters(const struct nlmsghdr *nlh, size_t len, enum fw_netlink_rules which);

/*
 * One NFT_MSG_NEWRULE of chain MSSCLAMPD in table mangle: 1 when it queues
 * (an NFQUEUE target or a queue expression) and counts, with its packets
 * and handle; 0 for another rule; -1 when malformed.
 */
int fw_netlink_parse_rule(const struct nlmsghdr *nlh, size_t len, uint64_t *packets,
			  uint64_t *handle);

/*
 * One NFT_MSG_NEWOBJ of table inet mssclampd: 1 for counter syn4 (*family
 * 0) or syn6 (1), with its packets and handle; 0 for another object; -1
 * when malformed.
 */
int fw_netlink_parse_counter(const struct nlmsghdr *nlh, size_t len, int *family,
			     uint64_t *packets, uint64_t *handle);

#endif
