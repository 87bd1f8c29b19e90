/*
 * Unit tests for src/csum.c: exact values, the examples of RFC 1071 and
 * RFC 1624, and a seeded randomized comparison of the incremental update
 * against a full recomputation written independently here.
 *
 * MSSCLAMPD_TEST_SEED=n repeats a run; MSSCLAMPD_TEST_ROUNDS=n changes its length.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "be16.h"
#include "check.h"
#include "csum.h"
#include "rng.h"

/*
 * The reference: the checksum as arithmetic modulo 0xffff (RFC 1071 2.(1)),
 * computed without folding tricks. A nonzero sum congruent to 0 is 0xffff,
 * the ones'-complement "-0" that a real sum of nonzero words produces.
 */
static uint16_t
ref_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	if (sum == 0)
		return 0;
	return sum % 0xffff == 0 ? 0xffff : (uint16_t)(sum % 0xffff);
}

static uint16_t
ref_checksum(const uint8_t *p, size_t len)
{
	return (uint16_t)~ref_sum(p, len);
}

/* (a - b) mod 0xffff: how far a checksum is from the right one. */
static uint16_t
csum_error(uint16_t field, uint16_t right)
{
	return (uint16_t)(((uint32_t)field + 0xffff - right) % 0xffff);
}

static void
test_add(void)
{
	/* RFC 1071 3: the numerical example */
	static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* a real IPv4 header, checksum 0xb861 */
	static const uint8_t ipv4[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };
	static uint8_t ones[65536];
	uint8_t hdr[20];

	CHECK_EQ(csum_add(0, rfc1071, sizeof(rfc1071)), 0x2ddf0);
	CHECK_EQ(csum_fold(csum_add(0, rfc1071, sizeof(rfc1071))), 0xddf2);
	CHECK_EQ(csum_finish(csum_add(0, rfc1071, sizeof(rfc1071))), 0x220d);
	/* a running sum over an even split is the sum over the whole */
	CHECK_EQ(csum_add(csum_add(0, rfc1071, 2), rfc1071 + 2, 6), 0x2ddf0);
	CHECK_EQ(csum_add(0x1234, rfc1071, 0), 0x1234);

	memcpy(hdr, ipv4, sizeof(hdr));
	put16(hdr + 10, 0);
	CHECK_EQ(csum_finish(csum_add(0, hdr, sizeof(hdr))), 0xb861);
	CHECK_EQ(csum_fold(csum_add(0, ipv4, sizeof(ipv4))), 0xffff);

	/* RFC 1071 4.1: an odd last byte is the high byte of a zero-padded word */
	CHECK_EQ(csum_add(0, odd, 1), 0x0100);
	CHECK_EQ(csum_add(0, odd, 3), 0x0402);
	CHECK_EQ(csum_add(0, odd + 1, 2), 0x0203);
	CHECK_EQ(csum_finish(csum_add(0, odd, 3)), 0xfbfd);

	/* the 32-bit running sum never loses a carry */
	CHECK_EQ(csum_add(0xffffffff, (const uint8_t *)"\xff\xff", 2), 0xffff);
	CHECK_EQ(csum_fold(csum_add(0xfffffffe, (const uint8_t *)"\x00\x03", 2)), 0x0002);
	memset(ones, 0xff, sizeof(ones));
	CHECK_EQ(csum_add(0, ones, sizeof(ones)), 0x7fff8000);
	/* 0x90000000 + 0x7fff8000 overflows 32 bits: the carry must come back around */
	CHECK_EQ(csum_fold(csum_add(0x90000000, ones, sizeof(ones))), 0x9000);
	CHECK_EQ(csum_fold(csum_add(0, ones, sizeof(ones))), 0xffff);
}

static void
test_fold_finish(void)
{
	CHECK_EQ(csum_fold(0), 0x0000);
	CHECK_EQ(csum_fold(0xffff), 0xffff);
	CHECK_EQ(csum_fold(0x10000), 0x0001);
	CHECK_EQ(csum_fold(0x1fffe), 0xffff);
	CHECK_EQ(csum_fold(0x2ddf0), 0xddf2);
	CHECK_EQ(csum_fold(0xffffffff), 0xffff);
	CHECK_EQ(csum_fold(0xfffeffff), 0xfffe);
	CHECK_EQ(csum_fold(0xffff0000), 0xffff);
	CHECK_EQ(csum_fold(0x0001ffff), 0x0001);
	CHECK_EQ(csum_finish(0), 0xffff);
	CHECK_EQ(csum_finish(0xffff), 0x0000);
	CHECK_EQ(csum_finish(0x1fffe), 0x0000);
	CHECK_EQ(csum_finish(0x2ddf0), 0x220d);
}

static void
test_replace_examples(void)
{
	uint32_t hc;
	int bad = 0;

	/*
	 * RFC 1624 4: the other words sum to 0xcd7a, m = 0x5555 becomes
	 * 0x3285. HC = 0xdd2f; recomputation gives 0x0000; eqn. 2 would give
	 * 0xffff, eqn. 3 must give 0x0000.
	 */
	CHECK_EQ(csum_finish(0xcd7a + 0x5555), 0xdd2f);
	CHECK_EQ(csum_finish(0xcd7a + 0x3285), 0x0000);
	CHECK_EQ(csum_replace16(0xdd2f, 0x5555, 0x3285), 0x0000);
	/* and back */
	CHECK_EQ(csum_replace16(0x0000, 0x3285, 0x5555), 0xdd2f);

	/* the IPv4 header above with its TTL lowered: 0x4011 -> 0x3f11 */
	CHECK_EQ(csum_replace16(0xb861, 0x4011, 0x3f11), 0xb961);
	/* RFC 1624 3: an MSS clamp, 1460 -> 1452, exact */
	CHECK_EQ(csum_replace16(0x146e, 0x05b4, 0x05ac), 0x1476);

	/* no change leaves every checksum but -0 as it is */
	for (hc = 0; hc < 0xffff; hc++)
		if (csum_replace16((uint16_t)hc, (uint16_t)(hc * 7919), (uint16_t)(hc * 7919)) != hc)
			bad++;
	CHECK_MSG(bad == 0, "csum_replace16(hc, m, m) == hc for every hc != 0xffff");
	/* -0 on the way in comes out as +0: the same value to a receiver */
	CHECK_EQ(csum_replace16(0xffff, 0x1234, 0x1234), 0x0000);
}

/* Bytes a and b of a 16-bit value swapped: its share of the sum at an odd offset. */
static uint16_t
swap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

/* Random data of random length (odd ones too) with a valid checksum at an even offset. */
static size_t
random_packet(uint8_t *data, size_t *pos_check)
{
	size_t len = 8 + rng() % 57, i;

	for (i = 0; i < len; i++)
		data[i] = (uint8_t)rng();
	*pos_check = 2 * (rng() % ((len - 1) / 2));
	put16(data + *pos_check, 0);
	put16(data + *pos_check, ref_checksum(data, len));
	return len;
}

/* A 16-bit value to change to: often one of the values where carries go wrong. */
static uint16_t
random_value(uint16_t old)
{
	static const uint16_t edge[] = { 0x0000, 0xffff, 0x0001, 0xfffe, 0x8000, 0x7fff, 0x00ff, 0xff00 };

	switch (rng() % 4) {
	case 0:
		return edge[rng() % (sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return (uint16_t)~old;
	default:
		return (uint16_t)rng();
	}
}

/*
 * The -0/+0 corner (RFC 1624 3 and 5): a change after which recomputation
 * gives 0x0000. Built on purpose, since chance finds it once in 65536 tries.
 */
static void
test_replace_negative_zero(unsigned rounds)
{
	uint8_t data[64];
	unsigned r, bad = 0;

	for (r = 0; r < rounds; r++) {
		size_t pos_check, pos_m, len = random_packet(data, &pos_check);
		uint16_t check_before = get16(data + pos_check), m_old, m_new, got;

		pos_m = 2 * (rng() % ((len - 1) / 2));
		if (pos_m == pos_check)
			pos_m = pos_m >= 2 ? pos_m - 2 : pos_m + 2;
		m_old = get16(data + pos_m);

		/* the sum of every word but m and the checksum field, then the m that makes it 0xffff */
		put16(data + pos_check, 0);
		put16(data + pos_m, 0);
		m_new = (uint16_t)(0xffff - ref_sum(data, len));
		put16(data + pos_m, m_new);

		got = csum_replace16(check_before, m_old, m_new);
		if (ref_checksum(data, len) != 0x0000 || got != 0x0000) {
			if (bad++ < 5)
				printf("     recomputed 0x%04x, csum_replace16(0x%04x, 0x%04x, 0x%04x) = 0x%04x\n",
				       ref_checksum(data, len), check_before, m_old, m_new, got);
		}
	}
	CHECK_MSG(bad == 0,
	    "recomputation gives 0x0000 => csum_replace16 gives 0x0000, never 0xffff");
}

/*
 * On a valid checksum the update equals a full recomputation; on an invalid
 * one it keeps the error exactly. Aligned words, the zero-padded odd tail and
 * values straddling two words (an MSS after a NOP) alike.
 */
static void
test_replace_random(unsigned rounds)
{
	uint8_t data[64];
	unsigned r, bad_valid = 0, bad_invalid = 0, zeros = 0, straddled = 0, tails = 0;

	for (r = 0; r < rounds; r++) {
		size_t pos_check, pos, len = random_packet(data, &pos_check);
		uint16_t check_before = get16(data + pos_check), old, new, got, want;
		uint16_t bad_check, error, got_bad;
		unsigned kind = (unsigned)(rng() % 3);

		if (kind == 2 && !(len & 1))
			kind = 0;
		if (kind == 0) {
			pos = 2 * (rng() % ((len - 1) / 2));
			if (pos == pos_check)
				pos = pos >= 2 ? pos - 2 : pos + 2;
			old = get16(data + pos);
			new = random_value(old);
			put16(data + pos, new);
		} else if (kind == 1) {
			/* an odd offset whose two bytes miss the checksum field */
			pos = 1 + 2 * (rng() % ((len - 2) / 2));
			if (pos + 1 == pos_check || pos == pos_check + 1)
				pos = pos_check >= 4 ? pos_check - 3 : pos_check + 3;
			old = get16(data + pos);
			new = random_value(old);
			put16(data + pos, new);
			old = swap16(old);
			new = swap16(new);
			straddled++;
		} else {
			pos = len - 1;
			old = (uint16_t)(data[pos] << 8);
			data[pos] = (uint8_t)rng();
			new = (uint16_t)(data[pos] << 8);
			tails++;
		}
		got = csum_replace16(check_before, old, new);
		put16(data + pos_check, 0);
		want = ref_checksum(data, len);
		if (want == 0)
			zeros++;
		if (got != want && bad_valid++ < 5)
			printf("     len %zu kind %u: csum_replace16(0x%04x, 0x%04x, 0x%04x) = 0x%04x, recomputed 0x%04x\n",
			       len, kind, check_before, old, new, got, want);

		/* the same change on a checksum that was wrong by error */
		error = (uint16_t)(1 + rng() % 0xfffe);
		bad_check = (uint16_t)(((uint32_t)check_before + error) % 0xffff);
		if (bad_check == 0 && (rng() & 1))
			bad_check = 0xffff; /* the same value, as -0 */
		got_bad = csum_replace16(bad_check, old, new);
		if (csum_error(got_bad, want) != error && bad_invalid++ < 5)
			printf("     csum_replace16(0x%04x, 0x%04x, 0x%04x) = 0x%04x: error 0x%04x became 0x%04x\n",
			       bad_check, old, new, got_bad, error, csum_error(got_bad, want));
	}
	printf("     %u rounds: %u straddling an odd offset, %u odd tails, %u giving 0x0000\n",
	       rounds, straddled, tails, zeros);
	CHECK_MSG(bad_valid == 0, "valid checksum: csum_replace16 == full recomputation");
	CHECK_MSG(bad_invalid == 0, "invalid checksum: csum_replace16 keeps the same error");
}

int
main(void)
{
	uint64_t seed = env_number("MSSCLAMPD_TEST_SEED", (uint64_t)time(NULL));
	unsigned rounds = (unsigned)env_number("MSSCLAMPD_TEST_ROUNDS", 200000);

	printf("seed %" PRIu64 " (MSSCLAMPD_TEST_SEED=%" PRIu64 " repeats this run)\n", seed, seed);
	rng_state = seed ? seed : 1;

	test_add();
	test_fold_finish();
	test_replace_examples();
	test_replace_negative_zero(rounds / 4);
	test_replace_random(rounds);

	return check_summary();
}
