/*
 * The iptables backend: iptables and ip6tables, run from PATH, both
 * families the same way. For each, table mangle:
 *	-N MSSCLAMPD
 *	-A MSSCLAMPD -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num N --queue-bypass
 *	-A FORWARD|OUTPUT|INPUT -p tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "fw_backend.h"
#include "log.h"
#include "spawn.h"

#define IPT_WAIT_LOCK "10"      /* iptables -w: seconds to wait for the xtables lock */
#define IPT_MAX_ARGS 32
#define IPT_MAX_DELETES 64      /* -D repeated at most this often per hook */
#define IPT_NOT_FOUND "install the iptables package or set firewall = none"

/* Both tools match the same SYNs: SYN set, RST clear (a SYN-ACK too). */
#define IPT_SYN_MATCH "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN"

static const char *const ipt_hooks[] = { "FORWARD", "OUTPUT", "INPUT" };
#define IPT_NHOOKS (sizeof(ipt_hooks) / sizeof(ipt_hooks[0]))
static const char *const ipt_tools[FW_FAMILIES] = { "iptables", "ip6tables" };

/*
 * Runs "tool -w N -t mangle ARGS..." (NULL-terminated). As spawn_run();
 * with must, a failure of the tool is logged too and returned as -1.
 */
static int
ipt_run(struct fw_run *run, bool must, const char *tool, ...)
{
	const char *argv[IPT_MAX_ARGS];
	const char *arg;
	size_t n = 0;
	va_list ap;
	int rc;

	argv[n++] = tool;
	argv[n++] = "-w";  /* wait for the xtables lock (iptables-legacy; -nft takes none) */
	argv[n++] = IPT_WAIT_LOCK;
	argv[n++] = "-t";
	argv[n++] = "mangle";
	va_start(ap, tool);
	while ((arg = va_arg(ap, const char *)) != NULL && n < IPT_MAX_ARGS - 1)
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	rc = fw_spawn(run, argv, NULL, IPT_NOT_FOUND);
	if (must && rc == 1) {
		spawn_log_failure(argv, &run->r, run->quiet);
		return -1;
	}
	return rc;
}

#define IPT(run, ...) ipt_run(run, false, __VA_ARGS__, (const char *)NULL)
#define IPT_MUST(run, ...) ipt_run(run, true, __VA_ARGS__, (const char *)NULL)

static int
ipt_install_family(struct fw_run *run, const char *tool, unsigned first, unsigned count)
{
	char queues[32];
	const char *option;
	size_t i;
	int rc;

	/*
	 * One queue, or a range balanced by a hash of the flow. Not
	 * --queue-cpu-fanout: it picks the queue by the CPU the packet
	 * arrived on, and a router whose NIC has one RX queue handles all its
	 * packets on one CPU, so every SYN would go to one worker.
	 */
	if (count == 1) {
		option = "--queue-num";
		snprintf(queues, sizeof(queues), "%u", first);
	} else {
		option = "--queue-balance";
		snprintf(queues, sizeof(queues), "%u:%u", first, first + count - 1);
	}

	/* A chain left by a daemon that could not clean up (kill -9) is refilled. */
	if ((rc = IPT(run, tool, "-N", FIREWALL_CHAIN)) == -1)
		return -1;
	if (rc == 1) {
		if (IPT_MUST(run, tool, "-F", FIREWALL_CHAIN) == -1)
			return -1;
		log_info("%s: mangle chain %s was left by an earlier run: refilled",
			 tool, FIREWALL_CHAIN);
	}
	if (IPT_MUST(run, tool, "-A", FIREWALL_CHAIN, IPT_SYN_MATCH,
		     "-j", "NFQUEUE", option, queues, "--queue-bypass") == -1)
		return -1;

	/*
	 * Appended, not inserted: when the daemon accepts a queued packet,
	 * the packet's walk through this hook's mangle chains ends there and
	 * goes on with the next table (filter). A rule behind our jump would
	 * never see a SYN; so the operator's own mangle rules (marks, a TCPMSS
	 * of their own) come first, and we see their result. -C first: a
	 * restart after kill -9 must not add a second jump.
	 */
	for (i = 0; i < IPT_NHOOKS; i++) {
		if ((rc = IPT(run, tool, "-C", ipt_hooks[i], IPT_SYN_MATCH,
			      "-j", FIREWALL_CHAIN)) == -1)
			return -1;
		if (rc == 1 && IPT_MUST(run, tool, "-A", ipt_hooks[i], IPT_SYN_MATCH,
					"-j", FIREWALL_CHAIN) == -1)
			return -1;
	}
	return 0;
}

/* Whether a line of "iptables -S" output is exactly text. */
static bool
ipt_has_line(const char *out, const char *text)
{
	size_t len = strlen(text);
	const char *p;

	for (p = out; (p = strstr(p, text)) != NULL; p += len)
		if ((p == out || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

/* Rules in "iptables -S" output that jump to our chain. */
static unsigned
ipt_count_jumps(const char *out)
{
	const char *p, *needle = " -j " FIREWALL_CHAIN;
	size_t len = strlen(needle);
	unsigned jumps = 0;

	for (p = out; (p = strstr(p, needle)) != NULL; p += len)
		if (p[len] == '\n' || p[len] == ' ' || p[len] == '\0')
			jumps++;
	return jumps;
}

static int
ipt_remove_family(struct fw_run *run, const char *tool)
{
	unsigned jumps, deleted = 0, n;
	bool has_chain;
	size_t i;

	/* Look first, so that nothing there is quiet and a tool that fails is not. */
	if (IPT_MUST(run, tool, "-S") == -1)
		return -1;
	has_chain = ipt_has_line(run->r.out, "-N " FIREWALL_CHAIN);
	jumps = ipt_count_jumps(run->r.out);
	if (!has_chain && jumps == 0)
		return 0;

	for (i = 0; i < IPT_NHOOKS; i++)
		for (n = 0; n < IPT_MAX_DELETES; n++, deleted++)
			if (IPT(run, tool, "-D", ipt_hooks[i], IPT_SYN_MATCH,
				"-j", FIREWALL_CHAIN) != 0)
				break;
	/* -X fails while any jump is left, e.g. one the operator added by hand */
	if (has_chain && (IPT_MUST(run, tool, "-F", FIREWALL_CHAIN) == -1 ||
			  IPT_MUST(run, tool, "-X", FIREWALL_CHAIN) == -1))
		return -1;
	if (!run->quiet)
		log_info("%s: removed mangle chain %s and %u jump%s to it", tool,
			 FIREWALL_CHAIN, deleted, deleted == 1 ? "" : "s");
	return 0;
}

/*
 * "iptables -L MSSCLAMPD -v -x -n": two header lines, then one line per
 * rule starting "pkts bytes target". Sums the NFQUEUE rules' packets.
 */
static int
ipt_packets_family(struct fw_run *run, const char *tool, uint64_t *packets)
{
	unsigned long long pkts, bytes;
	const char *line, *next;
	char target[32];
	bool found = false;

	if (IPT_MUST(run, tool, "-L", FIREWALL_CHAIN, "-v", "-x", "-n") == -1)
		return -1;
	*packets = 0;
	for (line = run->r.out; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		if (sscanf(line, "%llu %llu %31s", &pkts, &bytes, target) == 3 &&
		    strcmp(target, "NFQUEUE") == 0) {
			*packets += pkts;
			found = true;
		}
	}
	if (!found) {
		log_err("%s: no NFQUEUE rule in mangle chain %s", tool, FIREWALL_CHAIN);
		return -1;
	}
	return 0;
}

static int
ipt_install(struct fw_run *run, unsigned first, unsigned count)
{
	char queues[32];
	bool quiet;
	size_t i, j;

	conf_queues_text(queues, sizeof(queues), first, count);
	for (i = 0; i < FW_FAMILIES; i++) {
		if (ipt_install_family(run, ipt_tools[i], first, count) == -1) {
			/* leave nothing half-made: a failed start must not strand rules */
			quiet = run->quiet;
			run->quiet = true;
			for (j = 0; j <= i; j++)
				(void)ipt_remove_family(run, ipt_tools[j]);
			run->quiet = quiet;
			return -1;
		}
		log_info("%s: mangle chain %s sends SYNs from FORWARD, OUTPUT and INPUT "
			 "to %s (bypass)", ipt_tools[i], FIREWALL_CHAIN, queues);
	}
	return 0;
}

static int
ipt_remove(struct fw_run *run)
{
	int ret = 0;
	size_t i;

	/* both families, even when one fails */
	for (i = 0; i < FW_FAMILIES; i++)
		if (ipt_remove_family(run, ipt_tools[i]) == -1)
			ret = -1;
	return ret;
}

static int
ipt_packets(struct fw_run *run, uint64_t packets[FW_FAMILIES])
{
	size_t i;

	for (i = 0; i < FW_FAMILIES; i++)
		if (ipt_packets_family(run, ipt_tools[i], &packets[i]) == -1)
			return -1;
	return 0;
}

static bool
ipt_needs_raw(struct fw_run *run)
{
	static const char *const version[] = { "iptables", "-V", NULL };
	bool quiet = run->quiet, legacy;

	run->quiet = true;
	/* "iptables v1.8.9 (legacy)" or "(nf_tables)" */
	legacy = fw_spawn(run, version, NULL, IPT_NOT_FOUND) == 0 &&
		 strstr(run->r.out, "(legacy)") != NULL;
	run->quiet = quiet;
	return legacy;
}

const struct fw_backend fw_iptables = {
	.install = ipt_install,
	.remove = ipt_remove,
	.packets = ipt_packets,
	.needs_raw = ipt_needs_raw,
};
