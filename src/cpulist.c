/*
 * CPU sets as the kernel writes them (lib/bitmap.c's bitmap_parselist()
 * and bitmap_print_to_pagebuf(): "0-3,8"), and the queue a CPU's packets go
 * to under fanout by CPU (net/netfilter/xt_NFQUEUE.c: queuenum + cpu %
 * queues_total; nft_queue.c likewise).
 */
#include <stdio.h>
#include <string.h>

#include "cpulist.h"
#include "text.h"

#define CPULIST_WORDS (CPULIST_MAX / 64)

void
cpulist_clear(struct cpulist *set)
{
	memset(set, 0, sizeof(*set));
}

void
cpulist_add(struct cpulist *set, unsigned cpu)
{
	if (cpu < CPULIST_MAX)
		set->word[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

bool
cpulist_has(const struct cpulist *set, unsigned cpu)
{
	return cpu < CPULIST_MAX && (set->word[cpu / 64] >> (cpu % 64) & 1) != 0;
}

unsigned
cpulist_count(const struct cpulist *set)
{
	unsigned i, n = 0;

	for (i = 0; i < CPULIST_WORDS; i++)
		n += (unsigned)__builtin_popcountll(set->word[i]);
	return n;
}

int
cpulist_last(const struct cpulist *set)
{
	unsigned i;

	for (i = CPULIST_WORDS; i-- > 0;)
		if (set->word[i] != 0)
			return (int)(i * 64 + 63 - (unsigned)__builtin_clzll(set->word[i]));
	return -1;
}

bool
cpulist_equal(const struct cpulist *a, const struct cpulist *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* A CPU id at *p, up to end: digits only. 0 and *p past it, or -1. */
static int
cpulist_id(const char **p, const char *end, unsigned *id)
{
	const char *start = *p;
	uint64_t v;

	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	if (text_parse_decimal(start, (size_t)(*p - start), &v) != 0 || v >= CPULIST_MAX)
		return -1;
	*id = (unsigned)v;
	return 0;
}

int
cpulist_parse(const char *text, size_t len, struct cpulist *set)
{
	const char *p = text, *end = text + len;
	unsigned lo, hi, cpu;

	cpulist_clear(set);
	if (len > 0 && text[len - 1] == '\n')
		end--;
	if (p == end)
		return 0; /* the kernel's empty list: no CPU */
	for (;;) {
		if (cpulist_id(&p, end, &lo) == -1)
			goto bad;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			if (cpulist_id(&p, end, &hi) == -1 || hi < lo)
				goto bad;
		}
		for (cpu = lo; cpu <= hi; cpu++)
			cpulist_add(set, cpu);
		if (p == end)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	cpulist_clear(set);
	return -1;
}

const char *
cpulist_format(const struct cpulist *set, char *buf, size_t size)
{
	size_t len = 0;
	unsigned cpu = 0, last;
	int n;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	while (cpu < CPULIST_MAX) {
		if (!cpulist_has(set, cpu)) {
			cpu++;
			continue;
		}
		for (last = cpu; last + 1 < CPULIST_MAX && cpulist_has(set, last + 1); last++)
			;
		n = last == cpu ? snprintf(buf + len, size - len, "%s%u", len ? "," : "", cpu) :
				  snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", cpu, last);
		if (n < 0 || (size_t)n >= size - len) {
			/* cut after the last whole entry, or as near it as "..." fits */
			if (len > 0 && len + 5 <= size)
				memcpy(buf + len, ",...", 5);
			else if (size >= 4)
				memcpy(buf + (len + 4 <= size ? len : size - 4), "...", 4);
			else
				buf[len] = '\0';
			return buf;
		}
		len += (size_t)n;
		cpu = last + 1;
	}
	return buf;
}

void
cpulist_for_queue(const struct cpulist *present, const struct cpulist *allowed,
		  unsigned index, unsigned count, struct cpulist *out)
{
	unsigned cpu;

	cpulist_clear(out);
	if (count == 0)
		return;
	for (cpu = index; cpu < CPULIST_MAX; cpu += count)
		if (cpulist_has(present, cpu) && cpulist_has(allowed, cpu))
			cpulist_add(out, cpu);
}
