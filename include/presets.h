/* Named encapsulation overheads, and the "esp + 8" sums built from them. Pure. */
#ifndef MSSCLAMPD_PRESETS_H
#define MSSCLAMPD_PRESETS_H

#include <stddef.h>

struct preset {
	const char *name;
	unsigned bytes;
	const char *made_of;      /* "outer IPv4 20 + GRE 4", for `mssclampd presets` */
	/*
	 * The Linux device kind (rtnetlink IFLA_INFO_KIND) whose kernel MTU
	 * already leaves out these bytes, such as "ppp" for pppoe: the preset
	 * configured on such a device counts them twice. NULL if none.
	 */
	const char *device_kind;
	const char *device_label; /* that encapsulation in a message: "PPPoE", "GRE over IPv6" */
};

/* The table, in display order; ends with a NULL name. */
extern const struct preset presets[];

/* The preset called name (case-insensitive), or NULL. */
const struct preset *presets_find(const char *name);

/*
 * The preset whose bytes a device of this kind already excludes from its
 * MTU, if overhead is exactly those bytes ("ppp", 8: pppoe); else NULL.
 */
const struct preset *presets_device_match(const char *kind, unsigned overhead);

/*
 * Parses an overhead sum such as "esp + 8" or "pppoe+gre": preset names and
 * decimal byte counts joined by '+'. Returns 0 and the total in *bytes, or -1
 * with a message naming the bad term in err.
 */
int presets_parse_sum(const char *text, unsigned *bytes, char *err, size_t errlen);

#endif
