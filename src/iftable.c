/*
 * Interfaces by ifindex: linear probing, at most half full, deletion by
 * backward shift (no tombstones, so lookups stay short however many
 * interfaces come and go).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iftable.h"

#define IFTABLE_MIN_BUCKETS 64

static size_t
iftable_home(const struct iftable *table, uint32_t ifindex)
{
	uint32_t h = ifindex * 2654435769u; /* Fibonacci hashing spreads consecutive ifindexes */

	return (size_t)(h ^ h >> 16) & table->mask;
}

static int
iftable_alloc(struct iftable *table, size_t buckets)
{
	table->buckets = calloc(buckets, sizeof(*table->buckets));
	if (table->buckets == NULL)
		return -1;
	table->mask = buckets - 1;
	table->count = 0;
	return 0;
}

int
iftable_init(struct iftable *table)
{
	return iftable_alloc(table, IFTABLE_MIN_BUCKETS);
}

void
iftable_free(struct iftable *table)
{
	free(table->buckets);
	table->buckets = NULL;
	table->mask = 0;
	table->count = 0;
}

static struct iftable_entry *
iftable_slot(const struct iftable *table, uint32_t ifindex)
{
	size_t i = iftable_home(table, ifindex);

	while (table->buckets[i].ifindex != 0 && table->buckets[i].ifindex != ifindex)
		i = (i + 1) & table->mask;
	return &table->buckets[i];
}

const struct iftable_entry *
iftable_find(const struct iftable *table, uint32_t ifindex)
{
	const struct iftable_entry *e;

	if (ifindex == 0 || table->buckets == NULL)
		return NULL;
	e = iftable_slot(table, ifindex);
	return e->ifindex == ifindex ? e : NULL;
}

static int
iftable_grow(struct iftable *table)
{
	struct iftable bigger;
	size_t i;

	if (iftable_alloc(&bigger, (table->mask + 1) * 2) == -1)
		return -1;
	for (i = 0; i <= table->mask; i++) {
		if (table->buckets[i].ifindex != 0) {
			*iftable_slot(&bigger, table->buckets[i].ifindex) = table->buckets[i];
			bigger.count++;
		}
	}
	free(table->buckets);
	*table = bigger;
	return 0;
}

int
iftable_put(struct iftable *table, const struct iftable_entry *entry)
{
	struct iftable_entry *slot;

	if (entry->ifindex == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((table->count + 1) * 2 > table->mask + 1 && iftable_grow(table) == -1)
		return -1;
	slot = iftable_slot(table, entry->ifindex);
	if (slot->ifindex == 0)
		table->count++;
	*slot = *entry;
	return 0;
}

void
iftable_del(struct iftable *table, uint32_t ifindex)
{
	size_t hole, i, home;

	if (ifindex == 0 || table->buckets == NULL)
		return;
	hole = (size_t)(iftable_slot(table, ifindex) - table->buckets);
	if (table->buckets[hole].ifindex == 0)
		return;
	table->count--;
	/* Knuth 6.4 algorithm R: pull back entries whose probe passed the hole */
	for (i = (hole + 1) & table->mask; table->buckets[i].ifindex != 0;
	     i = (i + 1) & table->mask) {
		home = iftable_home(table, table->buckets[i].ifindex);
		if (((i - home) & table->mask) >= ((i - hole) & table->mask)) {
			table->buckets[hole] = table->buckets[i];
			hole = i;
		}
	}
	memset(&table->buckets[hole], 0, sizeof(table->buckets[hole]));
}

const struct iftable_entry *
iftable_next(const struct iftable *table, size_t *iter)
{
	while (table->buckets != NULL && *iter <= table->mask) {
		const struct iftable_entry *e = &table->buckets[(*iter)++];

		if (e->ifindex != 0)
			return e;
	}
	return NULL;
}
