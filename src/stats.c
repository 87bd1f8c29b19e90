/*
 * Counters and their text forms. Pure: no I/O, no allocation, no clock and
 * no printf, so the output depends on nothing but the arguments (no locale).
 * Every formatter writes through one bounded writer: on overflow it stops,
 * the buffer is left as an empty string and the caller gets -1.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "stats.h"

/* The order of the columns, chosen for reading: the interesting ones first. */
static const enum engine_action action_order[ENGINE_ACTION_COUNT] = {
	ENGINE_CLAMPED, ENGINE_UNCHANGED, ENGINE_INSERTED, ENGINE_MALFORMED, ENGINE_SKIPPED,
};

static const char *const family_name[STATS_FAMILY_COUNT] = {
	[STATS_IPV4] = "ipv4",
	[STATS_IPV6] = "ipv6",
};

void
stats_add(struct stats_counters *sum, const struct stats_counters *c)
{
	for (int family = 0; family < STATS_FAMILY_COUNT; family++)
		for (int action = 0; action < ENGINE_ACTION_COUNT; action++)
			sum->packets[family][action] += c->packets[family][action];
}

/* The ranges around the exact bins, in order; the exact ones sit between the 6th and the 7th. */
static const struct { uint16_t lo, hi; } mss_ranges[] = {
	{ 1, 535 }, { 536, 536 }, { 537, 999 }, { 1000, 1219 }, { 1220, 1220 }, { 1221, 1239 },
	/* STATS_MSS_EXACT_LO .. STATS_MSS_EXACT_HI, one bin each */
	{ 1461, 2999 }, { 3000, 8899 }, { 8900, 9000 }, { 9001, 65535 },
};
#define MSS_RANGES_BELOW 6
#define MSS_EXACT (STATS_MSS_EXACT_HI - STATS_MSS_EXACT_LO + 1)

_Static_assert(STATS_MSS_BINS == sizeof(mss_ranges) / sizeof(mss_ranges[0]) + MSS_EXACT,
	       "every bin is a range or an exact value");

unsigned
stats_mss_bin(uint16_t mss)
{
	unsigned i;

	if (mss >= STATS_MSS_EXACT_LO && mss <= STATS_MSS_EXACT_HI)
		return MSS_RANGES_BELOW + (unsigned)(mss - STATS_MSS_EXACT_LO);
	for (i = 0; mss > mss_ranges[i].hi; i++)
		;
	return i < MSS_RANGES_BELOW ? i : i + MSS_EXACT;
}

void
stats_mss_range(unsigned bin, unsigned *lo, unsigned *hi)
{
	if (bin >= MSS_RANGES_BELOW && bin < MSS_RANGES_BELOW + MSS_EXACT) {
		*lo = *hi = STATS_MSS_EXACT_LO + bin - MSS_RANGES_BELOW;
		return;
	}
	if (bin >= MSS_RANGES_BELOW)
		bin -= MSS_EXACT;
	if (bin >= sizeof(mss_ranges) / sizeof(mss_ranges[0]))
		bin = sizeof(mss_ranges) / sizeof(mss_ranges[0]) - 1;
	*lo = mss_ranges[bin].lo;
	*hi = mss_ranges[bin].hi;
}

void
stats_mss_add(struct stats_mss *sum, const struct stats_mss *h)
{
	for (int family = 0; family < STATS_FAMILY_COUNT; family++)
		for (int bin = 0; bin < STATS_MSS_BINS; bin++)
			sum->bins[family][bin] += h->bins[family][bin];
}

static uint64_t
family_seen(const struct stats_counters *c, int family)
{
	uint64_t seen = 0;

	for (int action = 0; action < ENGINE_ACTION_COUNT; action++)
		seen += c->packets[family][action];
	return seen;
}

uint64_t
stats_total(const struct stats_counters *c, enum engine_action action)
{
	uint64_t total = 0;

	if (action == ENGINE_ACTION_COUNT) {
		for (int family = 0; family < STATS_FAMILY_COUNT; family++)
			total += family_seen(c, family);
		return total;
	}
	if ((unsigned)action > ENGINE_ACTION_COUNT)
		return 0;
	for (int family = 0; family < STATS_FAMILY_COUNT; family++)
		total += c->packets[family][action];
	return total;
}

struct writer {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void
put_bytes(struct writer *w, const char *s, size_t n)
{
	if (w->overflow)
		return;
	/* one byte always stays free for the NUL */
	if (w->size == 0 || n > w->size - w->len - 1) {
		w->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
put_str(struct writer *w, const char *s)
{
	put_bytes(w, s, strlen(s));
}

static void
put_char(struct writer *w, char c)
{
	put_bytes(w, &c, 1);
}

static void
put_u64(struct writer *w, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put_bytes(w, digits + i, sizeof(digits) - i);
}

/* v in exactly width digits, zero-padded */
static void
put_padded(struct writer *w, unsigned v, size_t width)
{
	char digits[8];

	for (size_t i = width; i > 0; i--) {
		digits[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	put_bytes(w, digits, width);
}

static void
put_hex_escape(struct writer *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

	put_bytes(w, esc, sizeof(esc));
}

static int
finish(struct writer *w)
{
	if (w->overflow || w->len > INT_MAX) {
		if (w->size > 0)
			w->buf[0] = '\0';
		return -1;
	}
	w->buf[w->len] = '\0';
	return (int)w->len;
}

/*
 * RFC 3339 "2026-11-21T10:00:00Z". A time gmtime_r() cannot convert, or
 * whose year needs more than four digits, is shown as the epoch: the
 * format has no way to say it and the line must still parse.
 */
static void
put_timestamp(struct writer *w, time_t now)
{
	struct tm tm;
	time_t epoch = 0;

	if (gmtime_r(&now, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		gmtime_r(&epoch, &tm);
	put_padded(w, (unsigned)(tm.tm_year + 1900), 4);
	put_char(w, '-');
	put_padded(w, (unsigned)tm.tm_mon + 1, 2);
	put_char(w, '-');
	put_padded(w, (unsigned)tm.tm_mday, 2);
	put_char(w, 'T');
	put_padded(w, (unsigned)tm.tm_hour, 2);
	put_char(w, ':');
	put_padded(w, (unsigned)tm.tm_min, 2);
	put_char(w, ':');
	/* a leap second is 60: RFC 3339 5.6 allows it */
	put_padded(w, (unsigned)tm.tm_sec, 2);
	put_char(w, 'Z');
}

/* Length of the valid UTF-8 sequence (RFC 3629 4) that starts at s, or 0. */
static size_t
utf8_sequence(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (s[0] == 0xe0)
			lo = 0xa0;      /* overlong */
		if (s[0] == 0xed)
			hi = 0x9f;      /* surrogates */
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (s[0] == 0xf0)
			lo = 0x90;      /* overlong */
		if (s[0] == 0xf4)
			hi = 0x8f;      /* past U+10FFFF */
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/*
 * A quoted string, escaped for JSON (RFC 8259 7) or, with json false, as a
 * Prometheus text-format 0.0.4 label value (only \\, \" and \n escaped).
 * Invalid UTF-8 becomes U+FFFD, so either stays valid.
 */
static void
put_quoted(struct writer *w, const char *value, bool json)
{
	const unsigned char *s = (const unsigned char *)value;

	put_char(w, '"');
	while (*s != '\0') {
		size_t n = utf8_sequence(s);

		if (n == 0) {
			put_str(w, json ? "\\ufffd" : "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (*s == '"' || *s == '\\') {
			put_char(w, '\\');
			put_char(w, (char)*s);
		} else if (*s == '\n') {
			put_str(w, "\\n");
		} else if (json && *s == '\r') {
			put_str(w, "\\r");
		} else if (json && *s == '\t') {
			put_str(w, "\\t");
		} else if (json && (*s < ' ' || *s == 0x7f)) {
			put_hex_escape(w, *s);
		} else {
			put_bytes(w, (const char *)s, n);
		}
		s += n;
	}
	put_char(w, '"');
}

static void
put_json_string(struct writer *w, const char *value)
{
	put_quoted(w, value, true);
}

static void
put_prometheus_label(struct writer *w, const char *value)
{
	put_quoted(w, value, false);
}

/*
 * A logfmt value as go-logfmt writes one: bare unless it is empty or holds a
 * space, '=', '"', a control character or invalid UTF-8; then quoted with
 * Go-style escapes. Linux names cannot hold most of these, but a name is
 * whatever the kernel hands us.
 */
static void
put_logfmt_value(struct writer *w, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	bool quote = *s == '\0';

	for (const unsigned char *p = s; *p != '\0' && !quote; ) {
		size_t n = utf8_sequence(p);

		if (n == 0 || *p <= ' ' || *p == '=' || *p == '"' || *p == 0x7f)
			quote = true;
		p += n;
	}
	/* Go's quoting and JSON's agree on every escape we need */
	if (quote)
		put_json_string(w, value);
	else
		put_str(w, value);
}

static void
put_logfmt_u64(struct writer *w, const char *key, uint64_t v)
{
	put_char(w, ' ');
	put_str(w, key);
	put_char(w, '=');
	put_u64(w, v);
}

int
stats_format_logfmt(char *buf, size_t size, time_t now, const struct stats_line *line)
{
	struct writer w = { .buf = buf, .size = size };
	const struct stats_counters *c = line->counters;

	put_timestamp(&w, now);
	put_str(&w, " iface=");
	put_logfmt_value(&w, line->iface);
	put_logfmt_u64(&w, "seen", stats_total(c, ENGINE_ACTION_COUNT));
	for (int i = 0; i < ENGINE_ACTION_COUNT; i++)
		put_logfmt_u64(&w, engine_action_name(action_order[i]),
			       stats_total(c, action_order[i]));
	for (int family = 0; family < STATS_FAMILY_COUNT; family++)
		put_logfmt_u64(&w, family_name[family], family_seen(c, family));
	if (line->ceiling.ipv4 != 0)
		put_logfmt_u64(&w, "mss4", line->ceiling.ipv4);
	if (line->ceiling.ipv6 != 0)
		put_logfmt_u64(&w, "mss6", line->ceiling.ipv6);
	if (line->extra != NULL) {
		put_logfmt_u64(&w, "gaps", line->extra->queue_gaps);
		if (line->extra->bypassed_known)
			put_logfmt_u64(&w, "bypassed", line->extra->bypassed);
		if (line->extra->rules_ours)
			put_logfmt_u64(&w, "rules_restored", line->extra->rules_restored);
		put_logfmt_u64(&w, "verdict_errors", line->extra->verdict_errors);
		put_logfmt_u64(&w, "uptime", line->extra->uptime_seconds);
		if (line->extra->observing)
			put_str(&w, " mode=observe");
	}
	put_char(&w, '\n');
	return finish(&w);
}

/* A bin's name: "1460", or "1461-2999" for a range. */
static void
put_mss_bin(struct writer *w, unsigned bin)
{
	unsigned lo, hi;

	stats_mss_range(bin, &lo, &hi);
	put_u64(w, lo);
	if (hi != lo) {
		put_char(w, '-');
		put_u64(w, hi);
	}
}

/* The names of malformed reasons and notes, by index, for the loops below. */
static const char *
malformed_name(int i)
{
	return engine_malformed_name((enum engine_malformed)i);
}

static const char *
note_name(int i)
{
	return engine_note_name((enum engine_note)i);
}

/* ,"key":{"name":v,...} for indexes 1..n-1 (0 is "ok" or "none": never counted) */
static void
put_json_named(struct writer *w, const char *key, const char *(*name)(int), const uint64_t *v,
	       int n)
{
	put_str(w, ",\"");
	put_str(w, key);
	put_str(w, "\":{");
	for (int i = 1; i < n; i++) {
		if (i > 1)
			put_char(w, ',');
		put_char(w, '"');
		put_str(w, name(i));
		put_str(w, "\":");
		put_u64(w, v[i]);
	}
	put_char(w, '}');
}

/* ,"key":v -- every JSON member here follows another */
static void
put_json_u64(struct writer *w, const char *key, uint64_t v)
{
	put_str(w, ",\"");
	put_str(w, key);
	put_str(w, "\":");
	put_u64(w, v);
}

int
stats_format_json(char *buf, size_t size, time_t now, const struct stats_line *line)
{
	struct writer w = { .buf = buf, .size = size };
	const struct stats_counters *c = line->counters;

	put_str(&w, "{\"ts\":\"");
	put_timestamp(&w, now);
	put_str(&w, "\",\"iface\":");
	put_json_string(&w, line->iface);
	put_json_u64(&w, "seen", stats_total(c, ENGINE_ACTION_COUNT));
	for (int i = 0; i < ENGINE_ACTION_COUNT; i++)
		put_json_u64(&w, engine_action_name(action_order[i]),
			     stats_total(c, action_order[i]));
	for (int family = 0; family < STATS_FAMILY_COUNT; family++) {
		put_str(&w, ",\"");
		put_str(&w, family_name[family]);
		put_str(&w, "\":{\"seen\":");
		put_u64(&w, family_seen(c, family));
		for (int i = 0; i < ENGINE_ACTION_COUNT; i++)
			put_json_u64(&w, engine_action_name(action_order[i]),
				     c->packets[family][action_order[i]]);
		if (line->mss != NULL) {
			bool first = true;

			put_str(&w, ",\"mss\":{");
			for (unsigned bin = 0; bin < STATS_MSS_BINS; bin++) {
				if (line->mss->bins[family][bin] == 0)
					continue;
				put_str(&w, first ? "\"" : ",\"");
				put_mss_bin(&w, bin);
				put_str(&w, "\":");
				put_u64(&w, line->mss->bins[family][bin]);
				first = false;
			}
			put_char(&w, '}');
		}
		put_char(&w, '}');
	}
	if (line->ceiling.ipv4 != 0)
		put_json_u64(&w, "mss4", line->ceiling.ipv4);
	if (line->ceiling.ipv6 != 0)
		put_json_u64(&w, "mss6", line->ceiling.ipv6);
	if (line->extra != NULL) {
		const struct stats_extra *x = line->extra;

		put_json_u64(&w, "gaps", x->queue_gaps);
		if (x->bypassed_known)
			put_json_u64(&w, "bypassed", x->bypassed);
		if (x->rules_ours)
			put_json_u64(&w, "rules_restored", x->rules_restored);
		put_json_u64(&w, "verdict_errors", x->verdict_errors);
		put_json_u64(&w, "uptime", x->uptime_seconds);
		if (x->observing)
			put_str(&w, ",\"mode\":\"observe\"");
		put_json_named(&w, "malformed_reasons", malformed_name, x->malformed,
			       ENGINE_MALFORMED_COUNT);
		put_json_named(&w, "notes", note_name, x->notes, ENGINE_NOTE_COUNT);
	}
	put_str(&w, "}\n");
	return finish(&w);
}

static void
put_metric_header(struct writer *w, const char *name, const char *type, const char *help)
{
	put_str(w, "# HELP ");
	put_str(w, name);
	put_char(w, ' ');
	put_str(w, help);
	put_str(w, "\n# TYPE ");
	put_str(w, name);
	put_char(w, ' ');
	put_str(w, type);
	put_char(w, '\n');
}

/* metric{iface="name",family="ipv4" -- how every per-interface series begins */
static void
put_series(struct writer *w, const char *metric, const char *iface, int family)
{
	put_str(w, metric);
	put_str(w, "{iface=");
	put_prometheus_label(w, iface);
	put_str(w, ",family=\"");
	put_str(w, family_name[family]);
	put_char(w, '"');
}

/* metric{label="name"} v for indexes 1..n-1, after its HELP and TYPE. */
static void
put_prometheus_named(struct writer *w, const char *metric, const char *help, const char *label,
		     const char *(*name)(int), const uint64_t *v, int n)
{
	put_metric_header(w, metric, "counter", help);
	for (int i = 1; i < n; i++) {
		put_str(w, metric);
		put_char(w, '{');
		put_str(w, label);
		put_str(w, "=\"");
		put_str(w, name(i));
		put_str(w, "\"} ");
		put_u64(w, v[i]);
		put_char(w, '\n');
	}
}

/* The first line that carries the daemon-wide figures, or NULL. */
static const struct stats_extra *
find_extra(const struct stats_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].extra != NULL)
			return lines[i].extra;
	return NULL;
}

/*
 * The "all" line (the one with extra) is left out of the per-interface
 * metrics: PromQL sums them itself, and an iface="all" series would make
 * every sum() count each packet twice.
 */
int
stats_format_prometheus(char *buf, size_t size, const struct stats_line *lines, size_t n)
{
	struct writer w = { .buf = buf, .size = size };
	const struct stats_extra *extra = find_extra(lines, n);
	bool have_iface = false, have_ceiling = false, have_mss = false;

	for (size_t i = 0; i < n; i++) {
		if (lines[i].extra != NULL)
			continue;
		have_iface = true;
		if (lines[i].ceiling.ipv4 != 0 || lines[i].ceiling.ipv6 != 0)
			have_ceiling = true;
		for (int family = 0; family < STATS_FAMILY_COUNT && lines[i].mss != NULL; family++)
			for (unsigned bin = 0; bin < STATS_MSS_BINS; bin++)
				have_mss |= lines[i].mss->bins[family][bin] != 0;
	}

	if (have_iface) {
		put_metric_header(&w, "mssclampd_packets_total", "counter",
				  "TCP packets seen on the queue, by interface, family and what was done.");
		for (size_t i = 0; i < n; i++) {
			if (lines[i].extra != NULL)
				continue;
			for (int family = 0; family < STATS_FAMILY_COUNT; family++) {
				for (int a = 0; a < ENGINE_ACTION_COUNT; a++) {
					put_series(&w, "mssclampd_packets_total", lines[i].iface, family);
					put_str(&w, ",action=\"");
					put_str(&w, engine_action_name(action_order[a]));
					put_str(&w, "\"} ");
					put_u64(&w, lines[i].counters->packets[family][action_order[a]]);
					put_char(&w, '\n');
				}
			}
		}
	}
	if (have_ceiling) {
		put_metric_header(&w, "mssclampd_mss_ceiling", "gauge",
				  "Largest MSS a SYN may carry through the interface.");
		for (size_t i = 0; i < n; i++) {
			uint16_t mss[STATS_FAMILY_COUNT] = {
				[STATS_IPV4] = lines[i].ceiling.ipv4,
				[STATS_IPV6] = lines[i].ceiling.ipv6,
			};

			if (lines[i].extra != NULL)
				continue;
			for (int family = 0; family < STATS_FAMILY_COUNT; family++) {
				if (mss[family] == 0)
					continue;
				put_series(&w, "mssclampd_mss_ceiling", lines[i].iface, family);
				put_str(&w, "} ");
				put_u64(&w, mss[family]);
				put_char(&w, '\n');
			}
		}
	}
	/* A labelled counter rather than a histogram: 231 cumulative buckets per
	 * interface and family would be mostly empty series, while
	 * sum by (mss) (increase(mssclampd_syn_mss_total[1h])) is the question. */
	if (have_mss) {
		put_metric_header(&w, "mssclampd_syn_mss_total", "counter",
				  "SYNs and SYN-ACKs by the MSS they arrived with: one value, or a range lo-hi.");
		for (size_t i = 0; i < n; i++) {
			if (lines[i].extra != NULL || lines[i].mss == NULL)
				continue;
			for (int family = 0; family < STATS_FAMILY_COUNT; family++) {
				for (unsigned bin = 0; bin < STATS_MSS_BINS; bin++) {
					if (lines[i].mss->bins[family][bin] == 0)
						continue;
					put_series(&w, "mssclampd_syn_mss_total", lines[i].iface, family);
					put_str(&w, ",mss=\"");
					put_mss_bin(&w, bin);
					put_str(&w, "\"} ");
					put_u64(&w, lines[i].mss->bins[family][bin]);
					put_char(&w, '\n');
				}
			}
		}
	}
	if (extra != NULL) {
		put_prometheus_named(&w, "mssclampd_notes_total",
				     "SYNs left as they were and why: no room, AH, TCP-AO, TCP-MD5, not clamped.",
				     "note", note_name, extra->notes, ENGINE_NOTE_COUNT);
		put_prometheus_named(&w, "mssclampd_malformed_total",
				     "Packets passed unchanged because their headers were broken, by reason.",
				     "reason", malformed_name, extra->malformed, ENGINE_MALFORMED_COUNT);
		put_metric_header(&w, "mssclampd_queue_gaps_total", "counter",
				  "Packets the kernel let past our full socket buffer unclamped (fail-open).");
		put_str(&w, "mssclampd_queue_gaps_total ");
		put_u64(&w, extra->queue_gaps);
		put_char(&w, '\n');
		if (extra->bypassed_known) {
			put_metric_header(&w, "mssclampd_bypassed_total", "counter",
					  "SYNs our rules matched that never reached the daemon (fail-open).");
			put_str(&w, "mssclampd_bypassed_total ");
			put_u64(&w, extra->bypassed);
			put_char(&w, '\n');
		}
		if (extra->rules_ours) {
			put_metric_header(&w, "mssclampd_rules_restored_total", "counter",
					  "Times the daemon put back rules something had removed.");
			put_str(&w, "mssclampd_rules_restored_total ");
			put_u64(&w, extra->rules_restored);
			put_char(&w, '\n');
		}
		put_metric_header(&w, "mssclampd_verdict_errors_total", "counter",
				  "Verdicts the kernel refused, e.g. after an interface went down.");
		put_str(&w, "mssclampd_verdict_errors_total ");
		put_u64(&w, extra->verdict_errors);
		put_char(&w, '\n');
		put_metric_header(&w, "mssclampd_uptime_seconds", "gauge",
				  "Seconds since the daemon started.");
		put_str(&w, "mssclampd_uptime_seconds ");
		put_u64(&w, extra->uptime_seconds);
		put_char(&w, '\n');
	}
	return finish(&w);
}

int
stats_format_json_string(char *buf, size_t size, const char *value)
{
	struct writer w = { .buf = buf, .size = size };

	put_json_string(&w, value);
	return finish(&w);
}
