/*
 * When to put back rules that something keeps removing. The first repairs
 * of a spell run at once (a firewall reload is one removal, an operator
 * running it twice is two); after that each repair waits twice as long
 * after the one before, up to a cap, so a firewall manager that removes
 * them in a loop is not fought at full speed. A spell ends when the rules
 * stay in place for a quiet period after a repair. Pure: the caller brings
 * a monotonic clock in milliseconds.
 */
#ifndef MSSCLAMPD_BACKOFF_H
#define MSSCLAMPD_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define BACKOFF_FREE_REPAIRS 3     /* repairs in a spell that wait for nothing */
#define BACKOFF_FIRST_MS 1000u     /* the first wait; it doubles with each repair */
#define BACKOFF_MAX_MS 60000u      /* the longest wait */
#define BACKOFF_QUIET_MS 60000u    /* rules intact this long after a repair: the spell is over */

struct backoff {
	bool repaired;            /* a repair has run */
	uint64_t last_repair_ms;  /* when */
	unsigned repairs;         /* repairs in this spell */
	bool warned;              /* this spell's warning was given */
};

/* The wait after the previous repair that repair number `done` + 1 of a spell takes: 0, or 1 s doubling to the cap. */
uint64_t backoff_delay(unsigned done);

/*
 * Damage was noticed at now_ms: when the repair may run (never before
 * now_ms). A removal more than BACKOFF_QUIET_MS after the last repair
 * starts a new spell. *warn is set once per spell, when its first wait
 * begins.
 */
uint64_t backoff_when(struct backoff *b, uint64_t now_ms, bool *warn);

/* A repair ran at now_ms (failed or not: a failing one backs off too). */
void backoff_repaired(struct backoff *b, uint64_t now_ms);

#endif
