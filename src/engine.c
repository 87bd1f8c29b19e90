/*
 * The packet engine. Reads a packet the way a receiving TCP stack reads it
 * (RFC 9293 3.1 and 3.7.1; Linux tcp_parse_options(), FreeBSD
 * tcp_dooptions()) so that every MSS such a receiver could honour ends up at
 * or below the ceiling. Every read is checked against the packet length first.
 */
#include <string.h>

#include "bounds.h"
#include "csum.h"
#include "engine.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_AH_ 51

#define IPV6_HOPOPTS 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_DSTOPTS 60
#define IPV6_MAX_EXT_HEADERS 8 /* real chains have at most six (RFC 8200 4.1) */

#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOLEN_MSS 4
#define TCPOPT_MD5SIG 19 /* RFC 2385 */
#define TCPOPT_AO 29     /* RFC 5925 */
#define TCP_MAX_MSS_OPTIONS 10 /* 40 option bytes / 4 */

/* Where the TCP header of a packet is, and what surrounds it. */
struct segment {
	uint8_t family;
	size_t tcp_off;      /* offset of the TCP header in the packet */
	bool first_fragment; /* more fragments follow: the segment continues elsewhere */
	bool authenticated;  /* behind AH */
};

enum locate_result { LOCATE_TCP, LOCATE_SKIP, LOCATE_MALFORMED };

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static enum locate_result
malformed(enum engine_malformed *why, enum engine_malformed reason)
{
	*why = reason;
	return LOCATE_MALFORMED;
}

/* AH (RFC 4302 2.2): its length field counts 32-bit words minus 2. */
static enum locate_result
skip_ah(const uint8_t *pkt, size_t len, size_t *off, uint8_t *next,
	struct segment *seg, enum engine_malformed *why, enum engine_malformed bad)
{
	size_t ah_len;

	if (len - *off < 8)
		return malformed(why, bad);
	ah_len = ((size_t)pkt[*off + 1] + 2) * 4;
	if (ah_len > len - *off)
		return malformed(why, bad);
	*next = pkt[*off];
	*off += ah_len;
	seg->authenticated = true;
	return LOCATE_TCP;
}

static enum locate_result
locate_ipv4(const uint8_t *pkt, size_t len, struct segment *seg,
	    enum engine_malformed *why)
{
	size_t ihl, off;
	uint16_t frag;
	uint8_t proto;

	if (len < 20)
		return malformed(why, ENGINE_BAD_IP_HEADER);
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return malformed(why, ENGINE_BAD_IP_HEADER);
	if (get16(pkt + 2) != len)
		return malformed(why, ENGINE_BAD_IP_LENGTH);

	frag = get16(pkt + 6);
	if (frag & 0x1fff)
		return LOCATE_SKIP; /* non-first fragment: no TCP header here */
	seg->first_fragment = (frag & 0x2000) != 0;

	off = ihl;
	proto = pkt[9];
	if (proto == IPPROTO_AH_ &&
	    skip_ah(pkt, len, &off, &proto, seg, why, ENGINE_BAD_IP_HEADER) != LOCATE_TCP)
		return LOCATE_MALFORMED;
	if (proto != IPPROTO_TCP_)
		return LOCATE_SKIP;
	seg->tcp_off = off;
	return LOCATE_TCP;
}

static enum locate_result
locate_ipv6(const uint8_t *pkt, size_t len, struct segment *seg,
	    enum engine_malformed *why)
{
	size_t off = 40, hdr_len;
	uint8_t next;
	int count;

	if (len < 40)
		return malformed(why, ENGINE_BAD_IP_HEADER);
	if ((size_t)get16(pkt + 4) + 40 != len)
		return malformed(why, ENGINE_BAD_IP_LENGTH); /* also rejects jumbograms */

	next = pkt[6];
	for (count = 0; count <= IPV6_MAX_EXT_HEADERS; count++) {
		switch (next) {
		case IPPROTO_TCP_:
			seg->tcp_off = off;
			return LOCATE_TCP;
		case IPV6_HOPOPTS:
		case IPV6_ROUTING:
		case IPV6_DSTOPTS:
			if (len - off < 8)
				return malformed(why, ENGINE_BAD_EXT_HEADERS);
			hdr_len = ((size_t)pkt[off + 1] + 1) * 8;
			if (hdr_len > len - off)
				return malformed(why, ENGINE_BAD_EXT_HEADERS);
			next = pkt[off];
			off += hdr_len;
			break;
		case IPV6_FRAGMENT:
			if (len - off < 8)
				return malformed(why, ENGINE_BAD_EXT_HEADERS);
			if (get16(pkt + off + 2) & 0xfff8)
				return LOCATE_SKIP; /* non-first fragment */
			if (get16(pkt + off + 2) & 1)
				seg->first_fragment = true;
			next = pkt[off];
			off += 8;
			break;
		case IPPROTO_AH_:
			if (skip_ah(pkt, len, &off, &next, seg, why,
				    ENGINE_BAD_EXT_HEADERS) != LOCATE_TCP)
				return LOCATE_MALFORMED;
			break;
		default:
			return LOCATE_SKIP; /* ESP, no next header, anything else */
		}
	}
	return malformed(why, ENGINE_BAD_EXT_HEADERS);
}

/*
 * The TCP checksum after a 16-bit value at option offset off (from the start
 * of the TCP header, where checksum words start) changes. At an odd offset
 * the value straddles two checksum words: by RFC 1071's byte-order
 * independence its share of the sum is then the byte-swapped value.
 */
static uint16_t
tcp_csum_replace(uint16_t check, size_t off, uint16_t old, uint16_t new)
{
	if (off & 1) {
		old = (uint16_t)(old << 8 | old >> 8);
		new = (uint16_t)(new << 8 | new >> 8);
	}
	return csum_replace16(check, old, new);
}

/* Adds the option at the start of the option list; the caller checked room. */
static void
insert_mss(uint8_t *pkt, size_t len, const struct segment *seg, uint16_t mss)
{
	uint8_t *tcp = pkt + seg->tcp_off;
	size_t tcp_len = len - seg->tcp_off; /* no payload: header only */
	uint16_t check = get16(tcp + 16);
	uint16_t doff_old = get16(tcp + 12), doff_new;

	memmove(tcp + 24, tcp + 20, tcp_len - 20);
	tcp[20] = TCPOPT_MSS;
	tcp[21] = TCPOLEN_MSS;
	put16(tcp + 22, mss);
	tcp[12] = (uint8_t)(tcp[12] + 0x10);
	doff_new = get16(tcp + 12);

	check = csum_replace16(check, 0, TCPOPT_MSS << 8 | TCPOLEN_MSS);
	check = csum_replace16(check, 0, mss);
	check = csum_replace16(check, doff_old, doff_new);
	/* the pseudo-header carries the TCP length (RFC 9293 3.1, RFC 8200 8.1) */
	check = csum_replace16(check, (uint16_t)tcp_len, (uint16_t)(tcp_len + 4));
	put16(tcp + 16, check);

	if (seg->family == 4) {
		uint16_t ip_check = get16(pkt + 10);

		ip_check = csum_replace16(ip_check, (uint16_t)len, (uint16_t)(len + 4));
		put16(pkt + 2, (uint16_t)(len + 4));
		put16(pkt + 10, ip_check);
	} else {
		put16(pkt + 4, (uint16_t)(len + 4 - 40));
	}
}

enum engine_action
engine_clamp(uint8_t *pkt, size_t len, size_t cap, struct engine_ceiling ceiling,
	     unsigned flags, struct engine_result *res)
{
	struct segment seg = { 0 };
	enum locate_result where;
	uint8_t *tcp;
	size_t tcp_len, hdr_len, i;
	size_t mss_off[TCP_MAX_MSS_OPTIONS];
	size_t n_mss = 0, k;
	bool clean = true, write, frozen, md5 = false, ao = false;
	uint16_t limit, honoured = 0, check;

	memset(res, 0, sizeof(*res));
	res->len = len;

	if (len < 1) {
		res->malformed = ENGINE_BAD_IP_HEADER;
		return res->action = ENGINE_MALFORMED;
	}
	switch (pkt[0] >> 4) {
	case 4:
		seg.family = 4;
		where = locate_ipv4(pkt, len, &seg, &res->malformed);
		break;
	case 6:
		seg.family = 6;
		where = locate_ipv6(pkt, len, &seg, &res->malformed);
		break;
	default:
		res->malformed = ENGINE_BAD_IP_HEADER;
		return res->action = ENGINE_MALFORMED;
	}
	res->family = seg.family;
	if (where == LOCATE_SKIP)
		return res->action = ENGINE_SKIPPED;
	if (where == LOCATE_MALFORMED)
		return res->action = ENGINE_MALFORMED;

	tcp = pkt + seg.tcp_off;
	tcp_len = len - seg.tcp_off;
	if (tcp_len >= 14 &&
	    (!(tcp[13] & TCP_FLAG_SYN) || (tcp[13] & TCP_FLAG_RST)))
		return res->action = ENGINE_SKIPPED;
	if (tcp_len < 20 || (size_t)(tcp[12] >> 4) * 4 > tcp_len) {
		/* RFC 1858: a first fragment must carry the whole header */
		res->malformed = seg.first_fragment ? ENGINE_FRAGMENTED_TCP
						    : ENGINE_BAD_TCP_HEADER;
		return res->action = ENGINE_MALFORMED;
	}
	hdr_len = (size_t)(tcp[12] >> 4) * 4;
	if (hdr_len < 20) {
		res->malformed = ENGINE_BAD_TCP_HEADER;
		return res->action = ENGINE_MALFORMED;
	}

	/* The option walk of a receiver: it stops at EOL, at a length below 2
	 * and at an option running past the header, and reads on past any
	 * option it does not know, including a kind 2 of the wrong length. */
	for (i = 20; i < hdr_len;) {
		uint8_t kind = tcp[i], opt_len;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (hdr_len - i < 2 || (opt_len = tcp[i + 1]) < 2 || opt_len > hdr_len - i) {
			clean = false;
			break;
		}
		if (kind == TCPOPT_MSS && opt_len == TCPOLEN_MSS) {
			uint16_t mss = get16(tcp + i + 2);

			mss_off[n_mss++] = i;
			if (mss != 0) /* Linux ignores an MSS of 0 */
				honoured = mss;
		}
		/* of any length: a signature we misjudge must still not be broken */
		md5 |= kind == TCPOPT_MD5SIG;
		ao |= kind == TCPOPT_AO;
		i += opt_len;
	}

	limit = seg.family == 4 ? ceiling.ipv4 : ceiling.ipv6;
	/* AH's ICV covers the TCP header (RFC 4302 3.3.3.1), TCP-AO's MAC its
	 * options (RFC 5925 5.1): a changed byte and the peer drops the SYN */
	frozen = seg.authenticated || ao || (flags & ENGINE_EXCLUDED);
	write = !(flags & ENGINE_DRY_RUN) && !frozen;
	res->mss_before = res->mss_after = honoured;
	res->action = ENGINE_UNCHANGED;
	if (seg.authenticated)
		res->note = ENGINE_NOTE_AUTHENTICATED;
	else if (ao)
		res->note = ENGINE_NOTE_TCP_AO;
	else if (flags & ENGINE_EXCLUDED)
		res->note = ENGINE_NOTE_EXCLUDED;

	if (n_mss > 0) {
		check = get16(tcp + 16);
		for (k = 0; k < n_mss; k++) {
			uint8_t *value = tcp + mss_off[k] + 2;
			uint16_t mss = get16(value);

			if (mss <= limit) /* never raise an MSS */
				continue;
			if (!frozen)
				res->action = ENGINE_CLAMPED;
			if (!write)
				continue;
			check = tcp_csum_replace(check, mss_off[k] + 2, mss, limit);
			put16(value, limit);
			res->changed = true;
		}
		if (res->changed)
			put16(tcp + 16, check);
		if (res->action == ENGINE_CLAMPED && honoured > limit)
			res->mss_after = limit;
	} else if (clean) {
		/* without an MSS option a peer assumes these (RFC 9293 3.7.1, RFC 8200 5) */
		uint16_t mss = seg.family == 4 ? BOUNDS_MSS_FLOOR_IPV4 : BOUNDS_MSS_FLOOR_IPV6;

		if (limit < mss)
			mss = limit;
		/* Like the kernel: only where nothing has to move but the
		 * options, so never into a segment with data or a fragment.
		 * TCP-MD5's digest covers the data offset (RFC 2385 2.0), not
		 * the options: an MSS may be lowered in place, never added. */
		if (frozen) {
			/* leave it */
		} else if (md5) {
			res->note = ENGINE_NOTE_TCP_MD5;
		} else if (tcp_len != hdr_len || seg.first_fragment || hdr_len >= 60 ||
			   cap < len + TCPOLEN_MSS || len + TCPOLEN_MSS > 0xffff + (seg.family == 6 ? 40u : 0u)) {
			res->note = ENGINE_NOTE_NO_ROOM;
		} else {
			res->action = ENGINE_INSERTED;
			res->mss_after = mss;
			if (write) {
				insert_mss(pkt, len, &seg, mss);
				res->changed = true;
				res->len = len + TCPOLEN_MSS;
			}
		}
	}

	if (!clean) {
		res->action = ENGINE_MALFORMED;
		res->malformed = ENGINE_BAD_OPTIONS;
	}
	return res->action;
}

const char *
engine_action_name(enum engine_action action)
{
	static const char *const names[ENGINE_ACTION_COUNT] = {
		[ENGINE_SKIPPED] = "skipped",
		[ENGINE_UNCHANGED] = "unchanged",
		[ENGINE_CLAMPED] = "clamped",
		[ENGINE_INSERTED] = "inserted",
		[ENGINE_MALFORMED] = "malformed",
	};

	return (unsigned)action < ENGINE_ACTION_COUNT ? names[action] : "?";
}

const char *
engine_malformed_name(enum engine_malformed reason)
{
	static const char *const names[ENGINE_MALFORMED_COUNT] = {
		[ENGINE_OK] = "ok",
		[ENGINE_BAD_IP_HEADER] = "bad_ip_header",
		[ENGINE_BAD_IP_LENGTH] = "bad_ip_length",
		[ENGINE_BAD_EXT_HEADERS] = "bad_ext_headers",
		[ENGINE_FRAGMENTED_TCP] = "fragmented_tcp_header",
		[ENGINE_BAD_TCP_HEADER] = "bad_tcp_header",
		[ENGINE_BAD_OPTIONS] = "bad_options",
	};

	return (unsigned)reason < ENGINE_MALFORMED_COUNT ? names[reason] : "?";
}

const char *
engine_note_name(enum engine_note note)
{
	static const char *const names[ENGINE_NOTE_COUNT] = {
		[ENGINE_NOTE_NONE] = "none",
		[ENGINE_NOTE_NO_ROOM] = "no_room",
		[ENGINE_NOTE_AUTHENTICATED] = "authenticated",
		[ENGINE_NOTE_TCP_AO] = "tcp_ao",
		[ENGINE_NOTE_TCP_MD5] = "tcp_md5",
		[ENGINE_NOTE_EXCLUDED] = "excluded",
	};

	return (unsigned)note < ENGINE_NOTE_COUNT ? names[note] : "?";
}
