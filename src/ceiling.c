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

/*
 * Below these a peer that honours our MSS could not reach anything a
 * standard host must accept; the kernel's PMTU machinery and fragmentation
 * handle such links, not clamping.
 */
static uint16_t
floor_at(unsigned mss, unsigned floor, bool *floored)
{
	*floored = mss < floor;
	return (uint16_t)min_u(*floored ? floor : mss, BOUNDS_PACKET_MAX);
}

void
ceiling_for_link(const struct conf_iface *iface, unsigned kernel_mtu, unsigned kernel_mtu6,
		 struct link_ceiling *out)
{
	unsigned mtu, eff, eff6, ipv4, ipv6;

	mtu = iface != NULL && iface->mtu != 0 ? iface->mtu : kernel_mtu;
	eff = min_u(sub_floor0(mtu, iface != NULL ? iface->overhead : 0), BOUNDS_PACKET_MAX);
	/*
	 * The kernel sends no IPv6 packet larger than the interface's IPv6 MTU
	 * (ip6_mtu()), so it limits the packet itself; the overhead is the
	 * link's, already out of eff. The kernel keeps the IPv6 MTU equal to
	 * the link MTU until a router advertisement or sysctl lowers it: only
	 * then does it say anything of its own.
	 */
	eff6 = eff;
	if (kernel_mtu6 != 0 && kernel_mtu6 < kernel_mtu)
		eff6 = min_u(eff6, kernel_mtu6);
	ipv4 = sub_floor0(eff, BOUNDS_IPV4_TCP_HEADERS);
	ipv6 = sub_floor0(eff6, BOUNDS_IPV6_TCP_HEADERS);
	if (iface != NULL && iface->mss != 0)
		ipv4 = min_u(ipv4, iface->mss);
	if (iface != NULL && iface->mss6 != 0)
		ipv6 = min_u(ipv6, iface->mss6);
	else if (iface != NULL && iface->mss != 0)
		ipv6 = min_u(ipv6, sub_floor0(iface->mss, BOUNDS_IPV6_MSS_DELTA));

	out->effective_mtu = eff;
	out->effective_mtu6 = eff6;
	out->mss.ipv4 = floor_at(ipv4, BOUNDS_MSS_FLOOR_IPV4, &out->floored4);
	out->mss.ipv6 = floor_at(ipv6, BOUNDS_MSS_FLOOR_IPV6, &out->floored6);
}

struct engine_ceiling
ceiling_for_route(unsigned mtu)
{
	struct engine_ceiling c;
	bool floored;

	mtu = min_u(mtu, BOUNDS_PACKET_MAX);
	c.ipv4 = floor_at(sub_floor0(mtu, BOUNDS_IPV4_TCP_HEADERS), BOUNDS_MSS_FLOOR_IPV4, &floored);
	c.ipv6 = floor_at(sub_floor0(mtu, BOUNDS_IPV6_TCP_HEADERS), BOUNDS_MSS_FLOOR_IPV6, &floored);
	return c;
}
