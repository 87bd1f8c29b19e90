/*
 * Unit test for lpm.c: longest-prefix match over IPv4 and IPv6 prefixes,
 * exact cases, then a seeded comparison against a brute-force model.
 * MSSCLAMPD_TEST_SEED=n repeats a run.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "lpm.h"
#include "rng.h"

static struct lpm_prefix
prefix(const char *addr, unsigned len, uint32_t tie, uint32_t value)
{
	struct lpm_prefix p;

	memset(&p, 0, sizeof(p));
	inet_pton(strchr(addr, ':') != NULL ? AF_INET6 : AF_INET, addr, p.addr);
	p.len = (uint8_t)len;
	p.tie = tie;
	p.value = value;
	return p;
}

/* The value of the first entry lpm_find() gives for addr, or -1; *count how many. */
static long
find(const struct lpm *lpm, const char *addr, unsigned max_len, size_t *count)
{
	uint8_t a[16] = { 0 };
	size_t first = 0;

	inet_pton(strchr(addr, ':') != NULL ? AF_INET6 : AF_INET, addr, a);
	*count = lpm_find(lpm, a, max_len, &first);
	return *count == 0 ? -1 : (long)lpm->p[first].value;
}

static void
test_exact(void)
{
	struct lpm_prefix v4[] = {
		prefix("10.0.0.0", 8, 0, 1),
		prefix("10.8.0.0", 16, 0, 2),
		prefix("10.8.5.0", 24, 0, 3),
		prefix("10.8.5.7", 32, 0, 4),
		prefix("0.0.0.0", 0, 0, 5),          /* the default route */
		prefix("10.9.0.0", 16, 200, 6),      /* the same prefix twice: tie order */
		prefix("10.9.0.0", 16, 100, 7),
		prefix("10.10.255.255", 16, 0, 8),   /* host bits set: cleared */
		prefix("192.0.2.0", 40, 0, 9),       /* a length past the address: cut to 32 */
	};
	struct lpm_prefix v6[] = {
		prefix("2001:db8::", 32, 0, 1),
		prefix("2001:db8:1::", 48, 0, 2),
		prefix("2001:db8:1::1", 128, 0, 3),
		prefix("2001:db8:1:8000::", 49, 0, 4),
	};
	struct lpm lpm;
	size_t n;
	uint8_t a[16];

	CHECK_EQ(lpm_build(&lpm, 4, v4, sizeof(v4) / sizeof(v4[0])), 0);
	CHECK_EQ(find(&lpm, "10.8.5.7", 32, &n), 4);
	CHECK_EQ(find(&lpm, "10.8.5.8", 32, &n), 3);
	CHECK_EQ(find(&lpm, "10.8.6.1", 32, &n), 2);
	CHECK_EQ(find(&lpm, "10.200.0.1", 32, &n), 1);
	CHECK_EQ(find(&lpm, "11.0.0.1", 32, &n), 5);
	CHECK_EQ(find(&lpm, "10.9.1.1", 32, &n), 7);         /* tie 100 before 200 */
	CHECK_EQ(n, 2);
	CHECK_EQ(find(&lpm, "10.10.0.1", 32, &n), 8);
	CHECK_EQ(find(&lpm, "192.0.2.0", 32, &n), 9);
	CHECK_EQ(find(&lpm, "192.0.2.1", 32, &n), 5);
	/* max_len: only prefixes at most that long */
	CHECK_EQ(find(&lpm, "10.8.5.7", 24, &n), 3);
	CHECK_EQ(find(&lpm, "10.8.5.7", 16, &n), 2);
	CHECK_EQ(find(&lpm, "10.8.5.7", 0, &n), 5);
	inet_pton(AF_INET, "10.8.5.0", a);
	CHECK(lpm_has(&lpm, a, 24) && !lpm_has(&lpm, a, 25) && !lpm_has(&lpm, a, 23));
	inet_pton(AF_INET, "10.8.5.9", a);
	CHECK(lpm_has(&lpm, a, 24)); /* the host bits of the question do not count */
	inet_pton(AF_INET, "10.10.0.0", a);
	CHECK(lpm_has(&lpm, a, 16));
	lpm_free(&lpm);
	CHECK_EQ(find(&lpm, "10.8.5.7", 32, &n), -1); /* freed: empty, finds nothing */

	CHECK_EQ(lpm_build(&lpm, 16, v6, sizeof(v6) / sizeof(v6[0])), 0);
	CHECK_EQ(find(&lpm, "2001:db8:1::1", 128, &n), 3);
	CHECK_EQ(find(&lpm, "2001:db8:1::2", 128, &n), 2);
	CHECK_EQ(find(&lpm, "2001:db8:1:8001::", 128, &n), 4);
	CHECK_EQ(find(&lpm, "2001:db8:2::", 128, &n), 1);
	CHECK_EQ(find(&lpm, "2001:db9::", 128, &n), -1);
	CHECK_EQ(find(&lpm, "2001:db8:1::1", 48, &n), 2);
	lpm_free(&lpm);

	lpm_init(&lpm, 4);
	CHECK_EQ(find(&lpm, "10.0.0.1", 32, &n), -1);
	CHECK_EQ(lpm_build(&lpm, 4, v4, 0), 0);
	CHECK_EQ(find(&lpm, "10.0.0.1", 32, &n), -1);
	CHECK_EQ(lpm_build(&lpm, 8, v4, 1), -1);
	lpm_free(&lpm);
}

/* Whether the first len bits of a and b agree. */
static bool
within(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned i;

	for (i = 0; i < len; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/*
 * Random prefixes drawn near each other (so they nest), random addresses
 * near them: the first entry found must be the one a scan picks, the
 * longest prefix holding the address, lowest tie first.
 */
static void
test_model(unsigned rounds)
{
	static struct lpm_prefix p[300];
	unsigned r, bad = 0, found = 0;

	for (r = 0; r < rounds; r++) {
		unsigned bytes = rng() & 1 ? 4 : 16, n = 1 + (unsigned)(rng() % 300), i, q;
		uint8_t base[16];
		struct lpm lpm;

		for (i = 0; i < 16; i++)
			base[i] = (uint8_t)rng();
		for (i = 0; i < n; i++) {
			memcpy(p[i].addr, base, sizeof(base));
			p[i].addr[rng() % bytes] ^= (uint8_t)(1u << (rng() % 8));
			if (bytes == 4)
				memset(p[i].addr + 4, 0, 12);
			p[i].len = (uint8_t)(rng() % (8 * bytes + 1));
			p[i].tie = (uint32_t)(rng() % 4);
			p[i].value = i;
		}
		if (lpm_build(&lpm, bytes, p, n) != 0) {
			bad++;
			continue;
		}
		for (q = 0; q < 200; q++) {
			uint8_t a[16] = { 0 };
			unsigned max_len = rng() % 2 ? 128 : (unsigned)(rng() % 129);
			size_t first = 0, count, want_count = 0;
			long best = -1;

			memcpy(a, base, bytes);
			a[rng() % bytes] ^= (uint8_t)(1u << (rng() % 8));
			for (i = 0; i < n; i++) {
				if (p[i].len > max_len || !within(p[i].addr, a, p[i].len))
					continue;
				if (best == -1 || p[i].len > p[best].len ||
				    (p[i].len == p[best].len && p[i].tie < p[best].tie))
					best = (long)i;
			}
			for (i = 0; best != -1 && i < n; i++)
				want_count += p[i].len == p[best].len &&
					      within(p[i].addr, p[best].addr, p[i].len);
			count = lpm_find(&lpm, a, max_len, &first);
			if (best == -1 ? count != 0 :
			    count != want_count || lpm.p[first].len != p[best].len ||
			    lpm.p[first].tie != p[best].tie) {
				if (bad++ < 3)
					printf("     round %u: want /%d tie %d (%zu of them), got %zu\n", r,
					       best == -1 ? -1 : p[best].len,
					       best == -1 ? -1 : (int)p[best].tie, want_count, count);
			}
			found += best != -1;
		}
		lpm_free(&lpm);
	}
	CHECK_MSG(bad == 0, "%u random tables, 200 lookups each (%u found a prefix): as a scan says",
		  rounds, found);
}

int
main(void)
{
	uint64_t seed = env_number("MSSCLAMPD_TEST_SEED", (uint64_t)time(NULL));

	printf("seed %" PRIu64 " (MSSCLAMPD_TEST_SEED=%" PRIu64 " repeats this run)\n", seed, seed);
	rng_state = seed ? seed : 1;
	test_exact();
	test_model((unsigned)env_number("MSSCLAMPD_TEST_ROUNDS", 300));
	return check_summary();
}
