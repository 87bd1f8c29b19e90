/*
 * Packet counters and their text forms: a logfmt line for people tailing
 * the log, JSON lines and a Prometheus textfile for machines. Pure: the
 * caller owns buffers, clocks and files.
 */
#ifndef MSSCLAMPD_STATS_H
#define MSSCLAMPD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine.h"

enum stats_family { STATS_IPV4, STATS_IPV6, STATS_FAMILY_COUNT };

/* Cumulative counts for one interface (or all): per family, per engine action. */
struct stats_counters {
	uint64_t packets[STATS_FAMILY_COUNT][ENGINE_ACTION_COUNT];
};

/* Daemon-wide figures that belong to no interface; shown on the iface=all line. */
struct stats_extra {
	uint64_t malformed[ENGINE_MALFORMED_COUNT]; /* by reason */
	uint64_t queue_gaps;      /* packet ids skipped: the kernel let them past a full socket (fail-open) */
	bool bypassed_known;      /* false when the rules are the operator's (firewall = none) */
	uint64_t bypassed;        /* SYNs our rules matched that never reached us: fail-open or a stopped daemon */
	bool rules_ours;          /* the daemon installed the rules (firewall = iptables or nftables) */
	uint64_t rules_restored;  /* times the daemon put back rules something had removed */
	uint64_t verdict_errors;  /* verdicts the kernel refused, e.g. ENOENT after an interface went down */
	uint64_t uptime_seconds;
	bool observing;           /* observe mode: "clamped" counts what would have been; shown as mode=observe */
};

/* One line of output. */
struct stats_line {
	const char *iface;                     /* "all" for the totals */
	const struct stats_counters *counters;
	struct engine_ceiling ceiling;         /* current ceilings; 0 when unknown (interface gone, or "all") */
	const struct stats_extra *extra;       /* only on the "all" line; else NULL */
};

/* Adds every counter of c to *sum. */
void stats_add(struct stats_counters *sum, const struct stats_counters *c);

/* Packets of action in both families; action ENGINE_ACTION_COUNT means all of them (seen). */
uint64_t stats_total(const struct stats_counters *c, enum engine_action action);

/*
 * "2026-11-21T10:00:00Z iface=ppp0 seen=12 clamped=10 unchanged=1 inserted=0
 * malformed=1 skipped=0 ipv4=8 ipv6=4 mss4=1452 mss6=1432\n"
 * The "all" line ends with gaps= [bypassed=] [rules_restored=] verdict_errors= uptime= and, in
 * observe mode, mode=observe.
 * Each returns the length written (always NUL-terminated), or -1 if size was too small.
 */
int stats_format_logfmt(char *buf, size_t size, time_t now, const struct stats_line *line);

/* The same line as one JSON object and a newline, with the full per-family breakdown. */
int stats_format_json(char *buf, size_t size, time_t now, const struct stats_line *line);

/* A whole Prometheus text-format exposition for n lines (HELP/TYPE once per metric). */
int stats_format_prometheus(char *buf, size_t size, const struct stats_line *lines, size_t n);

/* value as a JSON string, quotes included, escaped as the JSON lines are (invalid UTF-8 as U+FFFD). */
int stats_format_json_string(char *buf, size_t size, const char *value);

#endif
