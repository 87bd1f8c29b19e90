/* Unit test for ceiling.c: MTU, overhead and caps to per-family MSS ceilings. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ceiling.h"
#include "check.h"
#include "conf.h"
#include "presets.h"
#include "presets_1500.h"

#define F4 1 /* the IPv4 MSS was raised to its floor */
#define F6 2 /* the IPv6 one */

/* The ceiling of kernel_mtu (and the kernel's IPv6 MTU kernel_mtu6) under iface. */
static void
check_ceiling6(const char *what, const struct conf_iface *iface, unsigned kernel_mtu,
	       unsigned kernel_mtu6, unsigned eff, unsigned eff6, unsigned ipv4, unsigned ipv6,
	       int floored)
{
	struct link_ceiling c;
	int got;

	memset(&c, 0xa5, sizeof(c));
	ceiling_for_link(iface, kernel_mtu, kernel_mtu6, &c);
	got = (c.floored4 ? F4 : 0) | (c.floored6 ? F6 : 0);
	if (!CHECK_MSG(c.effective_mtu == eff && c.effective_mtu6 == eff6 && c.mss.ipv4 == ipv4 &&
	    c.mss.ipv6 == ipv6 && got == floored, "%s: mtu %u/%u ipv4 %u ipv6 %u%s%s", what, eff,
	    eff6, ipv4, ipv6, floored & F4 ? " ipv4 floored" : "", floored & F6 ? " ipv6 floored" : ""))
		printf("     got mtu %u/%u ipv4 %u ipv6 %u floored %d\n", c.effective_mtu,
		    c.effective_mtu6, c.mss.ipv4, c.mss.ipv6, got);
}

/* The same without an IPv6 MTU of its own: both families from one effective MTU. */
static void
check_ceiling(const char *what, const struct conf_iface *iface, unsigned kernel_mtu,
	      unsigned eff, unsigned ipv4, unsigned ipv6, int floored)
{
	check_ceiling6(what, iface, kernel_mtu, 0, eff, eff, ipv4, ipv6, floored);
}

static struct conf_iface
iface(unsigned overhead, unsigned mtu, unsigned mss)
{
	struct conf_iface i;

	memset(&i, 0, sizeof(i));
	strcpy(i.pattern, "test0");
	i.overhead = overhead;
	i.mtu = mtu;
	i.mss = mss;
	return i;
}


int
main(void)
{
	struct conf_iface i;
	const struct preset *p;
	char what[128];
	size_t k, n = 0;

	for (k = 0; k < sizeof(on_1500) / sizeof(on_1500[0]); k++) {
		p = presets_find(on_1500[k].name);
		if (p == NULL) {
			CHECK_MSG(0, "preset %s exists", on_1500[k].name);
			continue;
		}
		i = iface(p->bytes, 0, 0);
		snprintf(what, sizeof(what), "1500 - %s", p->name);
		check_ceiling(what, &i, 1500, on_1500[k].eff, on_1500[k].ipv4, on_1500[k].ipv6,
		    0);
	}
	for (p = presets; p->name != NULL; p++)
		n++;
	if (!CHECK_MSG(n == sizeof(on_1500) / sizeof(on_1500[0]),
	    "every preset is covered on MTU 1500 (%zu)", n))
		printf("     %zu presets, %zu rows\n", n, sizeof(on_1500) / sizeof(on_1500[0]));

	/* No section: the kernel's MTU as it is (xt_TCPMSS --clamp-mss-to-pmtu). */
	check_ceiling("no section, 1500", NULL, 1500, 1500, 1460, 1440, 0);
	check_ceiling("no section, ppp0 1492", NULL, 1492, 1492, 1452, 1432, 0);
	check_ceiling("no section, wg0 1420", NULL, 1420, 1420, 1380, 1360, 0);
	check_ceiling("no section, 9000", NULL, 9000, 9000, 8960, 8940, 0);
	check_ceiling("no section, 1280: IPv6 exactly at its floor", NULL, 1280, 1280, 1240,
	    1220, 0);
	check_ceiling("no section, 1279: IPv6 floored", NULL, 1279, 1279, 1239, 1220, F6);
	check_ceiling("no section, 576: IPv4 exactly at its floor", NULL, 576, 576, 536, 1220,
	    F6);
	check_ceiling("no section, 575: both floored", NULL, 575, 575, 536, 1220, F4 | F6);
	check_ceiling("no section, 0 (unknown MTU)", NULL, 0, 0, 536, 1220, F4 | F6);

	/* A section with nothing set behaves like no section. */
	i = iface(0, 0, 0);
	check_ceiling("empty section, 1500", &i, 1500, 1500, 1460, 1440, 0);

	/* The mtu override replaces the kernel's MTU, bigger or smaller. */
	i = iface(0, 1400, 0);
	check_ceiling("mtu 1400 on a 1500 link (IPsec 1400/1360/1340)", &i, 1500, 1400, 1360,
	    1340, 0);
	i = iface(0, 1500, 0);
	check_ceiling("mtu 1500 on a 9000 link", &i, 9000, 1500, 1460, 1440, 0);
	i = iface(73, 1500, 0);
	check_ceiling("mtu 1500 - esp on a 1492 link", &i, 1492, 1427, 1387, 1367, 0);

	/* Sums: PPPoE behind a modem with IPsec through it. */
	i = iface(8 + 73, 0, 0);
	check_ceiling("1500 - pppoe+esp", &i, 1500, 1419, 1379, 1359, 0);
	i = iface(73 + 8, 0, 0);
	check_ceiling("1500 - esp+natt", &i, 1500, 1419, 1379, 1359, 0);
	i = iface(60, 0, 0);
	check_ceiling("ppp0 1492 - wireguard", &i, 1492, 1432, 1392, 1372, 0);

	/* The mss cap: IPv4 to mss, IPv6 to mss - 20, never raising anything. */
	i = iface(0, 0, 1360);
	check_ceiling("mss 1360 on 1500", &i, 1500, 1500, 1360, 1340, 0);
	i = iface(0, 0, 1460);
	check_ceiling("mss 1460 on 1492: the MTU is lower", &i, 1492, 1492, 1452, 1432, 0);
	i = iface(0, 0, 1445);
	check_ceiling("mss 1445 on 1492: both families capped", &i, 1492, 1492, 1445,
	    1425, 0);
	i = iface(0, 0, 1440);
	check_ceiling("mss 1440 on 1492", &i, 1492, 1492, 1440, 1420, 0);
	i = iface(0, 0, 1240);
	check_ceiling("mss 1240: IPv6 at its floor", &i, 1500, 1500, 1240, 1220, 0);
	i = iface(0, 0, 1239);
	check_ceiling("mss 1239: IPv6 floored", &i, 1500, 1500, 1239, 1220, F6);
	i = iface(0, 0, 536);
	check_ceiling("mss 536: IPv4 at its floor, IPv6 floored", &i, 1500, 1500, 536, 1220,
	    F6);

	/* Overhead larger than the MTU: never below 0, floored. */
	i = iface(1000, 68, 0);
	check_ceiling("mtu 68 - 1000", &i, 1500, 0, 536, 1220, F4 | F6);
	i = iface(1000, 0, 0);
	check_ceiling("1000 - 1000", &i, 1000, 0, 536, 1220, F4 | F6);
	i = iface(500, 0, 0);
	check_ceiling("1000 - 500", &i, 1000, 500, 536, 1220, F4 | F6);
	i = iface(8, 0, 0);
	check_ceiling("1288 - 8: IPv6 exactly at its floor", &i, 1288, 1280, 1240, 1220, 0);
	i = iface(9, 0, 0);
	check_ceiling("1288 - 9: IPv6 floored", &i, 1288, 1279, 1239, 1220, F6);

	/* The top of the range: IP length fields are 16 bits. */
	check_ceiling("no section, 65535", NULL, 65535, 65535, 65495, 65475, 0);
	check_ceiling("no section, lo 65536", NULL, 65536, 65535, 65495, 65475, 0);
	check_ceiling("no section, UINT_MAX", NULL, UINT_MAX, 65535, 65495, 65475, 0);
	i = iface(0, 65535, 65495);
	check_ceiling("mtu 65535 mss 65495", &i, 1500, 65535, 65495, 65475, 0);
	i = iface(1000, 0, 0);
	check_ceiling("UINT_MAX - 1000", &i, UINT_MAX, 65535, 65495, 65475, 0);

	/* IPv6's own MTU: a router advertisement or sysctl set it below the link's. */
	check_ceiling6("wan0 1492, IPv6 MTU 1400 (RA)", NULL, 1492, 1400, 1492, 1400, 1452, 1340, 0);
	check_ceiling6("IPv6 MTU equal to the link's: a copy, nothing of its own", NULL, 1492, 1492,
	    1492, 1492, 1452, 1432, 0);
	check_ceiling6("IPv6 MTU above the link's (an event raced the change): the link's", NULL,
	    1400, 1500, 1400, 1400, 1360, 1340, 0);
	check_ceiling6("IPv6 MTU 1280: IPv6 exactly at its floor", NULL, 1500, 1280, 1500, 1280,
	    1460, 1220, 0);
	i = iface(8, 0, 0);
	/* the overhead is the link's: the IPv6 MTU limits the packet itself */
	check_ceiling6("1500 - pppoe, IPv6 MTU 1480: the lower of 1492 and 1480", &i, 1500, 1480,
	    1492, 1480, 1452, 1420, 0);
	check_ceiling6("1500 - pppoe, IPv6 MTU 1496: the link's 1492 is lower", &i, 1500, 1496,
	    1492, 1492, 1452, 1432, 0);
	i = iface(0, 9000, 0);
	check_ceiling6("mtu 9000 on a 1500 link whose IPv6 MTU is the link's: 9000 for both", &i,
	    1500, 1500, 9000, 9000, 8960, 8940, 0);
	check_ceiling6("mtu 9000 on a 1500 link with IPv6 MTU 1400: 1400 for IPv6", &i, 1500, 1400,
	    9000, 1400, 8960, 1340, 0);
	i = iface(0, 1300, 0);
	check_ceiling6("mtu 1300 below an IPv6 MTU of 1400: 1300", &i, 1500, 1400, 1300, 1300,
	    1260, 1240, 0);

	/* mss6: IPv6's own cap; mss then caps IPv4 alone. */
	i = iface(0, 0, 0);
	i.mss6 = 1300;
	check_ceiling("mss6 1300 on 1500", &i, 1500, 1500, 1460, 1300, 0);
	i = iface(0, 0, 1370);
	i.mss6 = 1300;
	check_ceiling("mss 1370, mss6 1300 (the mobile networks' pair)", &i, 1500, 1500, 1370,
	    1300, 0);
	i.mss6 = 1400;
	check_ceiling("mss 1370, mss6 1400: mss6 alone caps IPv6", &i, 1500, 1500, 1370, 1400, 0);
	i.mss6 = 1460;
	check_ceiling("mss6 above the MTU's: the MTU's", &i, 1492, 1492, 1370, 1432, 0);
	i = iface(0, 0, 0);
	i.mss6 = 1220;
	check_ceiling("mss6 1220: at the floor, not floored", &i, 1500, 1500, 1460, 1220, 0);
	i = iface(0, 0, 0);
	i.mss6 = 65475;
	check_ceiling("mss6 65475 on 65535", &i, 65535, 65535, 65495, 65475, 0);

	/* A route's MTU metric. */
	{
		struct engine_ceiling r = ceiling_for_route(1400);

		CHECK_MSG(r.ipv4 == 1360 && r.ipv6 == 1340, "route mtu 1400: 1360 / 1340 (got %u / %u)",
		    r.ipv4, r.ipv6);
		r = ceiling_for_route(1000);
		CHECK_MSG(r.ipv4 == 960 && r.ipv6 == 1220, "route mtu 1000: 960 / 1220 floored (got %u / %u)",
		    r.ipv4, r.ipv6);
		r = ceiling_for_route(100);
		CHECK_MSG(r.ipv4 == 536 && r.ipv6 == 1220, "route mtu 100: the floors (got %u / %u)",
		    r.ipv4, r.ipv6);
		r = ceiling_for_route(UINT_MAX);
		CHECK_MSG(r.ipv4 == 65495 && r.ipv6 == 65475, "route mtu UINT_MAX: the top (got %u / %u)",
		    r.ipv4, r.ipv6);
	}

	return check_summary();
}
