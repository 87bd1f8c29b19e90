/*
 * The packet engine: finds, clamps and inserts the TCP MSS option of one
 * IPv4 or IPv6 packet, in place. Pure: no I/O, no allocation, no globals.
 */
#ifndef MSSCLAMPD_ENGINE_H
#define MSSCLAMPD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the engine did with a packet. Exactly one per packet. */
enum engine_action {
	ENGINE_SKIPPED,   /* not a TCP SYN we can see: other protocol, RST, non-first fragment, ESP */
	ENGINE_UNCHANGED, /* a SYN whose every honoured MSS is already at or below the ceiling */
	ENGINE_CLAMPED,   /* one or more MSS options lowered */
	ENGINE_INSERTED,  /* no MSS option: one was added */
	ENGINE_MALFORMED, /* broken headers or option list; see result.malformed */
	ENGINE_ACTION_COUNT
};

/* Why a packet counts as malformed. */
enum engine_malformed {
	ENGINE_OK,
	ENGINE_BAD_IP_HEADER,    /* truncated IP header, bad version or IHL */
	ENGINE_BAD_IP_LENGTH,    /* IP length fields disagree with the packet length */
	ENGINE_BAD_EXT_HEADERS,  /* IPv6 extension header chain truncated or too long */
	ENGINE_FRAGMENTED_TCP,   /* first fragment that does not hold the whole TCP header */
	ENGINE_BAD_TCP_HEADER,   /* TCP header truncated, data offset < 5 or past the end */
	ENGINE_BAD_OPTIONS,      /* option list stops early: length < 2 or running past the header */
	ENGINE_MALFORMED_COUNT
};

/* Not a reason to count as malformed, but why a SYN was left as it was. */
enum engine_note {
	ENGINE_NOTE_NONE,
	ENGINE_NOTE_NO_ROOM,        /* no MSS option, but it could not be inserted: payload, doff 15, capacity */
	ENGINE_NOTE_AUTHENTICATED,  /* behind an AH header: any change would break its ICV */
	ENGINE_NOTE_TCP_AO,         /* carries TCP-AO (RFC 5925 5.1): its MAC covers the options */
	ENGINE_NOTE_TCP_MD5,        /* no MSS option, carries TCP-MD5 (RFC 2385 2.0): its digest covers
				     * the data offset, so none is inserted (one is lowered in place) */
	ENGINE_NOTE_EXCLUDED,       /* ENGINE_EXCLUDED: its path is not clamped */
	ENGINE_NOTE_COUNT
};

/*
 * The largest MSS each family may carry through the packet's path. The
 * caller keeps them at or above 536 / 1220 (bounds.h): a receiver ignores an
 * MSS of 0 and falls back to those defaults.
 */
struct engine_ceiling {
	uint16_t ipv4;
	uint16_t ipv6;
};

struct engine_result {
	enum engine_action action;
	enum engine_malformed malformed; /* set when action is ENGINE_MALFORMED */
	enum engine_note note;
	uint8_t family;                  /* 4 or 6 from the version nibble; 0 if empty or another version */
	bool changed;                    /* the buffer was rewritten (false in a dry run) */
	uint16_t mss_before;             /* MSS a receiver would have honoured; 0 if none */
	uint16_t mss_after;              /* MSS a receiver will honour now; 0 if none */
	size_t len;                      /* packet length after the call */
};

/* Flags for engine_clamp(). */
#define ENGINE_DRY_RUN 0x1  /* decide and report, but leave the buffer untouched */
#define ENGINE_EXCLUDED 0x2 /* the packet's path is not clamped: read it, lower and insert nothing */

/*
 * Clamps every MSS option a receiver would honour in the IP packet at pkt
 * (len bytes, cap bytes of room) to the ceiling of its family, or inserts one.
 * A signed segment is changed only where its signature allows: behind AH or
 * with TCP-AO not at all (note authenticated, tcp_ao), with TCP-MD5 an MSS
 * is lowered in place but none inserted (note tcp_md5).
 * Returns the action, also stored in *res.
 */
enum engine_action engine_clamp(uint8_t *pkt, size_t len, size_t cap,
				struct engine_ceiling ceiling, unsigned flags,
				struct engine_result *res);

/* Short lowercase names for logs and stats: "clamped", "bad_options", ... */
const char *engine_action_name(enum engine_action action);
const char *engine_malformed_name(enum engine_malformed reason);
const char *engine_note_name(enum engine_note note);

#endif
