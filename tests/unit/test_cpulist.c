/*
 * cpulist.c: the kernel's CPU list format both ways, and which CPUs a
 * queue's worker belongs on when the kernel picks queues by CPU
 * (first + cpu % count), with CPUs missing and a restricted affinity.
 */
#include <string.h>

#include "check.h"
#include "cpulist.h"

/* text parsed, then formatted: "-" for a list that must be refused */
static void
round_trip(const char *text, const char *want)
{
	struct cpulist set;
	char out[128];
	int r;

	r = cpulist_parse(text, strlen(text), &set);
	if (strcmp(want, "-") == 0) {
		CHECK_MSG(r == -1 && cpulist_count(&set) == 0, "refuses '%s' (empty after)", text);
		return;
	}
	cpulist_format(&set, out, sizeof(out));
	CHECK_MSG(r == 0 && strcmp(out, want) == 0, "'%s' reads as '%s' (got %d, '%s')", text, want,
	    r, out);
}

static void
set_of(struct cpulist *set, const char *text)
{
	if (cpulist_parse(text, strlen(text), set) != 0)
		CHECK_MSG(0, "test set '%s' parses", text);
}

/* The CPUs the worker of queue index of count belongs on, formatted. */
static const char *
for_queue(const char *present, const char *allowed, unsigned index, unsigned count, char *out,
	  size_t size)
{
	struct cpulist p, a, q;

	set_of(&p, present);
	set_of(&a, allowed);
	cpulist_for_queue(&p, &a, index, count, &q);
	return cpulist_format(&q, out, size);
}

int
main(void)
{
	struct cpulist a, b;
	char out[128];
	unsigned i;

	round_trip("0", "0");
	round_trip("0-1\n", "0-1");
	round_trip("0-3,8", "0-3,8");
	round_trip("8,0-3", "0-3,8");
	round_trip("0,1,2,5,6,7,9", "0-2,5-7,9");
	round_trip("3-3", "3");
	round_trip("1023", "1023");
	round_trip("0-1023", "0-1023");
	round_trip("", "");
	round_trip("\n", "");
	round_trip("1024", "-");
	round_trip("0-1024", "-");
	round_trip("3-1", "-");
	round_trip("0,", "-");
	round_trip(",0", "-");
	round_trip("0--1", "-");
	round_trip("a", "-");
	round_trip(" 0", "-");
	round_trip("0 ", "-");
	round_trip("0\n\n", "-");
	round_trip("99999999999999999999999", "-");

	/* the set's own arithmetic */
	cpulist_clear(&a);
	CHECK_EQ(cpulist_last(&a), -1);
	CHECK_EQ(cpulist_count(&a), 0);
	cpulist_add(&a, 63);
	cpulist_add(&a, 64);
	cpulist_add(&a, 1023);
	cpulist_add(&a, 1024); /* beyond: ignored */
	CHECK_EQ(cpulist_count(&a), 3);
	CHECK_EQ(cpulist_last(&a), 1023);
	CHECK(cpulist_has(&a, 63) && cpulist_has(&a, 64) && !cpulist_has(&a, 62));
	CHECK(!cpulist_has(&a, 1024));
	set_of(&b, "63-64,1023");
	CHECK(cpulist_equal(&a, &b));
	cpulist_add(&b, 0);
	CHECK(!cpulist_equal(&a, &b));

	/* too small a buffer: cut after a whole entry, or as near as "..." fits */
	set_of(&a, "0-3,8,10-11,20");
	CHECK_MSG(strcmp(cpulist_format(&a, out, 10), "0-3,8,...") == 0, "cut: '%s'", out);
	CHECK_MSG(strcmp(cpulist_format(&a, out, 6), "0-...") == 0, "cut short: '%s'", out);
	CHECK_MSG(strcmp(cpulist_format(&a, out, 3), "") == 0, "no room even for '...': '%s'", out);
	memset(out, 'x', sizeof(out));
	CHECK_MSG(strcmp(cpulist_format(&a, out, 15), "0-3,8,10-11,20") == 0, "exact fit: '%s'", out);

	/* one queue per CPU: each worker on its own CPU */
	for (i = 0; i < 4; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%u", i);
		CHECK_MSG(strcmp(for_queue("0-3", "0-3", i, 4, out, sizeof(out)), want) == 0,
		    "4 CPUs, 4 queues: queue %u on CPU %s (got '%s')", i, want, out);
	}
	/* fewer queues than CPUs: the kernel's modulo shares them out */
	CHECK_MSG(strcmp(for_queue("0-7", "0-7", 1, 3, out, sizeof(out)), "1,4,7") == 0,
	    "8 CPUs, 3 queues: the second on 1,4,7 (got '%s')", out);
	CHECK_MSG(strcmp(for_queue("0-7", "0-7", 0, 2, out, sizeof(out)), "0,2,4,6") == 0,
	    "8 CPUs, 2 queues: the first on the even CPUs (got '%s')", out);
	/* a CPU not present (a hole in the numbering): its queue has no CPU */
	CHECK_MSG(strcmp(for_queue("0-1,3", "0-3", 2, 4, out, sizeof(out)), "") == 0,
	    "CPU 2 absent: queue 2 belongs nowhere (got '%s')", out);
	CHECK_MSG(strcmp(for_queue("0-1,3", "0-3", 3, 4, out, sizeof(out)), "3") == 0,
	    "CPU 2 absent: queue 3 still on CPU 3 (got '%s')", out);
	/* the daemon confined to CPUs 0-1 (CPUAffinity=, a cpuset): 2 and 3 are not its */
	CHECK_MSG(strcmp(for_queue("0-3", "0-1", 1, 4, out, sizeof(out)), "1") == 0,
	    "allowed 0-1: queue 1 on CPU 1 (got '%s')", out);
	CHECK_MSG(strcmp(for_queue("0-3", "0-1", 3, 4, out, sizeof(out)), "") == 0,
	    "allowed 0-1: queue 3 on none of its CPUs (got '%s')", out);
	CHECK_MSG(strcmp(for_queue("0-7", "0-1,4", 0, 2, out, sizeof(out)), "0,4") == 0,
	    "allowed 0-1,4, 2 queues: the first on 0,4 (got '%s')", out);
	/* more queues than CPUs: the extra ones get nothing, and are not pinned */
	CHECK_MSG(strcmp(for_queue("0-1", "0-1", 2, 4, out, sizeof(out)), "") == 0,
	    "2 CPUs, 4 queues: queue 2 has no CPU (got '%s')", out);
	CHECK_MSG(strcmp(for_queue("0-1", "0-1", 0, 0, out, sizeof(out)), "") == 0,
	    "no queues: nothing (got '%s')", out);
	/* the top of the range */
	CHECK_MSG(strcmp(for_queue("0-1023", "0-1023", 63, 64, out, sizeof(out)),
	    "63,127,191,255,319,383,447,511,575,639,703,767,831,895,959,1023") == 0,
	    "1024 CPUs, 64 queues: the last on every 64th from 63 (got '%s')", out);
	return check_summary();
}
