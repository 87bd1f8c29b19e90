/*
 * The iptables backend: iptables and ip6tables, run from PATH, both
 * families the same way. For each, table mangle:
 *	-N MSSCLAMPD
 *	-A MSSCLAMPD -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num N --queue-bypass
 *	(several queues: --queue-balance N:M, and --queue-cpu-fanout for queues by CPU)
 *	-A FORWARD|OUTPUT|INPUT -p tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD
 *
 * A check reads the whole mangle table of each family with -S and compares
 * it line by line with what install made (iptables prints a rule the same
 * way whatever way it was written); a repair adds back only what is gone,
 * so the counters of what stayed keep counting.
 */
#include <stdarg.h>
#include <stdbool.h>
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

static const char *const ipt_hooks[FW_HOOKS] = { "FORWARD", "OUTPUT", "INPUT" };
#define IPT_NHOOKS FW_HOOKS
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

/*
 * One queue, or a range: balanced by a hash of the flow, or with
 * --queue-cpu-fanout by the CPU the packet arrived on (first + cpu % count),
 * where a worker pinned to that CPU is woken without an IPI. By CPU, a NIC
 * with one RX queue sends every SYN to one worker (unless RPS spreads them):
 * hence a choice, not the rule.
 */
static const char *
ipt_queue_option(const struct fw_rules *rules, char *queues, size_t size)
{
	if (rules->count == 1) {
		snprintf(queues, size, "%u", rules->first);
		return "--queue-num";
	}
	snprintf(queues, size, "%u:%u", rules->first, rules->first + rules->count - 1);
	return "--queue-balance";
}

/* --queue-cpu-fanout, when it means anything (several queues), else NULL. */
static const char *
ipt_fanout_option(const struct fw_rules *rules)
{
	return rules->fanout == CONF_FANOUT_CPU && rules->count > 1 ? "--queue-cpu-fanout" : NULL;
}

int
fw_iptables_rule(const struct fw_rules *rules, char *buf, size_t size)
{
	char queues[32];
	const char *option = ipt_queue_option(rules, queues, sizeof(queues));
	const char *fanout = ipt_fanout_option(rules);
	int n;

	/* libxt_NFQUEUE's save order: the queues, --queue-bypass, --queue-cpu-fanout */
	n = snprintf(buf, size, "-A %s -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE %s %s "
		     "--queue-bypass%s%s", FIREWALL_CHAIN, option, queues, fanout ? " " : "",
		     fanout ? fanout : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Our NFQUEUE rule, appended to our chain. */
static int
ipt_add_rule(struct fw_run *run, const char *tool, const struct fw_rules *rules)
{
	char queues[32];
	const char *option = ipt_queue_option(rules, queues, sizeof(queues));

	/* a NULL fanout ends the arguments there */
	return IPT_MUST(run, tool, "-A", FIREWALL_CHAIN, IPT_SYN_MATCH,
			"-j", "NFQUEUE", option, queues, "--queue-bypass", ipt_fanout_option(rules));
}

static int
ipt_install_family(struct fw_run *run, const char *tool, const struct fw_rules *rules)
{
	size_t i;
	int rc;

	/* A chain left by a daemon that could not clean up (kill -9) is refilled. */
	if ((rc = IPT(run, tool, "-N", FIREWALL_CHAIN)) == -1)
		return -1;
	if (rc == 1) {
		if (IPT_MUST(run, tool, "-F", FIREWALL_CHAIN) == -1)
			return -1;
		log_info("%s: mangle chain %s was left by an earlier run: refilled",
			 tool, FIREWALL_CHAIN);
	}
	if (ipt_add_rule(run, tool, rules) == -1)
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

/* Lines of "iptables -S" output that are exactly text. */
static unsigned
ipt_count_lines(const char *out, const char *text)
{
	size_t len = strlen(text);
	unsigned n = 0;
	const char *p;

	for (p = out; (p = strstr(p, text)) != NULL; p += len)
		if ((p == out || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			n++;
	return n;
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
	has_chain = ipt_count_lines(run->r.out, "-N " FIREWALL_CHAIN) > 0;
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

static int
ipt_install(struct fw_run *run, struct fw_rules *rules)
{
	char queues[32];
	bool quiet;
	size_t i, j;

	conf_queues_text(queues, sizeof(queues), rules->first, rules->count,
			 rules->fanout);
	for (i = 0; i < FW_FAMILIES; i++) {
		if (ipt_install_family(run, ipt_tools[i], rules) == -1) {
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

/* Rules in our chain: "-A MSSCLAMPD ..." lines. */
static unsigned
ipt_count_chain_rules(const char *out)
{
	const char *p, *prefix = "-A " FIREWALL_CHAIN " ";
	size_t len = strlen(prefix);
	unsigned n = 0;

	for (p = out; (p = strstr(p, prefix)) != NULL; p += len)
		if (p == out || p[-1] == '\n')
			n++;
	return n;
}

static int
ipt_check_family(struct fw_run *run, const char *tool, const struct fw_rules *rules,
		 unsigned *parts, unsigned jumps[FW_HOOKS])
{
	char rule[192], jump[128];
	size_t i;

	if (IPT_MUST(run, tool, "-S") == -1)
		return -1;
	if (fw_output_full(run)) {
		log_err("%s -t mangle -S: more than %zu bytes of rules; cannot check ours",
			tool, sizeof(run->r.out) - 1);
		return -1;
	}
	/* as -S prints them, which is how install wrote them */
	if (fw_iptables_rule(rules, rule, sizeof(rule)) == -1)
		return -1;
	*parts = 0;
	if (ipt_count_lines(run->r.out, "-N " FIREWALL_CHAIN) == 0)
		*parts |= FW_PART_CHAIN | FW_PART_RULE;
	else if (ipt_count_chain_rules(run->r.out) != 1 || ipt_count_lines(run->r.out, rule) != 1)
		*parts |= FW_PART_RULE;
	for (i = 0; i < IPT_NHOOKS; i++) {
		snprintf(jump, sizeof(jump), "-A %s -p tcp -m tcp --tcp-flags SYN,RST SYN -j %s",
			 ipt_hooks[i], FIREWALL_CHAIN);
		jumps[i] = ipt_count_lines(run->r.out, jump);
		if (jumps[i] == 0)
			*parts |= FW_PART_JUMP;
		else if (jumps[i] > 1)
			*parts |= FW_PART_EXTRA_JUMP;
	}
	return 0;
}

static int
ipt_check(struct fw_run *run, const struct fw_rules *rules, struct fw_damage *damage)
{
	size_t i;

	memset(damage, 0, sizeof(*damage));
	for (i = 0; i < FW_FAMILIES; i++)
		if (ipt_check_family(run, ipt_tools[i], rules, &damage->parts[i],
				     damage->jumps[i]) == -1)
			return -1;
	return 0;
}

/*
 * Only what is gone comes back: a chain with its rule, a rule into a chain
 * emptied or altered (flushed first: it is ours), a jump appended after
 * whatever the operator has in that hook now. A hook that jumps to us more
 * than once loses the first copies.
 */
static int
ipt_repair_family(struct fw_run *run, const char *tool, const struct fw_rules *rules,
		  unsigned parts, const unsigned jumps[FW_HOOKS])
{
	unsigned n;
	size_t i;

	if ((parts & FW_PART_CHAIN) && IPT_MUST(run, tool, "-N", FIREWALL_CHAIN) == -1)
		return -1;
	if ((parts & (FW_PART_CHAIN | FW_PART_RULE)) == FW_PART_RULE &&
	    IPT_MUST(run, tool, "-F", FIREWALL_CHAIN) == -1)
		return -1;
	if ((parts & FW_PART_RULE) && ipt_add_rule(run, tool, rules) == -1)
		return -1;
	for (i = 0; i < IPT_NHOOKS; i++) {
		if (jumps[i] == 0 && IPT_MUST(run, tool, "-A", ipt_hooks[i], IPT_SYN_MATCH,
					      "-j", FIREWALL_CHAIN) == -1)
			return -1;
		for (n = jumps[i]; n > 1; n--)
			if (IPT_MUST(run, tool, "-D", ipt_hooks[i], IPT_SYN_MATCH,
				     "-j", FIREWALL_CHAIN) == -1)
				return -1;
	}
	return 0;
}

static int
ipt_repair(struct fw_run *run, struct fw_rules *rules, const struct fw_damage *damage)
{
	size_t i;

	for (i = 0; i < FW_FAMILIES; i++)
		if (damage->parts[i] != 0 &&
		    ipt_repair_family(run, ipt_tools[i], rules, damage->parts[i],
				      damage->jumps[i]) == -1)
			return -1;
	return 0;
}

/* Appends to buf[0..size) at *len; what does not fit is cut. */
static void ipt_put(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
ipt_put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = (size_t)n < size - *len ? *len + (size_t)n : size - 1;
}

/* The hooks whose jump count is missing (0) or extra (> 1): " FORWARD, INPUT". */
static void
ipt_put_hooks(char *buf, size_t size, size_t *len, const unsigned jumps[FW_HOOKS], bool extra)
{
	const char *sep = " ";
	size_t h;

	for (h = 0; h < IPT_NHOOKS; h++) {
		if (extra ? jumps[h] > 1 : jumps[h] == 0) {
			ipt_put(buf, size, len, "%s%s", sep, ipt_hooks[h]);
			sep = ", ";
		}
	}
}

/* "iptables: chain MSSCLAMPD, jumps from FORWARD, INPUT; ip6tables: extra jumps from OUTPUT" */
static void
ipt_describe(const struct fw_damage *damage, char *buf, size_t size)
{
	size_t len = 0, i;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < FW_FAMILIES; i++) {
		unsigned parts = damage->parts[i];
		const char *sep = "";

		if (parts == 0)
			continue;
		ipt_put(buf, size, &len, "%s%s: ", len > 0 ? "; " : "", ipt_tools[i]);
		if (parts & FW_PART_CHAIN) {
			ipt_put(buf, size, &len, "chain %s", FIREWALL_CHAIN);
			sep = ", ";
		} else if (parts & FW_PART_RULE) {
			ipt_put(buf, size, &len, "the NFQUEUE rule in %s", FIREWALL_CHAIN);
			sep = ", ";
		}
		if (parts & FW_PART_JUMP) {
			ipt_put(buf, size, &len, "%sjumps from", sep);
			ipt_put_hooks(buf, size, &len, damage->jumps[i], false);
			sep = ", ";
		}
		if (parts & FW_PART_EXTRA_JUMP) {
			ipt_put(buf, size, &len, "%sextra jumps from", sep);
			ipt_put_hooks(buf, size, &len, damage->jumps[i], true);
		}
	}
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
	.check = ipt_check,
	.repair = ipt_repair,
	.describe = ipt_describe,
	.needs_raw = ipt_needs_raw,
};
