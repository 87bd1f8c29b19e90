/*
 * What the firewall facade (firewall.c) asks of a backend: one per tool
 * family, each in its own file (fw_iptables.c, fw_nftables.c). Internal:
 * included by firewall.c and the backends only. Every call runs tools and
 * waits for them; the caller picks the thread.
 */
#ifndef MSSCLAMPD_FW_BACKEND_H
#define MSSCLAMPD_FW_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "spawn.h"

#define FIREWALL_CHAIN "MSSCLAMPD"   /* iptables chain */
#define FIREWALL_TABLE "mssclampd"   /* nftables table (family inet) */

#define FW_TIMEOUT_MS 30000          /* a tool that has not finished by then is killed */
#define FW_FAMILIES 2                /* [0] IPv4, [1] IPv6 */
#define FW_HOOKS 3                   /* FORWARD, OUTPUT, INPUT */
#define FW_LISTING_MAX 4096

/* How one thread runs tools for a backend; each thread that calls one has its own. */
struct fw_run {
	struct spawn_result r;  /* the last tool's words, for parsing and the log */
	int cancel_fd;          /* readable: the running tool is killed, the call fails; -1: none */
	bool quiet;             /* a best-effort rollback: failures only at debug level */
};

/* Our rules: what install made, which every check compares with. */
struct fw_rules {
	unsigned first, count;          /* the queues */
	enum conf_fanout fanout;        /* how the kernel picks one of several queues */
	char listing[FW_LISTING_MAX];   /* nftables: our table as nft lists it, its counters at 0 */
};

/* What a check found wrong with a family's rules (nftables: the table, in [0]). */
enum fw_part {
	FW_PART_TABLE = 1u << 0,        /* nftables: table inet mssclampd is gone */
	FW_PART_ALTERED = 1u << 1,      /* nftables: the table is not as we made it */
	FW_PART_CHAIN = 1u << 2,        /* iptables: chain MSSCLAMPD is gone */
	FW_PART_RULE = 1u << 3,         /* iptables: its NFQUEUE rule is gone or altered, or has company */
	FW_PART_JUMP = 1u << 4,         /* iptables: a hook has no jump to it (jumps[] says which) */
	FW_PART_EXTRA_JUMP = 1u << 5,   /* iptables: a hook jumps to it more than once */
};

struct fw_damage {
	unsigned parts[FW_FAMILIES];             /* enum fw_part; all 0: intact */
	unsigned jumps[FW_FAMILIES][FW_HOOKS];   /* iptables: our jumps found in FORWARD, OUTPUT, INPUT */
};

struct fw_backend {
	/* Installs (or refills) the rules for rules->first .. + count - 1, logs what it
	 * made and fills the rest of *rules; idempotent; on failure leaves nothing
	 * half-made. 0 or -1 (logged). */
	int (*install)(struct fw_run *run, struct fw_rules *rules);
	/* Removes every rule install made; says nothing when there are none. 0 or -1. */
	int (*remove)(struct fw_run *run);
	/* Compares what is in the kernel with *rules: *damage all 0 when intact.
	 * 0, or -1 when it could not tell (logged). */
	int (*check)(struct fw_run *run, const struct fw_rules *rules, struct fw_damage *damage);
	/* Puts back what damage says is missing, and touches nothing else. 0 or -1 (logged). */
	int (*repair)(struct fw_run *run, struct fw_rules *rules, const struct fw_damage *damage);
	/* What damage says, for the log: "iptables: chain MSSCLAMPD; ip6tables: the jump from OUTPUT". */
	void (*describe)(const struct fw_damage *damage, char *buf, size_t size);
	/* Whether the tool needs CAP_NET_RAW besides CAP_NET_ADMIN (iptables-legacy). */
	bool (*needs_raw)(struct fw_run *run);
};

extern const struct fw_backend fw_iptables;
extern const struct fw_backend fw_nftables;

/* Our NFQUEUE rule as "iptables -S" prints it (and a check expects it). 0, or -1 if it does not fit. */
int fw_iptables_rule(const struct fw_rules *rules, char *buf, size_t size);

/*
 * The whole nftables table, replaced in one transaction; with_queue false:
 * the same without the queue statements. 0, or -1 if it does not fit.
 */
int fw_nftables_ruleset(const struct fw_rules *rules, bool with_queue, char *buf, size_t size);

/* Runs one tool the way every backend does (see spawn_run()); not_found: what to install. */
static inline int
fw_spawn(struct fw_run *run, const char *const argv[], const char *input, const char *not_found)
{
	const struct spawn_options opts = {
		.input = input,
		.timeout_ms = FW_TIMEOUT_MS,
		.cancel_fd = run->cancel_fd,
		.quiet = run->quiet,
		.not_found = not_found,
	};

	return spawn_run(argv, &opts, &run->r);
}

/* Whether a tool's output may have been cut at SPAWN_OUT_MAX: a check then cannot tell. */
static inline bool
fw_output_full(const struct fw_run *run)
{
	return run->r.out_len + 1 >= sizeof(run->r.out);
}

#endif
