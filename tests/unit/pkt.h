/*
 * A test-only packet builder and checksum verifier.
 *
 * Builds IPv4 packets (with IP options, fragment fields, AH) and IPv6 packets
 * (with chains of hop-by-hop, routing, destination options, fragment, AH and
 * ESP headers) carrying a TCP segment or any other payload, with every length
 * field and checksum right; and recomputes checksums from scratch to judge
 * what the engine wrote. Its checksum code is its own, not src/csum.c, so a
 * test never checks the engine's arithmetic with the engine's arithmetic.
 *
 * Builders abort() when the buffer is too small or the request makes no
 * sense: a broken test should stop loudly, not build the wrong packet.
 */
#ifndef MSSCLAMPD_TEST_PKT_H
#define MSSCLAMPD_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* TCP flag bits (byte 13 of the header). */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

/* IPv4 flags and fragment offset field, as a host-order 16-bit value. */
#define PKT_IPV4_DF 0x4000
#define PKT_IPV4_MF 0x2000
/* IPv6 fragment header: offset (8-byte units) << 3 | M flag. */
#define PKT_IPV6_MF 0x0001

/* Protocol and IPv6 next-header numbers. */
#define PKT_HOPOPTS 0
#define PKT_ICMP 1
#define PKT_TCP 6
#define PKT_UDP 17
#define PKT_ROUTING 43
#define PKT_FRAGMENT 44
#define PKT_ESP 50
#define PKT_AH 51
#define PKT_ICMPV6 58
#define PKT_NONEXT 59
#define PKT_DSTOPTS 60

/* Addresses every built packet carries (RFC 5737, RFC 3849). */
extern const uint8_t pkt_ipv4_src[4], pkt_ipv4_dst[4];
extern const uint8_t pkt_ipv6_src[16], pkt_ipv6_dst[16];

/* A TCP segment. Zeroed fields give a plausible default where noted. */
struct pkt_tcp {
	uint16_t sport, dport;  /* 0: 40000 and 80 */
	uint32_t seq, ack;
	uint8_t flags;          /* PKT_SYN, PKT_ACK, ... */
	uint16_t window;        /* 0: 64240 */
	const uint8_t *opts;    /* option bytes, written as given ... */
	size_t opts_len;        /* ... then padded with zero (EOL) to a multiple of 4 */
	const uint8_t *data;    /* payload after the header */
	size_t data_len;
	unsigned doff;          /* 0: from opts_len; else this 4-bit data offset, as is */
};

/*
 * One header between the IP header and the payload, in order. IPv6: any of
 * the types below; IPv4: AH or ESP. ESP can only be last: the payload follows
 * its SPI and sequence number as opaque bytes.
 */
struct pkt_ext {
	uint8_t type;   /* PKT_HOPOPTS, PKT_ROUTING, PKT_DSTOPTS, PKT_FRAGMENT, PKT_AH, PKT_ESP */
	uint8_t len;    /* the header's own length field: hop-by-hop, routing and
			 * destination options are (len + 1) * 8 bytes, AH is
			 * (len + 2) * 4 bytes (4: a 96-bit ICV); ignored otherwise */
	uint16_t frag;  /* PKT_FRAGMENT: offset << 3 | PKT_IPV6_MF */
};

/* The IP layer around a payload. */
struct pkt_ip {
	uint8_t family;               /* 4 or 6 */
	const uint8_t *ip_opts;       /* IPv4 options, padded with EOL to a multiple of 4 */
	size_t ip_opts_len;           /* at most 40 */
	uint16_t frag;                /* IPv4 flags and offset: PKT_IPV4_MF | offset in 8-byte units */
	const struct pkt_ext *ext;    /* headers after the IP header */
	size_t n_ext;
	uint8_t proto;                /* the payload's protocol; pkt_build() sets PKT_TCP itself */
};

/* Writes the TCP header (checksum zero) and data; returns their length. */
size_t pkt_tcp_build(uint8_t *buf, size_t cap, const struct pkt_tcp *tcp);

/*
 * Wraps payload in the IP layer: fills in every length, the IPv4 header
 * checksum and, for TCP or UDP that is not behind ESP and not a non-first
 * fragment, the transport checksum over the bytes present (in a first
 * fragment: as if they were the whole segment, which is enough to check an
 * incremental update). Returns the packet length.
 */
size_t pkt_ip_build(uint8_t *buf, size_t cap, const struct pkt_ip *ip,
		    const uint8_t *payload, size_t payload_len);

/* pkt_tcp_build() inside pkt_ip_build(): the common case. */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_ip *ip,
		 const struct pkt_tcp *tcp);

/*
 * Offset of the TCP header: IPv4 after the IHL and any AH; IPv6 after any
 * number of hop-by-hop, routing, destination options, fragment (offset 0)
 * and AH headers. -1 if there is none to find: another protocol, ESP, a
 * non-first fragment, or headers inconsistent with len. Only checks that the
 * TCP header starts inside the packet, not that it is whole.
 */
int pkt_tcp_offset(const uint8_t *pkt, size_t len, size_t *off);

/*
 * The TCP checksum a sender would write, recomputed over the pseudo-header
 * and every byte from the TCP header to the end of the packet. The IPv6
 * pseudo-header takes the destination from the IPv6 header, which is the
 * final one at the receiver and whenever a routing header has no segments
 * left (all that pkt_ip_build() makes). -1 if no TCP or fewer than 18 bytes.
 */
int pkt_tcp_csum(const uint8_t *pkt, size_t len, uint16_t *csum);

/*
 * The folded ones'-complement sum of the same bytes with the checksum field
 * included: 0xffff when the checksum is valid; otherwise its error, which an
 * incremental update (RFC 1624) must keep exactly. -1 as pkt_tcp_csum().
 */
int pkt_tcp_csum_residue(const uint8_t *pkt, size_t len, uint16_t *residue);

/* The IPv4 header checksum recomputed, and the residue as above; -1 if the header is not whole. */
int pkt_ipv4_csum(const uint8_t *pkt, size_t len, uint16_t *csum);
int pkt_ipv4_csum_residue(const uint8_t *pkt, size_t len, uint16_t *residue);

/*
 * True if the IPv4 header checksum (for IPv4) and the TCP checksum (when
 * there is a TCP header) equal a full recomputation, bit for bit: the
 * ones'-complement "-0" (0xffff where recomputation gives 0) does not count.
 */
bool pkt_csum_exact(const uint8_t *pkt, size_t len);

/* Recomputes and writes the IPv4 header and TCP checksums after a hand edit. */
void pkt_csum_fix(uint8_t *pkt, size_t len);

/* Prints two packets side by side in hex, marking the bytes that differ. */
void pkt_print_diff(FILE *out, const uint8_t *got, size_t got_len,
		    const uint8_t *want, size_t want_len);

#endif
