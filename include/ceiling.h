/* The MSS arithmetic: MTU, overhead and caps to per-family ceilings. Pure. */
#ifndef MSSCLAMPD_CEILING_H
#define MSSCLAMPD_CEILING_H

#include <stdbool.h>

#include "engine.h"

struct conf_iface;

struct link_ceiling {
	unsigned effective_mtu;       /* (override or kernel MTU) - overhead */
	struct engine_ceiling mss;    /* after caps and floors */
	bool floored;                 /* the config pushed a family below its floor */
};

/*
 * The ceiling of one interface with kernel MTU kernel_mtu and section iface
 * (NULL: none, overhead 0). IPv4 MSS = MTU - 40, IPv6 = MTU - 60, never
 * below the floors in bounds.h (536 / 1220).
 */
void ceiling_for_link(const struct conf_iface *iface, unsigned kernel_mtu,
		      struct link_ceiling *out);

#endif
