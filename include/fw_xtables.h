/*
 * iptables-legacy's tables, read from the kernel without a tool:
 * getsockopt IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES (IP6T_ for IPv6) on a
 * raw socket, which takes CAP_NET_RAW to open (the daemon keeps it with
 * iptables-legacy) and CAP_NET_ADMIN to read. What comes back is the
 * mangle table's rule blob; from it, a signature that changes with any rule
 * but not with the counters, and the packets our chain's NFQUEUE rules
 * counted. Legacy has no change events: the firewall's helper thread reads
 * this once a second and runs the tools only when the signature moved.
 * Internal to the firewall.
 */
#ifndef MSSCLAMPD_FW_XTABLES_H
#define MSSCLAMPD_FW_XTABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define FW_XTABLES_HOOKS 5 /* NF_INET_NUMHOOKS */

/* The table's layout, from IPT_SO_GET_INFO. */
struct fw_xtables_info {
	unsigned valid_hooks;                      /* bit h: hook h has a built-in chain */
	unsigned hook_entry[FW_XTABLES_HOOKS];     /* where each built-in chain starts */
	unsigned underflow[FW_XTABLES_HOOKS];      /* its policy rule */
	unsigned num_entries, size;
};

/* What one family's table says. */
struct fw_xtables_scan {
	uint64_t signature;   /* of every rule and the layout, counters left out */
	uint64_t packets;     /* counted by NFQUEUE rules in chain MSSCLAMPD */
	bool found;           /* chain MSSCLAMPD has an NFQUEUE rule */
};

struct fw_xtables;

/* Raw sockets for both families. NULL (logged) when they cannot be had. */
struct fw_xtables *fw_xtables_open(void);
void fw_xtables_close(struct fw_xtables *xt);

/*
 * Reads both families' mangle tables: scan[0] IPv4, scan[1] IPv6.
 * 0, or -1 (logged at debug level).
 */
int fw_xtables_read(struct fw_xtables *xt, struct fw_xtables_scan scan[2]);

/*
 * One table's rule blob (entries[0..size)) as the kernel hands it over, for
 * family 4 or 6: every entry's offsets and sizes checked before use. 0, or
 * -1 when malformed.
 */
int fw_xtables_parse(int family, const struct fw_xtables_info *info, const void *entries,
		     size_t size, struct fw_xtables_scan *scan);

#endif
