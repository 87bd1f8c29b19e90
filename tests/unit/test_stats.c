/*
 * The stats formatters: exact lines for logfmt and JSON, a whole Prometheus
 * exposition byte for byte, escaping of odd interface names, and every
 * buffer size from 0 up to the exact fit, with a canary behind the buffer.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "engine.h"
#include "stats.h"

static void
check_u64(uint64_t got, uint64_t want, const char *what)
{
	if (got != want)
		printf("  %s: got %llu, want %llu\n", what, (unsigned long long)got,
		       (unsigned long long)want);
	CHECK_MSG(got == want, "%s", what);
}

static void
check_str(int ret, const char *got, const char *want, const char *what)
{
	int ok = ret == (int)strlen(want) && strcmp(got, want) == 0;

	if (!ok)
		printf("  %s:\n  got  (%d) [%s]\n  want (%zu) [%s]\n", what, ret, got,
		       strlen(want), want);
	CHECK_MSG(ok, "%s", what);
}

/* 2026-11-21T10:00:00Z */
#define T_EXAMPLE ((time_t)1795255200)

static struct stats_counters ppp0_counters = {
	.packets = {
		[STATS_IPV4] = {
			[ENGINE_SKIPPED] = 1, [ENGINE_UNCHANGED] = 2, [ENGINE_CLAMPED] = 7,
			[ENGINE_INSERTED] = 3, [ENGINE_MALFORMED] = 1,
		},
		[STATS_IPV6] = {
			[ENGINE_SKIPPED] = 0, [ENGINE_UNCHANGED] = 1, [ENGINE_CLAMPED] = 3,
			[ENGINE_INSERTED] = 0, [ENGINE_MALFORMED] = 0,
		},
	},
};
/* ppp0's SYNs arrived with: IPv4 1460 x5, 1452 x2, 536, a jumbo 8960; IPv6 1440 x3, 1 */
static struct stats_mss ppp0_mss;
static struct stats_counters eth0_counters; /* all zero */
static struct stats_counters all_counters;  /* filled by stats_add() */
static struct stats_extra all_extra = {
	.malformed = { [ENGINE_BAD_OPTIONS] = 1, [ENGINE_BAD_IP_HEADER] = 4 },
	.notes = { [ENGINE_NOTE_TCP_AO] = 2, [ENGINE_NOTE_TCP_MD5] = 1, [ENGINE_NOTE_NONE] = 9 },
	.queue_gaps = 5,
	.verdict_errors = 2,
	.uptime_seconds = 3600,
};

static struct stats_line lines[3];

static void
setup(void)
{
	memset(&all_counters, 0, sizeof(all_counters));
	stats_add(&all_counters, &ppp0_counters);
	stats_add(&all_counters, &eth0_counters);
	memset(&ppp0_mss, 0, sizeof(ppp0_mss));
	ppp0_mss.bins[STATS_IPV4][stats_mss_bin(1460)] = 5;
	ppp0_mss.bins[STATS_IPV4][stats_mss_bin(1452)] = 2;
	ppp0_mss.bins[STATS_IPV4][stats_mss_bin(536)] = 1;
	ppp0_mss.bins[STATS_IPV4][stats_mss_bin(8960)] = 1;
	ppp0_mss.bins[STATS_IPV6][stats_mss_bin(1440)] = 3;
	ppp0_mss.bins[STATS_IPV6][stats_mss_bin(1)] = 1;
	lines[0] = (struct stats_line){ "ppp0", &ppp0_counters, { 1452, 1432 }, NULL, &ppp0_mss };
	lines[1] = (struct stats_line){ "eth0", &eth0_counters, { 1460, 0 }, NULL, NULL };
	lines[2] = (struct stats_line){ "all", &all_counters, { 0, 0 }, &all_extra, NULL };
}

static void
test_add_total(void)
{
	struct stats_counters sum = { 0 };

	printf("stats_add and stats_total\n");
	check_u64(stats_total(&ppp0_counters, ENGINE_ACTION_COUNT), 18, "seen = all actions, both families");
	check_u64(stats_total(&ppp0_counters, ENGINE_CLAMPED), 10, "clamped 7 + 3");
	check_u64(stats_total(&ppp0_counters, ENGINE_SKIPPED), 1, "skipped 1 + 0");
	check_u64(stats_total(&ppp0_counters, (enum engine_action)(ENGINE_ACTION_COUNT + 1)), 0,
		  "an action out of range counts nothing");
	stats_add(&sum, &ppp0_counters);
	stats_add(&sum, &ppp0_counters);
	check_u64(sum.packets[STATS_IPV4][ENGINE_CLAMPED], 14, "add twice: ipv4 clamped 14");
	check_u64(sum.packets[STATS_IPV6][ENGINE_UNCHANGED], 2, "add twice: ipv6 unchanged 2");
	check_u64(stats_total(&sum, ENGINE_ACTION_COUNT), 36, "add twice: seen 36");
	sum.packets[STATS_IPV6][ENGINE_INSERTED] = UINT64_MAX - 1;
	stats_add(&sum, &eth0_counters);
	check_u64(sum.packets[STATS_IPV6][ENGINE_INSERTED], UINT64_MAX - 1, "adding zeros changes nothing");
}

static const char logfmt_ppp0[] =
	"2026-11-21T10:00:00Z iface=ppp0 seen=18 clamped=10 unchanged=3 inserted=3 "
	"malformed=1 skipped=1 ipv4=14 ipv6=4 mss4=1452 mss6=1432\n";
static const char logfmt_eth0[] =
	"2026-11-21T10:00:00Z iface=eth0 seen=0 clamped=0 unchanged=0 inserted=0 "
	"malformed=0 skipped=0 ipv4=0 ipv6=0 mss4=1460\n";
static const char logfmt_all[] =
	"2026-11-21T10:00:00Z iface=all seen=18 clamped=10 unchanged=3 inserted=3 "
	"malformed=1 skipped=1 ipv4=14 ipv6=4 gaps=5 verdict_errors=2 uptime=3600\n";

static void
test_logfmt(void)
{
	char buf[1024];
	struct stats_line line = lines[1];

	printf("logfmt lines\n");
	check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &lines[0]), buf, logfmt_ppp0,
		  "logfmt ppp0: both ceilings");
	check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &lines[1]), buf, logfmt_eth0,
		  "logfmt eth0: zero counters, mss6 unknown so left out");
	check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &lines[2]), buf, logfmt_all,
		  "logfmt all: daemon-wide fields, no ceilings");
	{
		struct stats_extra observing = all_extra;
		struct stats_line all = lines[2];
		char big[4096];

		observing.bypassed_known = true;
		observing.bypassed = 12;
		observing.observing = true;
		all.extra = &observing;
		check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &all), buf,
			  "2026-11-21T10:00:00Z iface=all seen=18 clamped=10 unchanged=3 inserted=3 "
			  "malformed=1 skipped=1 ipv4=14 ipv6=4 gaps=5 bypassed=12 verdict_errors=2 "
			  "uptime=3600 mode=observe\n",
			  "logfmt all: bypassed when the rules are ours, mode=observe when observing");
		CHECK_MSG(stats_format_json(buf, sizeof(buf), T_EXAMPLE, &all) > 0 &&
		          strstr(buf, ",\"bypassed\":12,") != NULL &&
		          strstr(buf, ",\"mode\":\"observe\"") != NULL,
		          "JSON all: bypassed and mode");

		/* the daemon's own rules: how often it put them back, after bypassed in each form */
		observing.observing = false;
		observing.rules_ours = true;
		observing.rules_restored = 3;
		CHECK_MSG(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &all) > 0 &&
		          strstr(buf, " bypassed=12 rules_restored=3 verdict_errors=2 uptime=3600\n") &&
		          stats_format_json(big, sizeof(big), T_EXAMPLE, &all) > 0 &&
		          strstr(big, ",\"bypassed\":12,\"rules_restored\":3,") != NULL,
		          "logfmt and JSON all: rules_restored after bypassed");
		CHECK_MSG(stats_format_prometheus(big, sizeof(big), &all, 1) > 0 &&
		          strstr(big, "# HELP mssclampd_rules_restored_total Times the daemon put back "
				      "rules something had removed.\n"
				      "# TYPE mssclampd_rules_restored_total counter\n"
				      "mssclampd_rules_restored_total 3\n") != NULL,
		          "Prometheus: mssclampd_rules_restored_total");
		observing.rules_ours = false;
		CHECK_MSG(stats_format_prometheus(big, sizeof(big), &all, 1) > 0 &&
		          strstr(big, "rules_restored") == NULL,
		          "Prometheus: no rules_restored for the operator's rules");
	}

	{
		char quoted[64];

		check_str(stats_format_json_string(quoted, sizeof(quoted), "a\"b\x01\xff"), quoted,
			  "\"a\\\"b\\u0001\\ufffd\"", "a JSON string on its own, as the lines escape it");
		CHECK_EQ(stats_format_json_string(quoted, 4, "abc"), -1);
	}

	line.ceiling = (struct engine_ceiling){ 0, 1220 };
	check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &line), buf,
		  "2026-11-21T10:00:00Z iface=eth0 seen=0 clamped=0 unchanged=0 inserted=0 "
		  "malformed=0 skipped=0 ipv4=0 ipv6=0 mss6=1220\n",
		  "logfmt: mss6 alone when only it is known");

	line.counters = &(struct stats_counters){
		.packets = { [STATS_IPV4] = { [ENGINE_CLAMPED] = UINT64_MAX } },
	};
	line.ceiling = (struct engine_ceiling){ 65535, 0 };
	check_str(stats_format_logfmt(buf, sizeof(buf), T_EXAMPLE, &line), buf,
		  "2026-11-21T10:00:00Z iface=eth0 seen=18446744073709551615 "
		  "clamped=18446744073709551615 unchanged=0 inserted=0 malformed=0 skipped=0 "
		  "ipv4=18446744073709551615 ipv6=0 mss4=65535\n",
		  "logfmt: largest counter and ceiling");
}

static void
check_timestamp(time_t t, const char *want, const char *what)
{
	char buf[256], expect[256];
	struct stats_line line = lines[1];

	line.ceiling = (struct engine_ceiling){ 0, 0 };
	snprintf(expect, sizeof(expect), "%s iface=eth0 seen=0 clamped=0 unchanged=0 inserted=0 "
		 "malformed=0 skipped=0 ipv4=0 ipv6=0\n", want);
	check_str(stats_format_logfmt(buf, sizeof(buf), t, &line), buf, expect, what);
}

static void
test_timestamps(void)
{
	printf("RFC 3339 timestamps\n");
	check_timestamp(0, "1970-01-01T00:00:00Z", "the epoch");
	check_timestamp(-1, "1969-12-31T23:59:59Z", "one second before the epoch");
	check_timestamp(1709251199, "2024-02-29T23:59:59Z", "a leap day");
	check_timestamp(253402300799, "9999-12-31T23:59:59Z", "the last four-digit year");
	check_timestamp(253402300800, "1970-01-01T00:00:00Z", "a five-digit year falls back to the epoch");
	check_timestamp((time_t)INT64_MAX, "1970-01-01T00:00:00Z", "gmtime_r() overflow falls back to the epoch");
}

static void
check_name(const char *name, const char *want_logfmt, const char *want_json,
	   const char *want_prom, const char *what)
{
	struct stats_counters zero = { 0 };
	struct stats_line line = { name, &zero, { 1452, 0 }, NULL, NULL };
	char buf[4096], expect[1024], label[256];
	int ret;

	snprintf(label, sizeof(label), "%s: logfmt", what);
	snprintf(expect, sizeof(expect), "1970-01-01T00:00:00Z iface=%s seen=0 clamped=0 "
		 "unchanged=0 inserted=0 malformed=0 skipped=0 ipv4=0 ipv6=0 mss4=1452\n",
		 want_logfmt);
	check_str(stats_format_logfmt(buf, sizeof(buf), 0, &line), buf, expect, label);

	snprintf(label, sizeof(label), "%s: JSON", what);
	ret = stats_format_json(buf, sizeof(buf), 0, &line);
	snprintf(expect, sizeof(expect), "{\"ts\":\"1970-01-01T00:00:00Z\",\"iface\":%s,", want_json);
	CHECK_MSG(ret > 0 && strncmp(buf, expect, strlen(expect)) == 0, "%s", label);
	if (ret <= 0 || strncmp(buf, expect, strlen(expect)) != 0)
		printf("  got  [%s]\n  want [%s...]\n", buf, expect);

	snprintf(label, sizeof(label), "%s: Prometheus", what);
	ret = stats_format_prometheus(buf, sizeof(buf), &line, 1);
	snprintf(expect, sizeof(expect), "\nmssclampd_mss_ceiling{iface=%s,family=\"ipv4\"} 1452\n",
		 want_prom);
	CHECK_MSG(ret > 0 && strstr(buf, expect) != NULL, "%s", label);
	if (ret <= 0 || strstr(buf, expect) == NULL)
		printf("  got  [%s]\n  want [...%s]\n", buf, expect);
}

static void
test_names(void)
{
	printf("interface names that need quoting or escaping\n");
	check_name("ppp0", "ppp0", "\"ppp0\"", "\"ppp0\"", "a plain name");
	check_name("a b", "\"a b\"", "\"a b\"", "\"a b\"", "a space");
	check_name("x=y", "\"x=y\"", "\"x=y\"", "\"x=y\"", "an equals sign");
	check_name("q\"1", "\"q\\\"1\"", "\"q\\\"1\"", "\"q\\\"1\"", "a double quote");
	check_name("b\\s", "b\\s", "\"b\\\\s\"", "\"b\\\\s\"", "a lone backslash stays bare in logfmt");
	check_name("b\\ s", "\"b\\\\ s\"", "\"b\\\\ s\"", "\"b\\\\ s\"", "a backslash inside quotes");
	check_name("", "\"\"", "\"\"", "\"\"", "an empty name");
	check_name("t\tn\nr\r", "\"t\\tn\\nr\\r\"", "\"t\\tn\\nr\\r\"", "\"t\tn\\nr\r\"",
		   "tab, newline, carriage return");
	check_name("c\x01\x7f", "\"c\\u0001\\u007f\"", "\"c\\u0001\\u007f\"", "\"c\x01\x7f\"",
		   "other control characters");
	check_name("caf\xc3\xa9", "caf\xc3\xa9", "\"caf\xc3\xa9\"", "\"caf\xc3\xa9\"",
		   "valid UTF-8 passes through");
	check_name("x\xff\xc3", "\"x\\ufffd\\ufffd\"", "\"x\\ufffd\\ufffd\"",
		   "\"x\xef\xbf\xbd\xef\xbf\xbd\"", "invalid UTF-8 becomes U+FFFD");
	check_name("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "\"\\ufffd\\ufffd\\ufffd\"",
		   "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "a UTF-16 surrogate is invalid UTF-8");
	check_name("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"",
		   "\"\xf0\x9f\x98\x80\"", "a four-byte sequence passes through");
}

static const char json_ppp0[] =
	"{\"ts\":\"2026-11-21T10:00:00Z\",\"iface\":\"ppp0\",\"seen\":18,\"clamped\":10,"
	"\"unchanged\":3,\"inserted\":3,\"malformed\":1,\"skipped\":1,"
	"\"ipv4\":{\"seen\":14,\"clamped\":7,\"unchanged\":2,\"inserted\":3,\"malformed\":1,\"skipped\":1,"
	"\"mss\":{\"536\":1,\"1452\":2,\"1460\":5,\"8900-9000\":1}},"
	"\"ipv6\":{\"seen\":4,\"clamped\":3,\"unchanged\":1,\"inserted\":0,\"malformed\":0,\"skipped\":0,"
	"\"mss\":{\"1-535\":1,\"1440\":3}},"
	"\"mss4\":1452,\"mss6\":1432}\n";
static const char json_eth0[] =
	"{\"ts\":\"2026-11-21T10:00:00Z\",\"iface\":\"eth0\",\"seen\":0,\"clamped\":0,"
	"\"unchanged\":0,\"inserted\":0,\"malformed\":0,\"skipped\":0,"
	"\"ipv4\":{\"seen\":0,\"clamped\":0,\"unchanged\":0,\"inserted\":0,\"malformed\":0,\"skipped\":0},"
	"\"ipv6\":{\"seen\":0,\"clamped\":0,\"unchanged\":0,\"inserted\":0,\"malformed\":0,\"skipped\":0},"
	"\"mss4\":1460}\n";
static const char json_all[] =
	"{\"ts\":\"2026-11-21T10:00:00Z\",\"iface\":\"all\",\"seen\":18,\"clamped\":10,"
	"\"unchanged\":3,\"inserted\":3,\"malformed\":1,\"skipped\":1,"
	"\"ipv4\":{\"seen\":14,\"clamped\":7,\"unchanged\":2,\"inserted\":3,\"malformed\":1,\"skipped\":1},"
	"\"ipv6\":{\"seen\":4,\"clamped\":3,\"unchanged\":1,\"inserted\":0,\"malformed\":0,\"skipped\":0},"
	"\"gaps\":5,\"verdict_errors\":2,\"uptime\":3600,"
	"\"malformed_reasons\":{\"bad_ip_header\":4,\"bad_ip_length\":0,\"bad_ext_headers\":0,"
	"\"fragmented_tcp_header\":0,\"bad_tcp_header\":0,\"bad_options\":1},"
	"\"notes\":{\"no_room\":0,\"authenticated\":0,\"tcp_ao\":2,\"tcp_md5\":1,\"excluded\":0}}\n";

static void
test_json(void)
{
	char buf[2048];

	printf("JSON lines\n");
	check_str(stats_format_json(buf, sizeof(buf), T_EXAMPLE, &lines[0]), buf, json_ppp0,
		  "JSON ppp0: totals, per family, both ceilings");
	check_str(stats_format_json(buf, sizeof(buf), T_EXAMPLE, &lines[1]), buf, json_eth0,
		  "JSON eth0: mss6 unknown so left out");
	check_str(stats_format_json(buf, sizeof(buf), T_EXAMPLE, &lines[2]), buf, json_all,
		  "JSON all: daemon-wide fields and every malformed reason");
}

static const char prometheus_full[] =
	"# HELP mssclampd_packets_total TCP packets seen on the queue, by interface, family and what was done.\n"
	"# TYPE mssclampd_packets_total counter\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv4\",action=\"clamped\"} 7\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv4\",action=\"unchanged\"} 2\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv4\",action=\"inserted\"} 3\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv4\",action=\"malformed\"} 1\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv4\",action=\"skipped\"} 1\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv6\",action=\"clamped\"} 3\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv6\",action=\"unchanged\"} 1\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv6\",action=\"inserted\"} 0\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv6\",action=\"malformed\"} 0\n"
	"mssclampd_packets_total{iface=\"ppp0\",family=\"ipv6\",action=\"skipped\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv4\",action=\"clamped\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv4\",action=\"unchanged\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv4\",action=\"inserted\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv4\",action=\"malformed\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv4\",action=\"skipped\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"clamped\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"unchanged\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"inserted\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"malformed\"} 0\n"
	"mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"skipped\"} 0\n"
	"# HELP mssclampd_mss_ceiling Largest MSS a SYN may carry through the interface.\n"
	"# TYPE mssclampd_mss_ceiling gauge\n"
	"mssclampd_mss_ceiling{iface=\"ppp0\",family=\"ipv4\"} 1452\n"
	"mssclampd_mss_ceiling{iface=\"ppp0\",family=\"ipv6\"} 1432\n"
	"mssclampd_mss_ceiling{iface=\"eth0\",family=\"ipv4\"} 1460\n"
	"# HELP mssclampd_syn_mss_total SYNs and SYN-ACKs by the MSS they arrived with: one value, or a range lo-hi.\n"
	"# TYPE mssclampd_syn_mss_total counter\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv4\",mss=\"536\"} 1\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv4\",mss=\"1452\"} 2\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv4\",mss=\"1460\"} 5\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv4\",mss=\"8900-9000\"} 1\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv6\",mss=\"1-535\"} 1\n"
	"mssclampd_syn_mss_total{iface=\"ppp0\",family=\"ipv6\",mss=\"1440\"} 3\n"
	"# HELP mssclampd_notes_total SYNs left as they were and why: no room, AH, TCP-AO, TCP-MD5, not clamped.\n"
	"# TYPE mssclampd_notes_total counter\n"
	"mssclampd_notes_total{note=\"no_room\"} 0\n"
	"mssclampd_notes_total{note=\"authenticated\"} 0\n"
	"mssclampd_notes_total{note=\"tcp_ao\"} 2\n"
	"mssclampd_notes_total{note=\"tcp_md5\"} 1\n"
	"mssclampd_notes_total{note=\"excluded\"} 0\n"
	"# HELP mssclampd_malformed_total Packets passed unchanged because their headers were broken, by reason.\n"
	"# TYPE mssclampd_malformed_total counter\n"
	"mssclampd_malformed_total{reason=\"bad_ip_header\"} 4\n"
	"mssclampd_malformed_total{reason=\"bad_ip_length\"} 0\n"
	"mssclampd_malformed_total{reason=\"bad_ext_headers\"} 0\n"
	"mssclampd_malformed_total{reason=\"fragmented_tcp_header\"} 0\n"
	"mssclampd_malformed_total{reason=\"bad_tcp_header\"} 0\n"
	"mssclampd_malformed_total{reason=\"bad_options\"} 1\n"
	"# HELP mssclampd_queue_gaps_total Packets the kernel let past our full socket buffer unclamped (fail-open).\n"
	"# TYPE mssclampd_queue_gaps_total counter\n"
	"mssclampd_queue_gaps_total 5\n"
	"# HELP mssclampd_verdict_errors_total Verdicts the kernel refused, e.g. after an interface went down.\n"
	"# TYPE mssclampd_verdict_errors_total counter\n"
	"mssclampd_verdict_errors_total 2\n"
	"# HELP mssclampd_uptime_seconds Seconds since the daemon started.\n"
	"# TYPE mssclampd_uptime_seconds gauge\n"
	"mssclampd_uptime_seconds 3600\n";

static void
test_prometheus(void)
{
	static char buf[8192];
	struct stats_line no_ceiling = lines[1];
	int ret;

	printf("Prometheus exposition\n");
	check_str(stats_format_prometheus(buf, sizeof(buf), lines, 3), buf, prometheus_full,
		  "Prometheus: the whole exposition, byte for byte (iface=all left out of the per-interface metrics)");
	check_str(stats_format_prometheus(buf, sizeof(buf), lines, 0), buf, "",
		  "Prometheus: no lines, empty exposition");
	check_str(stats_format_prometheus(buf, 1, lines, 0), buf, "",
		  "Prometheus: no lines fit in one byte");

	ret = stats_format_prometheus(buf, sizeof(buf), &lines[2], 1);
	CHECK_MSG(ret > 0 && strstr(buf, "mssclampd_packets_total") == NULL &&
	          strstr(buf, "mssclampd_mss_ceiling") == NULL &&
	          strncmp(buf, "# HELP mssclampd_notes_total ", 29) == 0 &&
	          strstr(buf, "mssclampd_syn_mss_total") == NULL,
	          "Prometheus: only the all line, only daemon-wide metrics");

	no_ceiling.ceiling = (struct engine_ceiling){ 0, 0 };
	ret = stats_format_prometheus(buf, sizeof(buf), &no_ceiling, 1);
	CHECK_MSG(ret > 0 && strstr(buf, "mssclampd_mss_ceiling") == NULL &&
	          strstr(buf, "mssclampd_uptime_seconds") == NULL &&
	          strstr(buf, "mssclampd_packets_total{iface=\"eth0\",family=\"ipv6\",action=\"skipped\"} 0\n") != NULL,
	          "Prometheus: no ceiling known, no extra: neither HELP nor samples for them");
}

/*
 * Every size from 0 to the exact fit: -1 and an empty string until it fits,
 * then the full text; never a byte written past size (a canary behind it).
 */
enum formatter { FORMAT_LOGFMT, FORMAT_JSON, FORMAT_PROMETHEUS };

static void
check_sizes(enum formatter which, const struct stats_line *line, size_t n, const char *want,
	    const char *what)
{
	static char buf[8192 + 64];
	size_t len = strlen(want);
	int bad_ret = 0, bad_canary = 0, bad_nul = 0, bad_fit = 0;

	for (size_t size = 0; size <= len + 1; size++) {
		int ret;

		memset(buf, 0xa5, size + 64);
		if (which == FORMAT_LOGFMT)
			ret = stats_format_logfmt(size ? buf : NULL, size, T_EXAMPLE, line);
		else if (which == FORMAT_JSON)
			ret = stats_format_json(size ? buf : NULL, size, T_EXAMPLE, line);
		else
			ret = stats_format_prometheus(size ? buf : NULL, size, line, n);
		for (size_t i = size; i < size + 64; i++)
			if ((unsigned char)buf[i] != 0xa5) {
				bad_canary++;
				break;
			}
		if (size <= len) {
			if (ret != -1)
				bad_ret++;
			if (size > 0 && buf[0] != '\0')
				bad_nul++;
		} else if (ret != (int)len || memcmp(buf, want, len + 1) != 0) {
			bad_fit++;
		}
	}
	printf("  %s: sizes 0..%zu: %d wrong returns, %d overflows, %d unterminated, %d bad fits\n",
	       what, len + 1, bad_ret, bad_canary, bad_nul, bad_fit);
	CHECK_MSG(bad_ret == 0 && bad_canary == 0 && bad_nul == 0 && bad_fit == 0, "%s", what);
}

static void
test_small_buffers(void)
{
	printf("too-small buffers, every length\n");
	check_sizes(FORMAT_LOGFMT, &lines[0], 1, logfmt_ppp0, "logfmt ppp0");
	check_sizes(FORMAT_LOGFMT, &lines[2], 1, logfmt_all, "logfmt all");
	check_sizes(FORMAT_JSON, &lines[0], 1, json_ppp0, "JSON ppp0");
	check_sizes(FORMAT_JSON, &lines[2], 1, json_all, "JSON all");
	check_sizes(FORMAT_PROMETHEUS, lines, 3, prometheus_full, "Prometheus, three lines");
}

/* Every MSS has one bin, the bins cover 1..65535 in order without a gap, and the exact ones are exact. */
static void
test_mss_bins(void)
{
	unsigned mss, bin, last = 0, lo, hi, exact = 0, bad = 0;

	printf("MSS bins\n");
	for (mss = 1; mss <= 65535; mss++) {
		bin = stats_mss_bin((uint16_t)mss);
		stats_mss_range(bin, &lo, &hi);
		if (bin >= STATS_MSS_BINS || lo > mss || hi < mss || bin < last ||
		    (bin != last && lo != mss) || (mss > 1 && bin > last + 1))
			bad++;
		last = bin;
	}
	for (bin = 0; bin < STATS_MSS_BINS; bin++) {
		stats_mss_range(bin, &lo, &hi);
		exact += lo == hi;
	}
	CHECK_MSG(bad == 0 && last == STATS_MSS_BINS - 1, "every MSS from 1 to 65535 in its one bin, in order (%u wrong)", bad);
	CHECK_MSG(STATS_MSS_BINS == 231 && exact == 221 + 2, "231 bins, of them 223 exact: 536, 1220, 1240..1460 (%u)", exact);
	check_u64(stats_mss_bin(536), 1, "536 is the second bin");
	check_u64(stats_mss_bin(1220), 4, "1220 the fifth");
	check_u64(stats_mss_bin(1240), 6, "1240 the first exact one of the run");
	check_u64(stats_mss_bin(1460), 226, "1460 the last of it");
	check_u64(stats_mss_bin(1461), 227, "1461 starts a range");
	check_u64(stats_mss_bin(8940), 229, "IPv6 over a 9000-byte MTU: the jumbo bin");
	check_u64(stats_mss_bin(8960), 229, "IPv4 over a 9000-byte MTU: the jumbo bin");
	check_u64(stats_mss_bin(65535), 230, "65535 the last bin");
	{
		struct stats_mss a = { 0 }, b = { 0 };

		a.bins[STATS_IPV6][7] = 3;
		b.bins[STATS_IPV6][7] = UINT64_MAX - 3;
		stats_mss_add(&a, &b);
		check_u64(a.bins[STATS_IPV6][7], UINT64_MAX, "stats_mss_add adds bin by bin");
	}
}

int
main(void)
{
	setup();
	test_mss_bins();
	test_add_total();
	test_logfmt();
	test_timestamps();
	test_names();
	test_json();
	test_prometheus();
	test_small_buffers();
	return check_summary();
}
