/*
 * What `mssclampd status` shows: the daemon, its firewall rules and one row
 * per interface the kernel has, filled in by the modules that know each
 * part (report.c, firewall.c, control.c) and rendered here as text for a
 * person or as one JSON document for a program. Pure: the caller owns the
 * buffers and the clock.
 */
#ifndef MSSCLAMPD_STATUS_H
#define MSSCLAMPD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"

#define STATUS_NAMSIZ 16 /* IFNAMSIZ */
#define STATUS_MSS_TOP 8  /* the MSS values an interface saw most, per family */

/* SYNs and SYN-ACKs that arrived with an MSS from lo to hi (lo == hi: that value). */
struct status_mss {
	unsigned lo, hi;
	uint64_t count;
};

/* The state of the daemon's rules. */
enum status_rules {
	STATUS_RULES_NONE,      /* firewall = none: the operator's rules, not checked */
	STATUS_RULES_IN_PLACE,  /* all there, as made */
	STATUS_RULES_MISSING,   /* some part gone or altered, not (yet) restored */
};

/* One interface the kernel has now. */
struct status_iface {
	char name[STATUS_NAMSIZ];
	uint32_t ifindex;
	char kind[STATUS_NAMSIZ];      /* "" when the kernel names none */
	unsigned mtu;                  /* the kernel's */
	unsigned mtu6;                 /* the kernel's IPv6 MTU; 0: none known */
	char section[STATUS_NAMSIZ];   /* the matching [interface PATTERN]; "" for none */
	unsigned section_line;
	unsigned overhead;
	unsigned mtu_override;         /* 0: none */
	unsigned mss_cap;              /* 0: none */
	unsigned mss6_cap;             /* 0: none of its own */
	bool clamp;                    /* false: clamp = no */
	unsigned mss4, mss6;           /* the ceilings in force; 0 when unknown or not clamped */
	uint64_t seen, clamped, unchanged, inserted, malformed;  /* under its name, since start */
	struct status_mss mss_seen[2][STATUS_MSS_TOP]; /* [0] IPv4, [1] IPv6: most counted first */
	unsigned n_mss_seen[2];
};

struct status {
	const char *version;
	uint64_t uptime;               /* seconds */
	bool observing;
	unsigned queue_first, queue_count;
	enum conf_fanout queue_fanout; /* picked by the CPU a packet arrived on, or by flow */
	const char *config;            /* its path; "" for the built-in default */

	const char *firewall;          /* "iptables", "nftables", "none" */
	const char *flavour;           /* iptables: "nf_tables" or "legacy"; else "" */
	enum status_rules rules;
	time_t rules_since;            /* when they were last found so; 0: unknown */
	bool healing;
	uint64_t rules_restored;
	time_t last_restored;          /* 0: never */
	time_t repair_at;              /* a repair that waits (back-off); 0: none */

	uint64_t seen, gaps, verdict_errors;
	bool bypassed_known;
	uint64_t bypassed;

	struct status_iface *ifaces;   /* sorted by name */
	size_t n_ifaces;
};

/*
 * The STATUS_MSS_TOP most counted of one family's MSS bins (a
 * stats_mss.bins[family] array), most first; on a tie the lower MSS first.
 */
void status_top_mss(const uint64_t *bins, struct status_mss *top, unsigned *n);

/*
 * The status for a person: a few lines about the daemon, then two tables,
 * the interfaces' ceilings and their counters. Returns the length written
 * (NUL-terminated), or -1 when size is too small (buf then holds "").
 */
int status_format_text(char *buf, size_t size, const struct status *st);

/* The same as one JSON object and a newline; field names as mssclampd(8) documents them. */
int status_format_json(char *buf, size_t size, const struct status *st);

#endif
