/*
 * Unit test for conf.c: values, ranges, interface lookup, the sample config,
 * and the golden files in tests/conf/: every bad-NAME.conf must fail with
 * exactly the lines of bad-NAME.expected, every good-NAME.conf must load.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "conffile.h"

#ifndef CONF_GOLDEN_DIR
#error "CONF_GOLDEN_DIR: the tests/conf directory"
#endif
#ifndef CONF_SAMPLE
#error "CONF_SAMPLE: the sample conf/mssclampd.conf"
#endif

/* What the reports said, as "FILE:LINE: message" lines. */
struct capture {
	char *text;
	size_t len;
	unsigned count;
	unsigned errors;    /* of them errors, not warnings */
};

/* Each report as the daemon prints it: "FILE:LINE: message", or "FILE:LINE: warning: message". */
static void
capture_report(void *arg, enum conf_level level, const char *file, unsigned line, const char *msg)
{
	struct capture *cap = arg;
	const char *kind = level == CONF_WARNING ? "warning: " : "";
	int n;

	n = snprintf(NULL, 0, "%s:%u: %s%s\n", file, line, kind, msg);
	cap->text = realloc(cap->text, cap->len + (size_t)n + 1);
	if (cap->text == NULL) {
		perror("realloc");
		exit(1);
	}
	snprintf(cap->text + cap->len, (size_t)n + 1, "%s:%u: %s%s\n", file, line, kind, msg);
	cap->len += (size_t)n;
	cap->count++;
	cap->errors += level == CONF_ERROR;
}

static void
capture_reset(struct capture *cap)
{
	free(cap->text);
	cap->text = NULL;
	cap->len = 0;
	cap->count = 0;
	cap->errors = 0;
}

static const char *
captured(const struct capture *cap)
{
	return cap->text != NULL ? cap->text : "";
}

/* The captured lines on one line, for a test's own output. */
static const char *
shown(const struct capture *cap)
{
	static char buf[512];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", captured(cap));
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '\n')
			buf[i] = buf[i + 1] != '\0' ? '|' : '\0';
	return buf;
}

/* Feeds text through the line parser as "test.conf", split as a file would be. */
static int
parse_text(struct conf *conf, const char *text, struct capture *cap)
{
	struct conf_parser *parser;
	const char *nl;

	capture_reset(cap);
	parser = conf_parser_new(conf, "test.conf", capture_report, cap);
	if (parser == NULL) {
		perror("conf_parser_new");
		exit(1);
	}
	while (*text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL)
			nl = text + strlen(text);
		conf_parser_line(parser, text, (size_t)(nl - text));
		text = *nl == '\n' ? nl + 1 : nl;
	}
	return conf_parser_finish(parser);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void
test_defaults(void)
{
	struct conf c;

	memset(&c, 0x5a, sizeof(c));
	conf_defaults(&c);
	CHECK_MSG(c.queue_first == 0 && c.queue_count == 0 && c.queue_per_cpu &&
	    c.queue_fanout == CONF_FANOUT_CPU && c.queue_fanout_line == 0,
	    "defaults: queue = cpu, from 0, by CPU, not counted yet");
	CHECK_MSG(c.queue_maxlen == 16384, "defaults: queue_maxlen 16384");
	CHECK_MSG(c.firewall == CONF_FIREWALL_IPTABLES, "defaults: firewall iptables");
	CHECK_MSG(c.mode == CONF_MODE_CLAMP, "defaults: mode clamp");
	CHECK_MSG(strcmp(c.stats_log, "-") == 0, "defaults: stats_log \"-\" (stderr)");
	CHECK_MSG(c.stats_json[0] == '\0' && c.prometheus_textfile[0] == '\0',
	    "defaults: no JSON, no Prometheus textfile");
	CHECK_MSG(c.stats_interval == 10, "defaults: stats_interval 10");
	CHECK_MSG(c.user[0] == '\0' && c.path[0] == '\0', "defaults: no user, path \"\"");
	CHECK_MSG(c.heal_rules, "defaults: heal_rules yes");
	CHECK_MSG(strcmp(c.control_socket, "/run/mssclampd/control") == 0 &&
	    c.control_group[0] == '\0', "defaults: control_socket /run/mssclampd/control, mode 0600");
	CHECK_MSG(c.ifaces == NULL && c.n_ifaces == 0, "defaults: no interfaces");
	conf_free(&c);

	CHECK_MSG(strcmp(conf_firewall_name(CONF_FIREWALL_IPTABLES), "iptables") == 0 &&
	    strcmp(conf_firewall_name(CONF_FIREWALL_NFTABLES), "nftables") == 0 &&
	    strcmp(conf_firewall_name(CONF_FIREWALL_NONE), "none") == 0,
	    "conf_firewall_name: iptables, nftables, none");
}

static void
test_every_key(void)
{
	static const char text[] =
	    "# every key\n"
	    "  ; indented comment\n"
	    "\n"
	    "[global]\n"
	    "queue = 2-5            # four queues\n"
	    "queue_maxlen=65536\n"
	    "\tfirewall\t=\tnftables\t\n"
	    "mode = observe ; trailing ; comment\n"
	    "stats_log = none\n"
	    "stats_json = /var/log/mssclampd/stats#1.json\n"
	    "prometheus_textfile = /var/lib/node/mssclampd.prom\n"
	    "stats_interval = 86400\n"
	    "user = mss_clamp-1.x\n"
	    "[interface ppp*]\n"
	    "overhead = 0\n"
	    "[ interface  eth0 ]  # spaces inside the brackets\n"
	    "overhead = PPPoE + esp + 8\n"
	    "mtu = 1500\n"
	    "mss = 1360\n"
	    "[interface wg[0-3]]\n"
	    "mss = 536\n"
	    "mss6 = 1300\n"
	    "[interface docker*]\n"
	    "clamp = no\n";
	struct capture cap = { 0 };
	struct conf c;
	int r;

	r = parse_text(&c, text, &cap);
	CHECK_MSG(r == 0 && cap.count == 0, "every key: parses (%s)", shown(&cap));
	if (r != 0)
		return;
	CHECK_MSG(strcmp(c.path, "test.conf") == 0, "every key: path test.conf");
	CHECK_MSG(c.queue_first == 2 && c.queue_count == 4, "every key: queue 2-5 is 2, four queues");
	CHECK_MSG(c.queue_maxlen == 65536, "every key: queue_maxlen 65536");
	CHECK_MSG(c.firewall == CONF_FIREWALL_NFTABLES, "every key: firewall nftables (tabs)");
	CHECK_MSG(c.mode == CONF_MODE_OBSERVE, "every key: mode observe, ';' comment cut");
	CHECK_MSG(c.stats_log[0] == '\0', "every key: stats_log none is \"\"");
	CHECK_MSG(strcmp(c.stats_json, "/var/log/mssclampd/stats#1.json") == 0,
	    "every key: '#' without a blank before it stays in the value");
	CHECK_MSG(strcmp(c.prometheus_textfile, "/var/lib/node/mssclampd.prom") == 0,
	    "every key: prometheus_textfile");
	CHECK_MSG(c.stats_interval == 86400, "every key: stats_interval 86400");
	CHECK_MSG(strcmp(c.user, "mss_clamp-1.x") == 0, "every key: user mss_clamp-1.x");
	CHECK_MSG(c.n_ifaces == 4, "every key: four interfaces (got %zu)", c.n_ifaces);
	if (c.n_ifaces == 4) {
		CHECK_MSG(strcmp(c.ifaces[0].pattern, "ppp*") == 0 && c.ifaces[0].is_glob &&
		    c.ifaces[0].line == 14 && c.ifaces[0].overhead == 0 && c.ifaces[0].mtu == 0 &&
		    c.ifaces[0].mss == 0, "every key: [interface ppp*] line 14, a glob, all 0");
		CHECK_MSG(strcmp(c.ifaces[1].pattern, "eth0") == 0 && !c.ifaces[1].is_glob &&
		    c.ifaces[1].line == 16 && c.ifaces[1].overhead == 89 &&
		    c.ifaces[1].mtu == 1500 && c.ifaces[1].mss == 1360,
		    "every key: [interface eth0] line 16, overhead 8+73+8 = 89, mtu 1500, mss 1360");
		CHECK_MSG(strcmp(c.ifaces[2].pattern, "wg[0-3]") == 0 && c.ifaces[2].is_glob &&
		    c.ifaces[2].mss == 536, "every key: [interface wg[0-3]] keeps its brackets");
		CHECK_MSG(c.ifaces[2].mss6 == 1300 && c.ifaces[1].mss6 == 0,
		    "every key: mss6 1300 in wg[0-3], unset elsewhere");
		CHECK_MSG(c.ifaces[3].no_clamp && !c.ifaces[0].no_clamp && !c.ifaces[2].no_clamp,
		    "every key: clamp = no in docker*, clamped elsewhere");
		CHECK_MSG(c.user_line == 13, "every key: user set on line 13 (got %u)", c.user_line);
	}
	conf_free(&c);
	CHECK_MSG(c.ifaces == NULL && c.n_ifaces == 0, "conf_free: clears the interfaces");
	capture_reset(&cap);
}

static void
test_control_keys(void)
{
	struct capture cap = { 0 };
	struct conf c, running;
	int r;

	r = parse_text(&c, "[global]\nheal_rules = no\ncontrol_socket = /run/x/ctl\n"
	    "control_group = adm\n", &cap);
	CHECK_MSG(r == 0 && !c.heal_rules && strcmp(c.control_socket, "/run/x/ctl") == 0 &&
	    strcmp(c.control_group, "adm") == 0, "control keys: heal_rules no, a socket, a group");
	/* a reload keeps the socket and its group, and applies heal_rules */
	conf_defaults(&running);
	CHECK_MSG(conf_keep_restart_settings(&c, &running) &&
	    strcmp(c.control_socket, "/run/mssclampd/control") == 0 && c.control_group[0] == '\0' &&
	    !c.heal_rules, "a reload: control_socket and control_group wait for a restart, "
	    "heal_rules does not");
	conf_free(&c);
	r = parse_text(&c, "[global]\ncontrol_socket = none\n", &cap);
	CHECK_MSG(r == 0 && c.control_socket[0] == '\0' && c.heal_rules,
	    "control keys: none is \"\", heal_rules stays yes");
	conf_free(&c);
	capture_reset(&cap);
}

static void
test_no_global(void)
{
	struct capture cap = { 0 };
	struct conf c;
	int r;

	r = parse_text(&c, "[interface eth0]\noverhead = pppoe\n", &cap);
	CHECK_MSG(r == 0 && c.queue_first == 0 && c.queue_per_cpu && c.queue_maxlen == 16384 &&
	    c.firewall == CONF_FIREWALL_IPTABLES && c.mode == CONF_MODE_CLAMP &&
	    strcmp(c.stats_log, "-") == 0 && c.stats_interval == 10 && c.n_ifaces == 1 &&
	    c.ifaces[0].overhead == 8, "no [global]: the defaults, and the interface");
	conf_free(&c);

	r = parse_text(&c, "", &cap);
	CHECK_MSG(r == 0 && c.n_ifaces == 0 && c.queue_per_cpu, "an empty file: the defaults");
	conf_free(&c);

	r = parse_text(&c, "[global]\r\nqueue = 3\r\nstats_log = /tmp/x.log\r\n", &cap);
	CHECK_MSG(r == 0 && c.queue_first == 3 && strcmp(c.stats_log, "/tmp/x.log") == 0,
	    "CRLF lines: no '\\r' in the values (%s)", shown(&cap));
	conf_free(&c);

	r = parse_text(&c, "[global]\nstats_log = \"\"\nuser =\nstats_json=-\n", &cap);
	CHECK_MSG(r == -1, "stats_json = - is refused");
	CHECK_MSG(strcmp(captured(&cap), "test.conf:4: stats_json: '-' is not an absolute path "
	    "(an absolute path or \"none\")\n") == 0, "stats_json = -: message (%s)",
	    shown(&cap));
	r = parse_text(&c, "[global]\nstats_log = \"\"\nuser =\n", &cap);
	CHECK_MSG(r == 0 && c.stats_log[0] == '\0' && c.user[0] == '\0',
	    "stats_log = \"\" and user = (empty) are allowed: none, stay");
	conf_free(&c);
	capture_reset(&cap);
}

/* One key = value in a section: the value it gives, or the exact message. */
struct range_case {
	const char *text;
	const char *error;  /* NULL: must parse */
};

/* 106 bytes: with the leading '/', a socket path of exactly 107 */
#define SOCK106 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
_Static_assert(sizeof(SOCK106) == 107, "SOCK106 is 106 bytes and its NUL");

static const struct range_case range_cases[] = {
	{ "[global]\nqueue = 0\n", NULL },
	{ "[global]\nqueue = 65535\n", NULL },
	{ "[global]\nqueue = 65536\n",
	  "test.conf:2: queue: 65536 is out of range (0 to 65535)\n" },
	{ "[global]\nqueue = 0-63\n", NULL },
	{ "[global]\nqueue = 65472 - 65535\n", NULL },
	{ "[global]\nqueue = 0-64\n", "test.conf:2: queue: '0-64' is 65 queues (at most 64)\n" },
	/* 2^32: once queue 0 where unsigned long has 32 bits */
	{ "[global]\nqueue = 4294967296\n",
	  "test.conf:2: queue: 4294967296 is out of range (0 to 65535)\n" },
	{ "[global]\nqueue = 65535-65536\n",
	  "test.conf:2: queue: 65535-65536 is out of range (0 to 65535)\n" },
	{ "[global]\nqueue = 3-3\n", NULL },
	{ "[global]\nqueue = 4-3\n",
	  "test.conf:2: queue: '4-3' is not a range (N or N-M with N <= M, 0 to 65535)\n" },
	{ "[global]\nqueue = -3\n",
	  "test.conf:2: queue: '-3' is not a queue number, a range or cpu (N, N-M with 0 to 65535, or cpu)\n" },
	{ "[global]\nqueue = 3-\n",
	  "test.conf:2: queue: '3-' is not a queue number, a range or cpu (N, N-M with 0 to 65535, or cpu)\n" },
	{ "[global]\nqueue = 1-2-3\n",
	  "test.conf:2: queue: '1-2-3' is not a queue number, a range or cpu (N, N-M with 0 to 65535, or cpu)\n" },
	{ "[global]\nqueue = cpu\n", NULL },
	{ "[global]\nqueue = CPU\n",
	  "test.conf:2: queue: 'CPU' is not a queue number, a range or cpu (N, N-M with 0 to 65535, or cpu)\n" },
	{ "[global]\nqueue = cpu\nqueue_fanout = cpu\n", NULL },
	{ "[global]\nqueue = 0-1\nqueue_fanout = cpu\n", NULL },
	{ "[global]\nqueue = 0-1\nqueue_fanout = flow\n", NULL },
	{ "[global]\nqueue_fanout = flow\nqueue = cpu\n",
	  "test.conf:2: queue_fanout = flow with queue = cpu: one queue per CPU goes with "
	  "queue_fanout = cpu (for queues balanced by flow give a range, queue = N-M)\n" },
	{ "[global]\nqueue_fanout = CPU\n",
	  "test.conf:2: queue_fanout: 'CPU' is not one of flow, cpu\n" },
	{ "[global]\nqueue_maxlen = 1\n", NULL },
	{ "[global]\nqueue_maxlen = 1048576\n", NULL },
	{ "[global]\nqueue_maxlen = 0\n",
	  "test.conf:2: queue_maxlen: 0 is out of range (1 to 1048576)\n" },
	{ "[global]\nqueue_maxlen = 1048577\n",
	  "test.conf:2: queue_maxlen: 1048577 is out of range (1 to 1048576)\n" },
	{ "[global]\nqueue_maxlen = 18446744073709551617\n",
	  "test.conf:2: queue_maxlen: 18446744073709551617 is out of range (1 to 1048576)\n" },
	{ "[global]\nstats_interval = 1\n", NULL },
	{ "[global]\nstats_interval = 86400\n", NULL },
	{ "[global]\nstats_interval = 0\n",
	  "test.conf:2: stats_interval: 0 is out of range (1 to 86400 seconds)\n" },
	{ "[global]\nstats_interval = 86401\n",
	  "test.conf:2: stats_interval: 86401 is out of range (1 to 86400 seconds)\n" },
	{ "[global]\nstats_interval = 10s\n",
	  "test.conf:2: stats_interval: '10s' is not a number (1 to 86400 seconds)\n" },
	{ "[global]\nuser = nobody\n", NULL },
	{ "[global]\nuser = abcdefghijklmnopqrstuvwxyz012345\n", NULL },
	{ "[global]\nuser = abcdefghijklmnopqrstuvwxyz0123456\n",
	  "test.conf:2: user: 'abcdefghijklmnopqrstuvwxyz0123456' is not a user name (1 to 32 "
	  "of A-Z a-z 0-9 . _ -, not starting with '-')\n" },
	{ "[global]\nheal_rules = yes\n", NULL },
	{ "[global]\nheal_rules = no\n", NULL },
	{ "[global]\nheal_rules = off\n", "test.conf:2: heal_rules: 'off' is not one of yes, no\n" },
	{ "[global]\ncontrol_socket = none\n", NULL },
	{ "[global]\ncontrol_socket = run/mssclampd.sock\n",
	  "test.conf:2: control_socket: 'run/mssclampd.sock' is not an absolute path (an absolute "
	  "path or \"none\")\n" },
	{ "[global]\ncontrol_socket =\n",
	  "test.conf:2: control_socket: empty value (write 'control_socket = VALUE' or leave the "
	  "key out)\n" },
	/* sun_path: 107 bytes fit, 108 do not */
	{ "[global]\ncontrol_socket = /" SOCK106 "\n", NULL },
	{ "[global]\ncontrol_socket = /" SOCK106 "x\n",
	  "test.conf:2: control_socket: '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 108 bytes "
	  "long (at most 107: a unix socket's path)\n" },
	{ "[global]\ncontrol_group = adm\n", NULL },
	{ "[global]\ncontrol_group =\n", NULL },
	{ "[global]\ncontrol_group = -adm\n",
	  "test.conf:2: control_group: '-adm' is not a group name (1 to 32 of A-Z a-z 0-9 . _ -, "
	  "not starting with '-')\n" },
	{ "[interface e]\nmtu = 68\n", NULL },
	{ "[interface e]\nmtu = 65535\n", NULL },
	{ "[interface e]\nmtu = 67\n", "test.conf:2: mtu: 67 is out of range (68 to 65535)\n" },
	{ "[interface e]\nmtu = 65536\n",
	  "test.conf:2: mtu: 65536 is out of range (68 to 65535)\n" },
	/* 2^32 + 1500: once mtu 1500 where unsigned long has 32 bits */
	{ "[interface e]\nmtu = 4294968796\n",
	  "test.conf:2: mtu: 4294968796 is out of range (68 to 65535)\n" },
	{ "[interface e]\nmss = 536\n", NULL },
	{ "[interface e]\nmss = 65495\n", NULL },
	{ "[interface e]\nmss = 535\n", "test.conf:2: mss: 535 is out of range (536 to 65495)\n" },
	{ "[interface e]\nmss = 65496\n",
	  "test.conf:2: mss: 65496 is out of range (536 to 65495)\n" },
	{ "[interface e]\nmss6 = 1220\n", NULL },
	{ "[interface e]\nmss6 = 65475\n", NULL },
	{ "[interface e]\nmss6 = 1219\n",
	  "test.conf:2: mss6: 1219 is out of range (1220 to 65475)\n" },
	{ "[interface e]\nmss6 = 65476\n",
	  "test.conf:2: mss6: 65476 is out of range (1220 to 65475)\n" },
	{ "[interface e]\nclamp = yes\n", NULL },
	{ "[interface e]\nclamp = no\n", NULL },
	{ "[interface e]\nclamp = off\n", "test.conf:2: clamp: 'off' is not one of yes, no\n" },
	{ "[interface e]\nclamp = No\n", "test.conf:2: clamp: 'No' is not one of yes, no\n" },
	{ "[interface e]\nmtu = 500\noverhead = 500\n",
	  "test.conf:1: [interface e]: overhead 500 leaves nothing of mtu 500 (the effective MTU, "
	  "mtu - overhead, would be at or below 0)\n" },
	{ "[interface e]\nmtu = 1500\noverhead = 1000\n", NULL },
	{ "[interface e]\noverhead = 1000\n", NULL },
	{ "[interface e]\noverhead = 0\n", NULL },
	{ "[interface e]\noverhead = 1001\n",
	  "test.conf:2: overhead: '1001' is 1001 bytes, out of range (0 to 1000)\n" },
	{ "[interface e]\noverhead = esp + 928\n",
	  "test.conf:2: overhead: 'esp + 928' is 1001 bytes, out of range (0 to 1000)\n" },
	{ "[interface e]\noverhead = 4294967297\n",
	  "test.conf:2: overhead: overhead '4294967297' is too large (at most 65535)\n" },
	{ "[interface abcdefghijklmno]\n", NULL },
	{ "[interface abcdefghijklmnop]\n",
	  "test.conf:1: invalid interface name 'abcdefghijklmnop' (1 to 15 characters, no '/', "
	  "':' or whitespace; a glob such as ppp* is allowed)\n" },
	{ "[interface ..]\n",
	  "test.conf:1: invalid interface name '..' (1 to 15 characters, no '/', "
	  "':' or whitespace; a glob such as ppp* is allowed)\n" },
	{ "[interface veth-r\xc3\xa9seau]\n", NULL },
};

static void
test_ranges(void)
{
	struct capture cap = { 0 };
	struct conf c;
	size_t i;
	int r;

	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *rc = &range_cases[i];
		const char *rest = strchr(rc->text, '\n') + 1;

		r = parse_text(&c, rc->text, &cap);
		if (*rest == '\0')
			rest = rc->text;
		if (rc->error == NULL)
			CHECK_MSG(r == 0 && cap.errors == 0, "accepts %.*s (%s)",
			    (int)strcspn(rest, "\n"), rest, shown(&cap));
		else
			CHECK_MSG(r == -1 && strcmp(captured(&cap), rc->error) == 0 &&
			    c.ifaces == NULL && c.n_ifaces == 0,
			    "refuses %.*s: %.*s (got %s)", (int)strcspn(rest, "\n"), rest,
			    (int)strcspn(rc->error, "\n"), rc->error, shown(&cap));
		conf_free(&c);
	}

	/* queue = cpu: queues from 0, picked by CPU; conf_load() counts them */
	r = parse_text(&c, "[global]\nqueue = cpu\n", &cap);
	CHECK_MSG(r == 0 && c.queue_per_cpu && c.queue_first == 0 && c.queue_count == 0 &&
	    c.queue_fanout == CONF_FANOUT_CPU, "queue = cpu: per CPU, from 0, by CPU, not counted yet");
	conf_free(&c);
	r = parse_text(&c, "[global]\nqueue = 4-7\nqueue_fanout = cpu\n", &cap);
	CHECK_MSG(r == 0 && !c.queue_per_cpu && c.queue_first == 4 && c.queue_count == 4 &&
	    c.queue_fanout == CONF_FANOUT_CPU && c.queue_fanout_line == 3,
	    "queue = 4-7, queue_fanout = cpu: four queues by CPU (set on line 3)");
	conf_free(&c);
	r = parse_text(&c, "[global]\nqueue = 4-7\n", &cap);
	CHECK_MSG(r == 0 && c.queue_fanout == CONF_FANOUT_FLOW && c.queue_fanout_line == 0,
	    "queue = 4-7 alone: balanced by flow");
	conf_free(&c);

	/* The values themselves at the edges. */
	r = parse_text(&c, "[global]\nqueue = 65472 - 65535\nqueue_maxlen = 1048576\n", &cap);
	CHECK_MSG(r == 0 && c.queue_first == 65472 && c.queue_count == 64 &&
	    c.queue_maxlen == 1048576, "queue 65472-65535: first 65472, 64 queues");
	conf_free(&c);
	r = parse_text(&c, "[interface e]\noverhead = 1000\nmtu = 65535\nmss = 65495\n", &cap);
	CHECK_MSG(r == 0 && c.n_ifaces == 1 && c.ifaces[0].overhead == 1000 &&
	    c.ifaces[0].mtu == 65535 && c.ifaces[0].mss == 65495,
	    "interface maxima: overhead 1000, mtu 65535, mss 65495");
	conf_free(&c);
	capture_reset(&cap);
}

static void
test_find(void)
{
	static const char text[] =
	    "[interface ppp*]\noverhead = 1\n"
	    "[interface p*]\noverhead = 2\n"
	    "[interface ppp0]\noverhead = 3\n"
	    "[interface eth[0-3]]\noverhead = 4\n"
	    "[interface wg?]\noverhead = 5\n"
	    "[interface eth*]\noverhead = 6\n";
	struct capture cap = { 0 };
	const struct conf_iface *i;
	struct conf c;

	if (parse_text(&c, text, &cap) != 0) {
		CHECK_MSG(0, "find: the config parses (%s)", shown(&cap));
		return;
	}
#define FIND(name, want) do {                                                         \
		i = conf_iface_find(&c, name);                                        \
		CHECK_MSG((want) == 0 ? i == NULL : i != NULL && i->overhead == (want),   \
		    "conf_iface_find(%s): section with overhead %u (got %s)", name,   \
		    (unsigned)(want), i != NULL ? i->pattern : "NULL");               \
	} while (0)
	FIND("ppp0", 3);   /* the exact name beats the globs before it */
	FIND("ppp1", 1);   /* the first matching glob in file order */
	FIND("pe0", 2);
	FIND("eth2", 4);
	FIND("eth4", 6);
	FIND("wg0", 5);
	FIND("wg10", 0);
	FIND("lo", 0);
	FIND("", 0);
#undef FIND
	conf_free(&c);

	conf_defaults(&c);
	CHECK_MSG(conf_iface_find(&c, "eth0") == NULL, "conf_iface_find: NULL on the defaults");
	capture_reset(&cap);
}

static void
test_sample(void)
{
	struct capture cap = { 0 };
	struct conf c;
	int r;

	r = conf_load(&c, CONF_SAMPLE, capture_report, &cap);
	CHECK_MSG(r == 0 && cap.count == 0, "sample config loads (%s)", shown(&cap));
	CHECK_MSG(strcmp(c.stats_log, "/var/log/mssclampd/stats.log") == 0,
	    "sample: stats_log /var/log/mssclampd/stats.log");
	CHECK_MSG(c.queue_first == 0 && c.queue_per_cpu && c.queue_count >= 1 &&
	    c.queue_fanout == CONF_FANOUT_CPU && c.firewall == CONF_FIREWALL_IPTABLES &&
	    c.mode == CONF_MODE_CLAMP && c.stats_interval == 10 && c.queue_maxlen == 16384,
	    "sample: queue = cpu (counted), iptables, clamp, interval 10, maxlen 16384");
	CHECK_MSG(c.n_ifaces == 0, "sample: interface examples are commented out (got %zu)",
	    c.n_ifaces);
	CHECK_MSG(c.user[0] == '\0', "sample: no user (systemd drops privileges)");
	conf_free(&c);
	capture_reset(&cap);
}

static void
test_files(void)
{
	struct capture cap = { 0 };
	struct conf c;
	int r;

	r = conf_load(&c, "/nonexistent/mssclampd.conf", capture_report, &cap);
	CHECK_MSG(r == -1 && strcmp(captured(&cap), "/nonexistent/mssclampd.conf:0: cannot open: "
	    "No such file or directory\n") == 0 && c.ifaces == NULL,
	    "a missing file: -1, 'cannot open' at line 0 (%s)", shown(&cap));
	capture_reset(&cap);
	r = conf_load(&c, CONF_GOLDEN_DIR, capture_report, &cap);
	CHECK_MSG(r == -1 && strcmp(captured(&cap), CONF_GOLDEN_DIR ":0: read error: "
	    "Is a directory\n") == 0 && c.ifaces == NULL,
	    "a directory: -1, 'read error' (%s)", shown(&cap));
	capture_reset(&cap);
}

/* Lines far beyond any fixed buffer: 1 MiB keys, values and comments. */
static void
test_long_lines(void)
{
	const size_t big = 1 << 20;
	struct capture cap = { 0 };
	struct conf c;
	char *text, want[512];
	int r;

	text = malloc(big + 64);
	if (text == NULL)
		return;
	memcpy(text, "[global]\n#", 10);
	memset(text + 10, 'c', big);
	strcpy(text + 10 + big, "\nqueue = 7\n");
	r = parse_text(&c, text, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 7, "a 1 MiB comment line is skipped whole");
	conf_free(&c);

	strcpy(text, "[global]\nstats_log = /");
	memset(text + 22, 'p', big);
	strcpy(text + 22 + big, "\n");
	r = parse_text(&c, text, &cap);
	snprintf(want, sizeof(want), "test.conf:2: stats_log: '/%.39s...' is %zu bytes long "
	    "(at most %d)\n", text + 22, big + 1, PATH_MAX - 1);
	CHECK_MSG(r == -1 && strcmp(captured(&cap), want) == 0,
	    "a 1 MiB path: refused, quoted in part (%s)", shown(&cap));

	strcpy(text, "[global]\n");
	memset(text + 9, 'k', big);
	strcpy(text + 9 + big, " = 1\n");
	r = parse_text(&c, text, &cap);
	snprintf(want, sizeof(want), "test.conf:2: unknown key '%.40s...' in [global] "
	    "(expected queue, queue_fanout, queue_maxlen, firewall, mode, stats_log, stats_json, "
	    "prometheus_textfile, stats_interval, user, heal_rules, control_socket, "
	    "control_group)\n", text + 9);
	CHECK_MSG(r == -1 && strcmp(captured(&cap), want) == 0, "a 1 MiB key: unknown, quoted in part");

	/* A path of exactly PATH_MAX - 1 bytes fits; one more does not. */
	strcpy(text, "[global]\nstats_json = /");
	memset(text + 23, 'j', PATH_MAX - 2);
	strcpy(text + 23 + PATH_MAX - 2, "\n");
	r = parse_text(&c, text, &cap);
	CHECK_MSG(r == 0 && strlen(c.stats_json) == PATH_MAX - 1,
	    "a %d-byte path is accepted", PATH_MAX - 1);
	conf_free(&c);
	strcpy(text + 23 + PATH_MAX - 2, "j\n");
	r = parse_text(&c, text, &cap);
	CHECK_MSG(r == -1 && cap.count == 1, "a %d-byte path is refused", PATH_MAX);
	free(text);
	capture_reset(&cap);
}

/* A whole file's text at once: what conf_load() would make of the same bytes. */
static void
test_buffer(void)
{
	static const char crlf_text[] = "[global]\r\nqueue = 4\r\nqueue_maxlen = 7";
	static const char nul_text[] = "[global]\nqueue = 1\nmode = cl\0amp\nqueue_maxlen = 9\n";
	struct capture cap = { 0 };
	struct conf c;
	int r;

	capture_reset(&cap);
	r = conf_parse_buffer(&c, "buf.conf", "", 0, capture_report, &cap);
	CHECK_MSG(r == 0 && cap.count == 0 && c.queue_per_cpu && strcmp(c.path, "buf.conf") == 0,
	    "buffer: empty gives the defaults, path buf.conf");
	conf_free(&c);

	capture_reset(&cap);
	r = conf_parse_buffer(&c, "buf.conf", crlf_text, strlen(crlf_text), capture_report, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 4 && c.queue_maxlen == 7,
	    "buffer: CRLF lines and no final newline (%s)", shown(&cap));
	conf_free(&c);

	/* The length, not a NUL, ends the buffer: a NUL is an error on its own line. */
	capture_reset(&cap);
	r = conf_parse_buffer(&c, "buf.conf", nul_text, sizeof(nul_text) - 1, capture_report, &cap);
	CHECK_MSG(r == -1 && strcmp(captured(&cap), "buf.conf:3: line contains a NUL byte\n") == 0 &&
	    c.ifaces == NULL, "buffer: a NUL on line 3 (%s)", shown(&cap));

	capture_reset(&cap);
	r = conf_parse_buffer(&c, "buf.conf", "[global]\nqueue = 4\nqueue = 5\n", 19,
	    capture_report, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 4, "buffer: only len bytes are read");
	conf_free(&c);
	capture_reset(&cap);
}

/* The good golden files give the values they spell, whatever the spelling. */
static void
test_good_values(void)
{
	struct capture cap = { 0 };
	struct conf c;
	int r;

	r = conf_load(&c, CONF_GOLDEN_DIR "/good-crlf.conf", capture_report, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 2 && c.queue_count == 2 &&
	    c.firewall == CONF_FIREWALL_NONE &&
	    strcmp(c.stats_log, "/var/log/mssclampd/stats.log") == 0 && c.n_ifaces == 1 &&
	    strcmp(c.ifaces[0].pattern, "ppp*") == 0 && c.ifaces[0].mtu == 1492,
	    "good-crlf.conf: queue 2-3, firewall none, stats_log without '\\r', ppp* mtu 1492");
	if (r == 0)
		conf_free(&c);

	r = conf_load(&c, CONF_GOLDEN_DIR "/good-every-key.conf", capture_report, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 0 && c.queue_count == 64 &&
	    c.queue_fanout == CONF_FANOUT_CPU &&
	    c.queue_maxlen == 1048576 && c.firewall == CONF_FIREWALL_NFTABLES &&
	    c.mode == CONF_MODE_OBSERVE && strcmp(c.stats_log, "-") == 0 &&
	    c.stats_json[0] == '\0' &&
	    strcmp(c.prometheus_textfile,
	    "/var/lib/prometheus/node-exporter/mssclampd.prom") == 0 &&
	    c.stats_interval == 1 && strcmp(c.user, "nobody") == 0 && c.n_ifaces == 3 &&
	    c.ifaces[0].overhead == 8 + 73 + 8 + 8 && c.ifaces[0].mtu == 1500 &&
	    c.ifaces[0].mss == 1360 && strcmp(c.ifaces[1].pattern, "wg[0-3]") == 0 &&
	    c.ifaces[1].mss == 536 && strcmp(c.ifaces[2].pattern, "ppp*") == 0,
	    "good-every-key.conf: every value as written");
	if (r == 0)
		conf_free(&c);

	/* queue = cpu: as many queues as the highest present CPU + 1, as sysfs says */
	r = conf_load(&c, CONF_GOLDEN_DIR "/good-queue-cpu.conf", capture_report, &cap);
	{
		unsigned last = 0, want;
		char line[4096] = "", *p;
		FILE *f = fopen("/sys/devices/system/cpu/present", "r");

		if (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			p = strrchr(line, ',');
			p = p != NULL ? p + 1 : line;
			if (strchr(p, '-') != NULL)
				p = strchr(p, '-') + 1;
			last = (unsigned)strtoul(p, NULL, 10);
		}
		if (f != NULL)
			fclose(f);
		want = f != NULL ? last + 1 : (unsigned)sysconf(_SC_NPROCESSORS_CONF);
		if (want > 64)
			want = 64;
		CHECK_MSG(r == 0 && c.queue_per_cpu && c.queue_first == 0 && c.queue_count == want &&
		    c.queue_fanout == CONF_FANOUT_CPU,
		    "good-queue-cpu.conf: queues 0-%u by CPU, one per present CPU", want - 1);
	}
	if (r == 0)
		conf_free(&c);

	r = conf_load(&c, CONF_GOLDEN_DIR "/good-no-final-newline.conf", capture_report, &cap);
	CHECK_MSG(r == 0 && c.queue_first == 1, "good-no-final-newline.conf: the last line counts");
	if (r == 0)
		conf_free(&c);
	capture_reset(&cap);
}

static int
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/*
 * Each bad-NAME.conf against bad-NAME.expected, byte for byte; each
 * warn-NAME.conf must load and say exactly warn-NAME.expected. Files named
 * bad-system-* are about what only conf_load() asks the system (the user):
 * conf_parse_buffer() need not agree on them.
 */
static void
test_golden(void)
{
	struct capture cap = { 0 }, buf_cap = { 0 };
	struct dirent **names;
	char expected_path[512], *expected, *text;
	size_t expected_len, text_len;
	unsigned bad = 0, good = 0, warn = 0, system = 0, same = 0;
	struct conf c, buf_c;
	int n, k, r, buf_r;

	if (chdir(CONF_GOLDEN_DIR) == -1) {
		CHECK_MSG(0, "chdir %s: %s", CONF_GOLDEN_DIR, strerror(errno));
		return;
	}
	n = scandir(".", &names, NULL, alphasort);
	if (n < 0) {
		CHECK_MSG(0, "scandir %s: %s", CONF_GOLDEN_DIR, strerror(errno));
		return;
	}
	for (k = 0; k < n; k++) {
		const char *name = names[k]->d_name;

		if (!has_suffix(name, ".conf"))
			continue;
		capture_reset(&cap);
		r = conf_load(&c, name, capture_report, &cap);
		/* conf_parse_buffer() of the same bytes: the same verdict, the same messages */
		capture_reset(&buf_cap);
		text = read_file(name, &text_len);
		buf_r = text != NULL ? conf_parse_buffer(&buf_c, name, text, text_len,
		    capture_report, &buf_cap) : -2;
		if (strncmp(name, "bad-system-", 11) == 0)
			system++;
		else if (buf_r == r && strcmp(captured(&buf_cap), captured(&cap)) == 0)
			same++;
		else
			printf("     %s: conf_parse_buffer gives %d (%s)\n", name, buf_r,
			    shown(&buf_cap));
		if (buf_r == 0)
			conf_free(&buf_c);
		free(text);
		if (strncmp(name, "good-", 5) == 0) {
			good++;
			CHECK_MSG(r == 0 && cap.count == 0, "%s loads (%s)", name, shown(&cap));
			conf_free(&c);
			continue;
		}
		if (strncmp(name, "bad-", 4) != 0 && strncmp(name, "warn-", 5) != 0)
			continue;
		snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
		    (int)(strlen(name) - 5), name);
		expected = read_file(expected_path, &expected_len);
		if (expected == NULL) {
			CHECK_MSG(0, "%s: %s is missing", name, expected_path);
			if (r == 0)
				conf_free(&c);
			continue;
		}
		if (name[0] == 'w') {
			warn++;
			CHECK_MSG(r == 0 && strcmp(captured(&cap), expected) == 0,
			    "%s: loads, with the %u warnings of %s", name, cap.count, expected_path);
			if (r == 0)
				conf_free(&c);
		} else {
			bad++;
			CHECK_MSG(r == -1 && c.ifaces == NULL && c.n_ifaces == 0 &&
			    strcmp(captured(&cap), expected) == 0,
			    "%s: fails with the %u lines of %s", name, cap.count, expected_path);
		}
		if (strcmp(captured(&cap), expected) != 0)
			printf("---- expected:\n%s---- got:\n%s----\n", expected, captured(&cap));
		free(expected);
	}
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	CHECK_MSG(bad >= 10 && good >= 2 && warn >= 3 && system >= 2,
	    "golden files: %u bad (%u of them the system's), %u with warnings, %u good", bad,
	    system, warn, good);
	CHECK_MSG(same == bad + good + warn - system,
	    "golden files: conf_parse_buffer agrees with conf_load on %u of %u", same,
	    bad + good + warn - system);
	capture_reset(&cap);
	capture_reset(&buf_cap);
}

int
main(void)
{
	test_defaults();
	test_every_key();
	test_control_keys();
	test_no_global();
	test_ranges();
	test_find();
	test_sample();
	test_files();
	test_long_lines();
	test_good_values();
	test_buffer();
	test_golden();
	return check_summary();
}
