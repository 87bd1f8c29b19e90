/*
 * Unit tests for src/engine.c: a hand-built packet for every case of issue 2,
 * each judged on the exact output bytes, the whole result, and the checksums
 * against a full recomputation (tests/unit/pkt.c, not the engine's code).
 * The expected packet is built independently with the expected options;
 * a few are literal bytes from scapy, which also checks the builder.
 * Then a seeded randomized comparison against a model of the rules.
 *
 * MSSCLAMPD_TEST_SEED=n repeats a run; MSSCLAMPD_TEST_ROUNDS=n changes its length.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine.h"
#include "pkt.h"
#include "rng.h"
#include "be16.h"

#define BUF 4096
#define SENTINEL 0xa5 /* fills the room behind the packet: the engine must not touch it */

/* Option bytes as a pointer and a length, for struct pkt_tcp and friends. */
#define OPTS(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define MSS(v) 2, 4, (uint8_t)((v) >> 8), (uint8_t)((v) & 0xff)
#define NOP 1
#define EOL 0

/* The ceilings most cases use: PPPoE's 1492-byte MTU. */
static const struct engine_ceiling ceiling_std = { 1452, 1432 };

struct want {
	enum engine_action action;
	enum engine_malformed malformed;
	enum engine_note note;
	uint8_t family;
	bool changed;
	uint16_t mss_before, mss_after;
};

#define WANT(action, malformed, note, family, changed, before, after) \
	((struct want){ ENGINE_##action, ENGINE_##malformed, ENGINE_NOTE_##note, family, changed, before, after })

/* Whether byte i is a checksum field: masked when the input's checksum was wrong on purpose. */
static bool
is_csum_byte(const uint8_t *pkt, size_t len, size_t i)
{
	size_t off;

	if ((pkt[0] >> 4) == 4 && (i == 10 || i == 11))
		return true;
	return pkt_tcp_offset(pkt, len, &off) == 0 && (i == off + 16 || i == off + 17);
}

/*
 * Runs the engine once over a copy of in[0..len) in an exact-size heap
 * buffer of cap bytes (so ASan sees any overflow) and judges the result and
 * the bytes against want and out[0..out_len), or against the input when out
 * is NULL. When the input's checksums were valid, the output's must equal a
 * full recomputation; when they were wrong, their errors must be the same.
 * Quiet: print only a failure and leave the counting to the caller.
 * Returns whether everything held.
 */
static bool
judge(const char *name, const uint8_t *in, size_t len, size_t cap,
      struct engine_ceiling ceiling, unsigned flags, struct want w,
      const uint8_t *out, size_t out_len, bool quiet)
{
	struct engine_result res;
	enum engine_action ret;
	uint8_t *buf = malloc(cap ? cap : 1);
	bool exact_in = pkt_csum_exact(in, len), ok = true;
	uint16_t res_in, res_out;
	size_t i;
	char msg[1024];
	int n = 0;

	if (buf == NULL)
		abort();
	if (out == NULL) {
		out = in;
		out_len = len;
	}
	memcpy(buf, in, len);
	memset(buf + len, SENTINEL, cap - len);
	ret = engine_clamp(buf, len, cap, ceiling, flags, &res);

#define MISMATCH(...) do {							\
	ok = false;								\
	if (n < (int)sizeof(msg))						\
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, __VA_ARGS__);	\
} while (0)
	msg[0] = '\0';
	if (ret != res.action)
		MISMATCH("\n     returned %s but res.action is %s", engine_action_name(ret),
			 engine_action_name(res.action));
	if (res.action != w.action)
		MISMATCH("\n     action %s, want %s", engine_action_name(res.action),
			 engine_action_name(w.action));
	if (res.malformed != w.malformed)
		MISMATCH("\n     malformed %s, want %s", engine_malformed_name(res.malformed),
			 engine_malformed_name(w.malformed));
	if (res.note != w.note)
		MISMATCH("\n     note %s, want %s", engine_note_name(res.note), engine_note_name(w.note));
	if (res.family != w.family)
		MISMATCH("\n     family %u, want %u", res.family, w.family);
	if (res.changed != w.changed)
		MISMATCH("\n     changed %d, want %d", res.changed, w.changed);
	if (res.mss_before != w.mss_before || res.mss_after != w.mss_after)
		MISMATCH("\n     mss %u -> %u, want %u -> %u", res.mss_before, res.mss_after,
			 w.mss_before, w.mss_after);
	if (res.len != out_len)
		MISMATCH("\n     res.len %zu, want %zu", res.len, out_len);

	if (res.len == out_len && res.len <= cap) {
		for (i = 0; i < out_len; i++) {
			if (buf[i] == out[i] || (!exact_in && is_csum_byte(out, out_len, i)))
				continue;
			MISMATCH("\n     output bytes differ from the expected packet");
			break;
		}
	}
	for (i = res.len; i < cap; i++) {
		if (buf[i] != SENTINEL) {
			MISMATCH("\n     byte %zu behind the packet was written", i);
			break;
		}
	}
	if (ok && exact_in && !pkt_csum_exact(buf, res.len))
		MISMATCH("\n     checksums differ from a full recomputation");
	if (ok && !exact_in) {
		if (pkt_tcp_csum_residue(in, len, &res_in) == 0 &&
		    (pkt_tcp_csum_residue(buf, res.len, &res_out) != 0 || res_in != res_out))
			MISMATCH("\n     the TCP checksum's error changed: 0x%04x -> 0x%04x", res_in, res_out);
		if (pkt_ipv4_csum_residue(in, len, &res_in) == 0 &&
		    (pkt_ipv4_csum_residue(buf, res.len, &res_out) != 0 || res_in != res_out))
			MISMATCH("\n     the IPv4 header checksum's error changed: 0x%04x -> 0x%04x",
				 res_in, res_out);
	}
#undef MISMATCH

	/* quiet: the caller counts, as one check for many packets; a failure still shows */
	if (!quiet)
		CHECK_MSG(ok, "%s%s", name, msg);
	else if (!ok)
		printf("FAIL %s%s\n", name, msg);
	if (!ok && res.len <= cap)
		pkt_print_diff(stdout, buf, res.len, out, out_len);
	free(buf);
	return ok;
}

static void
expect(const char *name, const uint8_t *in, size_t len, size_t cap,
       struct engine_ceiling ceiling, unsigned flags, struct want w,
       const uint8_t *out, size_t out_len)
{
	judge(name, in, len, cap, ceiling, flags, w, out, out_len, false);
}

/* A TCP segment with the given flags, options and data, in the IP layer ip. */
static size_t
seg(uint8_t *buf, const struct pkt_ip *ip, uint8_t flags, const uint8_t *opts,
    size_t opts_len, const uint8_t *data, size_t data_len)
{
	struct pkt_tcp tcp = {
		.flags = flags, .opts = opts, .opts_len = opts_len,
		.data = data, .data_len = data_len,
	};

	return pkt_build(buf, BUF, ip, &tcp);
}

static const struct pkt_ip ip4 = { .family = 4 };
static const struct pkt_ip ip6 = { .family = 6 };
static const uint8_t payload[100] = "GET / HTTP/1.0\r\n\r\n";

/* The builder against scapy, and the engine against scapy's expected bytes. */
static void
test_literal(void)
{
	/* IP(src="192.0.2.1",dst="198.51.100.2",id=0x1234,ttl=64)/TCP(sport=40000,
	 * dport=80,flags="S",window=64240,options=[("MSS",1460)]), and with 1452 */
	static const uint8_t v4_in[] = {
		0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x61,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x50,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
		0x14, 0x6e, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	};
	static const uint8_t v4_out[] = {
		0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x61,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x50,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
		0x14, 0x76, 0x00, 0x00, 0x02, 0x04, 0x05, 0xac,
	};
	/* the same SYN without options, and with MSS 536 inserted */
	static const uint8_t v4_ins_in[] = {
		0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x65,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x50,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0,
		0x2c, 0x2a, 0x00, 0x00,
	};
	static const uint8_t v4_ins_out[] = {
		0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x61,
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x50,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
		0x18, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x02, 0x18,
	};
	/* IPv6(src="2001:db8::1",dst="2001:db8::2",hlim=64)/TCP(flags="S"), and with MSS 1220 */
	static const uint8_t v6_ins_in[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0, 0xbc, 0xec, 0x00, 0x00,
	};
	static const uint8_t v6_ins_out[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0, 0xa6, 0x20, 0x00, 0x00,
		0x02, 0x04, 0x04, 0xc4,
	};
	/* IPv6 SYN-ACK, options NOP, MSS 9000, EOL: the MSS at an odd offset; and with 1432 */
	static const uint8_t v6_odd_in[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x70, 0x12, 0xfa, 0xf0, 0x6f, 0xaf, 0x00, 0x00,
		0x01, 0x02, 0x04, 0x23, 0x28, 0x00, 0x00, 0x00,
	};
	static const uint8_t v6_odd_out[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x70, 0x12, 0xfa, 0xf0, 0xff, 0xcc, 0x00, 0x00,
		0x01, 0x02, 0x04, 0x05, 0x98, 0x00, 0x00, 0x00,
	};
	uint8_t b[BUF];
	size_t n;

	n = seg(b, &ip4, PKT_SYN, OPTS(MSS(1460)), NULL, 0);
	CHECK_MSG(n == sizeof(v4_in) && memcmp(b, v4_in, n) == 0, "pkt_build IPv4 SYN == scapy's bytes");
	n = seg(b, &ip6, PKT_SYN, NULL, 0, NULL, 0);
	CHECK_MSG(n == sizeof(v6_ins_in) && memcmp(b, v6_ins_in, n) == 0, "pkt_build IPv6 SYN == scapy's bytes");
	CHECK_MSG(pkt_csum_exact(v4_out, sizeof(v4_out)) && pkt_csum_exact(v6_odd_out, sizeof(v6_odd_out)),
	          "pkt_csum_exact accepts scapy's checksums");

	expect("IPv4 SYN MSS 1460 -> 1452 (scapy bytes)", v4_in, sizeof(v4_in), sizeof(v4_in) + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 1460, 1452), v4_out, sizeof(v4_out));
	expect("IPv4 SYN no MSS -> 536 inserted (scapy bytes)", v4_ins_in, sizeof(v4_ins_in),
	       sizeof(v4_ins_in) + 4, ceiling_std, 0, WANT(INSERTED, OK, NONE, 4, true, 0, 536),
	       v4_ins_out, sizeof(v4_ins_out));
	expect("IPv6 SYN no MSS -> 1220 inserted (scapy bytes)", v6_ins_in, sizeof(v6_ins_in),
	       sizeof(v6_ins_in) + 4, ceiling_std, 0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220),
	       v6_ins_out, sizeof(v6_ins_out));
	expect("IPv6 SYN-ACK MSS 9000 at an odd offset -> 1432 (scapy bytes)", v6_odd_in,
	       sizeof(v6_odd_in), sizeof(v6_odd_in) + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), v6_odd_out, sizeof(v6_odd_out));
}

static void
test_clamp(void)
{
	/* a Linux SYN-ACK: MSS, SACK permitted, timestamps, NOP, window scale */
#define LINUX_OPTS(mss) MSS(mss), 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, NOP, 3, 3, 7
	static const struct engine_ceiling split = { 1452, 1000 };
	uint8_t in[BUF], out[BUF];
	size_t n, m;

	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452)), NULL, 0);
	expect("IPv4 SYN MSS 9000 -> 1452", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	n = seg(in, &ip4, PKT_SYN | PKT_ACK, OPTS(LINUX_OPTS(1460)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN | PKT_ACK, OPTS(LINUX_OPTS(1452)), NULL, 0);
	expect("IPv4 SYN-ACK MSS 1460 -> 1452, other options untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 1460, 1452), out, m);

	n = seg(in, &ip6, PKT_SYN, OPTS(LINUX_OPTS(1440)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(LINUX_OPTS(1432)), NULL, 0);
	expect("IPv6 SYN MSS 1440 -> 1432", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 1440, 1432), out, m);

	n = seg(in, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(65535)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 SYN-ACK MSS 65535 -> 1432", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 65535, 1432), out, m);

	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), payload, sizeof(payload));
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452)), payload, sizeof(payload));
	expect("IPv4 SYN with data: MSS 9000 -> 1452, data untouched", in, n, n, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	n = seg(in, &ip4, PKT_SYN | PKT_FIN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN | PKT_FIN, OPTS(MSS(1452)), NULL, 0);
	expect("IPv4 SYN+FIN (SYN set, RST clear) is clamped", in, n, n, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1400)), NULL, 0);
	expect("IPv4 MSS 1400 below the ceiling: unchanged, never raised", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 4, false, 1400, 1400), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(536)), NULL, 0);
	expect("IPv6 MSS 536 below the ceiling: unchanged, never raised", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 6, false, 536, 536), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1452)), NULL, 0);
	expect("IPv4 MSS equal to the ceiling: unchanged", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 4, false, 1452, 1452), NULL, 0);
	n = seg(in, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 MSS equal to the ceiling: unchanged", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 6, false, 1432, 1432), NULL, 0);

	/* each family has its own ceiling */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1200)), NULL, 0);
	expect("IPv4 MSS 1200 under ceilings {1452, 1000}: the IPv4 one applies", in, n, n + 4, split, 0,
	       WANT(UNCHANGED, OK, NONE, 4, false, 1200, 1200), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(1200)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1000)), NULL, 0);
	expect("IPv6 MSS 1200 under ceilings {1452, 1000}: the IPv6 one applies", in, n, n + 4, split, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 1200, 1000), out, m);

	/* Linux ignores an MSS of 0 (tcp_parse_options) and it is never raised */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(0)), NULL, 0);
	expect("IPv4 MSS 0 left alone, nothing inserted", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(0), MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(0), MSS(1452)), NULL, 0);
	expect("IPv4 MSS 0 then 9000: 0 stays, 9000 -> 1452", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(9000), MSS(0)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1432), MSS(0)), NULL, 0);
	expect("IPv6 MSS 9000 then 0: the receiver honours 9000 -> 1432", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
#undef LINUX_OPTS
}

static void
test_multiple_and_odd(void)
{
	static const uint16_t values[] = { 1, 255, 256, 536, 1220, 1432, 1452, 1453, 1460,
					   0x00ff, 0x0100, 0x7fff, 0x8000, 0xff00, 0xfffe, 0xffff };
	uint8_t in[BUF], out[BUF];
	size_t n, m, v, c, nops;
	unsigned bad = 0, runs = 0;

	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1000), MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1000), MSS(1452)), NULL, 0);
	expect("IPv4 MSS 1000, MSS 9000: 1000 stays, 9000 -> 1452 (Linux honours the last)", in, n,
	       n + 4, ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), MSS(1000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), MSS(1000)), NULL, 0);
	expect("IPv4 MSS 9000, MSS 1000: 9000 -> 1452, receiver honours 1000", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 1000, 1000), out, m);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(9000), NOP, MSS(8000), NOP, NOP, NOP, MSS(1440)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1432), NOP, MSS(1432), NOP, NOP, NOP, MSS(1432)), NULL, 0);
	expect("IPv6 three MSS options, at even and odd offsets: all clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 6, true, 1440, 1432), out, m);
	n = seg(in, &ip4, PKT_SYN,
		OPTS(MSS(9001), MSS(9002), MSS(9003), MSS(9004), MSS(9005), MSS(9006), MSS(9007),
		     MSS(9008), MSS(9009), MSS(9010)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN,
		OPTS(MSS(1452), MSS(1452), MSS(1452), MSS(1452), MSS(1452), MSS(1452), MSS(1452),
		     MSS(1452), MSS(1452), MSS(1452)), NULL, 0);
	expect("IPv4 ten MSS options (a full 40-byte list): all clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9010, 1452), out, m);

	/* kind 2 of another length: receivers skip it like any unknown option */
	n = seg(in, &ip4, PKT_SYN, OPTS(2, 6, 0x23, 0x28, 0, 0), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536), 2, 6, 0x23, 0x28, 0, 0), NULL, 0);
	expect("IPv4 kind 2 length 6 skipped, clean list: MSS 536 inserted", in, n, n + 4, ceiling_std,
	       0, WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);
	n = seg(in, &ip6, PKT_SYN, OPTS(2, 3, 0x23, NOP), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1220), 2, 3, 0x23, NOP), NULL, 0);
	expect("IPv6 kind 2 length 3 skipped, clean list: MSS 1220 inserted", in, n, n + 4, ceiling_std,
	       0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(2, 2, 2, 8, 0x23, 0x28, 0, 0, 0, 0, MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(2, 2, 2, 8, 0x23, 0x28, 0, 0, 0, 0, MSS(1452)), NULL, 0);
	expect("IPv4 kind 2 lengths 2 and 8 skipped, the valid MSS after them clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	/* odd offsets: the kernel's incremental update gets these wrong */
	n = seg(in, &ip4, PKT_SYN, OPTS(NOP, MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(NOP, MSS(1452)), NULL, 0);
	expect("IPv4 NOP, MSS 9000 (odd offset) -> 1452, checksum exact", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	/* every value against every ceiling, after 0 to 3 NOPs */
	for (nops = 0; nops < 4; nops++) {
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			for (c = 0; c < sizeof(values) / sizeof(values[0]); c++) {
				uint8_t opts[8] = { NOP, NOP, NOP, NOP, NOP, NOP, NOP, NOP };
				uint16_t mss = values[v], limit = values[c];
				struct engine_ceiling ceil = { limit, limit };
				const struct pkt_ip *ip = (v + c) & 1 ? &ip6 : &ip4;

				opts[nops] = 2;
				opts[nops + 1] = 4;
				put16(opts + nops + 2, mss);
				n = seg(in, ip, PKT_SYN, opts, nops + 4, NULL, 0);
				put16(opts + nops + 2, mss > limit ? limit : mss);
				m = seg(out, ip, PKT_SYN, opts, nops + 4, NULL, 0);
				runs++;
				if (!judge("MSS after NOPs", in, n, n + 4, ceil, 0,
					   mss > limit ? WANT(CLAMPED, OK, NONE, ip->family, true, mss, limit)
						       : WANT(UNCHANGED, OK, NONE, ip->family, false, mss, mss),
					   mss > limit ? out : NULL, m, true))
					bad++;
			}
		}
	}
	printf("     %u packets: MSS values x ceilings x 0-3 NOPs before the option\n", runs);
	CHECK_MSG(bad == 0, "every MSS value and ceiling at offsets 0 to 3: bytes and checksum exact");
}

static void
test_option_walk(void)
{
	uint8_t in[BUF], out[BUF];
	size_t n, m;

	/* EOL ends the list: what follows it is not an option */
	n = seg(in, &ip4, PKT_SYN, OPTS(EOL, MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536), EOL, MSS(9000)), NULL, 0);
	expect("IPv4 EOL, MSS 9000: the MSS after EOL untouched, MSS 536 inserted", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(9000), EOL, MSS(9000)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1432), EOL, MSS(9000)), NULL, 0);
	expect("IPv6 MSS 9000, EOL, MSS 9000: first clamped, the one after EOL untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);

	/* a length below 2 stops the walk: earlier MSS clamped, later untouched */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 8, 0, MSS(9000), NOP, NOP), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), 8, 0, MSS(9000), NOP, NOP), NULL, 0);
	expect("IPv4 MSS 9000, option length 0, MSS 9000: malformed, first clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(9000), 30, 1, MSS(9000), NOP, NOP), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1432), 30, 1, MSS(9000), NOP, NOP), NULL, 0);
	expect("IPv6 MSS 9000, option length 1, MSS 9000: malformed, first clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 2, 0, MSS(9000), NOP, NOP), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), 2, 0, MSS(9000), NOP, NOP), NULL, 0);
	expect("IPv4 MSS 9000, kind 2 length 0: malformed, first clamped, later untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452), out, m);

	/* an option running past the header */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 8, 10, 1, 2, 3, 4, 5, 6), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), 8, 10, 1, 2, 3, 4, 5, 6), NULL, 0);
	expect("IPv4 MSS 9000, option running past the header: malformed, MSS clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), NOP, NOP, NOP, 8), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), NOP, NOP, NOP, 8), NULL, 0);
	expect("IPv4 MSS 9000, a kind byte alone at the header's end: malformed, MSS clamped", in, n,
	       n + 4, ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), NOP, NOP, NOP, NOP, 2, 6, 0x23, 0x28), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), NOP, NOP, NOP, NOP, 2, 6, 0x23, 0x28), NULL, 0);
	expect("IPv4 MSS 9000, kind 2 length 6 with 4 bytes left: malformed, first clamped", in, n,
	       n + 4, ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452), out, m);

	/* a malformed list with no valid MSS before the stop: no insertion */
	n = seg(in, &ip4, PKT_SYN, OPTS(8, 0, 0, 0), NULL, 0);
	expect("IPv4 option length 0 and no MSS: malformed, nothing inserted, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(8, 1, MSS(9000), NOP, NOP), NULL, 0);
	expect("IPv6 option length 1 before MSS 9000: the MSS is never reached, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1000), 8, 0, 0, 0), NULL, 0);
	expect("IPv4 MSS 1000 then option length 0: malformed, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, false, 1000, 1000), NULL, 0);
}

static void
test_skipped(void)
{
	static const struct pkt_ip udp4 = { .family = 4, .proto = PKT_UDP };
	static const struct pkt_ip icmp4 = { .family = 4, .proto = PKT_ICMP };
	static const struct pkt_ip udp6 = { .family = 6, .proto = PKT_UDP };
	static const struct pkt_ip icmp6 = { .family = 6, .proto = PKT_ICMPV6 };
	uint8_t in[BUF], tcp[BUF];
	size_t n, t;
	struct pkt_tcp syn = { .flags = PKT_SYN, .opts = OPTS(MSS(9000)) };

	n = seg(in, &ip4, PKT_SYN | PKT_RST, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 SYN+RST skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN | PKT_RST | PKT_ACK, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 SYN+RST+ACK skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_ACK, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 plain ACK with MSS 9000 skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_ACK | PKT_PSH, NULL, 0, payload, sizeof(payload));
	expect("IPv6 data segment skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_RST, NULL, 0, NULL, 0);
	expect("IPv4 RST without options skipped, nothing inserted", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);

	/* a SYN's bytes under another protocol number */
	t = pkt_tcp_build(tcp, sizeof(tcp), &syn);
	n = pkt_ip_build(in, BUF, &udp4, tcp, t);
	expect("IPv4 UDP skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &icmp4, tcp, t);
	expect("IPv4 ICMP skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &udp6, tcp, t);
	expect("IPv6 UDP skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &icmp6, tcp, t);
	expect("IPv6 ICMPv6 skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
}

static void
test_ipv4_options_and_fragments(void)
{
	/* Router Alert (RFC 2113), a Record Route with room for one address, EOL */
	static const uint8_t ip_opts[] = { 0x94, 0x04, 0x00, 0x00, 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00 };
	static const struct pkt_ip v4_opts = { .family = 4, .ip_opts = ip_opts, .ip_opts_len = sizeof(ip_opts) };
	static const struct pkt_ip first = { .family = 4, .frag = PKT_IPV4_MF };
	static const struct pkt_ip later = { .family = 4, .frag = 185 };
	static const struct pkt_ip later_more = { .family = 4, .frag = PKT_IPV4_MF | 1 };
	static const struct pkt_ip later_top = { .family = 4, .frag = 0x1000 };
	static const struct pkt_ip first_raw = { .family = 4, .frag = PKT_IPV4_MF, .proto = PKT_TCP };
	static const struct pkt_ip whole_raw = { .family = 4, .proto = PKT_TCP };
	struct pkt_tcp syn = { .flags = PKT_SYN, .opts = OPTS(MSS(9000), NOP, NOP, NOP, NOP, NOP, NOP, NOP, NOP) };
	uint8_t in[BUF], out[BUF], tcp[BUF];
	size_t n, m;

	n = seg(in, &v4_opts, PKT_SYN, OPTS(MSS(9000), NOP, 3, 3, 7), NULL, 0);
	m = seg(out, &v4_opts, PKT_SYN, OPTS(MSS(1452), NOP, 3, 3, 7), NULL, 0);
	expect("IPv4 with IP options (IHL 8): clamped, IP options byte-identical", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &v4_opts, PKT_SYN | PKT_ACK, OPTS(NOP, 3, 3, 7, 4, 2), NULL, 0);
	m = seg(out, &v4_opts, PKT_SYN | PKT_ACK, OPTS(MSS(536), NOP, 3, 3, 7, 4, 2), NULL, 0);
	expect("IPv4 with IP options, no MSS: 536 inserted, IP options byte-identical", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);

	n = seg(in, &first, PKT_SYN, OPTS(MSS(9000)), payload, sizeof(payload));
	m = seg(out, &first, PKT_SYN, OPTS(MSS(1452)), payload, sizeof(payload));
	expect("IPv4 first fragment (MF) with the whole TCP header: clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &first, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv4 first fragment holding only the header, no MSS: never inserted (no_room)", in, n,
	       n + 4, ceiling_std, 0, WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
	n = seg(in, &first, PKT_SYN, OPTS(NOP, 3, 3, 7), payload, 8);
	expect("IPv4 first fragment with data, no MSS: never inserted (no_room)", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);

	n = seg(in, &later, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 non-first fragment (offset 1480) that looks like a SYN: skipped", in, n, n + 4,
	       ceiling_std, 0, WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &later_more, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 middle fragment (offset 8, MF) that looks like a SYN: skipped", in, n, n + 4,
	       ceiling_std, 0, WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &later_top, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 fragment offset 0x1000 (the field's top bit) that looks like a SYN: skipped", in, n,
	       n + 4, ceiling_std, 0, WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);

	/* RFC 1858: a first fragment too short for the TCP header */
	pkt_tcp_build(tcp, sizeof(tcp), &syn);
	n = pkt_ip_build(in, BUF, &first_raw, tcp, 16);
	expect("IPv4 first fragment with 16 bytes of TCP: malformed fragmented_tcp_header", in, n,
	       n + 4, ceiling_std, 0, WANT(MALFORMED, FRAGMENTED_TCP, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &first_raw, tcp, 24);
	expect("IPv4 first fragment, data offset 8 but 24 bytes of TCP: fragmented_tcp_header", in, n,
	       n + 4, ceiling_std, 0, WANT(MALFORMED, FRAGMENTED_TCP, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &whole_raw, tcp, 24);
	expect("IPv4 unfragmented, data offset 8 but 24 bytes of TCP: bad_tcp_header", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_TCP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
}

static void
test_ipv6_chains(void)
{
	static const struct pkt_ext hbh[] = { { .type = PKT_HOPOPTS } };
	static const struct pkt_ext rt[] = { { .type = PKT_ROUTING, .len = 2 } };
	static const struct pkt_ext dst[] = { { .type = PKT_DSTOPTS, .len = 1 } };
	static const struct pkt_ext mixed[] = {
		{ .type = PKT_HOPOPTS, .len = 1 }, { .type = PKT_DSTOPTS }, { .type = PKT_ROUTING },
		{ .type = PKT_DSTOPTS, .len = 3 },
	};
	static const struct pkt_ext frag_first[] = { { .type = PKT_FRAGMENT, .frag = PKT_IPV6_MF } };
	static const struct pkt_ext frag_atomic[] = { { .type = PKT_HOPOPTS }, { .type = PKT_FRAGMENT } };
	static const struct pkt_ext frag_later[] = { { .type = PKT_FRAGMENT, .frag = 1 << 3 } };
	static const struct pkt_ext frag_later_more[] = { { .type = PKT_FRAGMENT, .frag = 181 << 3 | PKT_IPV6_MF } };
	static const struct pkt_ext frag_later_top[] = { { .type = PKT_FRAGMENT, .frag = 0x8000 } };
	static const struct pkt_ext esp[] = { { .type = PKT_ESP } };
	static const struct pkt_ext hbh_esp[] = { { .type = PKT_HOPOPTS }, { .type = PKT_ESP } };
#define D { .type = PKT_DSTOPTS }
	static const struct pkt_ext eight[8] = { D, D, D, D, D, D, D, D };
	static const struct pkt_ext nine[9] = { D, D, D, D, D, D, D, D, D };
#undef D
#define IP6(chain) { .family = 6, .ext = chain, .n_ext = sizeof(chain) / sizeof(chain[0]) }
	static const struct pkt_ip v_hbh = IP6(hbh), v_rt = IP6(rt), v_dst = IP6(dst), v_mixed = IP6(mixed);
	static const struct pkt_ip v_first = IP6(frag_first), v_atomic = IP6(frag_atomic);
	static const struct pkt_ip v_later = IP6(frag_later), v_later_more = IP6(frag_later_more);
	static const struct pkt_ip v_later_top = IP6(frag_later_top);
	static const struct pkt_ip v_eight = IP6(eight), v_nine = IP6(nine);
	static const struct pkt_ip v_esp = IP6(esp), v_hbh_esp = IP6(hbh_esp);
	static const struct pkt_ip v_first_raw = { .family = 6, .ext = frag_first, .n_ext = 1, .proto = PKT_TCP };
	static const struct pkt_ip v_nonext = { .family = 6, .proto = PKT_NONEXT };
	static const struct pkt_ip v_hbh_nonext = { .family = 6, .ext = hbh, .n_ext = 1, .proto = PKT_NONEXT };
	static const struct pkt_ip v_hbh_only = { .family = 6, .ext = hbh, .n_ext = 1, .proto = PKT_TCP };
	static const struct pkt_ip v_bare_hbh = { .family = 6, .proto = PKT_HOPOPTS };
	static const struct pkt_ip v_bare_frag = { .family = 6, .proto = PKT_FRAGMENT };
	static const struct pkt_ip v_bare_ah = { .family = 6, .proto = PKT_AH };
#undef IP6
	struct pkt_tcp syn = { .flags = PKT_SYN, .opts = OPTS(MSS(9000)) };
	uint8_t in[BUF], out[BUF], tcp[BUF];
	size_t n, m, t;

	n = seg(in, &v_hbh, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &v_hbh, PKT_SYN, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 hop-by-hop, TCP: clamped, header byte-identical", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_rt, PKT_SYN | PKT_ACK, OPTS(NOP, MSS(9000)), NULL, 0);
	m = seg(out, &v_rt, PKT_SYN | PKT_ACK, OPTS(NOP, MSS(1432)), NULL, 0);
	expect("IPv6 routing (24 bytes), TCP: clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_dst, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &v_dst, PKT_SYN, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 destination options (16 bytes), TCP: clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_mixed, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &v_mixed, PKT_SYN, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 hop-by-hop, dstopts, routing, dstopts, TCP: clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_mixed, PKT_SYN, OPTS(NOP, 3, 3, 7), NULL, 0);
	m = seg(out, &v_mixed, PKT_SYN, OPTS(MSS(1220), NOP, 3, 3, 7), NULL, 0);
	expect("IPv6 four extension headers, no MSS: 1220 inserted, headers byte-identical", in, n,
	       n + 4, ceiling_std, 0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);

	n = seg(in, &v_first, PKT_SYN, OPTS(MSS(9000)), payload, sizeof(payload));
	m = seg(out, &v_first, PKT_SYN, OPTS(MSS(1432)), payload, sizeof(payload));
	expect("IPv6 fragment offset 0 with M: clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_first, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv6 fragment offset 0 with M, no MSS: never inserted (no_room)", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, NO_ROOM, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v_atomic, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &v_atomic, PKT_SYN, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 atomic fragment (offset 0, no M): clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_atomic, PKT_SYN, NULL, 0, NULL, 0);
	m = seg(out, &v_atomic, PKT_SYN, OPTS(MSS(1220)), NULL, 0);
	expect("IPv6 atomic fragment, no MSS: the whole segment is here, 1220 inserted", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);
	n = seg(in, &v_later, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 non-first fragment (offset 8) that looks like a SYN: skipped", in, n, n + 4,
	       ceiling_std, 0, WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v_later_more, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 middle fragment (offset 1448, M): skipped", in, n, n + 4,
	       ceiling_std, 0, WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v_later_top, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 fragment offset 0x1000 (the field's top bit): skipped", in, n, n + 4,
	       ceiling_std, 0, WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	t = pkt_tcp_build(tcp, sizeof(tcp), &syn);
	n = pkt_ip_build(in, BUF, &v_first_raw, tcp, 16);
	expect("IPv6 first fragment with 16 bytes of TCP: fragmented_tcp_header", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, FRAGMENTED_TCP, NONE, 6, false, 0, 0), NULL, 0);

	n = seg(in, &v_esp, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 ESP: skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v_hbh_esp, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 hop-by-hop, ESP: skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_nonext, tcp, t);
	expect("IPv6 no next header (59) before SYN-like bytes: skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_hbh_nonext, tcp, t);
	expect("IPv6 hop-by-hop, no next header: skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 6, false, 0, 0), NULL, 0);

	n = seg(in, &v_eight, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &v_eight, PKT_SYN, OPTS(MSS(1432)), NULL, 0);
	expect("IPv6 eight extension headers (the most allowed): clamped", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);
	n = seg(in, &v_nine, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 nine extension headers: malformed bad_ext_headers, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);

	/* truncated extension headers */
	n = pkt_ip_build(in, BUF, &v_hbh_only, NULL, 0);
	in[41] = 1; /* claims 16 bytes, 8 are there */
	expect("IPv6 hop-by-hop claiming 16 bytes with 8 left: bad_ext_headers", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_bare_hbh, (const uint8_t *)"\x06\x00\x01\x00", 4);
	expect("IPv6 hop-by-hop with 4 bytes left: bad_ext_headers", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_bare_frag, (const uint8_t *)"\x06\x00\x00\x00\x12\x34", 6);
	expect("IPv6 fragment header with 6 bytes left: bad_ext_headers", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_bare_ah,
			 (const uint8_t *)"\x06\x04\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01", 12);
	expect("IPv6 AH claiming 24 bytes with 12 left: bad_ext_headers", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_bare_hbh, NULL, 0);
	expect("IPv6 next header hop-by-hop with nothing after the IPv6 header: bad_ext_headers", in, n,
	       n + 4, ceiling_std, 0, WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v_hbh_only, NULL, 0);
	expect("IPv6 hop-by-hop then TCP with no bytes of TCP: bad_tcp_header", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_TCP_HEADER, NONE, 6, false, 0, 0), NULL, 0);
}

/*
 * AH's ICV covers the TCP header (RFC 4302 3.3.3): a changed MSS would make
 * the receiver drop the SYN, so the engine leaves it and says why.
 */
static void
test_ah(void)
{
	static const struct pkt_ext ah[] = { { .type = PKT_AH, .len = 4 } };
	static const struct pkt_ext hbh_ah[] = { { .type = PKT_HOPOPTS }, { .type = PKT_AH, .len = 4 } };
	static const struct pkt_ip v4_ah = { .family = 4, .ext = ah, .n_ext = 1 };
	static const struct pkt_ip v6_ah = { .family = 6, .ext = ah, .n_ext = 1 };
	static const struct pkt_ip v6_hbh_ah = { .family = 6, .ext = hbh_ah, .n_ext = 2 };
	static const struct pkt_ip v4_bare_ah = { .family = 4, .proto = PKT_AH };
	static const struct pkt_ip v6_bare_ah = { .family = 6, .proto = PKT_AH };
	static const struct pkt_ext esp[] = { { .type = PKT_ESP } };
	static const struct pkt_ip v4_esp = { .family = 4, .ext = esp, .n_ext = 1 };
	uint8_t in[BUF];
	size_t n;

	n = seg(in, &v4_ah, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 AH, MSS 9000: untouched, note authenticated", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &v6_ah, PKT_SYN | PKT_ACK, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 AH, MSS 9000: untouched, note authenticated", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 6, false, 9000, 9000), NULL, 0);
	n = seg(in, &v6_hbh_ah, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 hop-by-hop, AH, MSS 9000: untouched, note authenticated", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, AUTHENTICATED, 6, false, 9000, 9000), NULL, 0);
	n = seg(in, &v4_ah, PKT_SYN, OPTS(MSS(1400)), NULL, 0);
	expect("IPv4 AH, MSS 1400: unchanged, note authenticated", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 4, false, 1400, 1400), NULL, 0);
	n = seg(in, &v6_ah, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv6 AH, no MSS: nothing inserted, note authenticated", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v4_ah, PKT_SYN, OPTS(MSS(9000), 8, 0), NULL, 0);
	expect("IPv4 AH, MSS 9000, option length 0: malformed, untouched, authenticated", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, AUTHENTICATED, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &v4_ah, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 AH, MSS 9000, dry run: the same answer", in, n, n + 4, ceiling_std, ENGINE_DRY_RUN,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 4, false, 9000, 9000), NULL, 0);
	n = pkt_ip_build(in, BUF, &v4_bare_ah, (const uint8_t *)"\x06\x04\x00\x00\x00\x00\x01\x00", 8);
	expect("IPv4 AH claiming 24 bytes with 8 left: bad_ip_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v4_bare_ah, (const uint8_t *)"\x06\x04\x00\x00", 4);
	expect("IPv4 AH with 4 bytes left: bad_ip_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &v6_bare_ah, (const uint8_t *)"\x06\x04\x00\x00\x00\x00\x01", 7);
	expect("IPv6 AH with 7 bytes left: bad_ext_headers", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_EXT_HEADERS, NONE, 6, false, 0, 0), NULL, 0);
	n = seg(in, &v4_esp, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 ESP: skipped", in, n, n + 4, ceiling_std, 0,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
}

/*
 * Signed segments. TCP-AO's MAC covers the options (RFC 5925 5.1): nothing
 * may change. TCP-MD5's digest covers the header without options but with
 * the data offset (RFC 2385 2.0): an MSS may be lowered in place, none
 * inserted. And a path of interfaces that are not clamped (ENGINE_EXCLUDED).
 */
static void
test_signed(void)
{
	/* as Linux writes them (tcp_options_write()): NOP, NOP, kind 19, length 18, the digest */
#define MD5SIG NOP, NOP, 19, 18, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, \
	0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xd0
	/* kind 29, length 16: key ids 1 and 2, a 96-bit MAC (RFC 5925 2.2) */
#define AO 29, 16, 1, 2, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac
	static const struct pkt_ext ah[] = { { .type = PKT_AH, .len = 4 } };
	static const struct pkt_ip v4_ah = { .family = 4, .ext = ah, .n_ext = 1 };
	static const struct engine_ceiling none = { 0xffff, 0xffff };
	uint8_t in[BUF], out[BUF];
	size_t n, m;

	/* TCP-MD5: lowered in place, the digest and the data offset as they were */
	n = seg(in, &ip4, PKT_SYN, OPTS(MD5SIG, MSS(1460), NOP, 3, 3, 7), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MD5SIG, MSS(1452), NOP, 3, 3, 7), NULL, 0);
	CHECK_MSG(n == m && n == 20 + 20 + 28, "a Linux TCP-MD5 SYN: 28 option bytes");
	expect("IPv4 TCP-MD5 SYN, MSS 1460 -> 1452 in place", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 4, true, 1460, 1452), out, m);
	n = seg(in, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(1440), MD5SIG), NULL, 0);
	m = seg(out, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(1432), MD5SIG), NULL, 0);
	expect("IPv6 TCP-MD5 SYN-ACK, MSS 1440 -> 1432 in place", in, n, n + 4, ceiling_std, 0,
	       WANT(CLAMPED, OK, NONE, 6, true, 1440, 1432), out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MD5SIG, MSS(1400)), NULL, 0);
	expect("IPv4 TCP-MD5 SYN, MSS 1400: unchanged", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NONE, 4, false, 1400, 1400), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MD5SIG), NULL, 0);
	expect("IPv4 TCP-MD5 SYN without MSS: nothing inserted, note tcp_md5", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, TCP_MD5, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(MD5SIG), NULL, 0);
	expect("IPv6 TCP-MD5 SYN without MSS: nothing inserted, note tcp_md5", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, TCP_MD5, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(NOP, NOP, 19, 10, 1, 2, 3, 4, 5, 6, 7, 8), NULL, 0);
	expect("IPv4 kind 19 of another length: still no insertion", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, TCP_MD5, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MD5SIG), NULL, 0);
	expect("IPv4 TCP-MD5 SYN without MSS, dry run: the same answer", in, n, n + 4, ceiling_std,
	       ENGINE_DRY_RUN, WANT(UNCHANGED, OK, TCP_MD5, 4, false, 0, 0), NULL, 0);

	/* TCP-AO: never a byte */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), AO), NULL, 0);
	expect("IPv4 TCP-AO SYN, MSS 9000: untouched, note tcp_ao", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, TCP_AO, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip6, PKT_SYN | PKT_ACK, OPTS(AO, MSS(9000)), NULL, 0);
	expect("IPv6 TCP-AO SYN-ACK, AO before MSS 9000: untouched, note tcp_ao", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, TCP_AO, 6, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(AO), NULL, 0);
	expect("IPv4 TCP-AO SYN without MSS: nothing inserted, note tcp_ao", in, n, n + 4,
	       ceiling_std, 0, WANT(UNCHANGED, OK, TCP_AO, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(29, 4, 1, 2), NULL, 0);
	expect("IPv6 the shortest TCP-AO option: nothing inserted", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, TCP_AO, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(1400), AO), NULL, 0);
	expect("IPv4 TCP-AO SYN, MSS 1400: unchanged anyway", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, TCP_AO, 4, false, 1400, 1400), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), AO, MD5SIG), NULL, 0);
	expect("IPv4 TCP-AO and TCP-MD5 together: TCP-AO's rule", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, TCP_AO, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), AO, 8, 0), NULL, 0);
	expect("IPv4 TCP-AO, then an option of length 0: malformed, nothing clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, TCP_AO, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 8, 0, AO), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), 8, 0, AO), NULL, 0);
	expect("IPv4 TCP-AO behind the break, unread by any receiver: MSS clamped, malformed", in,
	       n, n + 4, ceiling_std, 0, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, true, 9000, 1452),
	       out, m);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), EOL, NOP, NOP, NOP, AO), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452), EOL, NOP, NOP, NOP, AO), NULL, 0);
	expect("IPv4 TCP-AO behind EOL: no receiver reads it, the MSS is clamped", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);
	n = seg(in, &v4_ah, PKT_SYN, OPTS(MSS(9000), AO), NULL, 0);
	expect("IPv4 AH and TCP-AO: note authenticated", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, AUTHENTICATED, 4, false, 9000, 9000), NULL, 0);

	/* not clamped: read, counted, left alone, whatever the ceiling */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 excluded, MSS 9000: untouched, note excluded", in, n, n + 4, ceiling_std,
	       ENGINE_EXCLUDED, WANT(UNCHANGED, OK, EXCLUDED, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv6 excluded, no MSS: nothing inserted, note excluded", in, n, n + 4, none,
	       ENGINE_EXCLUDED, WANT(UNCHANGED, OK, EXCLUDED, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 8, 0), NULL, 0);
	expect("IPv4 excluded, broken options: malformed, untouched", in, n, n + 4, ceiling_std,
	       ENGINE_EXCLUDED, WANT(MALFORMED, BAD_OPTIONS, EXCLUDED, 4, false, 9000, 9000), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(AO), NULL, 0);
	expect("IPv4 excluded and TCP-AO: note tcp_ao", in, n, n + 4, ceiling_std, ENGINE_EXCLUDED,
	       WANT(UNCHANGED, OK, TCP_AO, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN | PKT_RST, OPTS(MSS(9000)), NULL, 0);
	expect("IPv4 excluded RST: skipped as ever", in, n, n + 4, ceiling_std, ENGINE_EXCLUDED,
	       WANT(SKIPPED, OK, NONE, 4, false, 0, 0), NULL, 0);
#undef MD5SIG
#undef AO
}

static void
test_malformed_headers(void)
{
	static const struct pkt_ip whole_raw = { .family = 4, .proto = PKT_TCP };
	static const struct pkt_ip whole_raw6 = { .family = 6, .proto = PKT_TCP };
	static const uint8_t mss9000[] = { MSS(9000) };
	uint8_t in[BUF], tcp[BUF];
	size_t n, t;
	struct pkt_tcp bad = { .flags = PKT_SYN };

	/* data offset below 5 or past the end */
	bad.doff = 4;
	t = pkt_tcp_build(tcp, sizeof(tcp), &bad);
	n = pkt_ip_build(in, BUF, &whole_raw, tcp, t);
	expect("IPv4 data offset 4: bad_tcp_header, untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_TCP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	bad.doff = 0;
	t = pkt_tcp_build(tcp, sizeof(tcp), &bad);
	tcp[12] = 0;
	n = pkt_ip_build(in, BUF, &whole_raw6, tcp, t);
	expect("IPv6 data offset 0: bad_tcp_header, untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_TCP_HEADER, NONE, 6, false, 0, 0), NULL, 0);
	bad.doff = 15;
	bad.opts = mss9000;
	bad.opts_len = sizeof(mss9000);
	t = pkt_tcp_build(tcp, sizeof(tcp), &bad);
	n = pkt_ip_build(in, BUF, &whole_raw, tcp, t);
	expect("IPv4 data offset 15 with 24 bytes of TCP: bad_tcp_header, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_TCP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	bad.doff = 7;
	t = pkt_tcp_build(tcp, sizeof(tcp), &bad);
	n = pkt_ip_build(in, BUF, &whole_raw6, tcp, t);
	expect("IPv6 data offset 7 with 24 bytes of TCP: bad_tcp_header, untouched", in, n, n + 4,
	       ceiling_std, 0, WANT(MALFORMED, BAD_TCP_HEADER, NONE, 6, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &whole_raw, tcp, 19);
	expect("IPv4 SYN with 19 bytes of TCP: bad_tcp_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_TCP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	n = pkt_ip_build(in, BUF, &whole_raw6, tcp, 10);
	expect("IPv6 10 bytes of TCP (no flags yet): bad_tcp_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_TCP_HEADER, NONE, 6, false, 0, 0), NULL, 0);

	/* the IP layer */
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("empty packet: bad_ip_header, family 0", in, 0, 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 0, false, 0, 0), NULL, 0);
	expect("IPv4 cut to 19 bytes: bad_ip_header", in, 19, 23, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	expect("IPv4 cut to 1 byte: bad_ip_header", in, 1, 5, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	in[2] = 0;
	in[3] = (uint8_t)(n + 1);
	pkt_csum_fix(in, n);
	expect("IPv4 total length one more than the packet: bad_ip_length", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_LENGTH, NONE, 4, false, 0, 0), NULL, 0);
	in[3] = (uint8_t)(n - 1);
	pkt_csum_fix(in, n);
	expect("IPv4 total length one less than the packet: bad_ip_length", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_LENGTH, NONE, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	in[0] = 0x44;
	expect("IPv4 IHL 4: bad_ip_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	in[0] = 0x40;
	expect("IPv4 IHL 0: bad_ip_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	in[0] = 0x4f;
	expect("IPv4 IHL 15 in a 44-byte packet: bad_ip_header", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 4, false, 0, 0), NULL, 0);
	in[0] = 0x55;
	expect("version 5: bad_ip_header, family 0", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 0, false, 0, 0), NULL, 0);
	in[0] = 0x05;
	expect("version 0: bad_ip_header, family 0", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 0, false, 0, 0), NULL, 0);

	n = seg(in, &ip6, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	expect("IPv6 cut to 39 bytes: bad_ip_header", in, 39, 43, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 6, false, 0, 0), NULL, 0);
	put16(in + 4, (uint16_t)(n - 40 + 1));
	expect("IPv6 payload length one more than the packet: bad_ip_length", in, n, n + 4, ceiling_std,
	       0, WANT(MALFORMED, BAD_IP_LENGTH, NONE, 6, false, 0, 0), NULL, 0);
	put16(in + 4, (uint16_t)(n - 40 - 1));
	expect("IPv6 payload length one less than the packet: bad_ip_length", in, n, n + 4, ceiling_std,
	       0, WANT(MALFORMED, BAD_IP_LENGTH, NONE, 6, false, 0, 0), NULL, 0);
	put16(in + 4, 0);
	expect("IPv6 payload length 0 (a jumbogram): bad_ip_length", in, n, n + 4, ceiling_std,
	       0, WANT(MALFORMED, BAD_IP_LENGTH, NONE, 6, false, 0, 0), NULL, 0);
	in[0] = 0x70;
	expect("version 7: bad_ip_header, family 0", in, n, n + 4, ceiling_std, 0,
	       WANT(MALFORMED, BAD_IP_HEADER, NONE, 0, false, 0, 0), NULL, 0);
}

static void
test_insert(void)
{
	static const struct engine_ceiling low = { 500, 1000 };
	static const struct engine_ceiling high = { 9000, 9000 };
	static const struct pkt_ext chain[] = { { .type = PKT_HOPOPTS }, { .type = PKT_ROUTING, .len = 2 } };
	static const struct pkt_ip v6_chain = { .family = 6, .ext = chain, .n_ext = 2 };
	uint8_t in[BUF], out[BUF], nops[40], mss_nops[40];
	size_t n, m;

	memset(nops, NOP, sizeof(nops));
	memcpy(mss_nops, (const uint8_t[]){ MSS(536) }, 4);
	memset(mss_nops + 4, NOP, sizeof(mss_nops) - 4);
	n = seg(in, &ip4, PKT_SYN, OPTS(NOP, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536), NOP, 3, 3, 7, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8),
		NULL, 0);
	expect("IPv4 no MSS: 536 at the start, options shifted, doff +1, lengths and checksums", in, n,
	       n + 4, ceiling_std, 0, WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);
	n = seg(in, &ip4, PKT_SYN | PKT_ACK, NULL, 0, NULL, 0);
	m = seg(out, &ip4, PKT_SYN | PKT_ACK, OPTS(MSS(500)), NULL, 0);
	expect("IPv4 SYN-ACK no MSS, ceiling 500: 500 inserted", in, n, n + 4, low, 0,
	       WANT(INSERTED, OK, NONE, 4, true, 0, 500), out, m);
	n = seg(in, &ip4, PKT_SYN, NULL, 0, NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536)), NULL, 0);
	expect("IPv4 no MSS, ceiling 9000: 536 inserted, never more", in, n, n + 4, high, 0,
	       WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);
	n = seg(in, &v6_chain, PKT_SYN, OPTS(NOP, NOP, 4, 2), NULL, 0);
	m = seg(out, &v6_chain, PKT_SYN, OPTS(MSS(1220), NOP, NOP, 4, 2), NULL, 0);
	expect("IPv6 hop-by-hop, routing, no MSS: 1220 inserted, headers byte-identical", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);
	n = seg(in, &ip6, PKT_SYN | PKT_ACK, OPTS(4, 2), NULL, 0);
	m = seg(out, &ip6, PKT_SYN | PKT_ACK, OPTS(MSS(1000), 4, 2), NULL, 0);
	expect("IPv6 SYN-ACK no MSS, ceiling 1000: 1000 inserted", in, n, n + 4, low, 0,
	       WANT(INSERTED, OK, NONE, 6, true, 0, 1000), out, m);
	n = seg(in, &ip6, PKT_SYN, NULL, 0, NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(MSS(1220)), NULL, 0);
	expect("IPv6 no MSS, ceiling 9000: 1220 inserted, never more", in, n, n + 4, high, 0,
	       WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);
	expect("IPv6 no MSS, a buffer much larger than needed", in, n, n + 1000, high, 0,
	       WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);

	/* 36 bytes of options: the MSS makes 40, data offset 15 */
	n = seg(in, &ip4, PKT_SYN, nops, 36, NULL, 0);
	m = seg(out, &ip4, PKT_SYN, mss_nops, 40, NULL, 0);
	expect("IPv4 data offset 14, no MSS: inserted, data offset 15", in, n, n + 4, ceiling_std, 0,
	       WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);

	/* where it cannot go */
	n = seg(in, &ip4, PKT_SYN, nops, 40, NULL, 0);
	expect("IPv4 data offset 15, no MSS: no_room, untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, OPTS(4, 2), payload, 1);
	expect("IPv6 one byte of data, no MSS: no_room, untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 6, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, NULL, 0, payload, sizeof(payload));
	expect("IPv4 100 bytes of data, no MSS: no_room, untouched", in, n, n + 4, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv4 capacity len + 3: no_room, untouched", in, n, n + 3, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
	expect("IPv4 capacity len: no_room, untouched", in, n, n, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, NULL, 0, NULL, 0);
	expect("IPv6 capacity len + 3: no_room, untouched", in, n, n + 3, ceiling_std, 0,
	       WANT(UNCHANGED, OK, NO_ROOM, 6, false, 0, 0), NULL, 0);
}

static void
test_dry_run(void)
{
	uint8_t in[BUF];
	size_t n;

	n = seg(in, &ip4, PKT_SYN, OPTS(NOP, MSS(9000)), NULL, 0);
	expect("dry run, IPv4 MSS 9000: reports clamped, buffer byte-identical", in, n, n + 4,
	       ceiling_std, ENGINE_DRY_RUN, WANT(CLAMPED, OK, NONE, 4, false, 9000, 1452), NULL, 0);
	n = seg(in, &ip6, PKT_SYN, NULL, 0, NULL, 0);
	expect("dry run, IPv6 no MSS: reports inserted 1220, buffer and length unchanged", in, n, n + 4,
	       ceiling_std, ENGINE_DRY_RUN, WANT(INSERTED, OK, NONE, 6, false, 0, 1220), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000), 8, 0), NULL, 0);
	expect("dry run, MSS 9000 then option length 0: malformed, buffer byte-identical", in, n, n + 4,
	       ceiling_std, ENGINE_DRY_RUN, WANT(MALFORMED, BAD_OPTIONS, NONE, 4, false, 9000, 1452), NULL, 0);
	n = seg(in, &ip4, PKT_SYN, NULL, 0, NULL, 0);
	expect("dry run, IPv4 no MSS, capacity len: no_room", in, n, n, ceiling_std, ENGINE_DRY_RUN,
	       WANT(UNCHANGED, OK, NO_ROOM, 4, false, 0, 0), NULL, 0);
}

/* An incremental update keeps a wrong checksum exactly as wrong (RFC 1624). */
static void
test_wrong_checksum(void)
{
	static const struct pkt_ext hbh[] = { { .type = PKT_HOPOPTS } };
	static const struct pkt_ip v6_hbh = { .family = 6, .ext = hbh, .n_ext = 1 };
	uint8_t in[BUF], out[BUF];
	size_t n, m, off;
	uint16_t residue;

	n = seg(in, &ip4, PKT_SYN, OPTS(MSS(9000)), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(1452)), NULL, 0);
	in[20 + 16] ^= 0x5a;
	pkt_tcp_csum_residue(in, n, &residue);
	CHECK_MSG(residue != 0xffff, "a flipped TCP checksum byte makes the checksum invalid");
	expect("IPv4 wrong TCP checksum, MSS 9000 -> 1452: the same error after", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452), out, m);

	n = seg(in, &ip6, PKT_SYN, OPTS(NOP, MSS(9000)), NULL, 0);
	m = seg(out, &ip6, PKT_SYN, OPTS(NOP, MSS(1432)), NULL, 0);
	in[40 + 17] += 1;
	expect("IPv6 wrong TCP checksum, odd offset, 9000 -> 1432: the same error after", in, n, n + 4,
	       ceiling_std, 0, WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432), out, m);

	n = seg(in, &ip4, PKT_SYN, OPTS(4, 2), NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536), 4, 2), NULL, 0);
	in[20 + 16] ^= 0x80;
	in[10] ^= 0x01;
	expect("IPv4 wrong TCP and IP header checksums, insertion: both errors kept", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);

	n = seg(in, &v6_hbh, PKT_SYN, NULL, 0, NULL, 0);
	m = seg(out, &v6_hbh, PKT_SYN, OPTS(MSS(1220)), NULL, 0);
	pkt_tcp_offset(in, n, &off);
	put16(in + off + 16, 0x0000);
	expect("IPv6 TCP checksum zeroed, insertion: the error kept", in, n, n + 4,
	       ceiling_std, 0, WANT(INSERTED, OK, NONE, 6, true, 0, 1220), out, m);
}

/*
 * RFC 1624's corner in the engine: packets whose right checksum after the
 * change is 0x0000, found by varying the sequence number (or the IP ID).
 * An update that yields 0xffff there fails the exact comparison.
 */
static void
test_negative_zero(void)
{
	struct {
		const char *name;
		const struct pkt_ip *ip;
		const uint8_t *opts_in;
		size_t opts_len_in;
		const uint8_t *opts_out;
		size_t opts_len_out;
		struct want want;
	} cases[] = {
		{ "IPv4 clamp, even offset, right checksum 0x0000", &ip4, OPTS(MSS(9000)), OPTS(MSS(1452)),
		  WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452) },
		{ "IPv4 clamp, odd offset, right checksum 0x0000", &ip4, OPTS(NOP, MSS(9000)),
		  OPTS(NOP, MSS(1452)), WANT(CLAMPED, OK, NONE, 4, true, 9000, 1452) },
		{ "IPv6 clamp, odd offset, right checksum 0x0000", &ip6, OPTS(NOP, NOP, NOP, MSS(9000)),
		  OPTS(NOP, NOP, NOP, MSS(1432)), WANT(CLAMPED, OK, NONE, 6, true, 9000, 1432) },
		{ "IPv4 insertion, right TCP checksum 0x0000", &ip4, NULL, 0, OPTS(MSS(536)),
		  WANT(INSERTED, OK, NONE, 4, true, 0, 536) },
		{ "IPv6 insertion, right TCP checksum 0x0000", &ip6, OPTS(4, 2), OPTS(MSS(1220), 4, 2),
		  WANT(INSERTED, OK, NONE, 6, true, 0, 1220) },
	};
	uint8_t in[BUF], out[BUF];
	size_t c, n = 0, m = 0, off;
	uint32_t seq;
	uint16_t id, check_field;
	char what[200];

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pkt_tcp tcp = { .flags = PKT_SYN };
		bool found = false;

		for (seq = 0; seq < 0x30000 && !found; seq++) {
			tcp.seq = seq;
			tcp.opts = cases[c].opts_out;
			tcp.opts_len = cases[c].opts_len_out;
			m = pkt_build(out, BUF, cases[c].ip, &tcp);
			pkt_tcp_offset(out, m, &off);
			found = get16(out + off + 16) == 0x0000;
		}
		if (!found) {
			snprintf(what, sizeof(what), "%s: no sequence number gives 0x0000", cases[c].name);
			CHECK_MSG(false, "%s", what);
			continue;
		}
		tcp.opts = cases[c].opts_in;
		tcp.opts_len = cases[c].opts_len_in;
		n = pkt_build(in, BUF, cases[c].ip, &tcp);
		expect(cases[c].name, in, n, n + 4, ceiling_std, 0, cases[c].want, out, m);
	}

	/* the IPv4 header checksum after an insertion */
	n = seg(in, &ip4, PKT_SYN, NULL, 0, NULL, 0);
	m = seg(out, &ip4, PKT_SYN, OPTS(MSS(536)), NULL, 0);
	for (id = 0; id < 0xffff; id++) {
		put16(out + 4, id);
		pkt_csum_fix(out, m);
		if (get16(out + 10) == 0x0000)
			break;
	}
	put16(in + 4, id);
	pkt_csum_fix(in, n);
	check_field = get16(out + 10);
	CHECK_MSG(check_field == 0x0000, "an IP ID giving IPv4 header checksum 0x0000 exists");
	expect("IPv4 insertion, right IP header checksum 0x0000", in, n, n + 4, ceiling_std, 0,
	       WANT(INSERTED, OK, NONE, 4, true, 0, 536), out, m);
}

static void
test_names(void)
{
	CHECK_MSG(strcmp(engine_action_name(ENGINE_SKIPPED), "skipped") == 0 &&
	          strcmp(engine_action_name(ENGINE_UNCHANGED), "unchanged") == 0 &&
	          strcmp(engine_action_name(ENGINE_CLAMPED), "clamped") == 0 &&
	          strcmp(engine_action_name(ENGINE_INSERTED), "inserted") == 0 &&
	          strcmp(engine_action_name(ENGINE_MALFORMED), "malformed") == 0,
	          "engine_action_name: skipped unchanged clamped inserted malformed");
	CHECK_MSG(strcmp(engine_action_name(ENGINE_ACTION_COUNT), "?") == 0 &&
	          strcmp(engine_action_name((enum engine_action)-1), "?") == 0,
	          "engine_action_name out of range: \"?\"");
	CHECK_MSG(strcmp(engine_malformed_name(ENGINE_OK), "ok") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_BAD_IP_HEADER), "bad_ip_header") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_BAD_IP_LENGTH), "bad_ip_length") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_BAD_EXT_HEADERS), "bad_ext_headers") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_FRAGMENTED_TCP), "fragmented_tcp_header") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_BAD_TCP_HEADER), "bad_tcp_header") == 0 &&
	          strcmp(engine_malformed_name(ENGINE_BAD_OPTIONS), "bad_options") == 0,
	          "engine_malformed_name: ok bad_ip_header ... bad_options");
	CHECK_MSG(strcmp(engine_malformed_name(ENGINE_MALFORMED_COUNT), "?") == 0 &&
	          strcmp(engine_malformed_name((enum engine_malformed)99), "?") == 0,
	          "engine_malformed_name out of range: \"?\"");
	CHECK_MSG(strcmp(engine_note_name(ENGINE_NOTE_NONE), "none") == 0 &&
	          strcmp(engine_note_name(ENGINE_NOTE_NO_ROOM), "no_room") == 0 &&
	          strcmp(engine_note_name(ENGINE_NOTE_AUTHENTICATED), "authenticated") == 0 &&
	          strcmp(engine_note_name(ENGINE_NOTE_TCP_AO), "tcp_ao") == 0 &&
	          strcmp(engine_note_name(ENGINE_NOTE_TCP_MD5), "tcp_md5") == 0 &&
	          strcmp(engine_note_name(ENGINE_NOTE_EXCLUDED), "excluded") == 0,
	          "engine_note_name: none no_room authenticated tcp_ao tcp_md5 excluded");
	CHECK_MSG(strcmp(engine_note_name(ENGINE_NOTE_COUNT), "?") == 0 &&
	          strcmp(engine_note_name((enum engine_note)-7), "?") == 0,
	          "engine_note_name out of range: \"?\"");
}

/*
 * Random well-formed SYNs against a model of issue 2's rules, written from
 * the list the generator itself made: which MSS options come before any EOL,
 * whether there is data and room. Exact bytes, result and checksums.
 */
static void
test_random_model(unsigned rounds)
{
	static const uint16_t ceilings[] = { 536, 1220, 1400, 1432, 1452, 1460, 8960 };
	static const struct pkt_ext ext_pool[] = {
		{ .type = PKT_HOPOPTS }, { .type = PKT_DSTOPTS, .len = 1 }, { .type = PKT_ROUTING, .len = 2 },
		{ .type = PKT_FRAGMENT },
	};
	static const uint8_t ip_opts[8] = { NOP, NOP, NOP, 0x94, 0x04, 0, 0, EOL };
	uint8_t in[BUF], out[BUF], opts[44], opts_out[48], data[64];
	unsigned r, bad = 0, counts[ENGINE_ACTION_COUNT] = { 0 };

	for (r = 0; r < rounds; r++) {
		struct pkt_ext chain[3];
		struct pkt_ip ip = { .family = (rng() & 1) ? 4 : 6 };
		struct pkt_tcp tcp = { .flags = (rng() & 1) ? PKT_SYN : PKT_SYN | PKT_ACK, .seq = (uint32_t)rng() };
		struct engine_ceiling ceiling;
		size_t len = 0, mss_at[10], n_mss = 0, k, n, m, cap;
		uint16_t limit, before = 0, after = 0, deflt;
		bool eol = false, clamped = false, dry = rng() % 8 == 0;
		bool md5 = false, ao = false, excluded = rng() % 16 == 0;
		enum engine_action action;
		enum engine_note note = ENGINE_NOTE_NONE;

		limit = rng() % 2 ? ceilings[rng() % (sizeof(ceilings) / sizeof(ceilings[0]))]
				  : (uint16_t)(1 + rng() % 0xffff);
		ceiling.ipv4 = ip.family == 4 ? limit : (uint16_t)(1 + rng() % 0xffff);
		ceiling.ipv6 = ip.family == 6 ? limit : (uint16_t)(1 + rng() % 0xffff);
		if (ip.family == 4 && rng() % 4 == 0) {
			ip.ip_opts = ip_opts;
			ip.ip_opts_len = 4 * (1 + rng() % 2);
		}
		if (ip.family == 6) {
			ip.n_ext = rng() % 4;
			for (k = 0; k < ip.n_ext; k++)
				chain[k] = ext_pool[rng() % (sizeof(ext_pool) / sizeof(ext_pool[0]))];
			ip.ext = chain;
		}

		/* a clean option list, up to 40 bytes, maybe ended by EOL and junk */
		while (len < 40 && !eol && rng() % 6 != 0) {
			size_t room = 40 - len, i, l;
			uint16_t v;

			switch (rng() % 9) {
			case 0: case 1: case 2:
				if (room < 4)
					break;
				switch (rng() % 4) {
				case 0: v = limit; break;
				case 1: v = (uint16_t)(limit + 1); break;
				case 2: v = (uint16_t)(rng() % 3); break;
				default: v = (uint16_t)rng(); break;
				}
				mss_at[n_mss++] = len;
				opts[len++] = 2;
				opts[len++] = 4;
				opts[len++] = (uint8_t)(v >> 8);
				opts[len++] = (uint8_t)v;
				break;
			case 3:
				opts[len++] = NOP;
				break;
			case 4:
				if (room < 3)
					break;
				opts[len++] = 3;
				opts[len++] = 3;
				opts[len++] = (uint8_t)(rng() % 15);
				break;
			case 5:
				if (room < 10)
					break;
				opts[len++] = 8;
				opts[len++] = 10;
				for (i = 0; i < 8; i++)
					opts[len++] = (uint8_t)rng();
				break;
			case 6:
				/* kind 2 of a wrong length, another kind, or a signature (TCP-MD5, TCP-AO) */
				l = 2 + rng() % 7;
				if (l == 4 || room < l)
					break;
				switch (rng() % 8) {
				case 0: case 1: case 2: case 3: opts[len] = 2; break;
				case 4: opts[len] = 19; break;
				case 5: opts[len] = 29; break;
				default: opts[len] = (uint8_t)(3 + rng() % 253); break;
				}
				md5 |= opts[len] == 19;
				ao |= opts[len] == 29;
				len++;
				opts[len++] = (uint8_t)l;
				for (i = 2; i < l; i++)
					opts[len++] = (uint8_t)rng();
				break;
			case 7:
				opts[len++] = 4;
				if (len < 40)
					opts[len++] = 2;
				else
					opts[len - 1] = NOP;
				break;
			default:
				opts[len++] = EOL;
				eol = true;
				while (len < 40 && rng() % 3 != 0)
					opts[len++] = (uint8_t)rng();
				break;
			}
		}
		tcp.opts = opts;
		tcp.opts_len = len;
		if (rng() % 4 == 0) {
			tcp.data = data;
			tcp.data_len = 1 + rng() % sizeof(data);
			for (k = 0; k < tcp.data_len; k++)
				data[k] = (uint8_t)rng();
		}
		n = pkt_build(in, BUF, &ip, &tcp);
		cap = n + (rng() % 3 ? 4 + rng() % 3 : rng() % 4);

		/* the model */
		memcpy(opts_out, opts, len);
		for (k = 0; k < n_mss; k++) {
			uint16_t v = (uint16_t)(opts[mss_at[k] + 2] << 8 | opts[mss_at[k] + 3]);

			if (v != 0)
				before = v;
			if (v > limit && !ao && !excluded) {
				v = limit;
				clamped = true;
				put16(opts_out + mss_at[k] + 2, v);
			}
			if (v != 0)
				after = v;
		}
		action = clamped ? ENGINE_CLAMPED : ENGINE_UNCHANGED;
		m = n;
		deflt = ip.family == 4 ? 536 : 1220;
		if (ao)
			note = ENGINE_NOTE_TCP_AO;
		else if (excluded)
			note = ENGINE_NOTE_EXCLUDED;
		if (n_mss == 0 && (ao || excluded)) {
			/* left as it is */
		} else if (n_mss == 0 && md5) {
			note = ENGINE_NOTE_TCP_MD5;
		} else if (n_mss == 0) {
			if (tcp.data_len == 0 && (len + 3) / 4 * 4 <= 36 && cap >= n + 4) {
				action = ENGINE_INSERTED;
				after = limit < deflt ? limit : deflt;
				memmove(opts_out + 4, opts_out, len);
				put16(opts_out, 0x0204);
				put16(opts_out + 2, after);
				tcp.opts = opts_out;
				tcp.opts_len = len + 4;
				m = pkt_build(out, BUF, &ip, &tcp);
			} else {
				note = ENGINE_NOTE_NO_ROOM;
			}
		} else if (clamped) {
			tcp.opts = opts_out;
			m = pkt_build(out, BUF, &ip, &tcp);
		}
		counts[action]++;
		if (!judge("random SYN against the model", in, n, cap, ceiling,
			   (dry ? ENGINE_DRY_RUN : 0) | (excluded ? ENGINE_EXCLUDED : 0),
			   (struct want){ action, ENGINE_OK, note, ip.family,
					  !dry && action != ENGINE_UNCHANGED, before, after },
			   dry || action == ENGINE_UNCHANGED ? NULL : out, m, true) && bad++ < 3) {
			printf("     round %u, ceiling %u, option bytes:", r, limit);
			for (k = 0; k < len; k++)
				printf(" %02x", opts[k]);
			printf("\n");
		}
	}
	printf("     %u rounds: %u unchanged, %u clamped, %u inserted\n", rounds,
	       counts[ENGINE_UNCHANGED], counts[ENGINE_CLAMPED], counts[ENGINE_INSERTED]);
	CHECK_MSG(bad == 0, "random SYNs: bytes, result and checksums as the model says");
}

int
main(void)
{
	uint64_t seed = env_number("MSSCLAMPD_TEST_SEED", (uint64_t)time(NULL));
	unsigned rounds = (unsigned)env_number("MSSCLAMPD_TEST_ROUNDS", 20000);

	printf("seed %" PRIu64 " (MSSCLAMPD_TEST_SEED=%" PRIu64 " repeats this run)\n", seed, seed);
	rng_state = seed ? seed : 1;

	test_literal();
	test_clamp();
	test_multiple_and_odd();
	test_option_walk();
	test_skipped();
	test_ipv4_options_and_fragments();
	test_ipv6_chains();
	test_ah();
	test_signed();
	test_malformed_headers();
	test_insert();
	test_dry_run();
	test_wrong_checksum();
	test_negative_zero();
	test_names();
	test_random_model(rounds);

	return check_summary();
}
