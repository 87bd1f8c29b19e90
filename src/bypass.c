/*
 * The bypass count across rule epochs. Within an epoch: the rule's count
 * less what the daemon saw since the epoch began. When a new epoch shows
 * (another identity, or a count that went down), what the new rule has
 * matched so far is taken as seen, the lowest guess there is.
 */
#include "bypass.h"

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t
bypass_update(struct bypass *b, const uint64_t rule[BYPASS_FAMILIES],
	      const uint64_t epoch[BYPASS_FAMILIES], const uint64_t seen[BYPASS_FAMILIES])
{
	uint64_t total = 0, since;
	int f;

	for (f = 0; f < BYPASS_FAMILIES; f++) {
		if (!b->started[f]) {
			/* the daemon's own rules, installed at start: both counts began together */
			b->started[f] = true;
			b->seen_base[f] = 0;
		} else if (epoch[f] != b->epoch[f] || rule[f] < b->last_rule[f]) {
			b->carried[f] += b->current[f];
			b->current[f] = 0;
			b->seen_base[f] = seen[f] - min_u64(rule[f], seen[f]);
		}
		b->epoch[f] = epoch[f];
		b->last_rule[f] = rule[f];
		/* a seen that went back (never: the workers' counts only grow) counts nothing */
		since = seen[f] >= b->seen_base[f] ? seen[f] - b->seen_base[f] : 0;
		b->current[f] = rule[f] > since ? rule[f] - since : 0;
		total += b->carried[f] + b->current[f];
	}
	if (total > b->total)
		b->total = total;
	return b->total;
}
