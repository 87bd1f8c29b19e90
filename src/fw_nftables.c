/*
 * The nftables backend: one table of our own, inet mssclampd, written by
 * nft -f and replaced in one transaction; a named counter per family.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "fw_backend.h"
#include "log.h"
#include "spawn.h"

#define NFT_RULESET_MAX 4096
#define NFT_NOT_FOUND "install the nftables package or set firewall = none"

/*
 * The whole table, replaced in one transaction: declaring it first makes
 * the delete succeed when it is not there yet, so a restart after kill -9
 * ends with one copy. Without queue, the same ruleset minus the queue
 * statements, to tell a kernel without nft_queue from any other failure.
 */
static int
nft_ruleset(char *buf, size_t size, unsigned first, unsigned count, bool with_queue)
{
	static const char *const hooks[] = { "forward", "output", "input" };
	char queue[64] = "";
	size_t len = 0, i;
	int n;

	/*
	 * Several queues: spread by a hash of the flow, as --queue-balance;
	 * not "fanout", which picks by CPU (see fw_iptables.c).
	 */
	if (with_queue && count == 1)
		snprintf(queue, sizeof(queue), " queue num %u bypass", first);
	else if (with_queue)
		snprintf(queue, sizeof(queue), " queue num %u-%u bypass", first, first + count - 1);

	n = snprintf(buf, size,
		     "table inet " FIREWALL_TABLE " {}\n"
		     "delete table inet " FIREWALL_TABLE "\n"
		     "table inet " FIREWALL_TABLE " {\n"
		     "\tcounter syn4 {}\n"
		     "\tcounter syn6 {}\n");
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		n = snprintf(buf + len, size - len,
			     "\tchain %s {\n"
			     "\t\ttype filter hook %s priority mangle; policy accept;\n"
			     "\t\tmeta nfproto ipv4 tcp flags & (syn | rst) == syn counter name \"syn4\"%s\n"
			     "\t\tmeta nfproto ipv6 tcp flags & (syn | rst) == syn counter name \"syn6\"%s\n"
			     "\t}\n", hooks[i], hooks[i], queue, queue);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "}\n");
	if (n < 0 || (size_t)n >= size - len)
		return -1;
	return 0;
}

static int
nft_install(struct fw_run *run, unsigned first, unsigned count)
{
	const char *const apply[] = { "nft", "-f", "-", NULL };
	/*
	 * nft -c sends the batch without its end marker, so the kernel checks
	 * every expression (loading nft_queue if it can) and then aborts it.
	 */
	const char *const check[] = { "nft", "-c", "-f", "-", NULL };
	char ruleset[NFT_RULESET_MAX], msg[512], queues[32];
	int rc;

	if (nft_ruleset(ruleset, sizeof(ruleset), first, count, true) == -1)
		return -1;
	if ((rc = fw_spawn(run, apply, ruleset, NFT_NOT_FOUND)) == 0) {
		conf_queues_text(queues, sizeof(queues), first, count);
		log_info("nftables: table inet %s sends SYNs from forward, output and input "
			 "to %s (bypass)", FIREWALL_TABLE, queues);
		return 0;
	}
	if (rc == -1)
		return -1;
	spawn_message(&run->r, msg, sizeof(msg));
	/* the kernel's ENOENT for an expression type it does not have */
	if (strstr(msg, "No such file or directory") != NULL &&
	    nft_ruleset(ruleset, sizeof(ruleset), first, count, false) == 0 &&
	    fw_spawn(run, check, ruleset, NFT_NOT_FOUND) == 0) {
		log_debug("nft -f -: %s", msg);
		log_err("this kernel has no nftables queue support (nft_queue): use firewall = iptables");
		return -1;
	}
	log_err("nft -f -: %s", msg);
	return -1;
}

static int
nft_remove(struct fw_run *run)
{
	const char *const apply[] = { "nft", "-f", "-", NULL };
	int rc;

	rc = fw_spawn(run, apply, "table inet " FIREWALL_TABLE " {}\n"
				  "delete table inet " FIREWALL_TABLE "\n", NFT_NOT_FOUND);
	if (rc == 1)
		spawn_log_failure(apply, &run->r, run->quiet);
	return rc == 0 ? 0 : -1;
}

/* "counter syn4 {\n\t\tpackets 12 bytes 720\n\t}" from nft list counters. */
static int
nft_packets(struct fw_run *run, uint64_t packets[FW_FAMILIES])
{
	const char *const list[] = { "nft", "list", "counters", "table", "inet", FIREWALL_TABLE, NULL };
	static const char *const names[FW_FAMILIES] = { "counter syn4 {", "counter syn6 {" };
	unsigned long long pkts;
	const char *p;
	size_t i;
	int rc;

	if ((rc = fw_spawn(run, list, NULL, NFT_NOT_FOUND)) != 0) {
		if (rc == 1)
			spawn_log_failure(list, &run->r, run->quiet);
		return -1;
	}
	for (i = 0; i < FW_FAMILIES; i++) {
		if ((p = strstr(run->r.out, names[i])) == NULL ||
		    (p = strstr(p, "packets ")) == NULL ||
		    sscanf(p, "packets %llu", &pkts) != 1) {
			log_err("nft list counters: no %s in table inet %s", names[i], FIREWALL_TABLE);
			return -1;
		}
		packets[i] = pkts;
	}
	return 0;
}

/* nft talks netlink only: CAP_NET_ADMIN is enough. */
static bool
nft_needs_raw(struct fw_run *run)
{
	(void)run;
	return false;
}

const struct fw_backend fw_nftables = {
	.install = nft_install,
	.remove = nft_remove,
	.packets = nft_packets,
	.needs_raw = nft_needs_raw,
};
