/*
 * The repair back-off: a spell of removals, each repair after the third
 * waiting 1, 2, 4 ... 60 s after the one before.
 */
#include "backoff.h"

/* 2^16 s is far past the cap: no shift runs off the end */
#define BACKOFF_MAX_SHIFT 16

uint64_t
backoff_delay(unsigned done)
{
	unsigned shift;
	uint64_t delay;

	if (done < BACKOFF_FREE_REPAIRS)
		return 0;
	shift = done - BACKOFF_FREE_REPAIRS;
	if (shift > BACKOFF_MAX_SHIFT)
		shift = BACKOFF_MAX_SHIFT;
	delay = (uint64_t)BACKOFF_FIRST_MS << shift;
	return delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS;
}

uint64_t
backoff_when(struct backoff *b, uint64_t now_ms, bool *warn)
{
	uint64_t delay, when;

	*warn = false;
	/* a clock that went back (it should not) counts as quiet, never as a reason to wait */
	if (!b->repaired || now_ms < b->last_repair_ms ||
	    now_ms - b->last_repair_ms >= BACKOFF_QUIET_MS) {
		b->repairs = 0;
		b->warned = false;
		return now_ms;
	}
	delay = backoff_delay(b->repairs);
	if (delay == 0)
		return now_ms;
	if (!b->warned) {
		b->warned = true;
		*warn = true;
	}
	when = b->last_repair_ms + delay;
	return when > now_ms ? when : now_ms;
}

/*
 * No spell ends here: backoff_when() decides that when the damage is
 * noticed, and a repair that waited the longest wait is still in its spell.
 */
void
backoff_repaired(struct backoff *b, uint64_t now_ms)
{
	b->repaired = true;
	b->last_repair_ms = now_ms;
	if (b->repairs < ~0u)
		b->repairs++;
}
