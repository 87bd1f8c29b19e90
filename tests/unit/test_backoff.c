/* The repair back-off: free repairs, then doubling waits to a cap, one warning a spell, quiet ends it. */
#include <stdbool.h>

#include "backoff.h"
#include "check.h"

static void
test_delay(void)
{
	CHECK_EQ(backoff_delay(0), 0);
	CHECK_EQ(backoff_delay(2), 0);
	CHECK_EQ(backoff_delay(3), 1000);
	CHECK_EQ(backoff_delay(4), 2000);
	CHECK_EQ(backoff_delay(8), 32000);
	CHECK_EQ(backoff_delay(9), 60000); /* 64 s, capped */
	CHECK_EQ(backoff_delay(100), 60000);
	CHECK_EQ(backoff_delay(~0u), 60000);
}

static void
test_spell(void)
{
	struct backoff b = { 0 };
	bool warn = true;
	uint64_t t = 5000, when, last;
	int i;

	/* a firewall reload, then two more within seconds: each repaired at once, quietly */
	for (i = 0; i < 3; i++, t += 1000) {
		CHECK_EQ(backoff_when(&b, t, &warn), t);
		CHECK(!warn);
		backoff_repaired(&b, t);
	}
	/* t = 8000, the last repair at 7000: the fourth waits 1 s after it, and warns */
	CHECK_EQ(backoff_when(&b, 7100, &warn), 8000);
	CHECK(warn);
	backoff_repaired(&b, 8000);
	/* the fifth: 2 s after the fourth; no second warning in this spell */
	CHECK_EQ(backoff_when(&b, 8050, &warn), 10000);
	CHECK(!warn);
	/* noticed later than the wait: at once */
	backoff_repaired(&b, 10000);
	CHECK_EQ(backoff_when(&b, 50000, &warn), 50000); /* 4 s due, 40 s passed */
	CHECK(!warn);
	/* asked again before the repair ran: the same answer */
	CHECK_EQ(backoff_when(&b, 10100, &warn), 14000);
	CHECK_EQ(backoff_when(&b, 10200, &warn), 14000);

	/* up to the cap, each noticed right after the repair before it */
	for (last = 10000; b.repairs < 20; last = when) {
		when = backoff_when(&b, last + 10, &warn);
		CHECK_EQ(when - last, backoff_delay(b.repairs));
		backoff_repaired(&b, when);
	}
	/* a repair made after the longest wait is still in its spell */
	CHECK_EQ(backoff_when(&b, last + 10, &warn), last + BACKOFF_MAX_MS);

	/* intact for the quiet period after the last repair: a new spell, free again, warned again */
	t = last + BACKOFF_QUIET_MS;
	CHECK_EQ(backoff_when(&b, t, &warn), t);
	CHECK(!warn);
	backoff_repaired(&b, t);
	for (i = 0; i < 2; i++) {
		t += 10;
		CHECK_EQ(backoff_when(&b, t, &warn), t);
		backoff_repaired(&b, t);
	}
	CHECK_EQ(backoff_when(&b, t + 10, &warn), t + 1000);
	CHECK(warn);

	/* a clock that went back waits for nothing */
	CHECK_EQ(backoff_when(&b, 100, &warn), 100);
	CHECK(!warn);
}

int
main(void)
{
	test_delay();
	test_spell();
	return check_summary();
}
