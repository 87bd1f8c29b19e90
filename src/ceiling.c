/*
 * The MSS arithmetic. A TCP segment must fit the effective MTU with its IP
 * header and a 20-byte TCP header (RFC 9293 3.7.1: the MSS counts neither
 * IP nor TCP options, so we leave them out as the kernel's TCPMSS does).
 */
#include "bounds.h"
#include "ceiling.h"
#include "conf.h"

static unsigned
sub_floor0(unsigned a, unsigned b)
{
	return a > b ? a - b : 0;
}

static unsigned
min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

void
ceiling_for_link(const struct conf_iface *iface, unsigned kernel_mtu,
		 struct link_ceiling *out)
{
	unsigned mtu, eff, ipv4, ipv6;

	mtu = iface != NULL && iface->mtu != 0 ? iface->mtu : kernel_mtu;
	eff = min_u(sub_floor0(mtu, iface != NULL ? iface->overhead : 0), BOUNDS_PACKET_MAX);
	ipv4 = sub_floor0(eff, BOUNDS_IPV4_TCP_HEADERS);
	ipv6 = sub_floor0(eff, BOUNDS_IPV6_TCP_HEADERS);
	if (iface != NULL && iface->mss != 0) {
		ipv4 = min_u(ipv4, iface->mss);
		ipv6 = min_u(ipv6, sub_floor0(iface->mss, BOUNDS_IPV6_MSS_DELTA));
	}

	/*
	 * Below these a peer that honours our MSS could not reach anything
	 * a standard host must accept; the kernel's PMTU machinery and
	 * fragmentation handle such links, not clamping.
	 */
	out->floored = false;
	if (ipv4 < BOUNDS_MSS_FLOOR_IPV4) {
		ipv4 = BOUNDS_MSS_FLOOR_IPV4;
		out->floored = true;
	}
	if (ipv6 < BOUNDS_MSS_FLOOR_IPV6) {
		ipv6 = BOUNDS_MSS_FLOOR_IPV6;
		out->floored = true;
	}
	out->effective_mtu = eff;
	out->mss.ipv4 = (uint16_t)min_u(ipv4, BOUNDS_PACKET_MAX);
	out->mss.ipv6 = (uint16_t)min_u(ipv6, BOUNDS_PACKET_MAX);
}
