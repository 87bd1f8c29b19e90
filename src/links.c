/*
 * The kernel's interfaces from rtnetlink (rtnl.c): subscribe first, then
 * dump, so no change falls between the two; validate each attribute before
 * use.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>

#include "bounds.h"
#include "link.h"
#include "links.h"
#include "log.h"
#include "nlmsg.h"
#include "rtnl.h"

#define LINKS_RCVBUF (1 << 20)       /* room for an event storm before ENOBUFS */
#define LINKS_START_TIMEOUT_MS 5000  /* the first dump, at start-up */
#define LINKS_BUFSIZ 32768           /* the kernel sends dump parts of up to 32 KiB */

/* One dump at a time per socket: the kernel answers a second with EBUSY. */
enum links_dump { DUMP_NONE, DUMP_LINKS, DUMP_INET6 };

struct links {
	struct rtnl rtnl;
	int timer_fd;             /* LINKS_INET6_POLL_MS: time for an IPv6 dump */
	struct iftable table;     /* what the view is built from */
	struct iftable dumping;   /* a links dump in progress fills this; swapped in at its end */
	enum links_dump in_dump;  /* which dump runs, while rtnl_dumping() */
	bool dump_again;          /* events were lost, or the dump was interrupted */
	bool inet6_due;           /* the timer fired: read every IPv6 MTU again */
	_Alignas(8) char buf[LINKS_BUFSIZ];
};

struct link_attrs {
	const char *name;
	const char *kind;
	uint32_t mtu;
	bool has_mtu;
	bool has_af_spec;         /* AF_UNSPEC: the per-family part came, with or without IPv6 */
	uint32_t mtu6;
	bool has_mtu6;
};

/*
 * IFLA_INET6_CONF: the device's IPv6 sysctls as an array of s32 indexed by
 * DEVCONF_*, as long as the running kernel's DEVCONF_MAX. The kernel keeps
 * DEVCONF_MTU6 at 1280 or more; anything else is not an MTU to trust.
 */
static void
links_inet6_conf(const struct nlattr *attr, struct link_attrs *a)
{
	int32_t mtu6;

	if (mnl_attr_get_type(attr) != IFLA_INET6_CONF ||
	    mnl_attr_get_payload_len(attr) < (DEVCONF_MTU6 + 1) * sizeof(int32_t))
		return;
	memcpy(&mtu6, (const char *)mnl_attr_get_payload(attr) + DEVCONF_MTU6 * sizeof(int32_t),
	       sizeof(mtu6));
	if (mtu6 >= (int32_t)BOUNDS_MTU_MIN_IPV6) {
		a->mtu6 = (uint32_t)mtu6;
		a->has_mtu6 = true;
	}
}

/* The inside of an AF_INET6 nest (IFLA_AF_SPEC) or of IFLA_PROTINFO (the AF_INET6 dump's). */
static int
links_inet6_cb(const struct nlattr *attr, void *data)
{
	links_inet6_conf(attr, data);
	return MNL_CB_OK;
}

static int
links_af_spec_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == AF_INET6 &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, links_inet6_cb, data);
	return MNL_CB_OK;
}

static int
links_info_cb(const struct nlattr *attr, void *data)
{
	struct link_attrs *a = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		a->kind = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

static int
links_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_attrs *a = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			a->name = mnl_attr_get_str(attr);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			a->mtu = mnl_attr_get_u32(attr);
			a->has_mtu = true;
		}
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, links_info_cb, a);
		break;
	case IFLA_AF_SPEC:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0) {
			a->has_af_spec = true;
			mnl_attr_parse_nested(attr, links_af_spec_cb, a);
		}
		break;
	}
	return MNL_CB_OK; /* unknown attributes are skipped, never fatal */
}

/* An AF_INET6 link message (the IPv6 dump's): its IFLA_PROTINFO holds the IPv6 conf. */
static int
links_inet6_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFLA_PROTINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, links_inet6_cb, data);
	return MNL_CB_OK;
}

/* The IPv6 MTU of a link already known, from the IPv6 dump. */
static int
links_apply_inet6(struct iftable *table, const struct nlmsghdr *nlh, const struct ifinfomsg *ifm)
{
	const struct link *old = link_find(table, (uint32_t)ifm->ifi_index);
	struct link_attrs a = { 0 };
	struct link e;

	if (old == NULL || nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_attr_parse(nlh, sizeof(*ifm), links_inet6_attr_cb, &a) < 0 || !a.has_mtu6 ||
	    old->mtu6 == a.mtu6)
		return 0;
	e = *old;
	e.mtu6 = a.mtu6;
	return iftable_put(table, &e) == -1 ? -1 : 1;
}

static void
copy_name(char dst[LINK_NAMSIZ], const char *src)
{
	size_t n = strnlen(src, LINK_NAMSIZ - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
links_apply(struct iftable *table, const struct nlmsghdr *nlh, size_t len)
{
	const struct ifinfomsg *ifm;
	const struct link *old;
	struct link e;
	struct link_attrs a = { 0 };

	if (!nlmsg_whole(nlh, len, sizeof(*ifm)))
		return 0;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (ifm->ifi_index <= 0)
		return 0;
	/* AF_INET6 link messages (the IPv6 dump) carry the IPv6 MTU */
	if (ifm->ifi_family == AF_INET6)
		return links_apply_inet6(table, nlh, ifm);
	/*
	 * The interface itself is AF_UNSPEC. The bridge also sends AF_BRIDGE
	 * link messages about its ports: an RTM_DELLINK of those means a port
	 * left the bridge, not that the interface is gone.
	 */
	if (ifm->ifi_family != AF_UNSPEC)
		return 0;
	old = link_find(table, (uint32_t)ifm->ifi_index);

	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (old == NULL)
			return 0;
		iftable_del(table, (uint32_t)ifm->ifi_index);
		return 1;
	}

	if (mnl_attr_parse(nlh, sizeof(*ifm), links_attr_cb, &a) < 0)
		return 0;
	if (old)
		e = *old;
	else
		memset(&e, 0, sizeof(e));
	e.ifindex = (uint32_t)ifm->ifi_index;
	if (a.name)
		copy_name(e.name, a.name);
	if (a.kind)
		copy_name(e.kind, a.kind);
	if (a.has_mtu)
		e.mtu = a.mtu;
	/* the per-family part without IPv6 in it: the device has none (below 1280, say) */
	if (a.has_af_spec)
		e.mtu6 = a.has_mtu6 ? a.mtu6 : 0;
	if (e.name[0] == '\0')
		return 0; /* never seen with a name: nothing to match a config against */
	/* Most RTM_NEWLINKs are carrier and flag changes: not ours to act on. */
	if (old && strcmp(old->name, e.name) == 0 && strcmp(old->kind, e.kind) == 0 &&
	    old->mtu == e.mtu && old->mtu6 == e.mtu6)
		return 0;
	if (iftable_put(table, &e) == -1)
		return -1;
	return 1;
}

/* Asks for a dump of every link (AF_UNSPEC) or of their IPv6 side (AF_INET6). */
static int
links_request_dump(struct links *links, enum links_dump what)
{
	if (what == DUMP_LINKS) {
		iftable_free(&links->dumping);
		if (link_table_init(&links->dumping) == -1)
			return -1;
	}
	if (rtnl_dump(&links->rtnl, RTM_GETLINK, what == DUMP_INET6 ? AF_INET6 : AF_UNSPEC,
		      sizeof(struct rtgenmsg)) == -1)
		return -1;
	links->in_dump = what;
	if (what == DUMP_LINKS)
		links->dump_again = false;
	else
		links->inet6_due = false;
	return 0;
}

/*
 * An event or a dump's part. During a links dump, events go to the table
 * being dumped into: the dump started after they happened or will overwrite
 * them. The IPv6 dump's replies and events alike update the table in use.
 */
static int
links_message(void *arg, const struct nlmsghdr *nlh, size_t len)
{
	struct links *links = arg;
	bool filling = links->in_dump == DUMP_LINKS;
	int r;

	r = links_apply(filling ? &links->dumping : &links->table, nlh, len);
	return filling && r == 1 ? 0 : r;
}

/* A dump ended: a whole links dump replaces the table; a broken one is done again. */
static int
links_done(void *arg, bool whole)
{
	struct links *links = arg;
	enum links_dump ended = links->in_dump;
	struct iftable done;

	links->in_dump = DUMP_NONE;
	if (ended != DUMP_LINKS)
		return 0; /* an IPv6 dump: the next tick asks again anyway */
	if (!whole || links->dump_again) {
		links->dump_again = true;
		return 0;
	}
	done = links->dumping;
	links->dumping = links->table;
	links->table = done;
	iftable_free(&links->dumping);
	return 1;
}

static const struct rtnl_ops links_ops = { links_message, links_done };

int
links_dispatch(struct links *links)
{
	bool lost = false;
	uint64_t ticks;
	int changed;

	if (links->timer_fd != -1 && read(links->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
		links->inet6_due = true;
	changed = rtnl_receive(&links->rtnl, links->buf, sizeof(links->buf), &links_ops, links,
			       &lost);
	if (changed == -1)
		return -1;
	if (lost) {
		log_warnx("rtnetlink: link events were lost; reading every interface again");
		links->dump_again = true;
	}
	/* only one dump may run per socket: start the next when it is done, links first */
	if (!rtnl_dumping(&links->rtnl) && links->dump_again &&
	    links_request_dump(links, DUMP_LINKS) == -1)
		return -1;
	if (!rtnl_dumping(&links->rtnl) && links->inet6_due &&
	    links_request_dump(links, DUMP_INET6) == -1)
		return -1;
	return changed;
}

static int
links_dispatch_cb(void *arg)
{
	return links_dispatch(arg);
}

struct links *
links_open(void)
{
	struct links *links;
	const struct itimerspec every = {
		{ LINKS_INET6_POLL_MS / 1000, LINKS_INET6_POLL_MS % 1000 * 1000000L },
		{ LINKS_INET6_POLL_MS / 1000, LINKS_INET6_POLL_MS % 1000 * 1000000L },
	};
	int r;

	links = calloc(1, sizeof(*links));
	if (links != NULL)
		links->timer_fd = -1;
	if (links == NULL || link_table_init(&links->table) == -1) {
		log_warn("links");
		goto fail;
	}
	if (rtnl_open(&links->rtnl, RTMGRP_LINK, LINKS_RCVBUF) == -1 ||
	    links_request_dump(links, DUMP_LINKS) == -1)
		goto fail;
	r = rtnl_wait(&links->rtnl, LINKS_START_TIMEOUT_MS, links_dispatch_cb, links,
		      &links->dump_again);
	if (r == 0)
		log_warnx("rtnetlink: no complete interface dump in %d ms", LINKS_START_TIMEOUT_MS);
	if (r != 1)
		goto fail;
	/* the link dump carried every IPv6 MTU; from now on the timer reads them again */
	links->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (links->timer_fd == -1 || timerfd_settime(links->timer_fd, 0, &every, NULL) == -1) {
		log_warn("links: timer");
		goto fail;
	}
	return links;
fail:
	links_close(links);
	return NULL;
}

void
links_close(struct links *links)
{
	if (links == NULL)
		return;
	rtnl_close(&links->rtnl);
	if (links->timer_fd != -1)
		close(links->timer_fd);
	iftable_free(&links->table);
	iftable_free(&links->dumping);
	free(links);
}

int
links_fd(const struct links *links)
{
	return rtnl_fd(&links->rtnl);
}

int
links_timer_fd(const struct links *links)
{
	return links->timer_fd;
}

const struct iftable *
links_table(const struct links *links)
{
	return &links->table;
}
