/*
 * Seeded randomness for randomized tests: xorshift64* (small, the same
 * everywhere) and a number from the environment, so a printed seed can be
 * replayed (MSSCLAMPD_TEST_SEED=...).
 */
#ifndef MSSCLAMPD_TEST_RNG_H
#define MSSCLAMPD_TEST_RNG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state;

static inline uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t
env_number(const char *name, uint64_t fallback)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return fallback;
	v = strtoull(s, &end, 0);
	if (*end != '\0') {
		fprintf(stderr, "%s: not a number: '%s'\n", name, s);
		exit(2);
	}
	return v;
}

#endif
