/* One network interface as the kernel describes it (links.c keeps a table of them). */
#ifndef MSSCLAMPD_LINK_H
#define MSSCLAMPD_LINK_H

#include <stdint.h>

#include "iftable.h"

#define LINK_NAMSIZ 16 /* IFNAMSIZ: 15 characters and the NUL */

struct link {
	uint32_t ifindex;               /* first: the key of an iftable of links */
	char name[LINK_NAMSIZ];
	char kind[LINK_NAMSIZ];         /* IFLA_INFO_KIND: "ppp", "wireguard", "veth"; "" if none */
	unsigned mtu;                   /* the kernel's live MTU */
	unsigned mtu6;                  /* its IPv6 MTU (DEVCONF_MTU6): a router advertisement or
					 * sysctl may set it below mtu; 0 without IPv6 on it */
};

/* An empty table of struct link. 0 or -1 (ENOMEM). */
static inline int
link_table_init(struct iftable *table)
{
	return iftable_init(table, sizeof(struct link));
}

/* The link with ifindex in a table of struct link, or NULL. */
static inline const struct link *
link_find(const struct iftable *table, uint32_t ifindex)
{
	return iftable_find(table, ifindex);
}

#endif
