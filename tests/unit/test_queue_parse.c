/*
 * queue_parse_packet(): NFQNL_MSG_PACKET messages as the kernel builds them
 * (nfqnl_build_packet_message), and broken ones.
 */
#include <string.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "check.h"
#include "queue.h"

static char buf[8192];
static const uint8_t payload[44] = { 0x45, 0, 0, 44 };

static struct nlmsghdr *
packet_msg(uint8_t family, uint32_t id, uint32_t outdev, int cap_len, size_t payload_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(id), .hw_protocol = htons(0x0800), .hook = 2 };

	nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->res_id = htons(0);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_u32(nlh, NFQA_IFINDEX_INDEV, htonl(2));
	if (outdev)
		mnl_attr_put_u32(nlh, NFQA_IFINDEX_OUTDEV, htonl(outdev));
	if (cap_len >= 0)
		mnl_attr_put_u32(nlh, NFQA_CAP_LEN, htonl((uint32_t)cap_len));
	mnl_attr_put(nlh, NFQA_PAYLOAD, payload_len, payload);
	return nlh;
}

int
main(void)
{
	struct queue_packet pkt;
	struct nlmsghdr *nlh;
	struct nfqnl_msg_packet_hdr ph = { 0 };

	nlh = packet_msg(AF_INET, 42, 3, -1, sizeof(payload));
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), 0);
	CHECK_EQ(pkt.id, 42);
	CHECK_EQ(pkt.family, 4);
	CHECK_EQ(pkt.len, sizeof(payload));
	CHECK(memcmp(pkt.payload, payload, sizeof(payload)) == 0);
	CHECK_EQ(pkt.ifindex[QUEUE_INDEV], 2);
	CHECK_EQ(pkt.ifindex[QUEUE_OUTDEV], 3);
	CHECK_EQ(pkt.ifindex[QUEUE_PHYSINDEV], 0);
	CHECK(!pkt.truncated);
	/* the room behind the payload runs to the end of the buffer */
	CHECK_EQ(pkt.room, sizeof(buf) - (size_t)((char *)pkt.payload - buf));

	nlh = packet_msg(AF_INET6, 7, 0, 44, sizeof(payload));
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), 0);
	CHECK_EQ(pkt.family, 6);
	CHECK(!pkt.truncated); /* CAP_LEN equal to the payload: whole */

	nlh = packet_msg(AF_INET, 8, 0, 1500, sizeof(payload));
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), 0);
	CHECK(pkt.truncated); /* a partial copy must never be sent back */

	/* message longer than the datagram */
	nlh = packet_msg(AF_INET, 9, 0, -1, sizeof(payload));
	CHECK_EQ(queue_parse_packet(nlh, nlh->nlmsg_len - 1, &pkt), -1);
	CHECK_EQ(queue_parse_packet(nlh, 4, &pkt), -1);

	/* wrong message type */
	nlh = packet_msg(AF_INET, 9, 0, -1, sizeof(payload));
	nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT;
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), -1);

	/* no payload attribute: still an id to accept, marked never to be sent back */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	ph.packet_id = htonl(77);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), 0);
	CHECK_EQ(pkt.id, 77);
	CHECK(pkt.truncated && pkt.payload == NULL && pkt.len == 0);

	/* a packet header too short to hold an id */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put(nlh, NFQA_PACKET_HDR, 2, &ph);
	mnl_attr_put(nlh, NFQA_PAYLOAD, sizeof(payload), payload);
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), -1);

	/* an ifindex attribute of the wrong size is ignored */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	ph.packet_id = htonl(5);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_u16(nlh, NFQA_IFINDEX_OUTDEV, 3);
	mnl_attr_put(nlh, NFQA_PAYLOAD, sizeof(payload), payload);
	CHECK_EQ(queue_parse_packet(nlh, sizeof(buf), &pkt), 0);
	CHECK_EQ(pkt.ifindex[QUEUE_OUTDEV], 0);
	return check_summary();
}
