/* Big-endian 16-bit fields, for the tests' own packet code (never the engine's). */
#ifndef MSSCLAMPD_TEST_BE16_H
#define MSSCLAMPD_TEST_BE16_H

#include <stdint.h>

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
