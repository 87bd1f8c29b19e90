/*
 * The status document: exact text and JSON for a known daemon (wan0 at
 * 1492 with overhead 8: 1444/1424), the variants of the firewall lines, a
 * name a terminal must not get raw, and buffers too small.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"
#include "status.h"

#define T0 1764000000 /* 2025-11-24T16:00:00Z */

static struct status_iface ifaces[] = {
	{ .name = "docker0", .ifindex = 3, .kind = "bridge", .mtu = 1500, .mtu6 = 1500,
	  .section = "docker*", .section_line = 12, .clamp = false },
	{ .name = "lan0", .ifindex = 2, .kind = "veth", .mtu = 1500, .mtu6 = 1500, .clamp = true,
	  .mss4 = 1460, .mss6 = 1440, .seen = 6, .unchanged = 6,
	  .mss_seen = { { { 1460, 1460, 4 } }, { { 1440, 1440, 2 } } }, .n_mss_seen = { 1, 1 } },
	{ .name = "ppp\x01x", .ifindex = 41, .kind = "ppp", .mtu = 1492, .section = "ppp*",
	  .section_line = 9, .mss_cap = 1400, .clamp = true, .mss4 = 1400, .mss6 = 1380 },
	{ .name = "wan0", .ifindex = 12, .kind = "veth", .mtu = 1492, .mtu6 = 1480, .section = "wan0",
	  .section_line = 4, .overhead = 8, .mss6_cap = 1400, .clamp = true, .mss4 = 1444,
	  .mss6 = 1400, .seen = 12345678901ull, .clamped = 12345678000ull, .unchanged = 800,
	  .inserted = 100, .malformed = 1,
	  .mss_seen = { { { 1460, 1460, 700 }, { 1461, 2999, 100 }, { 536, 536, 1 }, { 1400, 1400, 1 } },
			{ { 1440, 1440, 99 } } },
	  .n_mss_seen = { 4, 1 } },
	{ .name = "wg0", .ifindex = 7, .kind = "wireguard", .mtu = 1420, .mtu6 = 1420,
	  .mtu_override = 1400, .clamp = true },
};

static struct status
daemon_status(void)
{
	struct status st = {
		.version = "0.1.0",
		.uptime = 3723,
		.queue_first = 0,
		.queue_count = 1,
		.config = "/etc/mssclampd/mssclampd.conf",
		.firewall = "iptables",
		.flavour = "nf_tables",
		.rules = STATUS_RULES_IN_PLACE,
		.rules_since = T0,
		.healing = true,
		.rules_restored = 2,
		.last_restored = T0,
		.seen = 12345678907ull,
		.gaps = 0,
		.verdict_errors = 3,
		.bypassed_known = true,
		.bypassed = 4,
		.ifaces = ifaces,
		.n_ifaces = sizeof(ifaces) / sizeof(ifaces[0]),
	};

	return st;
}

static char buf[65536];

static void
expect_text(const struct status *st, const char *want, const char *what)
{
	int n = status_format_text(buf, sizeof(buf), st);

	if (!CHECK_MSG(n == (int)strlen(want) && strcmp(buf, want) == 0, "text: %s", what))
		printf("got:\n%s---\nwanted:\n%s---\n", buf, want);
}

static void
test_text(void)
{
	struct status st = daemon_status();

	expect_text(&st,
		"mssclampd 0.1.0: clamping on queue 0, up 1h02m03s\n"
		"config:    /etc/mssclampd/mssclampd.conf\n"
		"firewall:  iptables (nf_tables), rules in place since 2025-11-24T16:00:00Z\n"
		"healing:   on, rules_restored 2, last at 2025-11-24T16:00:00Z\n"
		"packets:   seen 12345678907, gaps 0, bypassed 4, verdict_errors 3\n"
		"\n"
		"interface  ifindex  kind        mtu  mtu6  overhead  mtu_override  mss4  mss6  section\n"
		"docker0          3  bridge     1500  1500         0             -   off   off  docker* (/etc/mssclampd/mssclampd.conf:12)\n"
		"lan0             2  veth       1500  1500         0             -  1460  1440  -\n"
		"ppp?x           41  ppp        1492     -         0             -  1400  1380  ppp* (/etc/mssclampd/mssclampd.conf:9)\n"
		"wan0            12  veth       1492  1480         8             -  1444  1400  wan0 (/etc/mssclampd/mssclampd.conf:4)\n"
		"wg0              7  wireguard  1420  1420         0          1400     -     -  -\n"
		"\n"
		"interface         seen      clamped  unchanged  inserted  malformed  mss seen (ipv4 / ipv6)\n"
		"docker0              0            0          0         0          0  -\n"
		"lan0                 6            0          6         0          0  1460:4 / 1440:2\n"
		"ppp?x                0            0          0         0          0  -\n"
		"wan0       12345678901  12345678000        800       100          1  1460:700 1461-2999:100 536:1 / 1440:99\n"
		"wg0                  0            0          0         0          0  -\n",
		"a known daemon, every kind of row");

	st.rules = STATUS_RULES_MISSING;
	st.rules_since = T0 + 60;
	st.repair_at = T0 + 64;
	st.last_restored = 0;
	st.rules_restored = 0;
	st.bypassed_known = false;
	st.observing = true;
	st.queue_first = 2;
	st.queue_count = 4;
	st.uptime = 59;
	st.config = "";
	st.n_ifaces = 0;
	expect_text(&st,
		"mssclampd 0.1.0: observing (nothing is changed) on queues 2-5, up 59s\n"
		"config:    the built-in default\n"
		"firewall:  iptables (nf_tables), rules MISSING since 2025-11-24T16:01:00Z; "
		"repair at 2025-11-24T16:01:04Z (backing off)\n"
		"healing:   on, rules_restored 0\n"
		"packets:   seen 12345678907, gaps 0, bypassed -, verdict_errors 3\n"
		"\n"
		"no interfaces\n",
		"rules missing, a repair waiting, observe mode, no interfaces");

	st.repair_at = 0;
	st.healing = false;
	st.firewall = "nftables";
	st.flavour = "";
	st.uptime = 2 * 86400 + 3 * 3600 + 4 * 60 + 5;
	expect_text(&st,
		"mssclampd 0.1.0: observing (nothing is changed) on queues 2-5, up 2d03h04m\n"
		"config:    the built-in default\n"
		"firewall:  nftables, rules MISSING since 2025-11-24T16:01:00Z\n"
		"healing:   off, rules_restored 0\n"
		"packets:   seen 12345678907, gaps 0, bypassed -, verdict_errors 3\n"
		"\n"
		"no interfaces\n",
		"nftables, healing off");

	st.firewall = "none";
	st.rules = STATUS_RULES_NONE;
	st.uptime = 61;
	st.queue_fanout = CONF_FANOUT_CPU;
	expect_text(&st,
		"mssclampd 0.1.0: observing (nothing is changed) on queues 2-5 by CPU, up 1m01s\n"
		"config:    the built-in default\n"
		"firewall:  none: the operator's rules, not checked\n"
		"packets:   seen 12345678907, gaps 0, bypassed -, verdict_errors 3\n"
		"\n"
		"no interfaces\n",
		"firewall = none, queues by CPU");
}

/* The most counted MSS bins: most first, ties to the lower MSS, at most STATUS_MSS_TOP. */
static void
test_top_mss(void)
{
	uint64_t bins[STATS_MSS_BINS] = { 0 };
	struct status_mss top[STATUS_MSS_TOP];
	unsigned n, i, mss;

	status_top_mss(bins, top, &n);
	CHECK_EQ(n, 0);

	bins[stats_mss_bin(1460)] = 5;
	bins[stats_mss_bin(1400)] = 7;
	bins[stats_mss_bin(536)] = 5;
	bins[stats_mss_bin(9000)] = 1;
	status_top_mss(bins, top, &n);
	CHECK_EQ(n, 4);
	CHECK(top[0].lo == 1400 && top[0].hi == 1400 && top[0].count == 7);
	CHECK(top[1].lo == 536 && top[1].count == 5);      /* a tie: the lower MSS first */
	CHECK(top[2].lo == 1460 && top[2].count == 5);
	CHECK(top[3].lo == 8900 && top[3].hi == 9000 && top[3].count == 1); /* the jumbo bin */

	/* more bins than there is room for: the most counted stay, the least go */
	for (mss = 1241, i = 10; mss <= 1252; mss++, i++)
		bins[stats_mss_bin((uint16_t)mss)] = i;      /* 10 .. 21 */
	status_top_mss(bins, top, &n);
	CHECK_EQ(n, STATUS_MSS_TOP);
	for (i = 0; i < STATUS_MSS_TOP; i++)
		CHECK(top[i].lo == 1252 - i && top[i].count == 21 - i);
}

static void
test_json(void)
{
	struct status st = daemon_status();
	const char *want =
		"{\"version\":\"0.1.0\",\"uptime\":3723,\"mode\":\"clamp\",\"queues\":{\"first\":0,\"count\":1,\"fanout\":\"flow\"},"
		"\"config\":\"/etc/mssclampd/mssclampd.conf\",\"firewall\":{\"backend\":\"iptables\","
		"\"flavour\":\"nf_tables\",\"rules\":\"in_place\",\"since\":\"2025-11-24T16:00:00Z\","
		"\"healing\":true,\"rules_restored\":2,\"last_restored\":\"2025-11-24T16:00:00Z\","
		"\"repair_at\":null},\"packets\":{\"seen\":12345678907,\"gaps\":0,\"bypassed\":4,"
		"\"verdict_errors\":3},\"interfaces\":["
		"{\"name\":\"docker0\",\"ifindex\":3,\"kind\":\"bridge\",\"mtu\":1500,\"mtu6\":1500,"
		"\"clamp\":false,\"section\":{\"pattern\":\"docker*\",\"file\":\"/etc/mssclampd/mssclampd.conf\","
		"\"line\":12},\"overhead\":0,\"mtu_override\":null,\"mss_cap\":null,\"mss6_cap\":null,"
		"\"mss4\":null,\"mss6\":null,\"seen\":0,\"clamped\":0,\"unchanged\":0,\"inserted\":0,"
		"\"malformed\":0,\"mss_seen\":{\"ipv4\":{},\"ipv6\":{}}},"
		"{\"name\":\"lan0\",\"ifindex\":2,\"kind\":\"veth\",\"mtu\":1500,\"mtu6\":1500,"
		"\"clamp\":true,\"section\":null,\"overhead\":0,\"mtu_override\":null,\"mss_cap\":null,"
		"\"mss6_cap\":null,\"mss4\":1460,\"mss6\":1440,\"seen\":6,\"clamped\":0,\"unchanged\":6,"
		"\"inserted\":0,\"malformed\":0,\"mss_seen\":{\"ipv4\":{\"1460\":4},\"ipv6\":{\"1440\":2}}},"
		"{\"name\":\"ppp\\u0001x\",\"ifindex\":41,\"kind\":\"ppp\",\"mtu\":1492,\"mtu6\":null,"
		"\"clamp\":true,\"section\":{\"pattern\":\"ppp*\",\"file\":\"/etc/mssclampd/mssclampd.conf\","
		"\"line\":9},\"overhead\":0,\"mtu_override\":null,\"mss_cap\":1400,\"mss6_cap\":null,"
		"\"mss4\":1400,\"mss6\":1380,\"seen\":0,\"clamped\":0,\"unchanged\":0,\"inserted\":0,"
		"\"malformed\":0,\"mss_seen\":{\"ipv4\":{},\"ipv6\":{}}},"
		"{\"name\":\"wan0\",\"ifindex\":12,\"kind\":\"veth\",\"mtu\":1492,\"mtu6\":1480,"
		"\"clamp\":true,\"section\":{\"pattern\":\"wan0\",\"file\":\"/etc/mssclampd/mssclampd.conf\","
		"\"line\":4},\"overhead\":8,\"mtu_override\":null,\"mss_cap\":null,\"mss6_cap\":1400,"
		"\"mss4\":1444,\"mss6\":1400,\"seen\":12345678901,\"clamped\":12345678000,\"unchanged\":800,"
		"\"inserted\":100,\"malformed\":1,\"mss_seen\":{\"ipv4\":{\"1460\":700,\"1461-2999\":100,"
		"\"536\":1,\"1400\":1},\"ipv6\":{\"1440\":99}}},"
		"{\"name\":\"wg0\",\"ifindex\":7,\"kind\":\"wireguard\",\"mtu\":1420,\"mtu6\":1420,"
		"\"clamp\":true,\"section\":null,\"overhead\":0,\"mtu_override\":1400,\"mss_cap\":null,"
		"\"mss6_cap\":null,\"mss4\":null,\"mss6\":null,\"seen\":0,\"clamped\":0,\"unchanged\":0,"
		"\"inserted\":0,\"malformed\":0,\"mss_seen\":{\"ipv4\":{},\"ipv6\":{}}}]}\n";
	int n = status_format_json(buf, sizeof(buf), &st);

	if (!CHECK_MSG(n == (int)strlen(want) && strcmp(buf, want) == 0, "JSON: a known daemon"))
		printf("got:\n%s\nwanted:\n%s\n", buf, want);

	st.rules = STATUS_RULES_NONE;
	st.firewall = "none";
	st.flavour = "";
	st.config = "";
	st.bypassed_known = false;
	st.observing = true;
	st.n_ifaces = 0;
	st.rules_since = st.last_restored = 0;
	n = status_format_json(buf, sizeof(buf), &st);
	CHECK_MSG(n > 0 && strstr(buf, "\"mode\":\"observe\"") != NULL &&
		  strstr(buf, "\"config\":null,\"firewall\":{\"backend\":\"none\",\"flavour\":null,"
			      "\"rules\":\"none\",\"since\":null,") != NULL &&
		  strstr(buf, "\"bypassed\":null,") != NULL &&
		  strstr(buf, "\"interfaces\":[]}\n") != NULL, "JSON: nulls where nothing is known");
}

/* Every size short of the whole: -1 and an empty string, never a write past size. */
static void
test_small(void)
{
	struct status st = daemon_status();
	int text = status_format_text(buf, sizeof(buf), &st);
	int json = status_format_json(buf, sizeof(buf), &st);
	unsigned wrong = 0;
	size_t size;
	char *small;

	CHECK(text > 0 && json > 0);
	for (size = 0; size <= (size_t)(text > json ? text : json); size++) {
		small = malloc(size ? size : 1);
		if (size <= (size_t)text && (status_format_text(small, size, &st) != -1 ||
					     (size > 0 && small[0] != '\0')))
			wrong++;
		if (size <= (size_t)json && (status_format_json(small, size, &st) != -1 ||
					     (size > 0 && small[0] != '\0')))
			wrong++;
		free(small);
	}
	CHECK_EQ(wrong, 0);
	small = malloc((size_t)text + 1);
	CHECK_EQ(status_format_text(small, (size_t)text + 1, &st), text);
	free(small);
}

int
main(void)
{
	test_text();
	test_json();
	test_top_mss();
	test_small();
	return check_summary();
}
