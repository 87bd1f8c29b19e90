/*
 * The kernel's interfaces from rtnetlink, after libmnl's examples
 * rtnl-link-dump.c and rtnl-link-event.c: subscribe first, then dump, so no
 * change falls between the two; validate each attribute before use.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "links.h"
#include "log.h"
#include "nlmsg.h"

#define LINKS_RCVBUF (1 << 20)       /* room for an event storm before ENOBUFS */
#define LINKS_START_TIMEOUT_MS 5000  /* the first dump, at start-up */
#define LINKS_BUFSIZ 32768           /* the kernel sends dump parts of up to 32 KiB */

struct links {
	struct mnl_socket *nl;
	uint32_t portid;
	struct iftable table;     /* what the view is built from */
	struct iftable dumping;   /* a dump in progress fills this; swapped in at its end */
	bool in_dump;
	bool dump_again;          /* events were lost, or the dump was interrupted */
	uint32_t dump_seq;
	_Alignas(8) char buf[LINKS_BUFSIZ];
};

struct link_attrs {
	const char *name;
	const char *kind;
	uint32_t mtu;
	bool has_mtu;
};

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
	}
	return MNL_CB_OK; /* unknown attributes are skipped, never fatal */
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

	/* libmnl walks attributes up to the aligned end of the message */
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len || MNL_ALIGN(nlh->nlmsg_len) > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return 0;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	ifm = mnl_nlmsg_get_payload(nlh);
	/*
	 * The interface itself is AF_UNSPEC. The bridge also sends AF_BRIDGE
	 * link messages about its ports: an RTM_DELLINK of those means a port
	 * left the bridge, not that the interface is gone.
	 */
	if (ifm->ifi_index <= 0 || ifm->ifi_family != AF_UNSPEC)
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
	if (e.name[0] == '\0')
		return 0; /* never seen with a name: nothing to match a config against */
	/* Most RTM_NEWLINKs are carrier and flag changes: not ours to act on. */
	if (old && strcmp(old->name, e.name) == 0 && strcmp(old->kind, e.kind) == 0 &&
	    old->mtu == e.mtu)
		return 0;
	if (iftable_put(table, &e) == -1)
		return -1;
	return 1;
}

static int
links_request_dump(struct links *links)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct rtgenmsg *rt;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++links->dump_seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;

	iftable_free(&links->dumping);
	if (link_table_init(&links->dumping) == -1)
		return -1;
	if (mnl_socket_sendto(links->nl, nlh, nlh->nlmsg_len) < 0) {
		log_warn("rtnetlink: link dump request");
		return -1;
	}
	links->in_dump = true;
	links->dump_again = false;
	return 0;
}

/* One datagram: events and dump replies. 1 if the table changed. */
static int
links_handle(struct links *links, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)links->buf;
	int remaining = (int)len, changed = 0, r;

	for (; nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		bool from_dump = links->in_dump && nlh->nlmsg_seq == links->dump_seq &&
				 nlh->nlmsg_pid == links->portid;

		if (from_dump && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			links->dump_again = true;
		if (nlh->nlmsg_type == NLMSG_ERROR && from_dump) {
			links->in_dump = false;  /* EBUSY or worse: retried below */
			links->dump_again = true;
			continue;
		}
		if (nlh->nlmsg_type == NLMSG_DONE && from_dump) {
			links->in_dump = false;
			if (!links->dump_again) {
				struct iftable done = links->dumping;

				links->dumping = links->table;
				links->table = done;
				iftable_free(&links->dumping);
				changed = 1;
			}
			continue;
		}
		/* During a dump, events go to the table being dumped into: the
		 * dump started after they happened or will overwrite them. */
		r = links_apply(links->in_dump ? &links->dumping : &links->table, nlh,
				(size_t)remaining);
		if (r == -1)
			return -1;
		if (!links->in_dump)
			changed |= r;
	}
	return changed;
}

int
links_dispatch(struct links *links)
{
	int changed = 0, r;
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(links->nl), links->buf, sizeof(links->buf), MSG_DONTWAIT);
		if (n == -1 && errno == ENOBUFS) {
			log_warnx("rtnetlink: link events were lost; reading every interface again");
			links->dump_again = true;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == -1) {
			log_warn("rtnetlink: receive");
			return -1;
		}
		r = links_handle(links, (size_t)n);
		if (r == -1)
			return -1;
		changed |= r;
	}
	/* only one dump may run per socket: start the next when it is done */
	if (links->dump_again && !links->in_dump && links_request_dump(links) == -1)
		return -1;
	return changed;
}

struct links *
links_open(void)
{
	struct links *links;
	struct timespec start, now;
	int fd, rcvbuf = LINKS_RCVBUF;

	links = calloc(1, sizeof(*links));
	if (links == NULL || link_table_init(&links->table) == -1) {
		log_warn("links");
		goto fail;
	}
	links->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (links->nl == NULL) {
		log_warn("rtnetlink socket");
		goto fail;
	}
	fd = mnl_socket_get_fd(links->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(links->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("rtnetlink bind");
		goto fail;
	}
	links->portid = mnl_socket_get_portid(links->nl);
	links->dump_seq = (uint32_t)time(NULL);
	if (links_request_dump(links) == -1)
		goto fail;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (links->in_dump || links->dump_again) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 > LINKS_START_TIMEOUT_MS) {
			log_warnx("rtnetlink: no complete interface dump in %d ms",
				  LINKS_START_TIMEOUT_MS);
			goto fail;
		}
		if (poll(&pfd, 1, 100) == -1 && errno != EINTR) {
			log_warn("poll");
			goto fail;
		}
		if (links_dispatch(links) == -1)
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
	if (links->nl)
		mnl_socket_close(links->nl);
	iftable_free(&links->table);
	iftable_free(&links->dumping);
	free(links);
}

int
links_fd(const struct links *links)
{
	return mnl_socket_get_fd(links->nl);
}

const struct iftable *
links_table(const struct links *links)
{
	return &links->table;
}
