/* The MSS arithmetic: MTU, overhead and caps to per-family ceilings. Pure. */
#ifndef MSSCLAMPD_CEILING_H
#define MSSCLAMPD_CEILING_H

#include <stdbool.h>

#include "conf.h"
#include "engine.h"

#define CEILING_MIN_IPV4 536   /* RFC 9293 3.7.1: the default MSS; never clamp below */
#define CEILING_MIN_IPV6 1220  /* RFC 8200 5: 1280 minimum link MTU - 60 */

struct link_ceiling {
	unsigned effective_mtu;       /* (override or kernel MTU) - overhead */
	struct engine_ceiling mss;    /* after caps and floors */
	bool floored;                 /* the config pushed a family below its floor */
};

/*
 * The ceiling of one interface with kernel MTU kernel_mtu and section iface
 * (NULL: none, overhead 0). IPv4 MSS = MTU - 40, IPv6 = MTU - 60.
 */
void ceiling_for_link(const struct conf_iface *iface, unsigned kernel_mtu,
		      struct link_ceiling *out);

#endif
