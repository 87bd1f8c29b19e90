/*
 * links_apply(): rtnetlink link messages as the kernel sends them, and
 * broken ones, against the interface table.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "link.h"
#include "links.h"

static char buf[4096];

/* An RTM_NEWLINK/RTM_DELLINK; name/kind NULL and mtu 0 leave the attribute out. */
static struct nlmsghdr *
link_msg(uint16_t type, int ifindex, const char *name, uint32_t mtu, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (kind) {
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, info);
	}
	return nlh;
}

/*
 * The IPv6 side of a link as the kernel nests it: in an AF_UNSPEC message
 * under IFLA_AF_SPEC / AF_INET6, in the AF_INET6 dump's under IFLA_PROTINFO;
 * IFLA_INET6_CONF holds conf_len s32 values, DEVCONF_MTU6 among them.
 */
static void
put_inet6_conf(struct nlmsghdr *nlh, int32_t mtu6, size_t conf_len)
{
	int32_t conf[64] = { 0 };
	struct nlattr *flags;

	conf[DEVCONF_HOPLIMIT] = 64;
	conf[DEVCONF_MTU6] = mtu6;
	flags = mnl_attr_nest_start(nlh, IFLA_INET6_FLAGS); /* something before it to skip */
	mnl_attr_nest_end(nlh, flags);
	mnl_attr_put(nlh, IFLA_INET6_CONF, conf_len * sizeof(int32_t), conf);
}

static struct nlmsghdr *
link_msg_af_spec(int ifindex, const char *name, uint32_t mtu, int32_t mtu6, size_t conf_len,
		 bool with_inet6)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, ifindex, name, mtu, NULL);
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC), *inet, *inet6;

	inet = mnl_attr_nest_start(nlh, AF_INET); /* IPv4's conf: not ours */
	mnl_attr_put_u32(nlh, IFLA_INET6_CONF, 1400);
	mnl_attr_nest_end(nlh, inet);
	if (with_inet6) {
		inet6 = mnl_attr_nest_start(nlh, AF_INET6);
		put_inet6_conf(nlh, mtu6, conf_len);
		mnl_attr_nest_end(nlh, inet6);
	}
	mnl_attr_nest_end(nlh, spec);
	return nlh;
}

/* What the AF_INET6 link dump sends: ifi_family AF_INET6, the conf under IFLA_PROTINFO. */
static struct nlmsghdr *
inet6_msg(int ifindex, int32_t mtu6, size_t conf_len)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, ifindex, "ignored", 1500, NULL);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_PROTINFO);

	ifm->ifi_family = AF_INET6;
	put_inet6_conf(nlh, mtu6, conf_len);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static void
test_inet6(void)
{
	const size_t full = DEVCONF_MAX; /* as long as this kernel's headers say */
	struct iftable t;
	struct nlmsghdr *nlh;

	link_table_init(&t);
	/* a link event carries its IPv6 MTU */
	nlh = link_msg_af_spec(3, "wan0", 1492, 1492, full, true);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 3)->mtu, 1492);
	CHECK_EQ(link_find(&t, 3)->mtu6, 1492);

	/* the IPv6 dump: a router advertisement lowered it */
	nlh = inet6_msg(3, 1400, full);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 3)->mtu6, 1400);
	CHECK_EQ(link_find(&t, 3)->mtu, 1492);                 /* the link MTU is not the IPv6 dump's */
	CHECK(strcmp(link_find(&t, 3)->name, "wan0") == 0);    /* nor is the name */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);     /* the next poll: nothing new, no rebuild */

	/* only for a link we know: the link dump makes links, the IPv6 dump does not */
	nlh = inet6_msg(8, 1400, full);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 8) == NULL);

	/* an event without IFLA_AF_SPEC keeps it; one whose AF_SPEC has no IPv6 clears it */
	nlh = link_msg(RTM_NEWLINK, 3, "wan0", 1492, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK_EQ(link_find(&t, 3)->mtu6, 1400);
	nlh = link_msg_af_spec(3, "wan0", 1000, 0, full, false);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 3)->mtu, 1000);
	CHECK_EQ(link_find(&t, 3)->mtu6, 0);

	/* validated: a conf too short for DEVCONF_MTU6, an MTU6 below 1280, a wrong type */
	nlh = link_msg_af_spec(3, "wan0", 1500, 1500, full, true);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	nlh = inet6_msg(3, 1300, DEVCONF_MTU6); /* one value short */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	nlh = inet6_msg(3, 1279, full);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	nlh = inet6_msg(3, -1, full);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK_EQ(link_find(&t, 3)->mtu6, 1500);
	nlh = inet6_msg(3, 1300, DEVCONF_MTU6 + 1); /* just long enough: an older kernel */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 3)->mtu6, 1300);
	/* in a link event, a bad conf is no IPv6 MTU: the AF_SPEC came, IPv6's MTU did not */
	nlh = link_msg_af_spec(3, "wan0", 1500, 1300, DEVCONF_MTU6, true);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 3)->mtu6, 0);
	/* an AF_INET6 message whose IFLA_PROTINFO is not nested: nothing */
	nlh = link_msg(RTM_NEWLINK, 3, NULL, 0, NULL);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family = AF_INET6;
	mnl_attr_put_u32(nlh, IFLA_PROTINFO, 1400);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	/* and never an RTM_DELLINK of the IPv6 kind */
	nlh = inet6_msg(3, 1400, full);
	nlh->nlmsg_type = RTM_DELLINK;
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 3) != NULL);
	iftable_free(&t);
}

/* A bridge speaks of its ports in AF_BRIDGE messages: RTM_DELLINK when one leaves it. */
static void
test_bridge(void)
{
	struct iftable t;
	struct nlmsghdr *nlh;

	link_table_init(&t);
	nlh = link_msg(RTM_NEWLINK, 4, "lan0", 1500, "veth");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	nlh = link_msg(RTM_DELLINK, 4, "lan0", 1500, NULL);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family = AF_BRIDGE;
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 4) != NULL);
	nlh = link_msg(RTM_NEWLINK, 4, "renamed", 9000, NULL);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family = AF_BRIDGE;
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(strcmp(link_find(&t, 4)->name, "lan0") == 0 && link_find(&t, 4)->mtu == 1500);
	iftable_free(&t);
}

static void
test_events(void)
{
	struct iftable t;
	const struct link *e;
	struct nlmsghdr *nlh;

	link_table_init(&t);
	nlh = link_msg(RTM_NEWLINK, 5, "ppp0", 1492, "ppp");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	e = link_find(&t, 5);
	CHECK(e && strcmp(e->name, "ppp0") == 0 && e->mtu == 1492 && strcmp(e->kind, "ppp") == 0);

	/* a carrier or flag change repeats the same facts: no rebuild */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);

	nlh = link_msg(RTM_NEWLINK, 5, "ppp0", 1480, "ppp");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK_EQ(link_find(&t, 5)->mtu, 1480);

	/* an event without some attributes keeps what we knew */
	nlh = link_msg(RTM_NEWLINK, 5, NULL, 1400, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	e = link_find(&t, 5);
	CHECK(e && strcmp(e->name, "ppp0") == 0 && e->mtu == 1400 && strcmp(e->kind, "ppp") == 0);

	nlh = link_msg(RTM_NEWLINK, 5, "wan", 1400, "ppp"); /* renamed */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(strcmp(link_find(&t, 5)->name, "wan") == 0);

	/* PPPoE reconnect: the old ifindex goes, the name comes back with a new one */
	nlh = link_msg(RTM_DELLINK, 5, "wan", 1400, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(link_find(&t, 5) == NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0); /* already gone */
	nlh = link_msg(RTM_NEWLINK, 4711, "wan", 1492, "ppp");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(link_find(&t, 4711) != NULL);

	/* a link never seen with a name is of no use */
	nlh = link_msg(RTM_NEWLINK, 9, NULL, 1500, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 9) == NULL);
	CHECK_EQ(t.count, 1);
	iftable_free(&t);
}

/* A bridge's own messages about its ports (AF_BRIDGE): not the interface's. */
static void
test_bridge_port(void)
{
	struct iftable t;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	link_table_init(&t);
	nlh = link_msg(RTM_NEWLINK, 3, "eth0", 1500, "veth");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);

	/* eth0 leaves a bridge: the kernel's br_ifinfo_notify() */
	nlh = link_msg(RTM_DELLINK, 3, "eth0", 1500, NULL);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_family = AF_BRIDGE;
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 3) != NULL);

	/* nor does a bridge's port message change what we know */
	nlh = link_msg(RTM_NEWLINK, 3, "eth0", 9000, NULL);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_family = AF_BRIDGE;
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	CHECK(link_find(&t, 3) && link_find(&t, 3)->mtu == 1500);

	/* the interface's own deletion still counts */
	nlh = link_msg(RTM_DELLINK, 3, "eth0", 1500, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(link_find(&t, 3) == NULL);
	iftable_free(&t);
}

static void
test_broken(void)
{
	struct iftable t;
	struct nlmsghdr *nlh;
	struct nlattr *attr;

	link_table_init(&t);
	nlh = link_msg(RTM_NEWLINK, 3, "eth0", 1500, NULL);
	/* the message claims more than the datagram holds */
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len - 1), 0);
	CHECK_EQ(links_apply(&t, nlh, 8), 0);
	CHECK_EQ(links_apply(&t, nlh, 0), 0);
	CHECK(link_find(&t, 3) == NULL);

	/* not a link message */
	nlh = link_msg(RTM_NEWADDR, 3, "eth0", 1500, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);

	/* ifindex 0 and negative */
	nlh = link_msg(RTM_NEWLINK, 0, "eth0", 1500, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);
	nlh = link_msg(RTM_NEWLINK, -2, "eth0", 1500, NULL);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);

	/* an MTU attribute of the wrong size is ignored, the rest used */
	nlh = link_msg(RTM_NEWLINK, 3, "eth0", 0, NULL);
	mnl_attr_put_u16(nlh, IFLA_MTU, 1400);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(link_find(&t, 3) && link_find(&t, 3)->mtu == 0);

	/* a name without its NUL is not a name */
	nlh = link_msg(RTM_NEWLINK, 6, NULL, 1500, NULL);
	attr = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth1");
	CHECK_EQ(attr->nla_len, 8);
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 0);

	/* an over-long name is cut to IFNAMSIZ - 1, never overflows */
	nlh = link_msg(RTM_NEWLINK, 7, "abcdefghijklmnopqrstuvwxyz", 1500, "aaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK_EQ(links_apply(&t, nlh, nlh->nlmsg_len), 1);
	CHECK(strcmp(link_find(&t, 7)->name, "abcdefghijklmno") == 0);
	CHECK_EQ(strlen(link_find(&t, 7)->kind), 15);
	iftable_free(&t);
}

int
main(void)
{
	test_events();
	test_bridge_port();
	test_broken();
	test_inet6();
	test_bridge();
	return check_summary();
}
