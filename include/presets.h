/* Named encapsulation overheads, and the "esp + 8" sums built from them. Pure. */
#ifndef MSSCLAMPD_PRESETS_H
#define MSSCLAMPD_PRESETS_H

#include <stddef.h>

struct preset {
	const char *name;
	unsigned bytes;
	const char *made_of; /* "outer IPv4 20 + GRE 4", for `mssclampd presets` */
};

/* The table, in display order; ends with a NULL name. */
extern const struct preset presets[];

/* The preset called name (case-insensitive), or NULL. */
const struct preset *presets_find(const char *name);

/*
 * Parses an overhead sum such as "esp + 8" or "pppoe+gre": preset names and
 * decimal byte counts joined by '+'. Returns 0 and the total in *bytes, or -1
 * with a message naming the bad term in err.
 */
int presets_parse_sum(const char *text, unsigned *bytes, char *err, size_t errlen);

#endif
