/*
 * The configuration's checks that need the whole file: what no single line
 * shows. Each says whether it is an error or a warning, and why:
 *
 * - an mtu that its overhead leaves nothing of: an error, the section can
 *   mean nothing (a typo, as mtu = 500 with overhead = 600);
 * - an effective MTU below IPv4's 576 or IPv6's 1280: a warning, since
 *   such links exist (IPv4-only serial links) and the MSS is then held at
 *   its floor, as it always was;
 * - queue_fanout = flow with queue = cpu: an error (one queue per CPU is
 *   for packets picked by CPU); queue_fanout with one queue: a warning;
 * - a glob no interface name can match, a glob hidden behind an earlier one
 *   that matches every name it matches, and keys that clamp = no makes
 *   meaningless: warnings, since the daemon runs right without the section
 *   and a config that started before must start after an upgrade.
 *
 * conf_parser_finish() runs these, so start-up, reload and --check refuse
 * and warn alike. Pure: fnmatch(3) is the only outside help, and it is asked
 * about globs, so that the checks agree with the matching exactly.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "conf.h"
#include "text.h"

#define GLOB_MAX_TOKENS CONF_IFNAMSIZ /* a pattern holds at most 15 characters */

/* One position of a glob: a star, or a set of bytes one name character may be. */
struct glob_token {
	bool star;
	uint8_t set[32];                /* bit c: byte c may stand here */
};

struct glob {
	struct glob_token tok[GLOB_MAX_TOKENS];
	size_t n;
	bool unterminated;              /* a '[' without its ']': fnmatch takes it as a '[' */
	bool empty_set;                 /* a bracket expression no name character satisfies */
	char empty_text[CONF_IFNAMSIZ]; /* that bracket expression, for the message */
};

struct check {
	const struct conf *conf;
	conf_report_fn *report;
	void *arg;
	int errors;
};

static void say(struct check *, enum conf_level, unsigned, const char *, ...)
	__attribute__((format(printf, 4, 5)));

static void
say(struct check *c, enum conf_level level, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == CONF_ERROR)
		c->errors++;
	c->report(c->arg, level, c->conf->path, line, msg);
}

/* A byte Linux allows in an interface name (dev_valid_name()): no '/', ':', blank or control. */
static bool
name_byte(unsigned c)
{
	return c > 0x20 && c != 0x7f && c != '/' && c != ':' && c <= 0xff;
}

static void
set_add(uint8_t *set, unsigned c)
{
	set[c / 8] |= (uint8_t)(1u << (c % 8));
}

static bool
set_has(const uint8_t *set, unsigned c)
{
	return (set[c / 8] >> (c % 8)) & 1;
}

/* Where the bracket expression at p ('[') ends (its ']'), as fnmatch reads it; NULL if it does not. */
static const char *
bracket_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++; /* a ']' first is a member */
	while (*q != '\0' && *q != ']') {
		if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			const char *close = strchr(q + 2, q[1]);

			while (close != NULL && close[1] != ']')
				close = strchr(close + 1, q[1]);
			if (close == NULL)
				return NULL;
			q = close + 2;
		} else if (*q == '\\' && q[1] != '\0') {
			q += 2;
		} else {
			q++;
		}
	}
	return *q == ']' ? q : NULL;
}

/* pattern as fnmatch(3) reads it (no flags): one token per name character, or a star. */
static void
glob_parse(const char *pattern, struct glob *g)
{
	const char *p = pattern, *end;
	unsigned c;

	memset(g, 0, sizeof(*g));
	while (*p != '\0' && g->n < GLOB_MAX_TOKENS) {
		struct glob_token *t = &g->tok[g->n];

		if (*p == '*') {
			if (g->n == 0 || !g->tok[g->n - 1].star)
				g->tok[g->n++].star = true;
			p++;
			continue;
		}
		if (*p == '?') {
			for (c = 1; c <= 0xff; c++)
				if (name_byte(c))
					set_add(t->set, c);
			p++;
		} else if (*p == '[' && (end = bracket_end(p)) != NULL) {
			char expr[CONF_IFNAMSIZ], one[2] = { 0, 0 };
			size_t len = (size_t)(end - p) + 1;
			bool any = false;

			memcpy(expr, p, len);
			expr[len] = '\0';
			/* ask fnmatch which characters the expression takes: its ranges, classes and negation */
			for (c = 1; c <= 0xff; c++) {
				one[0] = (char)c;
				if (name_byte(c) && fnmatch(expr, one, 0) == 0) {
					set_add(t->set, c);
					any = true;
				}
			}
			if (!any && !g->empty_set) {
				g->empty_set = true;
				memcpy(g->empty_text, expr, len + 1);
			}
			p = end + 1;
		} else {
			if (*p == '[')
				g->unterminated = true;
			if (*p == '\\' && p[1] != '\0')
				p++;
			set_add(t->set, (unsigned char)*p);
			p++;
		}
		g->n++;
	}
}

/* A name the glob matches, built from its tokens; false if fnmatch disagrees with our reading. */
static bool
glob_witness(const char *pattern, const struct glob *g)
{
	char name[GLOB_MAX_TOKENS + 1];
	size_t i, len = 0;
	unsigned c;

	for (i = 0; i < g->n; i++) {
		if (g->tok[i].star)
			continue;
		for (c = 1; c <= 0xff && !set_has(g->tok[i].set, c); c++)
			;
		if (c > 0xff)
			return false;
		name[len++] = (char)c;
	}
	name[len] = '\0';
	return fnmatch(pattern, name, 0) == 0;
}

/*
 * Every name b matches from token j on is matched by a from token i on.
 * Sound, not complete: true only when certain (a star in a takes any run of
 * b, a set in a must hold b's set). memo: 0 unknown, 1 no, 2 yes.
 */
static bool
glob_covers(const struct glob *a, size_t i, const struct glob *b, size_t j,
	    uint8_t memo[GLOB_MAX_TOKENS + 1][GLOB_MAX_TOKENS + 1])
{
	bool yes;
	size_t k;

	if (memo[i][j] != 0)
		return memo[i][j] == 2;
	if (j == b->n) {
		for (yes = true, k = i; k < a->n; k++)
			yes = yes && a->tok[k].star;
	} else if (i == a->n) {
		yes = false;
	} else if (a->tok[i].star) {
		yes = glob_covers(a, i + 1, b, j, memo) || glob_covers(a, i, b, j + 1, memo);
	} else if (b->tok[j].star) {
		yes = false;
	} else {
		yes = true;
		for (k = 0; k < sizeof(a->tok[i].set); k++)
			if ((b->tok[j].set[k] & ~a->tok[i].set[k]) != 0)
				yes = false;
		yes = yes && glob_covers(a, i + 1, b, j + 1, memo);
	}
	memo[i][j] = yes ? 2 : 1;
	return yes;
}

static void
check_mtu(struct check *c, const struct conf_iface *iface, const char *name)
{
	unsigned eff;

	if (iface->mtu == 0)
		return; /* the live MTU: report.c warns when a link shows up with too little */
	if (iface->overhead >= iface->mtu) {
		say(c, CONF_ERROR, iface->line, "[interface %s]: overhead %u leaves nothing of mtu %u "
		    "(the effective MTU, mtu - overhead, would be at or below 0)", name,
		    iface->overhead, iface->mtu);
		return;
	}
	eff = iface->mtu - iface->overhead;
	if (eff < BOUNDS_MTU_MIN_IPV4)
		say(c, CONF_WARNING, iface->line, "[interface %s]: effective MTU %u (mtu %u - overhead "
		    "%u) is below IPv4's %u (RFC 791) and IPv6's %u (RFC 8200): both MSS are held at "
		    "their floors, %u and %u; IPv6 cannot run on such a link", name, eff, iface->mtu,
		    iface->overhead, BOUNDS_MTU_MIN_IPV4, BOUNDS_MTU_MIN_IPV6, BOUNDS_MSS_FLOOR_IPV4,
		    BOUNDS_MSS_FLOOR_IPV6);
	else if (eff < BOUNDS_MTU_MIN_IPV6)
		say(c, CONF_WARNING, iface->line, "[interface %s]: effective MTU %u (mtu %u - overhead "
		    "%u) is below IPv6's %u (RFC 8200): IPv6 cannot run on such a link, its MSS is "
		    "held at the floor %u", name, eff, iface->mtu, iface->overhead,
		    BOUNDS_MTU_MIN_IPV6, BOUNDS_MSS_FLOOR_IPV6);
}

static void
check_no_clamp(struct check *c, const struct conf_iface *iface, const char *name)
{
	char keys[64] = "";

	if (!iface->no_clamp)
		return;
	if (iface->overhead != 0)
		strcat(keys, ", overhead");
	if (iface->mtu != 0)
		strcat(keys, ", mtu");
	if (iface->mss != 0)
		strcat(keys, ", mss");
	if (iface->mss6 != 0)
		strcat(keys, ", mss6");
	if (keys[0] != '\0')
		say(c, CONF_WARNING, iface->line, "[interface %s]: clamp = no: %s set nothing (an "
		    "interface that is not clamped limits no packet)", name, keys + 2);
}

/*
 * queue = cpu is one queue per CPU, each CPU's packets to its own queue;
 * balancing those by flow would lose what they are for. One queue picks
 * nothing.
 */
static void
check_fanout(struct check *c, const struct conf *conf)
{
	if (conf->queue_fanout_line == 0)
		return;
	if (conf->queue_per_cpu && conf->queue_fanout == CONF_FANOUT_FLOW)
		say(c, CONF_ERROR, conf->queue_fanout_line, "queue_fanout = flow with queue = cpu: "
		    "one queue per CPU goes with queue_fanout = cpu (for queues balanced by "
		    "flow give a range, queue = N-M)");
	else if (!conf->queue_per_cpu && conf->queue_count == 1)
		say(c, CONF_WARNING, conf->queue_fanout_line, "queue_fanout does nothing with one "
		    "queue (queue = %u)", conf->queue_first);
}

int
conf_check(const struct conf *conf, conf_report_fn *report, void *arg)
{
	struct check c = { conf, report, arg, 0 };
	uint8_t memo[GLOB_MAX_TOKENS + 1][GLOB_MAX_TOKENS + 1];
	char q[TEXT_QUOTE_BUF], qa[TEXT_QUOTE_BUF];
	struct glob *globs;
	bool *usable;
	size_t i, k;

	globs = calloc(conf->n_ifaces + 1, sizeof(*globs));
	usable = calloc(conf->n_ifaces + 1, sizeof(*usable));
	if (globs == NULL || usable == NULL) {
		say(&c, CONF_ERROR, 0, "out of memory");
		goto cleanup;
	}
	check_fanout(&c, conf);
	for (i = 0; i < conf->n_ifaces; i++) {
		const struct conf_iface *iface = &conf->ifaces[i];
		struct glob *g = &globs[i];

		text_quote(q, sizeof(q), iface->pattern);
		check_mtu(&c, iface, q);
		check_no_clamp(&c, iface, q);
		if (!iface->is_glob)
			continue;
		glob_parse(iface->pattern, g);
		/* a glob we read as fnmatch does, or none of the comparisons below */
		usable[i] = !g->empty_set && glob_witness(iface->pattern, g);
		if (g->empty_set)
			say(&c, CONF_WARNING, iface->line, "[interface %s] can never apply: %s matches "
			    "no character an interface name may hold", q,
			    text_quote(qa, sizeof(qa), g->empty_text));
		else if (g->unterminated && !usable[i])
			say(&c, CONF_WARNING, iface->line, "[interface %s] can never apply: its '[' has "
			    "no ']', and fnmatch(3) matches no name against it", q);
		else if (g->unterminated)
			say(&c, CONF_WARNING, iface->line, "[interface %s]: a '[' without its ']' is "
			    "taken as a plain '[': the section applies only to an interface named '%s'",
			    q, q);
	}

	/* The first matching glob wins: a later one that can only match what it matches is dead. */
	for (i = 0; i < conf->n_ifaces; i++) {
		const struct conf_iface *later = &conf->ifaces[i];

		if (!later->is_glob || !usable[i])
			continue;
		for (k = 0; k < i; k++) {
			const struct conf_iface *earlier = &conf->ifaces[k];

			if (!earlier->is_glob || !usable[k])
				continue;
			memset(memo, 0, sizeof(memo));
			if (!glob_covers(&globs[k], 0, &globs[i], 0, memo))
				continue;
			say(&c, CONF_WARNING, later->line, "[interface %s] never applies: [interface %s] "
			    "on line %u matches every name it matches and comes first (the first "
			    "matching glob wins; only an exact name is taken before it)",
			    text_quote(q, sizeof(q), later->pattern),
			    text_quote(qa, sizeof(qa), earlier->pattern), earlier->line);
			break;
		}
	}
cleanup:
	free(globs);
	free(usable);
	return c.errors;
}
