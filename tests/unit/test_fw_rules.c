/*
 * The rules the firewall backends write, as text: the NFQUEUE rule as
 * "iptables -S" prints it (what a check compares with), and the nftables
 * table, byte for byte, for one queue, a range balanced by flow and a
 * range picked by CPU. The nftables one cannot be loaded on a kernel
 * without nft_queue; its text is checked here.
 */
#include <string.h>

#include "check.h"
#include "fw_backend.h"

static void
ipt_rule(unsigned first, unsigned count, bool by_cpu, const char *want)
{
	struct fw_rules rules = { .first = first, .count = count,
				  .fanout = by_cpu ? CONF_FANOUT_CPU : CONF_FANOUT_FLOW };
	char buf[256];
	int r;

	r = fw_iptables_rule(&rules, buf, sizeof(buf));
	CHECK_MSG(r == 0 && strcmp(buf, want) == 0, "iptables, queues %u+%u%s: %s (got '%s')", first,
	    count, by_cpu ? " by CPU" : "", want, buf);
}

/* The forward chain of the table: the rest is the same for every queue setting. */
static const char nft_head[] =
	"table inet mssclampd {}\n"
	"delete table inet mssclampd\n"
	"table inet mssclampd {\n"
	"\tcounter syn4 {}\n"
	"\tcounter syn6 {}\n";

static void
nft_rules(unsigned first, unsigned count, bool by_cpu, bool with_queue, const char *queue)
{
	static const char *const hooks[] = { "forward", "output", "input" };
	struct fw_rules rules = { .first = first, .count = count,
				  .fanout = by_cpu ? CONF_FANOUT_CPU : CONF_FANOUT_FLOW };
	char buf[4096], want[4096];
	size_t len, i;
	int r;

	len = (size_t)snprintf(want, sizeof(want), "%s", nft_head);
	for (i = 0; i < 3; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "\tchain %s {\n"
		    "\t\ttype filter hook %s priority mangle; policy accept;\n"
		    "\t\tmeta nfproto ipv4 tcp flags & (syn | rst) == syn counter name \"syn4\"%s\n"
		    "\t\tmeta nfproto ipv6 tcp flags & (syn | rst) == syn counter name \"syn6\"%s\n"
		    "\t}\n", hooks[i], hooks[i], queue, queue);
	snprintf(want + len, sizeof(want) - len, "}\n");
	r = fw_nftables_ruleset(&rules, with_queue, buf, sizeof(buf));
	CHECK_MSG(r == 0 && strcmp(buf, want) == 0, "nftables, queues %u+%u%s%s:%s", first, count,
	    by_cpu ? " by CPU" : "", with_queue ? "" : " without queue", queue);
	if (r == 0 && strcmp(buf, want) != 0)
		printf("got:\n%s\nwanted:\n%s\n", buf, want);
}

int
main(void)
{
	struct fw_rules rules = { .first = 0, .count = 1 };
	char small[40];

	ipt_rule(0, 1, false, "-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE "
	    "--queue-num 0 --queue-bypass");
	/* one queue picked by CPU is still one queue: no fanout option */
	ipt_rule(7, 1, true, "-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE "
	    "--queue-num 7 --queue-bypass");
	ipt_rule(2, 4, false, "-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE "
	    "--queue-balance 2:5 --queue-bypass");
	/* libxt_NFQUEUE prints --queue-cpu-fanout last */
	ipt_rule(0, 2, true, "-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE "
	    "--queue-balance 0:1 --queue-bypass --queue-cpu-fanout");
	ipt_rule(65472, 64, true, "-A MSSCLAMPD -p tcp -m tcp --tcp-flags SYN,RST SYN -j NFQUEUE "
	    "--queue-balance 65472:65535 --queue-bypass --queue-cpu-fanout");
	CHECK_MSG(fw_iptables_rule(&rules, small, sizeof(small)) == -1,
	    "iptables: a rule that does not fit the buffer is an error");

	nft_rules(0, 1, false, true, " queue num 0 bypass");
	nft_rules(3, 1, true, true, " queue num 3 bypass");
	nft_rules(2, 4, false, true, " queue num 2-5 bypass");
	nft_rules(0, 2, true, true, " queue num 0-1 fanout,bypass");
	nft_rules(0, 2, true, false, "");
	CHECK_MSG(fw_nftables_ruleset(&rules, true, small, sizeof(small)) == -1,
	    "nftables: a table that does not fit the buffer is an error");
	return check_summary();
}
