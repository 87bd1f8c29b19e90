/*
 * Sets of CPUs: the kernel's list format ("0-3,8", as in
 * /sys/devices/system/cpu/present and Cpus_allowed_list), and which CPUs
 * the worker of a queue belongs on when the kernel picks queues by CPU.
 * Pure: cpus.c asks the system.
 */
#ifndef MSSCLAMPD_CPULIST_H
#define MSSCLAMPD_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 1024u   /* CPU ids 0..1023: glibc's cpu_set_t (CPU_SETSIZE) */

struct cpulist {
	uint64_t word[CPULIST_MAX / 64];
};

void cpulist_clear(struct cpulist *set);
/* Adds cpu; an id of CPULIST_MAX or more is ignored. */
void cpulist_add(struct cpulist *set, unsigned cpu);
bool cpulist_has(const struct cpulist *set, unsigned cpu);
unsigned cpulist_count(const struct cpulist *set);
/* The highest CPU in set, or -1 if it is empty. */
int cpulist_last(const struct cpulist *set);
bool cpulist_equal(const struct cpulist *a, const struct cpulist *b);

/*
 * text[0..len) in the kernel's list format: ranges and single ids separated
 * by commas, a trailing newline allowed ("0-3,8\n"). 0, or -1 if it is not
 * such a list (or names a CPU of CPULIST_MAX or more), *set then empty.
 */
int cpulist_parse(const char *text, size_t len, struct cpulist *set);

/*
 * set in the same format into buf of size bytes ("" if empty); a list that
 * does not fit ends in "...". Returns buf.
 */
const char *cpulist_format(const struct cpulist *set, char *buf, size_t size);

/*
 * With the kernel picking queue first + cpu % count for a packet that
 * arrives on cpu (NFQUEUE --queue-cpu-fanout, nft queue ... fanout), the
 * CPUs among present whose packets reach the queue of index (0 .. count-1),
 * less those not in allowed (where this process may not run). Empty when
 * none is left: that worker then runs wherever the process may.
 */
void cpulist_for_queue(const struct cpulist *present, const struct cpulist *allowed,
		       unsigned index, unsigned count, struct cpulist *out);

#endif
