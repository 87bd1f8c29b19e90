/*
 * What the firewall facade (firewall.c) asks of a backend: one per tool
 * family, each in its own file (fw_iptables.c, fw_nftables.c). Internal:
 * included by firewall.c and the backends only. Every call runs tools and
 * waits for them; the caller picks the thread.
 */
#ifndef MSSCLAMPD_FW_BACKEND_H
#define MSSCLAMPD_FW_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "spawn.h"

#define FIREWALL_CHAIN "MSSCLAMPD"   /* iptables chain */
#define FIREWALL_TABLE "mssclampd"   /* nftables table (family inet) */

#define FW_TIMEOUT_MS 30000          /* a tool that has not finished by then is killed */
#define FW_FAMILIES 2                /* packet counts: [0] IPv4, [1] IPv6 */

/* How one thread runs tools for a backend; each thread that calls one has its own. */
struct fw_run {
	struct spawn_result r;  /* the last tool's words, for parsing and the log */
	int cancel_fd;          /* readable: the running tool is killed, the call fails; -1: none */
	bool quiet;             /* a best-effort rollback: failures only at debug level */
};

struct fw_backend {
	/* Installs (or refills) the rules for queues first .. first + count - 1 and logs
	 * what it made; idempotent; on failure leaves nothing half-made. 0 or -1 (logged). */
	int (*install)(struct fw_run *run, unsigned first, unsigned count);
	/* Removes every rule install made; says nothing when there are none. 0 or -1. */
	int (*remove)(struct fw_run *run);
	/* Packets our queueing rules matched, per family. 0 or -1 (logged). */
	int (*packets)(struct fw_run *run, uint64_t packets[FW_FAMILIES]);
	/* Whether the tool needs CAP_NET_RAW besides CAP_NET_ADMIN. */
	bool (*needs_raw)(struct fw_run *run);
};

extern const struct fw_backend fw_iptables;
extern const struct fw_backend fw_nftables;

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

#endif
