/*
 * fw_netlink's parsers on nf_tables messages: bytes the kernel sent (6.18,
 * captured from a GETRULE and a GETOBJ dump and from the ruleset events),
 * and variants built with libmnl that break one thing each.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "check.h"
#include "fw_netlink.h"

/* iptables-nft's "-A MSSCLAMPD -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num 0
 * --queue-bypass" after 3 SYNs (180 bytes): handle 2, expressions meta, cmp, payload,
 * bitwise, cmp, counter, target NFQUEUE rev 3 */
static const char rule_hex[] =
	"9c010000060a020801000000f4510000020000040b0001006d616e676c6500000e0002004d535343"
	"4c414d50440000000c00030000000000000000026001040024000100090001006d65746100000000"
	"14000200080002000000001008000100000000012c00010008000100636d70002000020008000100"
	"0000000108000200000000000c0003000500010006000000340001000c0001007061796c6f616400"
	"2400020008000100000000010800020000000002080003000000000d08000400000000014c000100"
	"0c00010062697477697365003c000200080001000000000108000200000000010800030000000001"
	"08000600000000000c00040005000100060000000c00050005000100000000002c00010008000100"
	"636d700020000200080001000000000108000200000000000c00030005000100020000002c000100"
	"0c000100636f756e746572001c0002000c00010000000000000000b40c0002000000000000000003"
	"340001000b0001007461726765740000240002000c0001004e465155455545000800020000000003"
	"0c0003000000010001000000";

/* nft's "counter syn4 {}" of table inet mssclampd after 1 SYN, handle 2; syn6 after 2, handle 3 */
static const char syn4_hex[] =
	"68000000120a02080100000021520000010000050e0001006d7373636c616d706400000009000200"
	"73796e340000000008000300000000010c000600000000000000000208000500000000011c000400"
	"0c000100000000000000003c0c0002000000000000000001";
static const char syn6_hex[] =
	"68000000120a02080100000021520000010000050e0001006d7373636c616d706400000009000200"
	"73796e360000000008000300000000010c000600000000000000000308000500000000011c000400"
	"0c00010000000000000000a00c0002000000000000000002";

/* events: "nft delete table inet mssclampd" (its DELCHAIN, DELTABLE, NEWGEN),
 * "iptables -t mangle -D OUTPUT ..." (DELRULE of ip mangle OUTPUT), and
 * "nft add element inet other s { 1.2.3.4 }" (NEWSETELEM) */
static const char delchain_hex[] =
	"3c000000050a00000100000002510000010000060e0001006d7373636c616d70640000000b000300"
	"6f757470757400000c0002000000000000000001";
static const char deltable_hex[] =
	"38000000020a00000100000002510000010000060e0001006d7373636c616d706400000008000300"
	"000000000c0004000000000000000002";
static const char newgen_hex[] =
	"2c0000000f0a00000100000002510000000000060800010000000006080002000000510208000300"
	"6e667400";
static const char setelem_hex[] =
	"3c0000000c0a0004000000006c5100000100000a0a0001006f746865720000000600020073000000"
	"14000300100001000c0001000800010001020304";
/* the DELRULE of the jump, cut after its table and chain: the rest is expressions */
static const char deljump_hex[] =
	"2c000000080a0000020000002c510000020000070b0001006d616e676c6500000b0002004f555450"
	"55540000";

static _Alignas(8) unsigned char msg[4096];

/* Hex to bytes in msg; the length. */
static size_t
unhex(const char *hex)
{
	size_t n = strlen(hex) / 2, i;

	for (i = 0; i < n && i < sizeof(msg); i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		msg[i] = (unsigned char)strtoul(byte, NULL, 16);
	}
	return n;
}

static const struct nlmsghdr *
nl(void)
{
	return (const struct nlmsghdr *)msg;
}

/* An nf_tables message of type for family with a table's name; more attributes follow. */
static struct nlmsghdr *
nft_msg(unsigned type, uint8_t family, const char *table)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct nfgenmsg *nfg;

	memset(msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	if (table != NULL)
		mnl_attr_put_strz(nlh, 1, table);
	return nlh;
}

/* A rule of chain with a counter of packets and, as target, an xtables target or a native expression. */
static struct nlmsghdr *
rule_msg(const char *table, const char *chain, uint64_t packets, const char *expr,
	 const char *xt_target, bool with_handle)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWRULE, NFPROTO_IPV4, table);
	struct nlattr *list, *elem, *data;

	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	if (with_handle)
		mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(7));
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "counter");
	data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u64(nlh, NFTA_COUNTER_BYTES, htobe64(packets * 60));
	mnl_attr_put_u64(nlh, NFTA_COUNTER_PACKETS, htobe64(packets));
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, expr);
	if (xt_target != NULL) {
		data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
		mnl_attr_put_strz(nlh, NFTA_TARGET_NAME, xt_target);
		mnl_attr_nest_end(nlh, data);
	}
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

static void
test_rules(void)
{
	uint64_t packets = 99, handle = 99;
	struct nlmsghdr *nlh;
	size_t len;

	len = unhex(rule_hex);
	CHECK_EQ(len, 412);
	CHECK_EQ(fw_netlink_parse_rule(nl(), len, &packets, &handle), 1);
	CHECK_EQ(packets, 3);
	CHECK_EQ(handle, 2);
	/* every length short of the whole message is refused, never read past */
	for (size_t cut = 0; cut < len; cut += 4)
		CHECK_EQ(fw_netlink_parse_rule(nl(), cut, &packets, &handle), -1);
	/* a counter that claims more than the message holds */
	msg[0] = 0xa0;
	CHECK_EQ(fw_netlink_parse_rule(nl(), len, &packets, &handle), -1);

	nlh = rule_msg("mangle", "MSSCLAMPD", 12345678901ull, "target", "NFQUEUE", true);
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), 1);
	CHECK_EQ(packets, 12345678901ull);
	CHECK_EQ(handle, 7);
	nlh = rule_msg("mangle", "MSSCLAMPD", 5, "queue", NULL, true); /* nft's own queue */
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), 1);
	CHECK_EQ(packets, 5);
	nlh = rule_msg("mangle", "MSSCLAMPD", 5, "target", "MARK", true); /* counts, queues not */
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), 0);
	nlh = rule_msg("mangle", "OTHER", 5, "target", "NFQUEUE", true);
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), 0);
	nlh = rule_msg("filter", "MSSCLAMPD", 5, "target", "NFQUEUE", true);
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), 0);
	nlh = rule_msg("mangle", "MSSCLAMPD", 5, "target", "NFQUEUE", false);
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), -1);
	/* another message type is no rule */
	nlh = nft_msg(NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "mangle");
	CHECK_EQ(fw_netlink_parse_rule(nlh, nlh->nlmsg_len, &packets, &handle), -1);
}

static void
test_counters(void)
{
	uint64_t packets = 99, handle = 99;
	struct nlmsghdr *nlh;
	struct nlattr *data;
	int family = -1;
	size_t len;

	len = unhex(syn4_hex);
	CHECK_EQ(len, 104);
	CHECK_EQ(fw_netlink_parse_counter(nl(), len, &family, &packets, &handle), 1);
	CHECK_EQ(family, 0);
	CHECK_EQ(packets, 1);
	CHECK_EQ(handle, 2);
	len = unhex(syn6_hex);
	CHECK_EQ(fw_netlink_parse_counter(nl(), len, &family, &packets, &handle), 1);
	CHECK_EQ(family, 1);
	CHECK_EQ(packets, 2);
	CHECK_EQ(handle, 3);
	for (size_t cut = 0; cut < len; cut += 4)
		CHECK_EQ(fw_netlink_parse_counter(nl(), cut, &family, &packets, &handle), -1);

	/* a counter of another name, or table, or family, or a quota by our name */
	nlh = nft_msg(NFT_MSG_NEWOBJ, NFPROTO_INET, "mssclampd");
	mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, "syn5");
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htobe32(NFT_OBJECT_COUNTER));
	mnl_attr_put_u64(nlh, NFTA_OBJ_HANDLE, htobe64(4));
	data = mnl_attr_nest_start(nlh, NFTA_OBJ_DATA);
	mnl_attr_put_u64(nlh, NFTA_COUNTER_PACKETS, htobe64(1));
	mnl_attr_nest_end(nlh, data);
	CHECK_EQ(fw_netlink_parse_counter(nlh, nlh->nlmsg_len, &family, &packets, &handle), 0);
	len = unhex(syn4_hex);
	msg[0x14 + 4] = 'X'; /* the table's name: "Xssclampd" */
	CHECK_EQ(fw_netlink_parse_counter(nl(), len, &family, &packets, &handle), 0);
	len = unhex(syn4_hex);
	msg[16] = NFPROTO_IPV4;
	CHECK_EQ(fw_netlink_parse_counter(nl(), len, &family, &packets, &handle), 0);
	len = unhex(syn4_hex);
	msg[0x30 + 7] = 2; /* NFTA_OBJ_TYPE: 2, a quota */
	CHECK_EQ(fw_netlink_parse_counter(nl(), len, &family, &packets, &handle), 0);
	/* a counter without its packets */
	nlh = nft_msg(NFT_MSG_NEWOBJ, NFPROTO_INET, "mssclampd");
	mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, "syn4");
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htobe32(NFT_OBJECT_COUNTER));
	mnl_attr_put_u64(nlh, NFTA_OBJ_HANDLE, htobe64(4));
	data = mnl_attr_nest_start(nlh, NFTA_OBJ_DATA);
	mnl_attr_put_u32(nlh, NFTA_COUNTER_PACKETS, 1); /* 4 bytes where 8 belong */
	mnl_attr_nest_end(nlh, data);
	CHECK_EQ(fw_netlink_parse_counter(nlh, nlh->nlmsg_len, &family, &packets, &handle), -1);
}

static void
test_events(void)
{
	struct nlmsghdr *nlh;
	size_t len;

	len = unhex(delchain_hex);
	CHECK(fw_netlink_event_matters(nl(), len, FW_NETLINK_NFTABLES));
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_IPTABLES));
	len = unhex(deltable_hex);
	CHECK(fw_netlink_event_matters(nl(), len, FW_NETLINK_NFTABLES));
	CHECK(!fw_netlink_event_matters(nl(), len - 1, FW_NETLINK_NFTABLES)); /* cut: no message */
	len = unhex(newgen_hex);
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_NFTABLES));
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_IPTABLES));
	len = unhex(setelem_hex);
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_NFTABLES));
	len = unhex(deljump_hex);
	CHECK(fw_netlink_event_matters(nl(), len, FW_NETLINK_IPTABLES));
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_NFTABLES));
	msg[16] = NFPROTO_IPV6; /* ip6 mangle too */
	CHECK(fw_netlink_event_matters(nl(), len, FW_NETLINK_IPTABLES));
	msg[16] = NFPROTO_ARP;
	CHECK(!fw_netlink_event_matters(nl(), len, FW_NETLINK_IPTABLES));

	/* tables of others, in our families */
	nlh = nft_msg(NFT_MSG_DELTABLE, NFPROTO_INET, "filter");
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_NFTABLES));
	nlh = nft_msg(NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter");
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_IPTABLES));
	/* no table named: cannot tell, so it matters */
	nlh = nft_msg(NFT_MSG_DELRULE, NFPROTO_IPV4, NULL);
	CHECK(fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_IPTABLES));
	/* sets and their elements, even in our tables: never ours (fail2ban's updates) */
	nlh = nft_msg(NFT_MSG_NEWSET, NFPROTO_INET, "mssclampd");
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_NFTABLES));
	nlh = nft_msg(NFT_MSG_NEWSETELEM, NFPROTO_IPV4, "mangle");
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_IPTABLES));
	nlh = nft_msg(NFT_MSG_DELSETELEM, NFPROTO_IPV6, "mangle");
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_IPTABLES));
	/* not nf_tables at all */
	nlh = nft_msg(NFT_MSG_DELTABLE, NFPROTO_INET, "mssclampd");
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFT_MSG_DELTABLE;
	CHECK(!fw_netlink_event_matters(nlh, nlh->nlmsg_len, FW_NETLINK_NFTABLES));
}

int
main(void)
{
	test_rules();
	test_counters();
	test_events();
	return check_summary();
}
