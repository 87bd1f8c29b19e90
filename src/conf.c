/*
 * The configuration file's parser: INI, fed a line at a time so that the
 * same parser serves conf_load() (conffile.c, which reads the file), a
 * buffer and the fuzzer. Like OpenBSD's parse.y it reports every problem as
 * "FILE:LINE: message" and fails at the end, and like chrony it always says
 * what range a value may take. It does no I/O and never logs: the caller
 * decides whether a message is fatal (start-up, --check) or a refused reload.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "conf.h"
#include "presets.h"
#include "text.h"

#define CONF_MAX_IFACES 1024    /* a bound for a fuzzer's input, far above any router */
#define USER_MAX 32             /* useradd's limit */

#define STATS_INTERVAL_MIN 1
#define STATS_INTERVAL_MAX 86400

enum section {
	SECTION_NONE,     /* before the first header */
	SECTION_GLOBAL,
	SECTION_IFACE,
	SECTION_SKIP,     /* an unknown section: its keys mean nothing to us */
};

enum key_id {
	KEY_QUEUE, KEY_QUEUE_FANOUT, KEY_QUEUE_MAXLEN, KEY_FIREWALL, KEY_MODE, KEY_STATS_LOG,
	KEY_STATS_JSON, KEY_PROMETHEUS, KEY_STATS_INTERVAL, KEY_USER,
	KEY_HEAL_RULES, KEY_CONTROL_SOCKET, KEY_CONTROL_GROUP,
	KEY_OVERHEAD, KEY_MTU, KEY_MSS, KEY_MSS6, KEY_CLAMP,
	KEY_COUNT
};

struct conf_parser {
	struct conf *conf;
	conf_report_fn *report;
	void *arg;
	unsigned line;
	unsigned errors;
	bool out_of_memory;
	enum section section;
	char section_name[TEXT_QUOTE_BUF + 16]; /* "[global]", "[interface eth0]" */
	unsigned global_line;                /* line of the first [global]; 0 if none */
	unsigned key_line[KEY_COUNT];        /* where each key of this section was set */
	size_t ifaces_cap;
	/* A duplicate or badly named section is parsed here so its errors still show. */
	struct conf scratch_conf;
	struct conf_iface scratch_iface;
	struct conf *global;                 /* conf or &scratch_conf */
	struct conf_iface *iface;            /* in conf->ifaces or &scratch_iface */
};

typedef void set_fn(struct conf_parser *, const char *key, const char *value);

struct key {
	const char *name;
	enum key_id id;
	bool may_be_empty;
	set_fn *set;
};

static void report(struct conf_parser *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

static void
report(struct conf_parser *parser, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	parser->errors++;
	parser->report(parser->arg, CONF_ERROR, parser->conf->path, parser->line, msg);
}

/* A decimal number within min..max (text_parse_decimal: "0x10" or "1e3" is a typo). */
static int
parse_uint(struct conf_parser *parser, const char *key, const char *value,
	   unsigned min, unsigned max, const char *unit, unsigned *out)
{
	char q[TEXT_QUOTE_BUF];
	uint64_t v;

	if (text_parse_decimal(value, strlen(value), &v) == -1) {
		report(parser, "%s: '%s' is not a number (%u to %u%s)", key,
		    text_quote(q, sizeof(q), value), min, max, unit);
		return -1;
	}
	if (v < min || v > max) {
		report(parser, "%s: %s is out of range (%u to %u%s)", key,
		    text_quote(q, sizeof(q), value), min, max, unit);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static void
set_queue(struct conf_parser *parser, const char *key, const char *value)
{
	char q[TEXT_QUOTE_BUF], first[TEXT_QUOTE_BUF], *dash, *start, *end;
	uint64_t lo, hi;
	size_t len;

	/* as many queues as CPUs: conf_load() counts them, the parser cannot */
	if (strcmp(value, "cpu") == 0) {
		parser->global->queue_first = 0;
		parser->global->queue_count = 0;
		parser->global->queue_per_cpu = true;
		return;
	}
	dash = strchr(value, '-');
	if (dash == NULL) {
		if (text_parse_decimal(value, strlen(value), &lo) == -1)
			goto bad;
		hi = lo;
	} else {
		len = (size_t)(dash - value);
		if (len == 0 || len >= sizeof(first))
			goto bad;
		memcpy(first, value, len);
		first[len] = '\0';
		start = text_trim(first);
		end = text_trim(dash + 1);
		if (text_parse_decimal(start, strlen(start), &lo) == -1 ||
		    text_parse_decimal(end, strlen(end), &hi) == -1)
			goto bad;
	}
	if (lo > BOUNDS_QUEUE_MAX || hi > BOUNDS_QUEUE_MAX) {
		report(parser, "%s: %s is out of range (0 to %u)", key,
		    text_quote(q, sizeof(q), value), BOUNDS_QUEUE_MAX);
		return;
	}
	if (hi < lo) {
		report(parser, "%s: '%s' is not a range (N or N-M with N <= M, 0 to %u)",
		    key, text_quote(q, sizeof(q), value), BOUNDS_QUEUE_MAX);
		return;
	}
	if (hi - lo + 1 > BOUNDS_QUEUE_COUNT_MAX) {
		report(parser, "%s: '%s' is %u queues (at most %u)", key,
		    text_quote(q, sizeof(q), value), (unsigned)(hi - lo + 1),
		    BOUNDS_QUEUE_COUNT_MAX);
		return;
	}
	parser->global->queue_first = (unsigned)lo;
	parser->global->queue_count = (unsigned)(hi - lo + 1);
	parser->global->queue_per_cpu = false;
	return;
bad:
	report(parser, "%s: '%s' is not a queue number, a range or cpu (N, N-M with 0 to %u, "
	    "or cpu)", key, text_quote(q, sizeof(q), value), BOUNDS_QUEUE_MAX);
}

/*
 * value as one of names (NULL-terminated): its index, or -1, reported as
 * "KEY: 'VALUE' is not one of A, B".
 */
static int
parse_choice(struct conf_parser *parser, const char *key, const char *value,
	     const char *const *names)
{
	char q[TEXT_QUOTE_BUF], list[128] = "";
	size_t len = 0;
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	for (i = 0; names[i] != NULL && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
	report(parser, "%s: '%s' is not one of %s", key, text_quote(q, sizeof(q), value), list);
	return -1;
}

static const char *const yes_no[] = { "yes", "no", NULL };

static void
set_queue_fanout(struct conf_parser *parser, const char *key, const char *value)
{
	static const char *const names[] = { "flow", "cpu", NULL }; /* enum conf_fanout's order */
	int i = parse_choice(parser, key, value, names);

	if (i == -1)
		return;
	parser->global->queue_fanout = (enum conf_fanout)i;
	parser->global->queue_fanout_line = parser->line;
}

static void
set_queue_maxlen(struct conf_parser *parser, const char *key, const char *value)
{
	parse_uint(parser, key, value, BOUNDS_QUEUE_MAXLEN_MIN, BOUNDS_QUEUE_MAXLEN_MAX, "",
	    &parser->global->queue_maxlen);
}

static void
set_stats_interval(struct conf_parser *parser, const char *key, const char *value)
{
	parse_uint(parser, key, value, STATS_INTERVAL_MIN, STATS_INTERVAL_MAX, " seconds",
	    &parser->global->stats_interval);
}

static void
set_firewall(struct conf_parser *parser, const char *key, const char *value)
{
	static const char *const names[] = { "iptables", "nftables", "none", NULL }; /* the enum's order */
	int i = parse_choice(parser, key, value, names);

	if (i != -1)
		parser->global->firewall = (enum conf_firewall)i;
}

static void
set_mode(struct conf_parser *parser, const char *key, const char *value)
{
	static const char *const names[] = { "clamp", "observe", NULL }; /* the enum's order */
	int i = parse_choice(parser, key, value, names);

	if (i != -1)
		parser->global->mode = (enum conf_mode)i;
}

/*
 * The daemon runs from / under systemd and may chdir; a relative path
 * would name a different file after a restart from elsewhere.
 */
static void
set_path(struct conf_parser *parser, const char *key, const char *value,
	 bool stderr_allowed, char *dst)
{
	char q[TEXT_QUOTE_BUF];
	const char *allowed = stderr_allowed ?
	    "an absolute path, \"-\" for stderr, or \"none\"" :
	    "an absolute path or \"none\"";

	if (*value == '\0' || strcmp(value, "none") == 0) {
		dst[0] = '\0';
	} else if (stderr_allowed && strcmp(value, "-") == 0) {
		strcpy(dst, "-");
	} else if (value[0] != '/') {
		report(parser, "%s: '%s' is not an absolute path (%s)", key,
		    text_quote(q, sizeof(q), value), allowed);
	} else if (strlen(value) >= PATH_MAX) {
		report(parser, "%s: '%s' is %zu bytes long (at most %d)", key,
		    text_quote(q, sizeof(q), value), strlen(value), PATH_MAX - 1);
	} else {
		strcpy(dst, value);
	}
}

static void
set_stats_log(struct conf_parser *parser, const char *key, const char *value)
{
	set_path(parser, key, value, true, parser->global->stats_log);
}

static void
set_stats_json(struct conf_parser *parser, const char *key, const char *value)
{
	set_path(parser, key, value, false, parser->global->stats_json);
}

static void
set_prometheus(struct conf_parser *parser, const char *key, const char *value)
{
	set_path(parser, key, value, false, parser->global->prometheus_textfile);
}

/* The portable user name set (POSIX 3.437) that useradd and groupadd accept by default. */
static bool
valid_account_name(const char *value)
{
	size_t i, len = strlen(value);

	for (i = 0; i < len; i++) {
		char c = value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || (c == '-' && i > 0)))
			return false;
	}
	return len <= USER_MAX;
}

static void
set_user(struct conf_parser *parser, const char *key, const char *value)
{
	char q[TEXT_QUOTE_BUF];

	if (!valid_account_name(value)) {
		report(parser, "%s: '%s' is not a user name (1 to %d of A-Z a-z 0-9 . _ -, "
		    "not starting with '-')", key, text_quote(q, sizeof(q), value),
		    USER_MAX);
		return;
	}
	memcpy(parser->global->user, value, strlen(value) + 1);
	parser->global->user_line = value[0] != '\0' ? parser->line : 0;
}

static void
set_heal_rules(struct conf_parser *parser, const char *key, const char *value)
{
	int i = parse_choice(parser, key, value, yes_no);

	if (i != -1)
		parser->global->heal_rules = i == 0;
}

/* A unix socket's path lives in sun_path: 107 bytes and the NUL. */
static void
set_control_socket(struct conf_parser *parser, const char *key, const char *value)
{
	char q[TEXT_QUOTE_BUF];

	if (strcmp(value, "none") == 0) {
		parser->global->control_socket[0] = '\0';
	} else if (value[0] != '/') {
		report(parser, "%s: '%s' is not an absolute path (an absolute path or \"none\")",
		    key, text_quote(q, sizeof(q), value));
	} else if (strlen(value) > CONF_SOCKET_PATH_MAX) {
		report(parser, "%s: '%s' is %zu bytes long (at most %d: a unix socket's path)",
		    key, text_quote(q, sizeof(q), value), strlen(value), CONF_SOCKET_PATH_MAX);
	} else {
		strcpy(parser->global->control_socket, value);
	}
}

static void
set_control_group(struct conf_parser *parser, const char *key, const char *value)
{
	char q[TEXT_QUOTE_BUF];

	if (!valid_account_name(value)) {
		report(parser, "%s: '%s' is not a group name (1 to %d of A-Z a-z 0-9 . _ -, "
		    "not starting with '-')", key, text_quote(q, sizeof(q), value),
		    USER_MAX);
		return;
	}
	memcpy(parser->global->control_group, value, strlen(value) + 1);
}

static void
set_overhead(struct conf_parser *parser, const char *key, const char *value)
{
	char q[TEXT_QUOTE_BUF], err[256];
	unsigned bytes;

	if (presets_parse_sum(value, &bytes, err, sizeof(err)) == -1) {
		report(parser, "%s: %s", key, err);
		return;
	}
	if (bytes > BOUNDS_OVERHEAD_MAX) {
		report(parser, "%s: '%s' is %u bytes, out of range (0 to %u)", key,
		    text_quote(q, sizeof(q), value), bytes, BOUNDS_OVERHEAD_MAX);
		return;
	}
	parser->iface->overhead = bytes;
}

static void
set_mtu(struct conf_parser *parser, const char *key, const char *value)
{
	parse_uint(parser, key, value, BOUNDS_MTU_MIN, BOUNDS_MTU_MAX, "", &parser->iface->mtu);
}

static void
set_mss(struct conf_parser *parser, const char *key, const char *value)
{
	parse_uint(parser, key, value, BOUNDS_MSS_MIN, BOUNDS_MSS_MAX, "", &parser->iface->mss);
}

static void
set_mss6(struct conf_parser *parser, const char *key, const char *value)
{
	parse_uint(parser, key, value, BOUNDS_MSS6_MIN, BOUNDS_MSS6_MAX, "", &parser->iface->mss6);
}

static void
set_clamp(struct conf_parser *parser, const char *key, const char *value)
{
	int i = parse_choice(parser, key, value, yes_no);

	if (i != -1)
		parser->iface->no_clamp = i == 1;
}

static const struct key global_keys[] = {
	{ "queue", KEY_QUEUE, false, set_queue },
	{ "queue_fanout", KEY_QUEUE_FANOUT, false, set_queue_fanout },
	{ "queue_maxlen", KEY_QUEUE_MAXLEN, false, set_queue_maxlen },
	{ "firewall", KEY_FIREWALL, false, set_firewall },
	{ "mode", KEY_MODE, false, set_mode },
	{ "stats_log", KEY_STATS_LOG, true, set_stats_log },
	{ "stats_json", KEY_STATS_JSON, true, set_stats_json },
	{ "prometheus_textfile", KEY_PROMETHEUS, true, set_prometheus },
	{ "stats_interval", KEY_STATS_INTERVAL, false, set_stats_interval },
	{ "user", KEY_USER, true, set_user },
	{ "heal_rules", KEY_HEAL_RULES, false, set_heal_rules },
	{ "control_socket", KEY_CONTROL_SOCKET, false, set_control_socket },
	{ "control_group", KEY_CONTROL_GROUP, true, set_control_group },
	{ NULL, KEY_COUNT, false, NULL }
};

static const struct key iface_keys[] = {
	{ "overhead", KEY_OVERHEAD, false, set_overhead },
	{ "mtu", KEY_MTU, false, set_mtu },
	{ "mss", KEY_MSS, false, set_mss },
	{ "mss6", KEY_MSS6, false, set_mss6 },
	{ "clamp", KEY_CLAMP, false, set_clamp },
	{ NULL, KEY_COUNT, false, NULL }
};

static const char *
key_names(const struct key *keys)
{
	return keys == global_keys ?
	    "queue, queue_fanout, queue_maxlen, firewall, mode, stats_log, stats_json, "
	    "prometheus_textfile, stats_interval, user, heal_rules, control_socket, "
	    "control_group" :
	    "overhead, mtu, mss, mss6, clamp";
}

void
conf_defaults(struct conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	/* queue = cpu: see mssclampd.conf(5) for the measurements behind it */
	conf->queue_first = 0;
	conf->queue_count = 0;
	conf->queue_per_cpu = true;
	conf->queue_fanout = CONF_FANOUT_CPU;
	conf->queue_maxlen = 16384;
	conf->firewall = CONF_FIREWALL_IPTABLES;
	conf->mode = CONF_MODE_CLAMP;
	strcpy(conf->stats_log, "-");
	conf->stats_interval = 10;
	conf->heal_rules = true;
	strcpy(conf->control_socket, CONF_CONTROL_SOCKET_DEFAULT);
}

void
conf_free(struct conf *conf)
{
	free(conf->ifaces);
	conf->ifaces = NULL;
	conf->n_ifaces = 0;
}

const char *
conf_firewall_name(enum conf_firewall firewall)
{
	switch (firewall) {
	case CONF_FIREWALL_IPTABLES:
		return "iptables";
	case CONF_FIREWALL_NFTABLES:
		return "nftables";
	case CONF_FIREWALL_NONE:
		return "none";
	}
	return "unknown";
}

void
conf_queues_text(char *buf, size_t size, unsigned first, unsigned count,
		 enum conf_fanout fanout)
{
	if (count == 1)
		snprintf(buf, size, "queue %u", first);
	else
		snprintf(buf, size, "queues %u-%u%s", first, first + count - 1,
			 fanout == CONF_FANOUT_CPU ? " by CPU" : "");
}

const struct conf_iface *
conf_iface_find(const struct conf *conf, const char *ifname)
{
	size_t i;

	for (i = 0; i < conf->n_ifaces; i++)
		if (!conf->ifaces[i].is_glob && strcmp(conf->ifaces[i].pattern, ifname) == 0)
			return &conf->ifaces[i];
	for (i = 0; i < conf->n_ifaces; i++)
		if (conf->ifaces[i].is_glob && fnmatch(conf->ifaces[i].pattern, ifname, 0) == 0)
			return &conf->ifaces[i];
	return NULL;
}

/* Linux dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/', ':' or whitespace. */
static bool
valid_ifname(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= CONF_IFNAMSIZ || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/' || c == ':' || c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static void
begin_section(struct conf_parser *parser)
{
	memset(parser->key_line, 0, sizeof(parser->key_line));
}

static void
section_global(struct conf_parser *parser)
{
	begin_section(parser);
	parser->section = SECTION_GLOBAL;
	snprintf(parser->section_name, sizeof(parser->section_name), "[global]");
	if (parser->global_line != 0) {
		report(parser, "duplicate section [global] (first on line %u)",
		    parser->global_line);
		conf_defaults(&parser->scratch_conf);
		parser->global = &parser->scratch_conf;
		return;
	}
	parser->global_line = parser->line;
	parser->global = parser->conf;
}

static void
section_iface(struct conf_parser *parser, const char *name)
{
	struct conf *conf = parser->conf;
	struct conf_iface *iface, *grown;
	char q[TEXT_QUOTE_BUF];
	size_t i, cap;

	begin_section(parser);
	parser->section = SECTION_IFACE;
	snprintf(parser->section_name, sizeof(parser->section_name), "[interface %s]",
	    text_quote(q, sizeof(q), name));
	memset(&parser->scratch_iface, 0, sizeof(parser->scratch_iface));
	parser->iface = &parser->scratch_iface;

	if (*name == '\0') {
		report(parser, "[interface] needs a name: [interface NAME]");
		return;
	}
	if (!valid_ifname(name)) {
		report(parser, "invalid interface name '%s' (1 to %d characters, no '/', ':' "
		    "or whitespace; a glob such as ppp* is allowed)", q, CONF_IFNAMSIZ - 1);
		return;
	}
	for (i = 0; i < conf->n_ifaces; i++) {
		if (strcmp(conf->ifaces[i].pattern, name) == 0) {
			report(parser, "duplicate section [interface %s] (first on line %u)", q,
			    conf->ifaces[i].line);
			return;
		}
	}
	if (conf->n_ifaces == CONF_MAX_IFACES) {
		report(parser, "too many [interface] sections (at most %d)", CONF_MAX_IFACES);
		return;
	}
	if (conf->n_ifaces == parser->ifaces_cap) {
		cap = parser->ifaces_cap == 0 ? 8 : parser->ifaces_cap * 2;
		grown = realloc(conf->ifaces, cap * sizeof(*grown));
		if (grown == NULL) {
			parser->out_of_memory = true;
			report(parser, "out of memory");
			return;
		}
		conf->ifaces = grown;
		parser->ifaces_cap = cap;
	}
	iface = &conf->ifaces[conf->n_ifaces++];
	memset(iface, 0, sizeof(*iface));
	strcpy(iface->pattern, name);
	iface->line = parser->line;
	iface->is_glob = strpbrk(name, "*?[") != NULL;
	parser->iface = iface;
}

static void
parse_header(struct conf_parser *parser, char *line)
{
	char q[TEXT_QUOTE_BUF], *close, *inside, *word_end, *name;
	size_t word_len;

	/* The last ']': a glob's bracket expression may hold one, as in eth[0-3]. */
	close = strrchr(line, ']');
	if (close == NULL) {
		report(parser, "unterminated section header '%s' (expected ']')",
		    text_quote(q, sizeof(q), line));
		parser->section = SECTION_SKIP;
		return;
	}
	if (*text_trim(close + 1) != '\0') {
		report(parser, "unexpected text '%s' after section header",
		    text_quote(q, sizeof(q), text_trim(close + 1)));
		parser->section = SECTION_SKIP;
		return;
	}
	*close = '\0';
	inside = text_trim(line + 1);
	word_end = inside + strcspn(inside, " \t");
	name = text_trim(word_end);

	word_len = (size_t)(word_end - inside);
	if (word_len == 6 && memcmp(inside, "global", 6) == 0 && *name == '\0') {
		section_global(parser);
	} else if (word_len == 9 && memcmp(inside, "interface", 9) == 0) {
		section_iface(parser, name);
	} else {
		report(parser, "unknown section [%s] (expected [global] or [interface NAME])",
		    text_quote(q, sizeof(q), inside));
		parser->section = SECTION_SKIP;
	}
}

static void
parse_assignment(struct conf_parser *parser, char *line)
{
	char q[TEXT_QUOTE_BUF], *eq, *key, *value;
	const struct key *keys, *k;

	eq = strchr(line, '=');
	if (eq == NULL) {
		report(parser, "expected 'key = value', got '%s'",
		    text_quote(q, sizeof(q), line));
		return;
	}
	*eq = '\0';
	key = text_trim(line);
	value = text_trim(eq + 1);
	if (*key == '\0') {
		report(parser, "missing key name before '='");
		return;
	}
	/* A quoted "" is the same empty string, however it is written. */
	if (strcmp(value, "\"\"") == 0)
		value[0] = '\0';

	switch (parser->section) {
	case SECTION_NONE:
		report(parser, "key '%s' outside a section (put it under [global] or "
		    "[interface NAME])", text_quote(q, sizeof(q), key));
		return;
	case SECTION_SKIP:
		return;
	case SECTION_GLOBAL:
		keys = global_keys;
		break;
	case SECTION_IFACE:
	default:
		keys = iface_keys;
		break;
	}
	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			break;
	if (k->name == NULL) {
		report(parser, "unknown key '%s' in %s (expected %s)",
		    text_quote(q, sizeof(q), key), parser->section_name, key_names(keys));
		return;
	}
	if (parser->key_line[k->id] != 0) {
		report(parser, "duplicate key '%s' in %s (first set on line %u)", k->name,
		    parser->section_name, parser->key_line[k->id]);
		return;
	}
	parser->key_line[k->id] = parser->line;
	if (*value == '\0' && !k->may_be_empty) {
		report(parser, "%s: empty value (write '%s = VALUE' or leave the key out)",
		    k->name, k->name);
		return;
	}
	k->set(parser, k->name, value);
}

struct conf_parser *
conf_parser_new(struct conf *conf, const char *path, conf_report_fn *report_fn, void *arg)
{
	struct conf_parser *parser;

	conf_defaults(conf);
	if ((parser = calloc(1, sizeof(*parser))) == NULL)
		return NULL;
	parser->conf = conf;
	parser->report = report_fn;
	parser->arg = arg;
	parser->section = SECTION_NONE;
	parser->global = conf;
	parser->iface = &parser->scratch_iface;
	/* Messages name the file as given; a longer path is cut, not refused. */
	snprintf(conf->path, sizeof(conf->path), "%s", path);
	return parser;
}

void
conf_parser_line(struct conf_parser *parser, const char *text, size_t len)
{
	char *copy = NULL, *line, *p;

	parser->line++;
	if (parser->out_of_memory)
		return;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--; /* CRLF from a Windows editor */
	if (memchr(text, '\0', len) != NULL) {
		report(parser, "line contains a NUL byte");
		return;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		parser->out_of_memory = true;
		report(parser, "out of memory");
		return;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';

	line = text_trim(copy);
	if (*line == '\0' || *line == '#' || *line == ';')
		goto cleanup;
	/* A comment may follow a value after whitespace: "mtu = 1500  # why". */
	for (p = line + 1; *p != '\0'; p++) {
		if ((*p == '#' || *p == ';') && text_is_blank(p[-1])) {
			*p = '\0';
			break;
		}
	}
	line = text_trim(line);

	if (*line == '[')
		parse_header(parser, line);
	else
		parse_assignment(parser, line);
cleanup:
	free(copy);
}

void
conf_parser_error(struct conf_parser *parser, const char *msg)
{
	report(parser, "%s", msg);
}

int
conf_parser_finish(struct conf_parser *parser)
{
	int ret;

	/* queue_fanout unset: by CPU for queue = cpu, by flow for a number or range */
	if (parser->conf->queue_fanout_line == 0)
		parser->conf->queue_fanout = parser->conf->queue_per_cpu ? CONF_FANOUT_CPU :
									   CONF_FANOUT_FLOW;
	/* the whole file's checks only on a file whose every line was right */
	if (parser->errors == 0)
		parser->errors += (unsigned)conf_check(parser->conf, parser->report, parser->arg);
	ret = parser->errors == 0 ? 0 : -1;
	if (ret == -1)
		conf_free(parser->conf);
	free(parser);
	return ret;
}

int
conf_parse_buffer(struct conf *conf, const char *path, const char *buf, size_t len,
		  conf_report_fn *report_fn, void *arg)
{
	struct conf_parser *parser;
	const char *end = buf + len, *nl;

	if ((parser = conf_parser_new(conf, path, report_fn, arg)) == NULL) {
		report_fn(arg, CONF_ERROR, path, 0, "out of memory");
		return -1;
	}
	while (buf < end) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		/* as getline() hands a line over: with its newline, if it has one */
		nl = nl != NULL ? nl + 1 : end;
		conf_parser_line(parser, buf, (size_t)(nl - buf));
		buf = nl;
	}
	return conf_parser_finish(parser);
}

bool
conf_keep_restart_settings(struct conf *fresh, const struct conf *running)
{
	bool differ = fresh->queue_first != running->queue_first ||
		      fresh->queue_count != running->queue_count ||
		      fresh->queue_per_cpu != running->queue_per_cpu ||
		      fresh->queue_fanout != running->queue_fanout ||
		      fresh->queue_maxlen != running->queue_maxlen ||
		      fresh->firewall != running->firewall || strcmp(fresh->user, running->user) != 0 ||
		      strcmp(fresh->control_socket, running->control_socket) != 0 ||
		      strcmp(fresh->control_group, running->control_group) != 0;

	fresh->queue_first = running->queue_first;
	fresh->queue_count = running->queue_count;
	fresh->queue_per_cpu = running->queue_per_cpu;
	fresh->queue_fanout = running->queue_fanout;
	fresh->queue_fanout_line = running->queue_fanout_line;
	fresh->queue_maxlen = running->queue_maxlen;
	fresh->firewall = running->firewall;
	memcpy(fresh->user, running->user, sizeof(fresh->user));
	fresh->user_line = running->user_line;
	memcpy(fresh->control_socket, running->control_socket, sizeof(fresh->control_socket));
	memcpy(fresh->control_group, running->control_group, sizeof(fresh->control_group));
	return differ;
}
