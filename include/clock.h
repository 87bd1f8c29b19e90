/* Time for deadlines and timeouts: the monotonic clock, which no date change moves. */
#ifndef MSSCLAMPD_CLOCK_H
#define MSSCLAMPD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
static inline uint64_t
clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Milliseconds on CLOCK_MONOTONIC. */
static inline uint64_t
clock_ms(void)
{
	return clock_ns() / 1000000;
}

#endif
