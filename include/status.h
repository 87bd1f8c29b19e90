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

#define STATUS_NAMSIZ 16 /* IFNAMSIZ */

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
	char section[STATUS_NAMSIZ];   /* the matching [interface PATTERN]; "" for none */
	unsigned section_line;
	unsigned overhead;
	unsigned mtu_override;         /* 0: none */
	unsigned mss_cap;              /* 0: none */
	unsigned mss4, mss6;           /* the ceilings in force; 0 when unknown */
	uint64_t seen, clamped, unchanged, inserted, malformed;  /* under its name, since start */
};

struct status {
	const char *version;
	uint64_t uptime;               /* seconds */
	bool observing;
	unsigned queue_first, queue_count;
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
 * The status for a person: a few lines about the daemon, then two tables,
 * the interfaces' ceilings and their counters. Returns the length written
 * (NUL-terminated), or -1 when size is too small (buf then holds "").
 */
int status_format_text(char *buf, size_t size, const struct status *st);

/* The same as one JSON object and a newline; field names as mssclampd(8) documents them. */
int status_format_json(char *buf, size_t size, const struct status *st);

#endif
