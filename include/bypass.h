/*
 * SYNs that went past the daemon: what our rules matched less what the
 * daemon saw, per family, cumulative. The rules' counters restart at 0
 * whenever the counting rule is made anew (a repair, someone's restore,
 * iptables -Z), so the count runs in epochs: a new epoch carries the old
 * one's figure over and starts from what the new counter says. Every
 * guess is made low: the figure may miss a bypass, it never shows one that
 * did not happen, and it never goes back. Pure.
 */
#ifndef MSSCLAMPD_BYPASS_H
#define MSSCLAMPD_BYPASS_H

#include <stdbool.h>
#include <stdint.h>

#define BYPASS_FAMILIES 2 /* [0] IPv4, [1] IPv6 */

struct bypass {
	bool started[BYPASS_FAMILIES];
	uint64_t epoch[BYPASS_FAMILIES];      /* the counting rule's identity, from the reader */
	uint64_t last_rule[BYPASS_FAMILIES];  /* the rule's count at the last update */
	uint64_t seen_base[BYPASS_FAMILIES];  /* seen, less what this epoch's rule may have matched */
	uint64_t current[BYPASS_FAMILIES];    /* this epoch's figure at the last update */
	uint64_t carried[BYPASS_FAMILIES];    /* earlier epochs' */
	uint64_t total;                       /* what was last returned */
};

/*
 * One reading: rule[f], what the rules matched (read before seen), epoch[f]
 * the rule's identity (a new value: a new rule), seen[f], the packets the
 * daemon counted. Returns the cumulative figure, never less than before.
 */
uint64_t bypass_update(struct bypass *b, const uint64_t rule[BYPASS_FAMILIES],
		       const uint64_t epoch[BYPASS_FAMILIES], const uint64_t seen[BYPASS_FAMILIES]);

#endif
