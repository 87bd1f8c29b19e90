/*
 * The status document, as text and as JSON. Every cell of the text tables
 * is formatted first, so that each column is as wide as its widest cell;
 * numbers are right-aligned, words left-aligned.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "stats.h"
#include "status.h"

#define STATUS_CELL 48   /* the widest cell but a section: a 20-digit counter, a name */

/* A bounded appender: on overflow it stops, and the result is -1. */
struct out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

static int
out_finish(struct out *o)
{
	if (o->overflow || o->len > INT32_MAX) {
		if (o->size > 0)
			o->buf[0] = '\0';
		return -1;
	}
	return (int)o->len;
}

void
status_top_mss(const uint64_t *bins, struct status_mss *top, unsigned *n)
{
	unsigned bin, i;

	*n = 0;
	for (bin = 0; bin < STATS_MSS_BINS; bin++) {
		if (bins[bin] == 0 || (*n == STATUS_MSS_TOP && top[*n - 1].count >= bins[bin]))
			continue;
		i = *n < STATUS_MSS_TOP ? (*n)++ : STATUS_MSS_TOP - 1;
		for (; i > 0 && top[i - 1].count < bins[bin]; i--)
			top[i] = top[i - 1];
		stats_mss_range(bin, &top[i].lo, &top[i].hi);
		top[i].count = bins[bin];
	}
}

/* RFC 3339, UTC, as the stats log writes its timestamps. */
static const char *
status_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

/* "45s", "3m12s", "1h02m03s", "2d03h04m". */
static const char *
status_duration(char *buf, size_t size, uint64_t s)
{
	if (s < 60)
		snprintf(buf, size, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", s / 3600,
			 s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h%02" PRIu64 "m", s / 86400,
			 s / 3600 % 24, s / 60 % 60);
	return buf;
}

/* A name for a terminal: control bytes (Linux allows them in a name) as '?'. */
static const char *
status_printable(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
status_queues(struct out *o, const struct status *st)
{
	char queues[64];

	conf_queues_text(queues, sizeof(queues), st->queue_first, st->queue_count,
			 st->queue_fanout);
	out_printf(o, "%s", queues);
}

static void
status_rules_text(struct out *o, const struct status *st)
{
	char t[32];

	if (st->rules == STATUS_RULES_NONE) {
		out_printf(o, "firewall:  none: the operator's rules, not checked\n");
		return;
	}
	out_printf(o, "firewall:  %s", st->firewall);
	if (st->flavour[0] != '\0')
		out_printf(o, " (%s)", st->flavour);
	if (st->rules == STATUS_RULES_IN_PLACE)
		out_printf(o, ", rules in place");
	else
		out_printf(o, ", rules MISSING");
	if (st->rules_since != 0)
		out_printf(o, " since %s", status_time(t, sizeof(t), st->rules_since));
	if (st->rules == STATUS_RULES_MISSING && st->repair_at != 0)
		out_printf(o, "; repair at %s (backing off)", status_time(t, sizeof(t), st->repair_at));
	out_printf(o, "\nhealing:   %s, rules_restored %" PRIu64, st->healing ? "on" : "off",
		   st->rules_restored);
	if (st->last_restored != 0)
		out_printf(o, ", last at %s", status_time(t, sizeof(t), st->last_restored));
	out_printf(o, "\n");
}

enum align { LEFT, RIGHT };

struct column {
	const char *header;
	enum align align;
};

/*
 * The interfaces in blocks of STATUS_ROWS, their cells on the stack; each
 * block is two tables: ceilings, then counters.
 */
#define STATUS_ROWS 32
#define STATUS_COLS 9

/* The text after a row's last column, unaligned: row 0 is the header line. */
typedef void status_tail_fn(struct out *o, const struct status *st, size_t row);

/*
 * One table of rows x ncol cells, cells[row][col]; tail, when given,
 * follows the last column (a section's FILE:LINE can be long).
 */
static void
status_table(struct out *o, const struct column *cols, size_t ncol,
	     char cells[][STATUS_COLS][STATUS_CELL], size_t rows, status_tail_fn *tail,
	     const struct status *st, size_t first)
{
	size_t width[STATUS_COLS], r, c, w;

	for (c = 0; c < ncol; c++) {
		width[c] = strlen(cols[c].header);
		for (r = 0; r < rows; r++)
			if ((w = strlen(cells[r][c])) > width[c])
				width[c] = w;
	}
	for (r = 0; r <= rows; r++) {
		for (c = 0; c < ncol; c++) {
			const char *cell = r == 0 ? cols[c].header : cells[r - 1][c];
			bool last = c + 1 == ncol && tail == NULL;

			if (c > 0)
				out_printf(o, "  ");
			if (cols[c].align == RIGHT)
				out_printf(o, "%*s", (int)width[c], cell);
			else if (last)
				out_printf(o, "%s", cell);
			else
				out_printf(o, "%-*s", (int)width[c], cell);
		}
		if (tail != NULL) {
			out_printf(o, "  ");
			tail(o, st, r == 0 ? 0 : first + r);
		}
		out_printf(o, "\n");
	}
}

static void
cell_u64(char *cell, uint64_t v, bool dash_for_zero)
{
	if (v == 0 && dash_for_zero)
		snprintf(cell, STATUS_CELL, "-");
	else
		snprintf(cell, STATUS_CELL, "%" PRIu64, v);
}

/* "section": the pattern and FILE:LINE of the matching [interface] section. */
static void
status_section(struct out *o, const struct status *st, size_t row)
{
	const struct status_iface *f;
	char name[STATUS_NAMSIZ];

	if (row == 0) {
		out_printf(o, "section");
		return;
	}
	f = &st->ifaces[row - 1];
	if (f->section[0] == '\0')
		out_printf(o, "-");
	else
		out_printf(o, "%s (%s:%u)", status_printable(name, sizeof(name), f->section),
			   st->config, f->section_line);
}

/* "1460:3 1400:1 / 1440:3": the MSS values seen most, IPv4 then IPv6 (at most 3 each). */
static void
status_mss_seen(struct out *o, const struct status *st, size_t row)
{
	const struct status_iface *f;
	unsigned family, i;

	if (row == 0) {
		out_printf(o, "mss seen (ipv4 / ipv6)");
		return;
	}
	f = &st->ifaces[row - 1];
	if (f->n_mss_seen[0] + f->n_mss_seen[1] == 0) {
		out_printf(o, "-");
		return;
	}
	for (family = 0; family < 2; family++) {
		if (family == 1)
			out_printf(o, " / ");
		if (f->n_mss_seen[family] == 0)
			out_printf(o, "-");
		for (i = 0; i < f->n_mss_seen[family] && i < 3; i++) {
			const struct status_mss *m = &f->mss_seen[family][i];

			if (m->lo == m->hi)
				out_printf(o, "%s%u:%" PRIu64, i ? " " : "", m->lo, m->count);
			else
				out_printf(o, "%s%u-%u:%" PRIu64, i ? " " : "", m->lo, m->hi, m->count);
		}
	}
}

static void
status_ifaces_text(struct out *o, const struct status *st)
{
	static const struct column ceil_cols[] = {
		{ "interface", LEFT }, { "ifindex", RIGHT }, { "kind", LEFT }, { "mtu", RIGHT },
		{ "mtu6", RIGHT }, { "overhead", RIGHT }, { "mtu_override", RIGHT }, { "mss4", RIGHT }, { "mss6", RIGHT },
	};
	static const struct column count_cols[] = {
		{ "interface", LEFT }, { "seen", RIGHT }, { "clamped", RIGHT },
		{ "unchanged", RIGHT }, { "inserted", RIGHT }, { "malformed", RIGHT },
	};
	char cells[STATUS_ROWS][STATUS_COLS][STATUS_CELL];
	size_t first, n, i;

	_Static_assert(sizeof(ceil_cols) / sizeof(ceil_cols[0]) <= STATUS_COLS, "ceilings fit");
	if (st->n_ifaces == 0) {
		out_printf(o, "\nno interfaces\n");
		return;
	}
	for (first = 0; first < st->n_ifaces; first += n) {
		n = st->n_ifaces - first < STATUS_ROWS ? st->n_ifaces - first : STATUS_ROWS;
		for (i = 0; i < n; i++) {
			const struct status_iface *f = &st->ifaces[first + i];

			status_printable(cells[i][0], STATUS_CELL, f->name);
			cell_u64(cells[i][1], f->ifindex, false);
			status_printable(cells[i][2], STATUS_CELL, f->kind[0] ? f->kind : "-");
			cell_u64(cells[i][3], f->mtu, false);
			cell_u64(cells[i][4], f->mtu6, true);
			cell_u64(cells[i][5], f->overhead, false);
			cell_u64(cells[i][6], f->mtu_override, true);
			if (f->clamp) {
				cell_u64(cells[i][7], f->mss4, true);
				cell_u64(cells[i][8], f->mss6, true);
			} else {
				snprintf(cells[i][7], STATUS_CELL, "off");
				snprintf(cells[i][8], STATUS_CELL, "off");
			}
		}
		out_printf(o, "\n");
		status_table(o, ceil_cols, sizeof(ceil_cols) / sizeof(ceil_cols[0]), cells, n,
			     status_section, st, first);

		for (i = 0; i < n; i++) {
			const struct status_iface *f = &st->ifaces[first + i];

			status_printable(cells[i][0], STATUS_CELL, f->name);
			cell_u64(cells[i][1], f->seen, false);
			cell_u64(cells[i][2], f->clamped, false);
			cell_u64(cells[i][3], f->unchanged, false);
			cell_u64(cells[i][4], f->inserted, false);
			cell_u64(cells[i][5], f->malformed, false);
		}
		out_printf(o, "\n");
		status_table(o, count_cols, sizeof(count_cols) / sizeof(count_cols[0]), cells, n,
			     status_mss_seen, st, first);
	}
}

int
status_format_text(char *buf, size_t size, const struct status *st)
{
	struct out o = { .buf = buf, .size = size };
	char d[32];

	if (size == 0)
		return -1;
	buf[0] = '\0';
	out_printf(&o, "mssclampd %s: %s on ", st->version,
		   st->observing ? "observing (nothing is changed)" : "clamping");
	status_queues(&o, st);
	out_printf(&o, ", up %s\n", status_duration(d, sizeof(d), st->uptime));
	out_printf(&o, "config:    %s\n", st->config[0] ? st->config : "the built-in default");
	status_rules_text(&o, st);
	out_printf(&o, "packets:   seen %" PRIu64 ", gaps %" PRIu64 ", bypassed ", st->seen, st->gaps);
	if (st->bypassed_known)
		out_printf(&o, "%" PRIu64, st->bypassed);
	else
		out_printf(&o, "-");
	out_printf(&o, ", verdict_errors %" PRIu64 "\n", st->verdict_errors);
	status_ifaces_text(&o, st);
	return out_finish(&o);
}

/* A JSON string (stats.c escapes it) */
static void
json_string(struct out *o, const char *value)
{
	int n;

	if (o->overflow)
		return;
	n = stats_format_json_string(o->buf + o->len, o->size - o->len, value);
	if (n < 0) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

/* "key": then a string, a time or null */
static void
json_key(struct out *o, const char *key)
{
	out_printf(o, "\"%s\":", key);
}

static void
json_time(struct out *o, time_t t)
{
	char buf[32];

	if (t == 0)
		out_printf(o, "null");
	else
		out_printf(o, "\"%s\"", status_time(buf, sizeof(buf), t));
}

static void
json_u64_or_null(struct out *o, uint64_t v, bool known)
{
	if (known)
		out_printf(o, "%" PRIu64, v);
	else
		out_printf(o, "null");
}

/* {"ipv4":{"1460":3,"1461-2999":1},"ipv6":{...}}: the most counted, most first */
static void
status_mss_seen_json(struct out *o, const struct status_iface *f)
{
	static const char *const family_name[2] = { "ipv4", "ipv6" };
	unsigned family, i;

	out_printf(o, "{");
	for (family = 0; family < 2; family++) {
		out_printf(o, "%s\"%s\":{", family ? "," : "", family_name[family]);
		for (i = 0; i < f->n_mss_seen[family]; i++) {
			const struct status_mss *m = &f->mss_seen[family][i];

			if (m->lo == m->hi)
				out_printf(o, "%s\"%u\":%" PRIu64, i ? "," : "", m->lo, m->count);
			else
				out_printf(o, "%s\"%u-%u\":%" PRIu64, i ? "," : "", m->lo, m->hi,
					   m->count);
		}
		out_printf(o, "}");
	}
	out_printf(o, "}");
}

static void
status_iface_json(struct out *o, const struct status *st, const struct status_iface *f)
{
	out_printf(o, "{");
	json_key(o, "name");
	json_string(o, f->name);
	out_printf(o, ",\"ifindex\":%" PRIu32 ",", f->ifindex);
	json_key(o, "kind");
	json_string(o, f->kind);
	out_printf(o, ",\"mtu\":%u,\"mtu6\":", f->mtu);
	json_u64_or_null(o, f->mtu6, f->mtu6 != 0);
	out_printf(o, ",\"clamp\":%s,\"section\":", f->clamp ? "true" : "false");
	if (f->section[0] == '\0') {
		out_printf(o, "null");
	} else {
		out_printf(o, "{");
		json_key(o, "pattern");
		json_string(o, f->section);
		out_printf(o, ",");
		json_key(o, "file");
		json_string(o, st->config);
		out_printf(o, ",\"line\":%u}", f->section_line);
	}
	out_printf(o, ",\"overhead\":%u,\"mtu_override\":", f->overhead);
	json_u64_or_null(o, f->mtu_override, f->mtu_override != 0);
	out_printf(o, ",\"mss_cap\":");
	json_u64_or_null(o, f->mss_cap, f->mss_cap != 0);
	out_printf(o, ",\"mss6_cap\":");
	json_u64_or_null(o, f->mss6_cap, f->mss6_cap != 0);
	out_printf(o, ",\"mss4\":");
	json_u64_or_null(o, f->mss4, f->mss4 != 0);
	out_printf(o, ",\"mss6\":");
	json_u64_or_null(o, f->mss6, f->mss6 != 0);
	out_printf(o, ",\"seen\":%" PRIu64 ",\"clamped\":%" PRIu64 ",\"unchanged\":%" PRIu64
		   ",\"inserted\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"mss_seen\":",
		   f->seen, f->clamped, f->unchanged, f->inserted, f->malformed);
	status_mss_seen_json(o, f);
	out_printf(o, "}");
}

int
status_format_json(char *buf, size_t size, const struct status *st)
{
	static const char *const rules[] = {
		[STATUS_RULES_NONE] = "none",
		[STATUS_RULES_IN_PLACE] = "in_place",
		[STATUS_RULES_MISSING] = "missing",
	};
	struct out o = { .buf = buf, .size = size };
	size_t i;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	out_printf(&o, "{");
	json_key(&o, "version");
	json_string(&o, st->version);
	out_printf(&o, ",\"uptime\":%" PRIu64 ",\"mode\":\"%s\",\"queues\":{\"first\":%u,\"count\":%u,"
		   "\"fanout\":\"%s\"},", st->uptime, st->observing ? "observe" : "clamp",
		   st->queue_first, st->queue_count, st->queue_fanout == CONF_FANOUT_CPU ? "cpu" : "flow");
	json_key(&o, "config");
	if (st->config[0] == '\0')
		out_printf(&o, "null");
	else
		json_string(&o, st->config);
	out_printf(&o, ",\"firewall\":{");
	json_key(&o, "backend");
	json_string(&o, st->firewall);
	out_printf(&o, ",");
	json_key(&o, "flavour");
	if (st->flavour[0] == '\0')
		out_printf(&o, "null");
	else
		json_string(&o, st->flavour);
	out_printf(&o, ",\"rules\":\"%s\",\"since\":", rules[st->rules]);
	json_time(&o, st->rules_since);
	out_printf(&o, ",\"healing\":%s,\"rules_restored\":%" PRIu64 ",\"last_restored\":",
		   st->healing ? "true" : "false", st->rules_restored);
	json_time(&o, st->last_restored);
	out_printf(&o, ",\"repair_at\":");
	json_time(&o, st->repair_at);
	out_printf(&o, "},\"packets\":{\"seen\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"bypassed\":",
		   st->seen, st->gaps);
	json_u64_or_null(&o, st->bypassed, st->bypassed_known);
	out_printf(&o, ",\"verdict_errors\":%" PRIu64 "},\"interfaces\":[", st->verdict_errors);
	for (i = 0; i < st->n_ifaces; i++) {
		if (i > 0)
			out_printf(&o, ",");
		status_iface_json(&o, st, &st->ifaces[i]);
	}
	out_printf(&o, "]}\n");
	return out_finish(&o);
}
