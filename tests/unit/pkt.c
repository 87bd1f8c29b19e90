/* Test-only packet builder and checksum verifier; see pkt.h. */
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "be16.h"

const uint8_t pkt_ipv4_src[4] = { 192, 0, 2, 1 };
const uint8_t pkt_ipv4_dst[4] = { 198, 51, 100, 2 };
const uint8_t pkt_ipv6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
const uint8_t pkt_ipv6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02 };

_Noreturn static void
fail(const char *why)
{
	fprintf(stderr, "pkt: %s\n", why);
	abort();
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071, the plain way: big-endian words, an odd last byte padded with zero. */
static uint32_t
sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

size_t
pkt_tcp_build(uint8_t *buf, size_t cap, const struct pkt_tcp *tcp)
{
	size_t opts_padded = (tcp->opts_len + 3) & ~(size_t)3;
	size_t len = 20 + opts_padded + tcp->data_len;
	unsigned doff = tcp->doff ? tcp->doff : (unsigned)(5 + opts_padded / 4);

	if (len > cap)
		fail("TCP segment does not fit");
	if (opts_padded > 40 && tcp->doff == 0)
		fail("more than 40 option bytes");
	memset(buf, 0, 20 + opts_padded);
	put16(buf, tcp->sport ? tcp->sport : 40000);
	put16(buf + 2, tcp->dport ? tcp->dport : 80);
	put32(buf + 4, tcp->seq);
	put32(buf + 8, tcp->ack);
	buf[12] = (uint8_t)((doff & 0x0f) << 4);
	buf[13] = tcp->flags;
	put16(buf + 14, tcp->window ? tcp->window : 64240);
	if (tcp->opts_len)
		memcpy(buf + 20, tcp->opts, tcp->opts_len);
	if (tcp->data_len)
		memcpy(buf + 20 + opts_padded, tcp->data, tcp->data_len);
	return len;
}

static size_t
ext_len(const struct pkt_ext *ext)
{
	switch (ext->type) {
	case PKT_HOPOPTS:
	case PKT_ROUTING:
	case PKT_DSTOPTS:
		return ((size_t)ext->len + 1) * 8;
	case PKT_FRAGMENT:
	case PKT_ESP:
		return 8;
	case PKT_AH:
		return ((size_t)ext->len + 2) * 4;
	default:
		fail("unknown extension header type");
	}
}

/* Writes one extension header; next is the type of what follows it. */
static void
ext_write(uint8_t *p, const struct pkt_ext *ext, uint8_t next)
{
	size_t len = ext_len(ext);

	memset(p, 0, len);
	switch (ext->type) {
	case PKT_HOPOPTS:
	case PKT_DSTOPTS:
		p[0] = next;
		p[1] = ext->len;
		/* PadN over the rest (RFC 8200 4.2) */
		p[2] = 1;
		p[3] = (uint8_t)(len - 4);
		break;
	case PKT_ROUTING:
		p[0] = next;
		p[1] = ext->len;
		p[2] = 253; /* experimental type (RFC 4727); ignored with no segments left */
		p[3] = 0;   /* segments left */
		break;
	case PKT_FRAGMENT:
		p[0] = next;
		put16(p + 2, ext->frag);
		put32(p + 4, 0x12345678);
		break;
	case PKT_AH:
		p[0] = next;
		p[1] = ext->len;
		put32(p + 4, 0x00000100); /* SPI */
		put32(p + 8, 1);          /* sequence number; the ICV stays zero */
		break;
	case PKT_ESP:
		put32(p, 0x00000100);
		put32(p + 4, 1);
		break;
	}
}

/* The TCP or UDP checksum at off, over the pseudo-header and len - off bytes, field as zero. */
static uint16_t
l4_csum(const uint8_t *pkt, size_t len, size_t off, uint8_t proto, size_t field)
{
	uint8_t pseudo[40];
	size_t l4_len = len - off;
	uint32_t sum;

	if ((pkt[0] >> 4) == 4) {
		memcpy(pseudo, pkt + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = proto;
		put16(pseudo + 10, (uint16_t)l4_len);
		sum = sum_bytes(0, pseudo, 12);
	} else {
		memcpy(pseudo, pkt + 8, 32);
		put32(pseudo + 32, (uint32_t)l4_len);
		pseudo[36] = pseudo[37] = pseudo[38] = 0;
		pseudo[39] = proto;
		sum = sum_bytes(0, pseudo, 40);
	}
	sum = sum_bytes(sum, pkt + off, field);
	sum = sum_bytes(sum, pkt + off + field + 2, l4_len - field - 2);
	return (uint16_t)~fold(sum);
}

size_t
pkt_ip_build(uint8_t *buf, size_t cap, const struct pkt_ip *ip,
	     const uint8_t *payload, size_t payload_len)
{
	size_t hdr_len, off, i, len;
	bool esp = false, non_first = false;
	uint8_t first;

	if (ip->family == 4) {
		if (ip->ip_opts_len > 40)
			fail("more than 40 bytes of IPv4 options");
		hdr_len = 20 + ((ip->ip_opts_len + 3) & ~(size_t)3);
	} else if (ip->family == 6) {
		hdr_len = 40;
	} else {
		fail("family is neither 4 nor 6");
	}
	len = hdr_len;
	for (i = 0; i < ip->n_ext; i++) {
		if (ip->family == 4 && ip->ext[i].type != PKT_AH && ip->ext[i].type != PKT_ESP)
			fail("IPv4 carries only AH or ESP here");
		if (ip->ext[i].type == PKT_ESP && i + 1 != ip->n_ext)
			fail("ESP must be the last header");
		len += ext_len(&ip->ext[i]);
	}
	len += payload_len;
	if (len > cap)
		fail("packet does not fit");
	if (len > 0xffff + (ip->family == 6 ? 40u : 0u))
		fail("packet too long for its length field");

	first = ip->n_ext ? ip->ext[0].type : ip->proto;
	memset(buf, 0, hdr_len);
	if (ip->family == 4) {
		buf[0] = (uint8_t)(0x40 | hdr_len / 4);
		put16(buf + 2, (uint16_t)len);
		put16(buf + 4, 0x1234);
		put16(buf + 6, ip->frag);
		buf[8] = 64;
		buf[9] = first;
		memcpy(buf + 12, pkt_ipv4_src, 4);
		memcpy(buf + 16, pkt_ipv4_dst, 4);
		if (ip->ip_opts_len)
			memcpy(buf + 20, ip->ip_opts, ip->ip_opts_len);
		non_first = (ip->frag & 0x1fff) != 0;
	} else {
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)(len - 40));
		buf[6] = first;
		buf[7] = 64;
		memcpy(buf + 8, pkt_ipv6_src, 16);
		memcpy(buf + 24, pkt_ipv6_dst, 16);
	}
	off = hdr_len;
	for (i = 0; i < ip->n_ext; i++) {
		uint8_t next = i + 1 < ip->n_ext ? ip->ext[i + 1].type : ip->proto;

		ext_write(buf + off, &ip->ext[i], next);
		if (ip->ext[i].type == PKT_ESP)
			esp = true;
		if (ip->ext[i].type == PKT_FRAGMENT && (ip->ext[i].frag & 0xfff8))
			non_first = true;
		off += ext_len(&ip->ext[i]);
	}
	if (payload_len)
		memcpy(buf + off, payload, payload_len);

	if (!esp && !non_first) {
		if (ip->proto == PKT_TCP && payload_len >= 18)
			put16(buf + off + 16, l4_csum(buf, len, off, PKT_TCP, 16));
		else if (ip->proto == PKT_UDP && payload_len >= 8)
			put16(buf + off + 6, l4_csum(buf, len, off, PKT_UDP, 6));
	}
	if (ip->family == 4) {
		uint16_t check;

		pkt_ipv4_csum(buf, len, &check);
		put16(buf + 10, check);
	}
	return len;
}

size_t
pkt_build(uint8_t *buf, size_t cap, const struct pkt_ip *ip, const struct pkt_tcp *tcp)
{
	uint8_t seg[0x10000];
	struct pkt_ip with_tcp = *ip;
	size_t seg_len;

	seg_len = pkt_tcp_build(seg, sizeof(seg), tcp);
	with_tcp.proto = PKT_TCP;
	return pkt_ip_build(buf, cap, &with_tcp, seg, seg_len);
}

int
pkt_tcp_offset(const uint8_t *pkt, size_t len, size_t *off)
{
	size_t at, hdr;
	uint8_t next;
	int guard;

	if (len < 1)
		return -1;
	if ((pkt[0] >> 4) == 4) {
		if (len < 20 || (pkt[0] & 0x0f) < 5 || get16(pkt + 2) != len)
			return -1;
		if (get16(pkt + 6) & 0x1fff)
			return -1;
		at = (size_t)(pkt[0] & 0x0f) * 4;
		next = pkt[9];
		if (next == PKT_AH) {
			if (at + 8 > len)
				return -1;
			next = pkt[at];
			at += ((size_t)pkt[at + 1] + 2) * 4;
		}
	} else if ((pkt[0] >> 4) == 6) {
		if (len < 40 || (size_t)get16(pkt + 4) + 40 != len)
			return -1;
		at = 40;
		next = pkt[6];
		/* the bound only keeps a hostile chain finite: every header is 8+ bytes */
		for (guard = 0; guard < 0x10000 && next != PKT_TCP; guard++) {
			if (at + 8 > len)
				return -1;
			switch (next) {
			case PKT_HOPOPTS:
			case PKT_ROUTING:
			case PKT_DSTOPTS:
				hdr = ((size_t)pkt[at + 1] + 1) * 8;
				break;
			case PKT_FRAGMENT:
				if (get16(pkt + at + 2) & 0xfff8)
					return -1;
				hdr = 8;
				break;
			case PKT_AH:
				hdr = ((size_t)pkt[at + 1] + 2) * 4;
				break;
			default:
				return -1;
			}
			next = pkt[at];
			at += hdr;
		}
	} else {
		return -1;
	}
	if (next != PKT_TCP || at >= len)
		return -1;
	*off = at;
	return 0;
}

int
pkt_tcp_csum(const uint8_t *pkt, size_t len, uint16_t *csum)
{
	size_t off;

	if (pkt_tcp_offset(pkt, len, &off) < 0 || len - off < 18)
		return -1;
	*csum = l4_csum(pkt, len, off, PKT_TCP, 16);
	return 0;
}

int
pkt_tcp_csum_residue(const uint8_t *pkt, size_t len, uint16_t *residue)
{
	uint16_t computed;
	size_t off;

	if (pkt_tcp_offset(pkt, len, &off) < 0 || len - off < 18)
		return -1;
	computed = l4_csum(pkt, len, off, PKT_TCP, 16);
	/* sum without the field is ~computed; add the field */
	*residue = fold((uint32_t)(uint16_t)~computed + get16(pkt + off + 16));
	return 0;
}

int
pkt_ipv4_csum(const uint8_t *pkt, size_t len, uint16_t *csum)
{
	size_t ihl;
	uint32_t sum;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	sum = sum_bytes(0, pkt, 10);
	sum = sum_bytes(sum, pkt + 12, ihl - 12);
	*csum = (uint16_t)~fold(sum);
	return 0;
}

int
pkt_ipv4_csum_residue(const uint8_t *pkt, size_t len, uint16_t *residue)
{
	uint16_t computed;

	if (pkt_ipv4_csum(pkt, len, &computed) < 0)
		return -1;
	*residue = fold((uint32_t)(uint16_t)~computed + get16(pkt + 10));
	return 0;
}

bool
pkt_csum_exact(const uint8_t *pkt, size_t len)
{
	uint16_t check;

	if (len >= 1 && (pkt[0] >> 4) == 4) {
		if (pkt_ipv4_csum(pkt, len, &check) < 0 || check != get16(pkt + 10))
			return false;
	}
	if (pkt_tcp_csum(pkt, len, &check) == 0) {
		size_t off;

		pkt_tcp_offset(pkt, len, &off);
		if (check != get16(pkt + off + 16))
			return false;
	}
	return true;
}

void
pkt_csum_fix(uint8_t *pkt, size_t len)
{
	uint16_t check;
	size_t off;

	if (pkt_tcp_csum(pkt, len, &check) == 0) {
		pkt_tcp_offset(pkt, len, &off);
		put16(pkt + off + 16, check);
	}
	if (pkt_ipv4_csum(pkt, len, &check) == 0)
		put16(pkt + 10, check);
}

void
pkt_print_diff(FILE *out, const uint8_t *got, size_t got_len,
	       const uint8_t *want, size_t want_len)
{
	size_t max = got_len > want_len ? got_len : want_len, i, j;

	fprintf(out, "  got %zu bytes, want %zu bytes; '*' marks a difference\n", got_len, want_len);
	for (i = 0; i < max; i += 16) {
		fprintf(out, "  %04zx  got ", i);
		for (j = i; j < i + 16 && j < max; j++) {
			if (j < got_len)
				fprintf(out, "%02x", got[j]);
			else
				fprintf(out, "--");
			fputc(j < got_len && j < want_len && got[j] == want[j] ? ' ' : '*', out);
		}
		fprintf(out, "\n        want ");
		for (j = i; j < i + 16 && j < max; j++) {
			if (j < want_len)
				fprintf(out, "%02x ", want[j]);
			else
				fprintf(out, "-- ");
		}
		fputc('\n', out);
	}
}
