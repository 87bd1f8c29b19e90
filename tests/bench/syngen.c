/*
 * syngen: sends TCP SYNs as a client's kernel would write them (MSS, SACK
 * permitted, timestamps, window scale), from random source ports, at a
 * fixed rate or as fast as the path takes them, for a fixed time.
 *
 *   syngen [-6] [-m raw|packet] [-i IFACE] [-M DSTMAC] -s SRC -d DST
 *          [-p DPORT] [-r RATE] [-t SECONDS] [-b BATCH] [-S MSS]
 *
 * raw: IPPROTO_RAW (header included) through the client's IP stack.
 * packet: AF_PACKET on IFACE with PACKET_QDISC_BYPASS, Ethernet header
 * ours: skips the client's routing and qdisc, so more of the CPU goes to
 * the router under test. Both hand many packets to the kernel per
 * sendmmsg(). Prints "sent=N seconds=S rate=R errors=E" on stdout.
 *
 * Over a veth the whole receive path runs in the sender's softirq, so
 * sendmmsg() returns only when the router (and the server) are done with
 * the batch: "max rate" is what the path absorbs, not a flood that drops.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SYNGEN_MAX_BATCH 256
#define SYNGEN_ETH_LEN 14
#define SYNGEN_IP4_LEN 20
#define SYNGEN_IP6_LEN 40
#define SYNGEN_TCP_LEN 40   /* 20 bytes of header, 20 of options */
#define SYNGEN_FRAME_MAX (SYNGEN_ETH_LEN + SYNGEN_IP6_LEN + SYNGEN_TCP_LEN)

enum syngen_mode { SYNGEN_RAW, SYNGEN_PACKET };

struct syngen {
	int family;                 /* 4 or 6 */
	enum syngen_mode mode;
	const char *ifname;
	uint8_t src_mac[6], dst_mac[6];
	struct in6_addr src6, dst6;
	struct in_addr src4, dst4;
	uint16_t dport;
	uint16_t mss;
	double rate;                /* packets per second; 0: as fast as it goes */
	double seconds;
	unsigned batch;

	int fd;
	uint8_t frames[SYNGEN_MAX_BATCH][SYNGEN_FRAME_MAX];
	size_t frame_len;           /* bytes per frame, Ethernet header included if any */
	size_t ip_off;              /* where the IP header starts in a frame */
	size_t tcp_off;
	uint32_t csum_base;         /* TCP checksum sum without the fields we vary */
	struct mmsghdr msgs[SYNGEN_MAX_BATCH];
	struct iovec iov[SYNGEN_MAX_BATCH];
	struct sockaddr_storage to;
	socklen_t to_len;
	uint64_t rng;
};

static void
usage(void)
{
	fprintf(stderr, "usage: syngen [-6] [-m raw|packet] [-i IFACE] [-M DSTMAC] -s SRC -d DST\n"
			"              [-p DPORT] [-r RATE] [-t SECONDS] [-b BATCH] [-S MSS]\n"
			"  -r 0 (the default) sends as fast as the path takes them\n");
	exit(2);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: fast, and good enough to spread ports over the hash of --queue-balance */
static uint64_t
next_random(struct syngen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

static uint32_t
sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The first frame, with source port, sequence number and TCP checksum zero. */
static void
build_template(struct syngen *g)
{
	static const uint8_t options[20] = {
		2, 4, 0, 0,                 /* MSS, filled in below */
		4, 2,                       /* SACK permitted */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 0, /* timestamps */
		1,                          /* NOP */
		3, 3, 7,                    /* window scale 7 */
	};
	uint8_t *f = g->frames[0], *ip, *tcp;
	uint8_t pseudo[40];
	size_t pseudo_len;

	memset(f, 0, SYNGEN_FRAME_MAX);
	g->ip_off = g->mode == SYNGEN_PACKET ? SYNGEN_ETH_LEN : 0;
	g->tcp_off = g->ip_off + (g->family == 6 ? SYNGEN_IP6_LEN : SYNGEN_IP4_LEN);
	g->frame_len = g->tcp_off + SYNGEN_TCP_LEN;
	ip = f + g->ip_off;
	tcp = f + g->tcp_off;

	if (g->mode == SYNGEN_PACKET) {
		memcpy(f, g->dst_mac, 6);
		memcpy(f + 6, g->src_mac, 6);
		put16(f + 12, g->family == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	}
	if (g->family == 6) {
		ip[0] = 0x60;
		put16(ip + 4, SYNGEN_TCP_LEN);
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, &g->src6, 16);
		memcpy(ip + 24, &g->dst6, 16);
		memcpy(pseudo, &g->src6, 16);
		memcpy(pseudo + 16, &g->dst6, 16);
		put32(pseudo + 32, SYNGEN_TCP_LEN);
		put32(pseudo + 36, IPPROTO_TCP);
		pseudo_len = 40;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, SYNGEN_IP4_LEN + SYNGEN_TCP_LEN);
		put16(ip + 6, 0x4000);      /* DF, as a TCP stack sends it */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, &g->src4, 4);
		memcpy(ip + 16, &g->dst4, 4);
		put16(ip + 10, fold(sum16(ip, SYNGEN_IP4_LEN, 0)));
		memcpy(pseudo, &g->src4, 4);
		memcpy(pseudo + 4, &g->dst4, 4);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		put16(pseudo + 10, SYNGEN_TCP_LEN);
		pseudo_len = 12;
	}
	put16(tcp + 2, g->dport);
	tcp[12] = (SYNGEN_TCP_LEN / 4) << 4;
	tcp[13] = 0x02;                     /* SYN */
	put16(tcp + 14, 64240);
	memcpy(tcp + 20, options, sizeof(options));
	put16(tcp + 22, g->mss);
	g->csum_base = sum16(pseudo, pseudo_len, sum16(tcp, SYNGEN_TCP_LEN, 0));
}

/* Fresh source port and sequence number, and the checksum that goes with them. */
static void
vary(struct syngen *g, uint8_t *frame)
{
	uint64_t r = next_random(g);
	uint16_t sport = (uint16_t)(1024 + (r % (65536 - 1024)));
	uint32_t seq = (uint32_t)(r >> 32);
	uint8_t *tcp = frame + g->tcp_off;

	put16(tcp, sport);
	put32(tcp + 4, seq);
	put16(tcp + 16, fold(g->csum_base + sport + (seq >> 16) + (seq & 0xffff)));
}

static int
parse_mac(const char *s, uint8_t *mac)
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static int
open_socket(struct syngen *g)
{
	int one = 1;

	if (g->mode == SYNGEN_RAW) {
		if (g->family == 6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g->to;

			/* IPPROTO_RAW implies IPV6_HDRINCL; older kernels want it said */
			g->fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
			if (g->fd != -1)
				(void)setsockopt(g->fd, IPPROTO_IPV6, 36 /* IPV6_HDRINCL */, &one,
						 sizeof(one));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = g->dst6;
			g->to_len = sizeof(*sin6);
		} else {
			struct sockaddr_in *sin = (struct sockaddr_in *)&g->to;

			g->fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
			sin->sin_family = AF_INET;
			sin->sin_addr = g->dst4;
			g->to_len = sizeof(*sin);
		}
		if (g->fd == -1) {
			perror("syngen: raw socket");
			return -1;
		}
	} else {
		struct sockaddr_ll *sll = (struct sockaddr_ll *)&g->to;
		struct ifreq ifr;
		unsigned ifindex;

		if (g->ifname == NULL || (ifindex = if_nametoindex(g->ifname)) == 0) {
			fprintf(stderr, "syngen: -m packet needs -i IFACE (an existing interface)\n");
			return -1;
		}
		/* protocol 0: this socket receives nothing */
		g->fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (g->fd == -1) {
			perror("syngen: packet socket");
			return -1;
		}
		if (setsockopt(g->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == -1)
			perror("syngen: PACKET_QDISC_BYPASS (continuing)");
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
		if (ioctl(g->fd, SIOCGIFHWADDR, &ifr) == -1) {
			perror("syngen: SIOCGIFHWADDR");
			return -1;
		}
		memcpy(g->src_mac, ifr.ifr_hwaddr.sa_data, 6);
		sll->sll_family = AF_PACKET;
		sll->sll_protocol = htons(g->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
		sll->sll_ifindex = (int)ifindex;
		sll->sll_halen = 6;
		memcpy(sll->sll_addr, g->dst_mac, 6);
		g->to_len = sizeof(*sll);
	}
	return 0;
}

static void
prepare_batch(struct syngen *g)
{
	unsigned i;

	build_template(g);
	for (i = 0; i < g->batch; i++) {
		if (i > 0)
			memcpy(g->frames[i], g->frames[0], g->frame_len);
		g->iov[i].iov_base = g->frames[i];
		g->iov[i].iov_len = g->frame_len;
		memset(&g->msgs[i], 0, sizeof(g->msgs[i]));
		g->msgs[i].msg_hdr.msg_name = &g->to;
		g->msgs[i].msg_hdr.msg_namelen = g->to_len;
		g->msgs[i].msg_hdr.msg_iov = &g->iov[i];
		g->msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

static void
sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	static struct syngen g;
	const char *src = NULL, *dst = NULL;
	uint64_t sent = 0, errors = 0;
	double start, now, last, tokens;
	int c, n;
	unsigned i;

	g.family = 4;
	g.mode = SYNGEN_RAW;
	g.dport = 9;
	g.seconds = 5;
	g.batch = 64;
	while ((c = getopt(argc, argv, "6m:i:M:s:d:p:r:t:b:S:")) != -1) {
		switch (c) {
		case '6':
			g.family = 6;
			break;
		case 'm':
			if (strcmp(optarg, "raw") == 0)
				g.mode = SYNGEN_RAW;
			else if (strcmp(optarg, "packet") == 0)
				g.mode = SYNGEN_PACKET;
			else
				usage();
			break;
		case 'i':
			g.ifname = optarg;
			break;
		case 'M':
			if (parse_mac(optarg, g.dst_mac) == -1)
				usage();
			break;
		case 's':
			src = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'p':
			g.dport = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			g.rate = strtod(optarg, NULL);
			break;
		case 't':
			g.seconds = strtod(optarg, NULL);
			break;
		case 'b':
			g.batch = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			g.mss = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (src == NULL || dst == NULL || g.batch < 1 || g.batch > SYNGEN_MAX_BATCH ||
	    g.seconds <= 0 || g.seconds > 3600 || g.rate < 0)
		usage();
	if (g.mss == 0)
		g.mss = g.family == 6 ? 1440 : 1460;
	if (g.family == 6 ? (inet_pton(AF_INET6, src, &g.src6) != 1 ||
			     inet_pton(AF_INET6, dst, &g.dst6) != 1) :
			    (inet_pton(AF_INET, src, &g.src4) != 1 ||
			     inet_pton(AF_INET, dst, &g.dst4) != 1)) {
		fprintf(stderr, "syngen: bad address for IPv%d\n", g.family);
		return 2;
	}
	if (open_socket(&g) == -1)
		return 1;
	g.rng = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)time(NULL);
	if (g.rng == 0)
		g.rng = 1;
	prepare_batch(&g);
	/* sleeps of tens of microseconds between batches at a fixed rate */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	start = last = now_seconds();
	tokens = 0;
	for (now = start; now - start < g.seconds; now = now_seconds()) {
		unsigned want = g.batch;

		if (g.rate > 0) {
			/* A token bucket 2 ms deep: a late wake-up is made up
			 * for at once, a stall longer than that is not. */
			tokens += (now - last) * g.rate;
			if (tokens > g.rate * 0.002 && tokens > g.batch)
				tokens = g.rate * 0.002 > g.batch ? g.rate * 0.002 : g.batch;
			last = now;
			if (tokens < 1) {
				/* sleep for a few packets' worth: fewer, fuller batches */
				sleep_seconds((8 - tokens) / g.rate);
				continue;
			}
			if (tokens < want)
				want = (unsigned)tokens;
		}
		for (i = 0; i < want; i++)
			vary(&g, g.frames[i]);
		n = sendmmsg(g.fd, g.msgs, want, 0);
		if (n == -1) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("syngen: sendmmsg");
				return 1;
			}
			errors++;
			continue;
		}
		sent += (uint64_t)n;
		if (g.rate > 0)
			tokens -= n;
	}
	now = now_seconds();
	printf("sent=%llu seconds=%.3f rate=%.0f errors=%llu\n", (unsigned long long)sent,
	       now - start, (double)sent / (now - start), (unsigned long long)errors);
	return 0;
}
