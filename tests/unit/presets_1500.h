/*
 * Every overhead preset on a 1500-byte Ethernet MTU, worked out by hand:
 * the effective MTU and the IPv4 and IPv6 MSS. Shared by the ceiling and
 * calc tests so the arithmetic is written down once.
 */
#ifndef MSSCLAMPD_TEST_PRESETS_1500_H
#define MSSCLAMPD_TEST_PRESETS_1500_H

static const struct {
	const char *name;
	unsigned eff, ipv4, ipv6;
} on_1500[] = {
	{ "pppoe", 1492, 1452, 1432 },
	{ "gre", 1476, 1436, 1416 },
	{ "ip6gre", 1456, 1416, 1396 },
	{ "ipip", 1480, 1440, 1420 },
	{ "sit", 1480, 1440, 1420 },
	{ "6in4", 1480, 1440, 1420 },
	{ "ip6tnl", 1460, 1420, 1400 },
	{ "4in6", 1460, 1420, 1400 },
	{ "dslite", 1460, 1420, 1400 },
	{ "esp", 1427, 1387, 1367 },
	{ "esp-gcm", 1443, 1403, 1383 },
	{ "esp6", 1407, 1367, 1347 },
	{ "esp-gcm6", 1423, 1383, 1363 },
	{ "natt", 1492, 1452, 1432 },
	{ "vxlan", 1450, 1410, 1390 },
	{ "vxlan6", 1430, 1390, 1370 },
	{ "wireguard", 1440, 1400, 1380 },
	{ "wireguard6", 1420, 1380, 1360 },
	{ "nvgre", 1458, 1418, 1398 },
	{ "otv", 1458, 1418, 1398 },
	{ "stt", 1446, 1406, 1386 },
	{ "lisp", 1464, 1424, 1404 },
	{ "lisp6", 1444, 1404, 1384 },
	{ "mpls", 1496, 1456, 1436 },
	{ "vlan", 1496, 1456, 1436 },
	{ "qinq", 1492, 1452, 1432 },
};

#endif
