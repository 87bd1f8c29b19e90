/* The MSS arithmetic: MTUs, overhead and caps to per-family ceilings. Pure. */
#ifndef MSSCLAMPD_CEILING_H
#define MSSCLAMPD_CEILING_H

#include <stdbool.h>

#include "engine.h"

struct conf_iface;

struct link_ceiling {
	unsigned effective_mtu;       /* IPv4: (override or kernel MTU) - overhead */
	unsigned effective_mtu6;      /* IPv6: the same, or the kernel's IPv6 MTU where that is lower */
	struct engine_ceiling mss;    /* after caps and floors */
	bool floored4, floored6;      /* the family's MSS was raised to its floor */
};

/*
 * The ceiling of one interface with kernel MTU kernel_mtu, the kernel's IPv6
 * MTU for it kernel_mtu6 (0: unknown) and section iface (NULL: none,
 * overhead 0). The rule, per family:
 *   IPv4 MTU = (iface mtu, or kernel_mtu) - overhead
 *   IPv6 MTU = the same, lowered to kernel_mtu6 when 0 < kernel_mtu6 < kernel_mtu
 *              (a router advertisement or sysctl set it; equal, it only copies the link MTU)
 *   IPv4 MSS = IPv4 MTU - 40, capped by mss
 *   IPv6 MSS = IPv6 MTU - 60, capped by mss6, or without it by mss - 20
 * never below the floors in bounds.h (536 / 1220).
 */
void ceiling_for_link(const struct conf_iface *iface, unsigned kernel_mtu, unsigned kernel_mtu6,
		      struct link_ceiling *out);

/* The MSS a route's MTU metric allows: mtu - 40 (IPv4) or - 60 (IPv6), never below the floors. */
struct engine_ceiling ceiling_for_route(unsigned mtu);

#endif
