/*
 * Longest-prefix match over a fixed set of IPv4 or IPv6 prefixes. Built
 * once (it copies and sorts), then read-only: a lookup allocates nothing
 * and costs one binary search per distinct prefix length present, longest
 * first. Pure.
 */
#ifndef MSSCLAMPD_LPM_H
#define MSSCLAMPD_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LPM_ADDR_MAX 16

struct lpm_prefix {
	uint8_t addr[LPM_ADDR_MAX];     /* network byte order; IPv4 in the first 4 bytes */
	uint8_t len;                    /* prefix length in bits */
	uint32_t tie;                   /* orders equal prefixes: lower first */
	uint32_t value;                 /* the caller's, e.g. an index into its own array */
};

struct lpm_group {
	uint8_t len;
	size_t first, end;              /* its prefixes: p[first .. end) */
};

/* An address as two integers, so that a search compares words, not bytes. */
struct lpm_key {
	uint64_t hi, lo;
};

struct lpm {
	struct lpm_prefix *p;           /* longest prefixes first, then by address, then tie */
	struct lpm_key *key;            /* p[i]'s address, for the search */
	size_t n;
	unsigned bytes;                 /* 4 or 16 */
	struct lpm_group *group;        /* one per prefix length present, longest first */
	size_t n_groups;
};

/*
 * A table of n prefixes of an address of bytes (4 or 16) bytes; host bits
 * beyond each length are cleared, lengths beyond the address are cut to
 * it. 0, or -1 (ENOMEM, or bytes not 4 or 16) with *lpm empty.
 */
int lpm_build(struct lpm *lpm, unsigned bytes, const struct lpm_prefix *p, size_t n);

/* An empty table that finds nothing. */
/* addr (bytes long) with every bit past len cleared, into out (LPM_ADDR_MAX long, zero-padded; not addr). */
void lpm_mask(uint8_t *out, const uint8_t *addr, unsigned len, unsigned bytes);

void lpm_init(struct lpm *lpm, unsigned bytes);
void lpm_free(struct lpm *lpm);

/*
 * The longest prefix of at most max_len bits that holds addr: how many
 * entries have it (0 if none), the first of them at lpm->p[*first] and the
 * rest after it, in tie order.
 */
size_t lpm_find(const struct lpm *lpm, const uint8_t *addr, unsigned max_len, size_t *first);

/* Whether exactly addr/len is in the table. */
bool lpm_has(const struct lpm *lpm, const uint8_t *addr, unsigned len);

#endif
