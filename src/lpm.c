/*
 * Longest-prefix match as sorted arrays, one run per prefix length: a
 * route set small enough to be worth keeping (routes.c keeps only those
 * that can change an answer) has few distinct lengths, and a binary search
 * per length beats a trie's pointer chasing at these sizes, with no
 * allocation after the build and one contiguous block to read.
 */
#include <stdlib.h>
#include <string.h>

#include "lpm.h"

/* addr (bytes long) with every bit past len cleared, into out (LPM_ADDR_MAX long, zero-padded). */
static void
lpm_mask(uint8_t *out, const uint8_t *addr, unsigned len, unsigned bytes)
{
	unsigned i;

	memset(out, 0, LPM_ADDR_MAX);
	for (i = 0; i < bytes; i++) {
		if (len >= 8 * (i + 1))
			out[i] = addr[i];
		else if (len > 8 * i)
			out[i] = (uint8_t)(addr[i] & (0xff00 >> (len - 8 * i)));
		else
			out[i] = 0;
	}
}

static int
lpm_compare(const void *va, const void *vb)
{
	const struct lpm_prefix *a = va, *b = vb;
	int c;

	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	/* the bytes past an IPv4 address are zero: comparing all 16 is the same */
	if ((c = memcmp(a->addr, b->addr, LPM_ADDR_MAX)) != 0)
		return c;
	if (a->tie != b->tie)
		return a->tie < b->tie ? -1 : 1;
	return 0;
}

void
lpm_init(struct lpm *lpm, unsigned bytes)
{
	memset(lpm, 0, sizeof(*lpm));
	lpm->bytes = bytes;
}

void
lpm_free(struct lpm *lpm)
{
	free(lpm->p);
	free(lpm->group);
	lpm_init(lpm, lpm->bytes);
}

int
lpm_build(struct lpm *lpm, unsigned bytes, const struct lpm_prefix *p, size_t n)
{
	size_t i;

	lpm_init(lpm, bytes);
	if (bytes != 4 && bytes != LPM_ADDR_MAX)
		return -1;
	if (n == 0)
		return 0;
	lpm->p = calloc(n, sizeof(*lpm->p));
	lpm->group = calloc(8 * bytes + 1, sizeof(*lpm->group));
	if (lpm->p == NULL || lpm->group == NULL) {
		lpm_free(lpm);
		return -1;
	}
	for (i = 0; i < n; i++) {
		lpm->p[i] = p[i];
		if (lpm->p[i].len > 8 * bytes)
			lpm->p[i].len = (uint8_t)(8 * bytes);
		lpm_mask(lpm->p[i].addr, p[i].addr, lpm->p[i].len, bytes);
	}
	lpm->n = n;
	qsort(lpm->p, n, sizeof(*lpm->p), lpm_compare);
	for (i = 0; i < n; i++) {
		if (i == 0 || lpm->p[i].len != lpm->p[i - 1].len) {
			lpm->group[lpm->n_groups].len = lpm->p[i].len;
			lpm->group[lpm->n_groups].first = i;
			lpm->n_groups++;
		}
		lpm->group[lpm->n_groups - 1].end = i + 1;
	}
	return 0;
}

/* The first entry of group g whose address is key, or g->end. */
static size_t
lpm_search(const struct lpm *lpm, const struct lpm_group *g, const uint8_t *key)
{
	size_t lo = g->first, hi = g->end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(lpm->p[mid].addr, key, LPM_ADDR_MAX) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->end && memcmp(lpm->p[lo].addr, key, LPM_ADDR_MAX) == 0 ? lo : g->end;
}

size_t
lpm_find(const struct lpm *lpm, const uint8_t *addr, unsigned max_len, size_t *first)
{
	uint8_t key[LPM_ADDR_MAX];
	size_t g, i, end;

	for (g = 0; g < lpm->n_groups; g++) {
		const struct lpm_group *grp = &lpm->group[g];

		if (grp->len > max_len)
			continue;
		lpm_mask(key, addr, grp->len, lpm->bytes);
		i = lpm_search(lpm, grp, key);
		if (i == grp->end)
			continue;
		for (end = i + 1; end < grp->end && memcmp(lpm->p[end].addr, key, LPM_ADDR_MAX) == 0;
		     end++)
			;
		*first = i;
		return end - i;
	}
	return 0;
}

bool
lpm_has(const struct lpm *lpm, const uint8_t *addr, unsigned len)
{
	uint8_t key[LPM_ADDR_MAX];
	size_t g;

	for (g = 0; g < lpm->n_groups; g++) {
		if (lpm->group[g].len != len)
			continue;
		lpm_mask(key, addr, len, lpm->bytes);
		return lpm_search(lpm, &lpm->group[g], key) != lpm->group[g].end;
	}
	return false;
}
