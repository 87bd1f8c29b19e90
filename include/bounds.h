/*
 * Every limit on an MTU, an MSS, an overhead or a queue, and the header
 * sizes the MSS arithmetic takes off an MTU: written here once, used by the
 * config parser, the ceiling arithmetic, the packet engine and the
 * subcommands. Unsigned, so they print with %u.
 */
#ifndef MSSCLAMPD_BOUNDS_H
#define MSSCLAMPD_BOUNDS_H

/* IP length fields are 16 bits: no packet is longer (we take no jumbograms). */
#define BOUNDS_PACKET_MAX 65535u

/* Headers without options: an MSS counts neither IP nor TCP options (RFC 9293 3.7.1). */
#define BOUNDS_IPV4_HEADER 20u
#define BOUNDS_IPV6_HEADER 40u
#define BOUNDS_TCP_HEADER 20u
#define BOUNDS_IPV4_TCP_HEADERS (BOUNDS_IPV4_HEADER + BOUNDS_TCP_HEADER) /* 40 */
#define BOUNDS_IPV6_TCP_HEADERS (BOUNDS_IPV6_HEADER + BOUNDS_TCP_HEADER) /* 60 */
/* The IPv6 MSS on the same link: 20 less, the IPv6 header being 20 bytes longer. */
#define BOUNDS_IPV6_MSS_DELTA (BOUNDS_IPV6_HEADER - BOUNDS_IPV4_HEADER)  /* 20 */

/*
 * The MSS a peer assumes when a SYN carries no MSS option (RFC 9293 3.7.1:
 * 536; RFC 8200 5: the 1280-byte minimum link MTU - 60). Also the floors:
 * we never clamp below them, since a standard host must accept them anyway.
 */
#define BOUNDS_MSS_FLOOR_IPV4 536u
#define BOUNDS_MSS_FLOOR_IPV6 1220u

/* An interface's MTU as the config or `mssclampd calc` may set it. */
#define BOUNDS_MTU_MIN 68u                 /* RFC 791: every IPv4 module must forward 68 */
#define BOUNDS_MTU_MAX BOUNDS_PACKET_MAX

/*
 * The smallest MTU each family's hosts must handle: RFC 791 (a datagram of
 * 576 bytes) and RFC 8200 5 (every link carries 1280). Below them an
 * interface's MSS is held at the floor above and the config is warned about;
 * IPv6 cannot run on such a link at all.
 */
#define BOUNDS_MTU_MIN_IPV4 576u
#define BOUNDS_MTU_MIN_IPV6 1280u

/* An mss cap as the config or `mssclampd calc` may set it (the IPv4 figure). */
#define BOUNDS_MSS_MIN BOUNDS_MSS_FLOOR_IPV4
#define BOUNDS_MSS_MAX (BOUNDS_PACKET_MAX - BOUNDS_IPV4_TCP_HEADERS) /* 65495 */
/* An mss6 cap: IPv6's own. */
#define BOUNDS_MSS6_MIN BOUNDS_MSS_FLOOR_IPV6
#define BOUNDS_MSS6_MAX (BOUNDS_PACKET_MAX - BOUNDS_IPV6_TCP_HEADERS) /* 65475 */

/* The overhead of one interface; a sum of presets may add up to more, and is refused. */
#define BOUNDS_OVERHEAD_MAX 1000u
/* Any one term or running total of an overhead sum: beyond a packet, surely a typo. */
#define BOUNDS_OVERHEAD_SUM_MAX BOUNDS_PACKET_MAX

/* NFQUEUE numbers are 16 bits; how many we bind; the kernel queue length per queue. */
#define BOUNDS_QUEUE_MAX 65535u
#define BOUNDS_QUEUE_COUNT_MAX 64u
#define BOUNDS_QUEUE_MAXLEN_MIN 1u
#define BOUNDS_QUEUE_MAXLEN_MAX 1048576u

#endif
