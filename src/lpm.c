/*
 * Longest-prefix match as sorted arrays, one run per prefix length: a
 * route set small enough to be worth keeping (routes.c keeps only those
 * that can change an answer) has few distinct lengths, and a binary search
 * per length beats a trie's pointer chasing at these sizes, with no
 * allocation after the build and one contiguous block to read. The search
 * compares addresses as two 64-bit words.
 */
#include <stdlib.h>
#include <string.h>

#include "lpm.h"

void
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

/* addr (bytes long) as a key, big-endian: its order is the address's order. */
static struct lpm_key
lpm_key_of(const uint8_t *addr, unsigned bytes)
{
	struct lpm_key k = { 0, 0 };
	unsigned i;

	for (i = 0; i < bytes && i < 8; i++)
		k.hi |= (uint64_t)addr[i] << (56 - 8 * i);
	for (; i < bytes; i++)
		k.lo |= (uint64_t)addr[i] << (56 - 8 * (i - 8));
	return k;
}

/* k with every bit past len cleared. */
static struct lpm_key
lpm_key_mask(struct lpm_key k, unsigned len)
{
	if (len <= 64) {
		k.hi = len == 0 ? 0 : k.hi & ~0ULL << (64 - len);
		k.lo = 0;
	} else if (len < 128) {
		k.lo &= ~0ULL << (128 - len);
	}
	return k;
}

static int
lpm_key_cmp(struct lpm_key a, struct lpm_key b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
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
	free(lpm->key);
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
	lpm->key = calloc(n, sizeof(*lpm->key));
	lpm->group = calloc(8 * bytes + 1, sizeof(*lpm->group));
	if (lpm->p == NULL || lpm->key == NULL || lpm->group == NULL) {
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
		lpm->key[i] = lpm_key_of(lpm->p[i].addr, bytes);
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
lpm_search(const struct lpm *lpm, const struct lpm_group *g, struct lpm_key key)
{
	size_t lo = g->first, hi = g->end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lpm_key_cmp(lpm->key[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->end && lpm_key_cmp(lpm->key[lo], key) == 0 ? lo : g->end;
}

size_t
lpm_find(const struct lpm *lpm, const uint8_t *addr, unsigned max_len, size_t *first)
{
	struct lpm_key whole, key;
	size_t g, i, end;

	if (lpm->n == 0)
		return 0;
	whole = lpm_key_of(addr, lpm->bytes);
	for (g = 0; g < lpm->n_groups; g++) {
		const struct lpm_group *grp = &lpm->group[g];

		if (grp->len > max_len)
			continue;
		key = lpm_key_mask(whole, grp->len);
		i = lpm_search(lpm, grp, key);
		if (i == grp->end)
			continue;
		for (end = i + 1; end < grp->end && lpm_key_cmp(lpm->key[end], key) == 0; end++)
			;
		*first = i;
		return end - i;
	}
	return 0;
}

bool
lpm_has(const struct lpm *lpm, const uint8_t *addr, unsigned len)
{
	size_t g;

	for (g = 0; g < lpm->n_groups; g++) {
		if (lpm->group[g].len != len)
			continue;
		return lpm_search(lpm, &lpm->group[g],
				  lpm_key_mask(lpm_key_of(addr, lpm->bytes), len)) != lpm->group[g].end;
	}
	return false;
}
