/*
 * nf_tables over netlink: events and counters. After libmnl's examples:
 * validate each attribute's type before use, skip unknown ones. A dump is
 * answered by the kernel while we send and receive (the first part in
 * sendmsg, each next one in the recvmsg that makes room for it), so reading
 * counters never waits; a dump that stops short fails, and the socket is
 * made anew so that no half-read answer lingers.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include "fw_backend.h"
#include "fw_netlink.h"
#include "log.h"
#include "nlmsg.h"

#define FWNL_RCVBUF (1 << 20)   /* a firewall reload is a burst of events */
#define FWNL_BUFSIZ 65536
#define FWNL_MAX_READS 1024     /* datagrams per call: a bound, far above a dump of our rules */
#define FWNL_IPT_TABLE "mangle"

/* Message types newer than Debian 12's headers: kernel 6.3's "destroy" requests. */
#ifndef NFT_MSG_DESTROYSET
#define NFT_MSG_DESTROYSET 29
#define NFT_MSG_DESTROYSETELEM 30
#define NFT_MSG_DESTROYFLOWTABLE 32
#endif

struct fw_netlink {
	struct mnl_socket *nl;
	bool events;
	uint32_t portid, seq;
	_Alignas(8) char buf[FWNL_BUFSIZ];
};

static int
fwnl_socket(struct fw_netlink *nl)
{
	int fd, rcvbuf = FWNL_RCVBUF, group = NFNLGRP_NFTABLES;

	if ((nl->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK)) == NULL ||
	    mnl_socket_bind(nl->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	nl->portid = mnl_socket_get_portid(nl->nl);
	if (!nl->events)
		return 0;
	fd = mnl_socket_get_fd(nl->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return mnl_socket_setsockopt(nl->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
}

struct fw_netlink *
fw_netlink_open(bool events)
{
	struct fw_netlink *nl = calloc(1, sizeof(*nl));

	if (nl == NULL) {
		log_warn("nf_tables netlink");
		return NULL;
	}
	nl->events = events;
	nl->seq = (uint32_t)time(NULL);
	if (fwnl_socket(nl) == -1) {
		log_warn("nf_tables netlink%s", events ? ": ruleset events" : "");
		fw_netlink_close(nl);
		return NULL;
	}
	return nl;
}

void
fw_netlink_close(struct fw_netlink *nl)
{
	if (nl == NULL)
		return;
	if (nl->nl != NULL)
		mnl_socket_close(nl->nl);
	free(nl);
}

int
fw_netlink_fd(const struct fw_netlink *nl)
{
	return nl->nl != NULL ? mnl_socket_get_fd(nl->nl) : -1;
}

/* The message's nfgenmsg and its family, after checking that the header and it fit. */
static const struct nfgenmsg *
fwnl_header(const struct nlmsghdr *nlh, size_t len, unsigned type)
{
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len || MNL_ALIGN(nlh->nlmsg_len) > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return NULL;
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    (type != ~0u && NFNL_MSG_TYPE(nlh->nlmsg_type) != type))
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

/* Attribute 1 of every table, chain, rule, set and object message: its table's name. */
static int
fwnl_table_cb(const struct nlattr *attr, void *data)
{
	const char **table = data;

	_Static_assert(NFTA_TABLE_NAME == 1 && NFTA_CHAIN_TABLE == 1 && NFTA_RULE_TABLE == 1 &&
		       NFTA_OBJ_TABLE == 1, "the table's name is attribute 1");
	if (mnl_attr_get_type(attr) == 1 && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*table = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

bool
fw_netlink_event_matters(const struct nlmsghdr *nlh, size_t len, enum fw_netlink_rules which)
{
	const struct nfgenmsg *nfg = fwnl_header(nlh, len, ~0u);
	const char *table = NULL, *ours;

	if (nfg == NULL)
		return false;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	/* sets change all day (fail2ban, crowdsec), generations close every batch: never ours */
	case NFT_MSG_NEWGEN:
	case NFT_MSG_TRACE:
	case NFT_MSG_NEWSET:
	case NFT_MSG_DELSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
	case NFT_MSG_NEWFLOWTABLE:
	case NFT_MSG_DELFLOWTABLE:
	case NFT_MSG_DESTROYSET:
	case NFT_MSG_DESTROYSETELEM:
	case NFT_MSG_DESTROYFLOWTABLE:
		return false;
	}
	if (which == FW_NETLINK_IPTABLES) {
		if (nfg->nfgen_family != NFPROTO_IPV4 && nfg->nfgen_family != NFPROTO_IPV6)
			return false;
		ours = FWNL_IPT_TABLE;
	} else {
		if (nfg->nfgen_family != NFPROTO_INET)
			return false;
		ours = FIREWALL_TABLE;
	}
	if (mnl_attr_parse(nlh, sizeof(*nfg), fwnl_table_cb, &table) < 0)
		return true; /* cannot tell: look */
	return table == NULL || strcmp(table, ours) == 0;
}

int
fw_netlink_events(struct fw_netlink *nl, enum fw_netlink_rules which)
{
	int matters = 0, reads, remaining;
	const struct nlmsghdr *nlh;
	ssize_t n;

	for (reads = 0; reads < FWNL_MAX_READS; reads++) {
		n = recv(mnl_socket_get_fd(nl->nl), nl->buf, sizeof(nl->buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1 && errno == ENOBUFS) {
			log_debug("nf_tables: ruleset events were lost; checking the rules");
			matters = 1;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return matters;
		if (n == -1) {
			log_warn("nf_tables: ruleset events");
			return -1;
		}
		if ((size_t)n > sizeof(nl->buf)) {
			matters = 1; /* cut short: whatever it was, look */
			continue;
		}
		remaining = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->buf; nlmsg_ok(nlh, remaining);
		     nlh = mnl_nlmsg_next(nlh, &remaining))
			if (fw_netlink_event_matters(nlh, (size_t)remaining, which))
				matters = 1;
	}
	return matters; /* a storm: the rest on the next call */
}

/* What one rule holds, from its expressions. */
struct fwnl_rule {
	const char *table, *chain;
	uint64_t handle;
	bool has_handle, queues, counts;
	uint64_t packets;
};

struct fwnl_expr {
	const char *name;
	const struct nlattr *data;
};

static int
fwnl_expr_cb(const struct nlattr *attr, void *arg)
{
	struct fwnl_expr *e = arg;

	switch (mnl_attr_get_type(attr)) {
	case NFTA_EXPR_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			e->name = mnl_attr_get_str(attr);
		break;
	case NFTA_EXPR_DATA:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			e->data = attr;
		break;
	}
	return MNL_CB_OK;
}

struct fwnl_counter {
	uint64_t packets;
	bool found;
};

/* NFTA_COUNTER_PACKETS, big-endian as the kernel puts it. */
static int
fwnl_counter_cb(const struct nlattr *attr, void *arg)
{
	struct fwnl_counter *c = arg;

	if (mnl_attr_get_type(attr) == NFTA_COUNTER_PACKETS &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) == 0) {
		c->packets = be64toh(mnl_attr_get_u64(attr));
		c->found = true;
	}
	return MNL_CB_OK;
}

/* A counter's packets from its NFTA_EXPR_DATA or NFTA_OBJ_DATA; -1 if it has none. */
static int
fwnl_counter_packets(const struct nlattr *data, uint64_t *packets)
{
	struct fwnl_counter c = { 0, false };

	if (mnl_attr_parse_nested(data, fwnl_counter_cb, &c) < 0 || !c.found)
		return -1;
	*packets = c.packets;
	return 0;
}

static int
fwnl_target_cb(const struct nlattr *attr, void *arg)
{
	bool *queues = arg;

	/* NFTA_TARGET_NAME: an xtables target run by nft_compat (iptables-nft) */
	if (mnl_attr_get_type(attr) == NFTA_TARGET_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	    strcmp(mnl_attr_get_str(attr), "NFQUEUE") == 0)
		*queues = true;
	return MNL_CB_OK;
}

static int
fwnl_list_cb(const struct nlattr *attr, void *arg)
{
	struct fwnl_rule *rule = arg;
	struct fwnl_expr e = { NULL, NULL };

	if (mnl_attr_get_type(attr) != NFTA_LIST_ELEM || mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, fwnl_expr_cb, &e) < 0 || e.name == NULL)
		return MNL_CB_OK;
	if (strcmp(e.name, "queue") == 0) {
		rule->queues = true;
	} else if (strcmp(e.name, "target") == 0 && e.data != NULL) {
		mnl_attr_parse_nested(e.data, fwnl_target_cb, &rule->queues);
	} else if (strcmp(e.name, "counter") == 0 && e.data != NULL) {
		uint64_t packets;

		if (fwnl_counter_packets(e.data, &packets) == 0) {
			rule->packets += packets;
			rule->counts = true;
		}
	}
	return MNL_CB_OK;
}

static int
fwnl_rule_cb(const struct nlattr *attr, void *arg)
{
	struct fwnl_rule *rule = arg;

	switch (mnl_attr_get_type(attr)) {
	case NFTA_RULE_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			rule->table = mnl_attr_get_str(attr);
		break;
	case NFTA_RULE_CHAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			rule->chain = mnl_attr_get_str(attr);
		break;
	case NFTA_RULE_HANDLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0) {
			rule->handle = be64toh(mnl_attr_get_u64(attr));
			rule->has_handle = true;
		}
		break;
	case NFTA_RULE_EXPRESSIONS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, fwnl_list_cb, rule);
		break;
	}
	return MNL_CB_OK;
}

int
fw_netlink_parse_rule(const struct nlmsghdr *nlh, size_t len, uint64_t *packets, uint64_t *handle)
{
	const struct nfgenmsg *nfg = fwnl_header(nlh, len, NFT_MSG_NEWRULE);
	struct fwnl_rule rule;

	if (nfg == NULL)
		return -1;
	memset(&rule, 0, sizeof(rule));
	if (mnl_attr_parse(nlh, sizeof(*nfg), fwnl_rule_cb, &rule) < 0 || rule.table == NULL ||
	    rule.chain == NULL || !rule.has_handle)
		return -1;
	if (strcmp(rule.table, FWNL_IPT_TABLE) != 0 || strcmp(rule.chain, FIREWALL_CHAIN) != 0 ||
	    !rule.queues || !rule.counts)
		return 0;
	*packets = rule.packets;
	*handle = rule.handle;
	return 1;
}

struct fwnl_obj {
	const char *table, *name;
	uint32_t type;
	bool has_type, has_handle;
	uint64_t handle;
	const struct nlattr *data;
};

static int
fwnl_obj_cb(const struct nlattr *attr, void *arg)
{
	struct fwnl_obj *obj = arg;

	switch (mnl_attr_get_type(attr)) {
	case NFTA_OBJ_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			obj->table = mnl_attr_get_str(attr);
		break;
	case NFTA_OBJ_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			obj->name = mnl_attr_get_str(attr);
		break;
	case NFTA_OBJ_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			obj->type = be32toh(mnl_attr_get_u32(attr));
			obj->has_type = true;
		}
		break;
	case NFTA_OBJ_DATA:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			obj->data = attr;
		break;
	case NFTA_OBJ_HANDLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0) {
			obj->handle = be64toh(mnl_attr_get_u64(attr));
			obj->has_handle = true;
		}
		break;
	}
	return MNL_CB_OK;
}

int
fw_netlink_parse_counter(const struct nlmsghdr *nlh, size_t len, int *family, uint64_t *packets,
			 uint64_t *handle)
{
	static const char *const names[FW_FAMILIES] = { "syn4", "syn6" };
	const struct nfgenmsg *nfg = fwnl_header(nlh, len, NFT_MSG_NEWOBJ);
	struct fwnl_obj obj;
	int f;

	if (nfg == NULL)
		return -1;
	memset(&obj, 0, sizeof(obj));
	if (mnl_attr_parse(nlh, sizeof(*nfg), fwnl_obj_cb, &obj) < 0 || obj.table == NULL ||
	    obj.name == NULL || !obj.has_type || !obj.has_handle)
		return -1;
	if (nfg->nfgen_family != NFPROTO_INET || strcmp(obj.table, FIREWALL_TABLE) != 0 ||
	    obj.type != NFT_OBJECT_COUNTER || obj.data == NULL)
		return 0;
	for (f = 0; f < FW_FAMILIES; f++) {
		if (strcmp(obj.name, names[f]) == 0) {
			if (fwnl_counter_packets(obj.data, packets) == -1)
				return -1;
			*family = f;
			*handle = obj.handle;
			return 1;
		}
	}
	return 0;
}

/* Sends one dump request: GETRULE of chain MSSCLAMPD in family's mangle, or GETOBJ of our counters. */
static int
fwnl_request(struct fw_netlink *nl, enum fw_netlink_rules which, uint8_t family)
{
	char buf[256] = { 0 }; /* libmnl pads attributes without zeroing the padding */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) |
			  (which == FW_NETLINK_IPTABLES ? NFT_MSG_GETRULE : NFT_MSG_GETOBJ);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	/* the kernel filters a dump by these */
	if (which == FW_NETLINK_IPTABLES) {
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, FWNL_IPT_TABLE);
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, FIREWALL_CHAIN);
	} else {
		mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, FIREWALL_TABLE);
		mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htobe32(NFT_OBJECT_COUNTER));
	}
	return mnl_socket_sendto(nl->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* What a dump answered: per family, packets and the rule's handle, and whether anything counted. */
struct fwnl_dump {
	uint64_t packets[FW_FAMILIES], epoch[FW_FAMILIES];
	bool found[FW_FAMILIES];
};

/* One message of the dump in flight: 1 done, 0 more to come, -1 failed. */
static int
fwnl_dump_msg(struct fw_netlink *nl, enum fw_netlink_rules which, int family,
	      const struct nlmsghdr *nlh, size_t len, struct fwnl_dump *d)
{
	uint64_t packets = 0, handle = 0;
	int f = family, r;

	if (nlh->nlmsg_seq != nl->seq || nlh->nlmsg_pid != nl->portid)
		return 0; /* not ours (an answer to an earlier, abandoned request) */
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*err)) && err->error != 0)
			errno = -err->error; /* ENOENT: no such table or chain */
		else
			errno = EPROTO;
		return -1;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* a dump that failed part-way says so in its end */
		if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) &&
		    *(const int *)mnl_nlmsg_get_payload(nlh) < 0) {
			errno = -*(const int *)mnl_nlmsg_get_payload(nlh);
			return -1;
		}
		return 1;
	}
	r = which == FW_NETLINK_IPTABLES ? fw_netlink_parse_rule(nlh, len, &packets, &handle) :
		fw_netlink_parse_counter(nlh, len, &f, &packets, &handle);
	if (r == -1) {
		errno = EBADMSG;
		return -1;
	}
	if (r == 1) {
		/* one queueing rule is what we make; should there be more, they all count */
		d->packets[f] += packets;
		if (!d->found[f] || handle > d->epoch[f])
			d->epoch[f] = handle;
		d->found[f] = true;
	}
	return 0;
}

static int
fwnl_dump(struct fw_netlink *nl, enum fw_netlink_rules which, uint8_t nfproto, int family,
	  struct fwnl_dump *d)
{
	const struct nlmsghdr *nlh;
	int reads, remaining, r;
	ssize_t n;

	if (fwnl_request(nl, which, nfproto) == -1)
		return -1;
	for (reads = 0; reads < FWNL_MAX_READS; reads++) {
		n = recv(mnl_socket_get_fd(nl->nl), nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* EAGAIN too: the kernel had answered by now */
		remaining = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->buf; nlmsg_ok(nlh, remaining);
		     nlh = mnl_nlmsg_next(nlh, &remaining)) {
			if ((r = fwnl_dump_msg(nl, which, family, nlh, (size_t)remaining, d)) != 0)
				return r == 1 ? 0 : -1;
		}
	}
	errno = E2BIG;
	return -1;
}

int
fw_netlink_counts(struct fw_netlink *nl, enum fw_netlink_rules which,
		  struct firewall_counts *counts)
{
	static const uint8_t nfproto[FW_FAMILIES] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct fwnl_dump d;
	int f, rc = 0;

	memset(&d, 0, sizeof(d));
	if (nl->nl == NULL && fwnl_socket(nl) == -1) {
		log_debug("nf_tables netlink: %s", strerror(errno));
		return -1;
	}
	if (which == FW_NETLINK_IPTABLES) {
		for (f = 0; f < FW_FAMILIES && rc == 0; f++)
			rc = fwnl_dump(nl, which, nfproto[f], f, &d);
	} else {
		rc = fwnl_dump(nl, which, NFPROTO_INET, 0, &d);
	}
	if (rc == -1) {
		log_debug("nf_tables: reading our rules' counters: %s", strerror(errno));
		/* what is left of that answer must not meet the next request */
		mnl_socket_close(nl->nl);
		nl->nl = NULL;
		return -1;
	}
	for (f = 0; f < FW_FAMILIES; f++) {
		if (!d.found[f]) {
			log_debug("nf_tables: no counting rule of ours for IPv%c", f == 0 ? '4' : '6');
			return -1;
		}
		counts->packets[f] = d.packets[f];
		counts->epoch[f] = d.epoch[f];
	}
	return 0;
}
