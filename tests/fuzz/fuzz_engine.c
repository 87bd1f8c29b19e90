/*
 * libFuzzer target for the packet engine (src/engine.c).
 *
 * Input: 2 bytes IPv4 ceiling, 2 bytes IPv6 ceiling (big-endian; 0 becomes 1),
 * 1 byte whose low 3 bits XOR 4 are the spare room behind the packet (0: 4
 * bytes, enough for an insertion; 4: none, capacity == length; 7: 3 bytes,
 * one short), then the IP packet. Seeds: tests/fuzz/make-engine-seeds.py.
 *
 * The packet goes into an exact-size heap buffer so ASan sees any access
 * past it. Everything the engine wrote is then judged by code written here,
 * independently of the engine: how a receiver finds the TCP header and walks
 * its options (Linux tcp_parse_options()), and the checksums recomputed from
 * scratch. Any violation aborts with a message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SENTINEL 0xa5

#define REQUIRE(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_engine: %s: ", #cond);		\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Where a receiver finds the TCP header, and what it passed on the way. */
struct where {
	size_t tcp;          /* offset of the TCP header */
	bool more_fragments; /* IPv4 MF or an IPv6 fragment header with M */
	bool ah;             /* an AH header before TCP */
};

/*
 * The TCP header of a packet whose lengths are consistent: IPv4 after the
 * IHL and an AH; IPv6 after any chain of hop-by-hop, routing, destination
 * options, first fragment and AH headers, of any count. false if none.
 */
static bool
find_tcp(const uint8_t *p, size_t len, struct where *w)
{
	size_t at;
	uint8_t next;

	memset(w, 0, sizeof(*w));
	if (len >= 20 && p[0] >> 4 == 4) {
		if ((p[0] & 0x0f) < 5 || get16(p + 2) != len || (get16(p + 6) & 0x1fff))
			return false;
		w->more_fragments = (get16(p + 6) & 0x2000) != 0;
		at = (size_t)(p[0] & 0x0f) * 4;
		next = p[9];
		if (next == 51 && at + 8 <= len) {
			w->ah = true;
			next = p[at];
			at += ((size_t)p[at + 1] + 2) * 4;
		}
	} else if (len >= 40 && p[0] >> 4 == 6) {
		if ((size_t)get16(p + 4) + 40 != len)
			return false;
		at = 40;
		next = p[6];
		while (next != 6) {
			size_t hdr;

			if (at + 8 > len)
				return false;
			if (next == 0 || next == 43 || next == 60) {
				hdr = ((size_t)p[at + 1] + 1) * 8;
			} else if (next == 44) {
				if (get16(p + at + 2) & 0xfff8)
					return false;
				if (get16(p + at + 2) & 1)
					w->more_fragments = true;
				hdr = 8;
			} else if (next == 51) {
				w->ah = true;
				hdr = ((size_t)p[at + 1] + 2) * 4;
			} else {
				return false;
			}
			next = p[at];
			at += hdr;
		}
	} else {
		return false;
	}
	if (next != 6 || at >= len)
		return false;
	w->tcp = at;
	return true;
}

/*
 * The folded sum over pseudo-header and segment: with the checksum field
 * (0xffff when valid, else the error an incremental update must keep), or
 * without it (the complement of what a full recomputation writes).
 */
static uint16_t
tcp_sum(const uint8_t *p, size_t len, size_t tcp, bool with_field)
{
	uint64_t sum = 0;
	size_t i, seg_len = len - tcp;

	if (p[0] >> 4 == 4) {
		for (i = 12; i < 20; i += 2)
			sum += get16(p + i);
	} else {
		for (i = 8; i < 40; i += 2)
			sum += get16(p + i);
	}
	sum += 6 + (seg_len >> 16) + (seg_len & 0xffff);
	for (i = tcp; i + 1 < len; i += 2)
		sum += get16(p + i);
	if ((len - tcp) & 1)
		sum += (uint64_t)p[len - 1] << 8;
	if (!with_field)
		sum += 0xffff - get16(p + tcp + 16);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
tcp_residue(const uint8_t *p, size_t len, size_t tcp)
{
	return tcp_sum(p, len, tcp, true);
}

/* The checksum field a sender would write: equal to the field when it is exact. */
static uint16_t
tcp_recomputed(const uint8_t *p, size_t len, size_t tcp)
{
	return (uint16_t)~tcp_sum(p, len, tcp, false);
}

static uint16_t
ipv4_sum(const uint8_t *p, bool with_field)
{
	uint32_t sum = 0;
	size_t i, ihl = (size_t)(p[0] & 0x0f) * 4;

	for (i = 0; i < ihl; i += 2)
		if (with_field || i != 10)
			sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
ipv4_residue(const uint8_t *p)
{
	return ipv4_sum(p, true);
}

static uint16_t
ipv4_recomputed(const uint8_t *p)
{
	return (uint16_t)~ipv4_sum(p, false);
}

/* What a receiver reads in a TCP option list (Linux tcp_parse_options()). */
struct walk {
	size_t mss_at[20];   /* offsets of MSS options (kind 2, length 4) before the stop */
	size_t n_mss;
	uint16_t honoured;   /* the last nonzero MSS: the one Linux keeps */
	bool stopped_early;  /* a length below 2 or running past the header */
	bool md5, ao;        /* a TCP-MD5 (19) or TCP-AO (29) option before the stop */
};

static void
walk_options(const uint8_t *tcp, size_t hdr_len, struct walk *w)
{
	size_t i = 20;

	memset(w, 0, sizeof(*w));
	while (i < hdr_len) {
		uint8_t kind = tcp[i], size;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (hdr_len - i < 2) {
			w->stopped_early = true;
			return;
		}
		size = tcp[i + 1];
		if (size < 2 || size > hdr_len - i) {
			w->stopped_early = true;
			return;
		}
		w->md5 |= kind == 19;
		w->ao |= kind == 29;
		if (kind == 2 && size == 4) {
			REQUIRE(w->n_mss < sizeof(w->mss_at) / sizeof(w->mss_at[0]), "%zu", w->n_mss);
			w->mss_at[w->n_mss++] = i;
			if (get16(tcp + i + 2) != 0)
				w->honoured = get16(tcp + i + 2);
		}
		i += size;
	}
}

static bool
reached_tcp(const struct engine_result *r)
{
	return r->action == ENGINE_UNCHANGED || r->action == ENGINE_CLAMPED ||
	       r->action == ENGINE_INSERTED ||
	       (r->action == ENGINE_MALFORMED && r->malformed == ENGINE_BAD_OPTIONS);
}

/* The result itself: in range, consistent with its own fields. */
static void
check_result(enum engine_action ret, const struct engine_result *r, const uint8_t *pkt,
	     size_t len, size_t cap, bool dry)
{
	uint8_t version = len ? pkt[0] >> 4 : 0;

	REQUIRE(ret == r->action, "returned %d, res.action %d", ret, r->action);
	REQUIRE((unsigned)r->action < ENGINE_ACTION_COUNT, "%d", r->action);
	REQUIRE((unsigned)r->malformed < ENGINE_MALFORMED_COUNT, "%d", r->malformed);
	REQUIRE((unsigned)r->note < ENGINE_NOTE_COUNT, "%d", r->note);
	REQUIRE(strcmp(engine_action_name(r->action), "?") != 0, "unnamed action");
	REQUIRE(strcmp(engine_malformed_name(r->malformed), "?") != 0, "unnamed reason");
	REQUIRE(strcmp(engine_note_name(r->note), "?") != 0, "unnamed note");
	REQUIRE((r->action == ENGINE_MALFORMED) == (r->malformed != ENGINE_OK),
		"action %s, malformed %s", engine_action_name(r->action),
		engine_malformed_name(r->malformed));
	REQUIRE(r->family == ((version == 4 || version == 6) ? version : 0),
		"family %u for version %u", r->family, version);
	if (dry || !r->changed)
		REQUIRE(r->len == len, "len %zu -> %zu without a change", len, r->len);
	else if (r->action == ENGINE_INSERTED)
		REQUIRE(r->len == len + 4 && r->len <= cap, "insertion: len %zu -> %zu, cap %zu",
			len, r->len, cap);
	else
		REQUIRE(r->len == len, "len %zu -> %zu", len, r->len);
	if (dry)
		REQUIRE(!r->changed, "a dry run says it changed the packet");
	else if (r->action == ENGINE_CLAMPED || r->action == ENGINE_INSERTED)
		REQUIRE(r->changed, "%s but not changed", engine_action_name(r->action));
	if (r->changed)
		REQUIRE(r->action == ENGINE_CLAMPED || r->action == ENGINE_INSERTED ||
			r->malformed == ENGINE_BAD_OPTIONS,
			"changed a packet that is %s/%s", engine_action_name(r->action),
			engine_malformed_name(r->malformed));
	if (r->note == ENGINE_NOTE_AUTHENTICATED || r->note == ENGINE_NOTE_TCP_AO ||
	    r->note == ENGINE_NOTE_EXCLUDED)
		REQUIRE(!r->changed, "changed a packet with note %s", engine_note_name(r->note));
	if (r->note == ENGINE_NOTE_TCP_MD5)
		REQUIRE(r->action == ENGINE_UNCHANGED && !r->changed, "tcp_md5 with %s",
			engine_action_name(r->action));
	if (r->note == ENGINE_NOTE_NO_ROOM)
		REQUIRE(r->action == ENGINE_UNCHANGED, "no_room with %s", engine_action_name(r->action));
	if (!reached_tcp(r))
		REQUIRE(r->mss_before == 0 && r->mss_after == 0 && r->note == ENGINE_NOTE_NONE,
			"%s/%s with mss %u -> %u note %s", engine_action_name(r->action),
			engine_malformed_name(r->malformed), r->mss_before, r->mss_after,
			engine_note_name(r->note));
}

/*
 * The output against the input, both read as a receiver reads them: only
 * MSS values and the checksum moved (or exactly one MSS option went in at
 * the start), checksum errors kept, every honoured MSS at or below the
 * ceiling, the lengths consistent, and the reported MSS values true.
 */
static void
check_packet(const uint8_t *in, size_t len, const uint8_t *out, const struct engine_result *r,
	     size_t cap, struct engine_ceiling ceiling)
{
	struct where wi, wo;
	struct walk oi, oo;
	const uint8_t *ti, *to;
	size_t hi, ho, i, k;
	uint16_t limit, deflt;
	bool found_in, found_out;

	found_in = find_tcp(in, len, &wi);
	found_out = find_tcp(out, r->len, &wo);
	if (r->changed)
		REQUIRE(found_in && found_out && wi.tcp == wo.tcp, "changed, but TCP at %d/%d",
			found_in ? (int)wi.tcp : -1, found_out ? (int)wo.tcp : -1);
	if (!reached_tcp(r))
		return;

	/* the engine read options, so the headers around them were sound */
	REQUIRE(found_in && found_out, "%s without a TCP header", engine_action_name(r->action));
	REQUIRE(r->family == 4 ? get16(out + 2) == r->len : (size_t)get16(out + 4) + 40 == r->len,
		"length field disagrees with res.len %zu", r->len);
	ti = in + wi.tcp;
	to = out + wo.tcp;
	hi = (size_t)(ti[12] >> 4) * 4;
	ho = (size_t)(to[12] >> 4) * 4;
	REQUIRE(hi >= 20 && hi <= len - wi.tcp, "data offset %zu", hi);
	REQUIRE(ho >= 20 && ho <= r->len - wo.tcp, "data offset %zu after", ho);
	REQUIRE((ti[13] & 0x06) == 0x02, "flags 0x%02x are not a SYN", ti[13]);
	REQUIRE(r->note == ENGINE_NOTE_AUTHENTICATED ? wi.ah : !wi.ah, "AH %d, note %s", wi.ah,
		engine_note_name(r->note));
	walk_options(ti, hi, &oi);
	walk_options(to, ho, &oo);
	REQUIRE(oi.stopped_early == (r->malformed == ENGINE_BAD_OPTIONS), "stopped early %d, %s",
		oi.stopped_early, engine_malformed_name(r->malformed));
	REQUIRE(r->mss_before == oi.honoured, "mss_before %u, a receiver honours %u",
		r->mss_before, oi.honoured);
	limit = r->family == 4 ? ceiling.ipv4 : ceiling.ipv6;
	deflt = r->family == 4 ? 536 : 1220;

	if (r->changed) {
		REQUIRE(tcp_residue(in, len, wi.tcp) == tcp_residue(out, r->len, wo.tcp),
			"TCP checksum residue 0x%04x -> 0x%04x", tcp_residue(in, len, wi.tcp),
			tcp_residue(out, r->len, wo.tcp));
		/* RFC 1624: an exact checksum stays exact, -0 included */
		if (get16(ti + 16) == tcp_recomputed(in, len, wi.tcp))
			REQUIRE(get16(to + 16) == tcp_recomputed(out, r->len, wo.tcp),
				"TCP checksum 0x%04x, recomputed 0x%04x", get16(to + 16),
				tcp_recomputed(out, r->len, wo.tcp));
		if (r->family == 4) {
			REQUIRE(ipv4_residue(in) == ipv4_residue(out), "IPv4 header residue 0x%04x -> 0x%04x",
				ipv4_residue(in), ipv4_residue(out));
			if (get16(in + 10) == ipv4_recomputed(in))
				REQUIRE(get16(out + 10) == ipv4_recomputed(out),
					"IPv4 header checksum 0x%04x, recomputed 0x%04x", get16(out + 10),
					ipv4_recomputed(out));
		}
	}
	REQUIRE(r->mss_after == oo.honoured, "mss_after %u, a receiver honours %u", r->mss_after,
		oo.honoured);
	/* TCP-AO: nothing changes; TCP-MD5: nothing inserted */
	if (!wi.ah)
		REQUIRE((r->note == ENGINE_NOTE_TCP_AO) == oi.ao, "TCP-AO %d, note %s", oi.ao,
			engine_note_name(r->note));
	if (oi.ao)
		REQUIRE(!r->changed, "changed a TCP-AO segment");
	if (oi.md5)
		REQUIRE(r->action != ENGINE_INSERTED, "inserted into a TCP-MD5 segment");
	/* (c): no MSS a receiver honours stays above the ceiling; AH and TCP-AO are left as they are */
	if (!wi.ah && !oi.ao) {
		for (k = 0; k < oo.n_mss; k++)
			REQUIRE(get16(to + oo.mss_at[k] + 2) <= limit, "MSS %u left above ceiling %u",
				get16(to + oo.mss_at[k] + 2), limit);
	}

	if (r->changed && r->action == ENGINE_INSERTED) {
		REQUIRE(oi.n_mss == 0 && !oi.stopped_early, "inserted next to %zu MSS options", oi.n_mss);
		REQUIRE(!wi.more_fragments && len == wi.tcp + hi && hi <= 56,
			"inserted into a fragment, data or a full header");
		for (i = 0; i < wi.tcp; i++) {
			if (r->family == 4 && (i == 2 || i == 3 || i == 10 || i == 11))
				continue;
			if (r->family == 6 && (i == 4 || i == 5))
				continue;
			REQUIRE(in[i] == out[i], "IP header byte %zu changed", i);
		}
		REQUIRE(memcmp(ti, to, 12) == 0 && ti[13] == to[13] && memcmp(ti + 14, to + 14, 2) == 0 &&
			memcmp(ti + 18, to + 18, 2) == 0, "TCP header changed beyond doff and checksum");
		REQUIRE(to[12] == ti[12] + 0x10, "doff byte 0x%02x -> 0x%02x", ti[12], to[12]);
		REQUIRE(to[20] == 2 && to[21] == 4 && get16(to + 22) == (limit < deflt ? limit : deflt),
			"inserted %02x %02x %u", to[20], to[21], get16(to + 22));
		REQUIRE(memcmp(ti + 20, to + 24, hi - 20) == 0, "options not shifted intact");
	} else if (r->changed) {
		/* only MSS values and the TCP checksum may differ */
		REQUIRE(oi.n_mss == oo.n_mss, "MSS options %zu -> %zu", oi.n_mss, oo.n_mss);
		for (i = 0; i < len; i++) {
			bool allowed = i == wi.tcp + 16 || i == wi.tcp + 17;

			for (k = 0; k < oi.n_mss && !allowed; k++)
				allowed = i == wi.tcp + oi.mss_at[k] + 2 || i == wi.tcp + oi.mss_at[k] + 3;
			REQUIRE(allowed || in[i] == out[i], "byte %zu changed", i);
		}
		for (k = 0; k < oi.n_mss; k++) {
			uint16_t before = get16(ti + oi.mss_at[k] + 2), after = get16(to + oi.mss_at[k] + 2);

			REQUIRE(after == (before > limit ? limit : before), "MSS %u -> %u under ceiling %u",
				before, after, limit);
		}
	}

	/* what stops an insertion is really there */
	if (r->action == ENGINE_UNCHANGED && oi.n_mss == 0 && !oi.stopped_early) {
		bool room = !wi.more_fragments && len == wi.tcp + hi && hi <= 56 && cap >= len + 4 &&
			    len + 4 <= 0xffffu + (r->family == 6 ? 40u : 0u);

		REQUIRE(r->note == (wi.ah ? ENGINE_NOTE_AUTHENTICATED : oi.ao ? ENGINE_NOTE_TCP_AO :
				    oi.md5 ? ENGINE_NOTE_TCP_MD5 : room ? ENGINE_NOTE_NONE
									 : ENGINE_NOTE_NO_ROOM),
			"note %s, room %d, AH %d, TCP-AO %d, TCP-MD5 %d", engine_note_name(r->note),
			room, wi.ah, oi.ao, oi.md5);
		REQUIRE(r->note != ENGINE_NOTE_NONE, "a clean SYN without MSS and with room was left");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_ceiling ceiling;
	struct engine_result res, dry, again;
	enum engine_action ret;
	const uint8_t *pkt;
	uint8_t *buf, *dry_buf, *out_copy;
	size_t len, cap, i;

	if (size < 5)
		return 0;
	ceiling.ipv4 = get16(data) ? get16(data) : 1;
	ceiling.ipv6 = get16(data + 2) ? get16(data + 2) : 1;
	pkt = data + 5;
	len = size - 5;
	cap = len + ((data[4] & 7) ^ 4);

	buf = malloc(cap);
	dry_buf = malloc(cap);
	out_copy = malloc(cap);
	if ((buf == NULL || dry_buf == NULL || out_copy == NULL) && cap > 0)
		abort();
	if (len > 0) {
		memcpy(buf, pkt, len);
		memcpy(dry_buf, pkt, len);
	}
	memset(buf + len, SENTINEL, cap - len);
	memset(dry_buf + len, SENTINEL, cap - len);

	/* (e) a dry run leaves every byte as it was, and predicts the real run */
	ret = engine_clamp(dry_buf, len, cap, ceiling, ENGINE_DRY_RUN, &dry);
	check_result(ret, &dry, pkt, len, cap, true);
	REQUIRE(len == 0 || memcmp(dry_buf, pkt, len) == 0, "a dry run wrote the packet");
	for (i = len; i < cap; i++)
		REQUIRE(dry_buf[i] == SENTINEL, "a dry run wrote byte %zu past the packet", i);

	ret = engine_clamp(buf, len, cap, ceiling, 0, &res);
	check_result(ret, &res, pkt, len, cap, false);
	REQUIRE(dry.action == res.action && dry.malformed == res.malformed && dry.note == res.note &&
		dry.family == res.family && dry.mss_before == res.mss_before &&
		dry.mss_after == res.mss_after,
		"dry run %s/%s/%s %u->%u, real run %s/%s/%s %u->%u", engine_action_name(dry.action),
		engine_malformed_name(dry.malformed), engine_note_name(dry.note), dry.mss_before,
		dry.mss_after, engine_action_name(res.action), engine_malformed_name(res.malformed),
		engine_note_name(res.note), res.mss_before, res.mss_after);
	if (!res.changed)
		REQUIRE(len == 0 || memcmp(buf, pkt, len) == 0, "unchanged, but the bytes differ");
	for (i = res.len; i < cap; i++)
		REQUIRE(buf[i] == SENTINEL, "wrote byte %zu past the packet", i);
	check_packet(pkt, len, buf, &res, cap, ceiling);

	/* (f) the engine's own output is a fixed point */
	if (res.len > 0)
		memcpy(out_copy, buf, res.len);
	ret = engine_clamp(buf, res.len, cap, ceiling, 0, &again);
	check_result(ret, &again, out_copy, res.len, cap, false);
	REQUIRE(!again.changed && (res.len == 0 || memcmp(buf, out_copy, res.len) == 0),
		"a second run changed the packet (%s)", engine_action_name(again.action));
	REQUIRE(again.action == (res.action == ENGINE_CLAMPED || res.action == ENGINE_INSERTED
				 ? ENGINE_UNCHANGED : res.action) &&
		again.malformed == res.malformed,
		"second run %s/%s after %s/%s", engine_action_name(again.action),
		engine_malformed_name(again.malformed), engine_action_name(res.action),
		engine_malformed_name(res.malformed));
	if (reached_tcp(&res))
		REQUIRE(again.mss_before == res.mss_after, "second run reads %u, first wrote %u",
			again.mss_before, res.mss_after);

	/* (g) on a path that is not clamped: read as ever, never a byte written */
	memcpy(dry_buf, pkt, len);
	ret = engine_clamp(dry_buf, len, cap, ceiling, ENGINE_EXCLUDED, &again);
	check_result(ret, &again, pkt, len, cap, false);
	REQUIRE(!again.changed && (len == 0 || memcmp(dry_buf, pkt, len) == 0),
		"excluded, but changed");
	REQUIRE(again.action == (res.action == ENGINE_CLAMPED || res.action == ENGINE_INSERTED
				 ? ENGINE_UNCHANGED : res.action) &&
		again.malformed == res.malformed && again.mss_before == res.mss_before &&
		again.mss_after == again.mss_before,
		"excluded %s/%s %u->%u after %s/%s", engine_action_name(again.action),
		engine_malformed_name(again.malformed), again.mss_before, again.mss_after,
		engine_action_name(res.action), engine_malformed_name(res.malformed));
	if (reached_tcp(&again))
		REQUIRE(again.note == (res.note == ENGINE_NOTE_AUTHENTICATED ||
				       res.note == ENGINE_NOTE_TCP_AO ? res.note : ENGINE_NOTE_EXCLUDED),
			"excluded with note %s", engine_note_name(again.note));

	free(buf);
	free(dry_buf);
	free(out_copy);
	return 0;
}
