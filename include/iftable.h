/*
 * A table keyed by ifindex: open addressing, so the packet path finds an
 * interface in O(1) whatever the ifindex (PPPoE reconnects push ifindexes
 * into the thousands). Entries are of one fixed size, given at init, and
 * begin with their uint32_t ifindex; what else they hold is the owner's
 * business (links.h, view.h). It allocates only when it grows.
 */
#ifndef MSSCLAMPD_IFTABLE_H
#define MSSCLAMPD_IFTABLE_H

#include <stddef.h>
#include <stdint.h>

struct iftable {
	unsigned char *buckets;
	size_t entry_size;              /* bytes per entry; the first 4 are its ifindex */
	size_t mask;                    /* bucket count - 1; a power of two */
	size_t count;
};

/* An empty table of entries of entry_size bytes (at least a uint32_t). 0 or -1 (ENOMEM). */
int iftable_init(struct iftable *table, size_t entry_size);
void iftable_free(struct iftable *table);

/* The entry for ifindex, or NULL. Never allocates. */
const void *iftable_find(const struct iftable *table, uint32_t ifindex);

/* Adds or replaces the entry with the ifindex entry begins with. 0 or -1 (ENOMEM, or ifindex 0: EINVAL; the table is unchanged). */
int iftable_put(struct iftable *table, const void *entry);

/* Removes ifindex if present. */
void iftable_del(struct iftable *table, uint32_t ifindex);

/* Visits every entry: for (i = 0; (e = iftable_next(t, &i)); ) */
const void *iftable_next(const struct iftable *table, size_t *iter);

#endif
