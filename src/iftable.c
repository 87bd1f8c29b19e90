/*
 * A table keyed by ifindex: linear probing, at most half full, deletion by
 * backward shift (no tombstones, so lookups stay short however many
 * interfaces come and go).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iftable.h"

#define IFTABLE_MIN_BUCKETS 64

static unsigned char *
iftable_bucket(const struct iftable *table, size_t i)
{
	return table->buckets + i * table->entry_size;
}

/* An entry's key; memcpy, so entries need no particular alignment in callers' buffers. */
static uint32_t
iftable_key(const void *entry)
{
	uint32_t ifindex;

	memcpy(&ifindex, entry, sizeof(ifindex));
	return ifindex;
}

static size_t
iftable_home(const struct iftable *table, uint32_t ifindex)
{
	uint32_t h = ifindex * 2654435769u; /* Fibonacci hashing spreads consecutive ifindexes */

	return (size_t)(h ^ h >> 16) & table->mask;
}

static int
iftable_alloc(struct iftable *table, size_t entry_size, size_t buckets)
{
	table->buckets = calloc(buckets, entry_size);
	if (table->buckets == NULL)
		return -1;
	table->entry_size = entry_size;
	table->mask = buckets - 1;
	table->count = 0;
	return 0;
}

int
iftable_init(struct iftable *table, size_t entry_size)
{
	if (entry_size < sizeof(uint32_t)) {
		errno = EINVAL;
		return -1;
	}
	return iftable_alloc(table, entry_size, IFTABLE_MIN_BUCKETS);
}

void
iftable_free(struct iftable *table)
{
	free(table->buckets);
	table->buckets = NULL;
	table->mask = 0;
	table->count = 0;
}

/* The bucket holding ifindex, or the free one where it would go. */
static size_t
iftable_slot(const struct iftable *table, uint32_t ifindex)
{
	size_t i = iftable_home(table, ifindex);
	uint32_t key;

	while ((key = iftable_key(iftable_bucket(table, i))) != 0 && key != ifindex)
		i = (i + 1) & table->mask;
	return i;
}

const void *
iftable_find(const struct iftable *table, uint32_t ifindex)
{
	const unsigned char *e;

	if (ifindex == 0 || table->buckets == NULL)
		return NULL;
	e = iftable_bucket(table, iftable_slot(table, ifindex));
	return iftable_key(e) == ifindex ? e : NULL;
}

static int
iftable_grow(struct iftable *table)
{
	struct iftable bigger;
	size_t i;

	if (iftable_alloc(&bigger, table->entry_size, (table->mask + 1) * 2) == -1)
		return -1;
	for (i = 0; i <= table->mask; i++) {
		const unsigned char *e = iftable_bucket(table, i);
		uint32_t key = iftable_key(e);

		if (key != 0) {
			memcpy(iftable_bucket(&bigger, iftable_slot(&bigger, key)), e, table->entry_size);
			bigger.count++;
		}
	}
	free(table->buckets);
	*table = bigger;
	return 0;
}

int
iftable_put(struct iftable *table, const void *entry)
{
	uint32_t ifindex = iftable_key(entry);
	unsigned char *slot;

	if (ifindex == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((table->count + 1) * 2 > table->mask + 1 && iftable_grow(table) == -1)
		return -1;
	slot = iftable_bucket(table, iftable_slot(table, ifindex));
	if (iftable_key(slot) == 0)
		table->count++;
	memcpy(slot, entry, table->entry_size);
	return 0;
}

void
iftable_del(struct iftable *table, uint32_t ifindex)
{
	size_t hole, i, home;
	uint32_t key;

	if (ifindex == 0 || table->buckets == NULL)
		return;
	hole = iftable_slot(table, ifindex);
	if (iftable_key(iftable_bucket(table, hole)) == 0)
		return;
	table->count--;
	/* Knuth 6.4 algorithm R: pull back entries whose probe passed the hole */
	for (i = (hole + 1) & table->mask; (key = iftable_key(iftable_bucket(table, i))) != 0;
	     i = (i + 1) & table->mask) {
		home = iftable_home(table, key);
		if (((i - home) & table->mask) >= ((i - hole) & table->mask)) {
			memcpy(iftable_bucket(table, hole), iftable_bucket(table, i), table->entry_size);
			hole = i;
		}
	}
	memset(iftable_bucket(table, hole), 0, table->entry_size);
}

const void *
iftable_next(const struct iftable *table, size_t *iter)
{
	while (table->buckets != NULL && *iter <= table->mask) {
		const unsigned char *e = iftable_bucket(table, (*iter)++);

		if (iftable_key(e) != 0)
			return e;
	}
	return NULL;
}
