/*
 * links_apply(): rtnetlink link messages as the kernel sends them, and
 * broken ones, against the interface table.
 */
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
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
	return check_summary();
}
