/*
 * The ifindex hash table: exact lookups through growth and backward-shift
 * deletion, checked against a plain array model with a seeded random walk.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iftable.h"

#define MODEL_SIZE 4096

/* An entry as an owner would define one: the ifindex first, then its own fields. */
struct iftable_entry {
	uint32_t ifindex;
	char name[16];
	unsigned mtu;
};

static struct iftable_entry
entry(uint32_t ifindex, unsigned mtu)
{
	struct iftable_entry e;

	memset(&e, 0, sizeof(e));
	e.ifindex = ifindex;
	e.mtu = mtu;
	snprintf(e.name, sizeof(e.name), "if%u", ifindex);
	return e;
}

static void
test_basics(void)
{
	struct iftable t;
	struct iftable_entry e = entry(7, 1492);
	const struct iftable_entry *found;
	size_t iter = 0;

	CHECK_EQ(iftable_init(&t, sizeof(struct iftable_entry)), 0);
	CHECK(iftable_find(&t, 7) == NULL);
	CHECK(iftable_find(&t, 0) == NULL);
	CHECK_EQ(iftable_put(&t, &e), 0);
	found = iftable_find(&t, 7);
	CHECK(found != NULL && found->mtu == 1492 && strcmp(found->name, "if7") == 0);
	e.mtu = 1400;
	CHECK_EQ(iftable_put(&t, &e), 0); /* replace, not add */
	CHECK_EQ(t.count, 1);
	found = iftable_find(&t, 7);
	CHECK_EQ(found->mtu, 1400);
	e.ifindex = 0;
	CHECK_EQ(iftable_put(&t, &e), -1); /* 0 marks a free bucket */
	CHECK(iftable_next(&t, &iter) != NULL);
	CHECK(iftable_next(&t, &iter) == NULL);
	iftable_del(&t, 8); /* absent: nothing happens */
	CHECK_EQ(t.count, 1);
	iftable_del(&t, 7);
	CHECK_EQ(t.count, 0);
	CHECK(iftable_find(&t, 7) == NULL);
	iftable_free(&t);
	CHECK(iftable_find(&t, 7) == NULL); /* a freed table is empty, not dangling */
}

/* Random puts and deletes over a small key range force collisions and wrap-around. */
static void
test_random(unsigned seed)
{
	static unsigned model[MODEL_SIZE]; /* mtu by ifindex; 0 = absent */
	struct iftable t;
	unsigned step, i, present = 0, mismatches = 0;
	size_t iter = 0, visited = 0;
	const struct iftable_entry *e;

	srand(seed);
	memset(model, 0, sizeof(model));
	CHECK_EQ(iftable_init(&t, sizeof(struct iftable_entry)), 0);
	for (step = 0; step < 200000; step++) {
		/* keys from a range that moves, like ifindexes after many PPPoE reconnects */
		uint32_t key = 1 + (uint32_t)(rand() % 300) + (step / 1000) * 13 % (MODEL_SIZE - 301);

		if (rand() % 3) {
			struct iftable_entry ne = entry(key, 1000 + (unsigned)(rand() % 500));

			if (iftable_put(&t, &ne) != 0)
				mismatches++;
			present += model[key] == 0;
			model[key] = ne.mtu;
		} else {
			iftable_del(&t, key);
			present -= model[key] != 0;
			model[key] = 0;
		}
		if (step % 997 == 0) {
			for (i = 1; i < MODEL_SIZE; i++) {
				e = iftable_find(&t, i);
				if ((model[i] == 0) != (e == NULL) || (e && e->mtu != model[i]))
					mismatches++;
			}
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(t.count, present);
	while ((e = iftable_next(&t, &iter)) != NULL) {
		visited++;
		CHECK(model[e->ifindex] == e->mtu);
	}
	CHECK_EQ(visited, present);
	CHECK(t.count * 2 <= t.mask + 1); /* at most half full */
	iftable_free(&t);
}

static void
test_growth(void)
{
	struct iftable t;
	uint32_t i;
	unsigned missing = 0;

	CHECK_EQ(iftable_init(&t, sizeof(struct iftable_entry)), 0);
	for (i = 1; i <= 10000; i++) {
		struct iftable_entry e = entry(i * 7919, i);

		iftable_put(&t, &e);
	}
	for (i = 1; i <= 10000; i++) {
		const struct iftable_entry *e = iftable_find(&t, i * 7919);

		missing += e == NULL || e->mtu != i;
	}
	CHECK_EQ(missing, 0);
	CHECK_EQ(t.count, 10000);
	iftable_free(&t);
}

int
main(void)
{
	unsigned seed = getenv("SEED") ? (unsigned)strtoul(getenv("SEED"), NULL, 0) : 20261122u;

	printf("test_iftable: seed %u (set SEED to repeat another)\n", seed);
	test_basics();
	test_random(seed);
	test_growth();
	return check_summary();
}
