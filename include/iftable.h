/*
 * Interfaces by ifindex: an open-addressing hash table, so the packet path
 * finds an interface in O(1) whatever the ifindex (PPPoE reconnects push
 * ifindexes into the thousands). It allocates only when it grows.
 */
#ifndef MSSCLAMPD_IFTABLE_H
#define MSSCLAMPD_IFTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "ceiling.h"
#include "conf.h"

struct iftable_entry {
	uint32_t ifindex;               /* 0: a free bucket */
	char name[CONF_IFNAMSIZ];
	char kind[CONF_IFNAMSIZ];       /* IFLA_INFO_KIND: "ppp", "wireguard", "veth"; "" if none */
	unsigned mtu;                   /* the kernel's live MTU */
	struct link_ceiling ceiling;    /* filled in by the view */
	uint16_t slot;                  /* stats slot, filled in by the view */
};

struct iftable {
	struct iftable_entry *buckets;
	size_t mask;                    /* bucket count - 1; a power of two */
	size_t count;
};

/* An empty table. 0 or -1 (ENOMEM). */
int iftable_init(struct iftable *table);
void iftable_free(struct iftable *table);

/* The entry for ifindex, or NULL. Never allocates. */
const struct iftable_entry *iftable_find(const struct iftable *table, uint32_t ifindex);

/* Adds or replaces the entry with entry->ifindex. 0 or -1 (ENOMEM; the table is unchanged). */
int iftable_put(struct iftable *table, const struct iftable_entry *entry);

/* Removes ifindex if present. */
void iftable_del(struct iftable *table, uint32_t ifindex);

/* Visits every entry: for (i = 0; (e = iftable_next(t, &i)); ) */
const struct iftable_entry *iftable_next(const struct iftable *table, size_t *iter);

#endif
