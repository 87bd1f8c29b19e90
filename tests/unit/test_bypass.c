/*
 * bypass_update(): the rules' counts against the daemon's, across rules
 * made anew (a repair: a new epoch; iptables -Z: a count that went down),
 * never a false alarm and never a figure that goes back.
 */
#include "bypass.h"
#include "check.h"

static uint64_t
update(struct bypass *b, uint64_t rule4, uint64_t rule6, uint64_t epoch4, uint64_t epoch6,
       uint64_t seen4, uint64_t seen6)
{
	const uint64_t rule[2] = { rule4, rule6 }, epoch[2] = { epoch4, epoch6 };
	const uint64_t seen[2] = { seen4, seen6 };

	return bypass_update(b, rule, epoch, seen);
}

int
main(void)
{
	struct bypass b = { 0 };

	/* installed at start: everything the rules matched was seen */
	CHECK_EQ(update(&b, 10, 5, 1, 1, 10, 5), 0);
	/* a full queue let 3 IPv4 SYNs past */
	CHECK_EQ(update(&b, 15, 5, 1, 1, 12, 5), 3);
	/* packets in flight (counted by the rule after it was read) are no bypass */
	CHECK_EQ(update(&b, 16, 7, 1, 1, 13, 7), 3);

	/* IPv4 repaired: a new rule counts from 0; 2 SYNs through it, both seen */
	CHECK_EQ(update(&b, 2, 7, 2, 1, 15, 7), 3);
	/* ... and then 8 matched, 4 seen: 4 more */
	CHECK_EQ(update(&b, 10, 7, 2, 1, 19, 7), 7);

	/* iptables -Z: the count went down under the same rule */
	CHECK_EQ(update(&b, 0, 7, 2, 1, 19, 7), 7);
	CHECK_EQ(update(&b, 5, 7, 2, 1, 24, 7), 7);
	CHECK_EQ(update(&b, 9, 7, 2, 1, 25, 7), 10);

	/* IPv6 on its own: 4 past, then its rule made anew after more than it ever saw */
	CHECK_EQ(update(&b, 9, 11, 2, 1, 25, 7), 14);
	CHECK_EQ(update(&b, 9, 30, 2, 5, 25, 12), 32); /* 30 matched, 12 seen in all: 18 at least */

	/* a reading that would be lower (seen ran ahead): the figure stays */
	CHECK_EQ(update(&b, 9, 30, 2, 5, 40, 40), 32);
	CHECK_EQ(update(&b, 9, 30, 2, 5, 40, 40), 32);
	return check_summary();
}
