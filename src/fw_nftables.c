/*
 * The nftables backend: one table of our own, inet mssclampd, written by
 * nft -f and replaced in one transaction; a named counter per family. A
 * check lists the table and compares it with the listing taken right
 * after install (so whatever this nft prints, it is compared with itself);
 * a repair loads the whole table again.
 */
#include <stdbool.h>
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
int
fw_nftables_ruleset(const struct fw_rules *rules, bool with_queue, char *buf, size_t size)
{
	static const char *const hooks[] = { "forward", "output", "input" };
	unsigned first = rules->first, count = rules->count;
	char queue[64] = "";
	size_t len = 0, i;
	int n;

	/*
	 * Several queues: spread by a hash of the flow, as --queue-balance, or
	 * with fanout by the CPU the packet arrived on, as --queue-cpu-fanout
	 * (see fw_iptables.c).
	 */
	if (with_queue && count == 1)
		snprintf(queue, sizeof(queue), " queue num %u bypass", first);
	else if (with_queue)
		snprintf(queue, sizeof(queue), " queue num %u-%u %sbypass", first, first + count - 1,
			 rules->fanout == CONF_FANOUT_CPU ? "fanout," : "");

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

/* "packets 12 bytes 720" as "packets 0 bytes 0": counters move, the rules do not. */
static void
nft_zero_counters(char *text)
{
	static const char packets[] = "packets ", bytes[] = " bytes ";
	char *p = text, *out = text, *q;

	while (*p != '\0') {
		if (strncmp(p, packets, sizeof(packets) - 1) == 0) {
			q = p + sizeof(packets) - 1;
			q += strspn(q, "0123456789");
			if (q > p + sizeof(packets) - 1 && strncmp(q, bytes, sizeof(bytes) - 1) == 0) {
				char *r = q + sizeof(bytes) - 1;
				size_t digits = strspn(r, "0123456789");

				if (digits > 0) {
					memcpy(out, "packets 0 bytes 0", 17);
					out += 17;
					p = r + digits;
					continue;
				}
			}
		}
		*out++ = *p++;
	}
	*out = '\0';
}

/* Our table as nft lists it now: 1 listed into buf, 0 no such table, -1 failed (logged). */
static int
nft_list(struct fw_run *run, char *buf, size_t size)
{
	const char *const list[] = { "nft", "list", "table", "inet", FIREWALL_TABLE, NULL };
	char msg[512];
	int rc;

	if ((rc = fw_spawn(run, list, NULL, NFT_NOT_FOUND)) == -1)
		return -1;
	if (rc == 1) {
		spawn_message(&run->r, msg, sizeof(msg));
		if (strstr(msg, "No such file or directory") != NULL)
			return 0;
		spawn_log_failure(list, &run->r, run->quiet);
		return -1;
	}
	if (fw_output_full(run) || run->r.out_len >= size) {
		log_err("nft list table inet %s: more than %zu bytes; not the table we made",
			FIREWALL_TABLE, size - 1);
		return -1;
	}
	memcpy(buf, run->r.out, run->r.out_len + 1);
	nft_zero_counters(buf);
	return 1;
}

static int
nft_install(struct fw_run *run, struct fw_rules *rules)
{
	const char *const apply[] = { "nft", "-f", "-", NULL };
	/*
	 * nft -c sends the batch without its end marker, so the kernel checks
	 * every expression (loading nft_queue if it can) and then aborts it.
	 */
	const char *const check[] = { "nft", "-c", "-f", "-", NULL };
	char ruleset[NFT_RULESET_MAX], msg[512], queues[32];
	int rc;

	if (fw_nftables_ruleset(rules, true, ruleset, sizeof(ruleset)) == -1)
		return -1;
	if ((rc = fw_spawn(run, apply, ruleset, NFT_NOT_FOUND)) == 0) {
		/* what the checks compare with */
		if (nft_list(run, rules->listing, sizeof(rules->listing)) != 1) {
			log_err("nftables: table inet %s cannot be listed back", FIREWALL_TABLE);
			return -1;
		}
		conf_queues_text(queues, sizeof(queues), rules->first, rules->count,
				 rules->fanout);
		log_info("nftables: table inet %s sends SYNs from forward, output and input "
			 "to %s (bypass)", FIREWALL_TABLE, queues);
		return 0;
	}
	if (rc == -1)
		return -1;
	spawn_message(&run->r, msg, sizeof(msg));
	/* the kernel's ENOENT for an expression type it does not have */
	if (strstr(msg, "No such file or directory") != NULL &&
	    fw_nftables_ruleset(rules, false, ruleset, sizeof(ruleset)) == 0 &&
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

static int
nft_check(struct fw_run *run, const struct fw_rules *rules, struct fw_damage *damage)
{
	char now[FW_LISTING_MAX];
	int rc;

	memset(damage, 0, sizeof(*damage));
	if ((rc = nft_list(run, now, sizeof(now))) == -1)
		return -1;
	if (rc == 0)
		damage->parts[0] = FW_PART_TABLE;
	else if (strcmp(now, rules->listing) != 0)
		damage->parts[0] = FW_PART_ALTERED;
	return 0;
}

/* The table is ours alone: loaded again whole, in one transaction. */
static int
nft_repair(struct fw_run *run, struct fw_rules *rules, const struct fw_damage *damage)
{
	(void)damage;
	return nft_install(run, rules);
}

static void
nft_describe(const struct fw_damage *damage, char *buf, size_t size)
{
	snprintf(buf, size, "nftables: table inet %s %s", FIREWALL_TABLE,
		 damage->parts[0] & FW_PART_TABLE ? "gone" : "altered");
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
	.check = nft_check,
	.repair = nft_repair,
	.describe = nft_describe,
	.needs_raw = nft_needs_raw,
};
