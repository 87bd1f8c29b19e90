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

/*
 * The MSS values SYNs and SYN-ACKs arrive with (what a receiver would
 * honour, before any clamping), per family, in STATS_MSS_BINS bins: every
 * value from 1240 to 1460 on its own (Ethernet, PPPoE, tunnels, VPNs: where
 * clamping decides), 536 and 1220 (the defaults), and ranges for the rest:
 * 1-535, 537-999, 1000-1219, 1221-1239, 1461-2999, 3000-8899, 8900-9000
 * (9000-byte jumbo frames), 9001-65535.
 */
#define STATS_MSS_EXACT_LO 1240
#define STATS_MSS_EXACT_HI 1460
#define STATS_MSS_BINS (6 + (STATS_MSS_EXACT_HI - STATS_MSS_EXACT_LO + 1) + 4)

struct stats_mss {
	uint64_t bins[STATS_FAMILY_COUNT][STATS_MSS_BINS];
};

/* The bin of an MSS of 1 to 65535, and the values a bin holds (lo == hi for an exact one). */
unsigned stats_mss_bin(uint16_t mss);
void stats_mss_range(unsigned bin, unsigned *lo, unsigned *hi);

/* Adds every bin of h to *sum. */
void stats_mss_add(struct stats_mss *sum, const struct stats_mss *h);

/* Daemon-wide figures that belong to no interface; shown on the iface=all line. */
struct stats_extra {
	uint64_t malformed[ENGINE_MALFORMED_COUNT]; /* by reason */
	uint64_t notes[ENGINE_NOTE_COUNT];          /* SYNs left as they were, by why (none: unused) */
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
	const struct stats_mss *mss;           /* the MSS values seen; NULL if not shown */
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

/*
 * The same line as one JSON object and a newline, with the full per-family
 * breakdown, each family's MSS values ("mss":{"1460":3,"1461-2999":1}, the
 * bins that are not empty) and, on the "all" line, the malformed reasons
 * and the notes.
 */
int stats_format_json(char *buf, size_t size, time_t now, const struct stats_line *line);

/*
 * A whole Prometheus text-format exposition for n lines (HELP/TYPE once per
 * metric). The MSS values are a labelled counter,
 * mssclampd_syn_mss_total{iface,family,mss="1460" or "1461-2999"}, with the
 * bins that are not empty.
 */
int stats_format_prometheus(char *buf, size_t size, const struct stats_line *lines, size_t n);

/* value as a JSON string, quotes included, escaped as the JSON lines are (invalid UTF-8 as U+FFFD). */
int stats_format_json_string(char *buf, size_t size, const char *value);

#endif
