/*
 * Interface reporting. The workers count per slot; this module gives the
 * slots their names and ceilings, turns the counts into records, and says
 * when SYNs went past the daemon unclamped.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "bypass.h"
#include "log.h"
#include "report.h"
#include "statlog.h"
#include "stats.h"

/* What the last warning about a slot was based on: warn again only when it changes. */
struct report_warned {
	unsigned mtu, mtu6, overhead;
	bool floored4, floored6, warned_once;
};

/* What the kernel said of an interface and what the view made of it. */
struct report_facts {
	unsigned mtu, mtu6, effective_mtu, effective_mtu6;
	bool clamp;
};

struct report {
	char names[VIEW_MAX_SLOTS][CONF_IFNAMSIZ];   /* "" for a released slot */
	uint16_t count;                              /* slots ever taken: 0 .. count - 1 */
	struct report_warned warned[VIEW_MAX_SLOTS];
	struct engine_ceiling ceiling[VIEW_MAX_SLOTS]; /* in the current view; 0 if not in it or not clamped */
	bool present[VIEW_MAX_SLOTS];                /* in the current view */
	struct report_facts staged[VIEW_MAX_SLOTS];  /* from the view being built */
	struct report_facts facts[VIEW_MAX_SLOTS];   /* from the current view */
	struct stats_counters per_slot[VIEW_MAX_SLOTS];
	struct stats_counters total;
	struct stats_mss mss[VIEW_MAX_SLOTS];        /* big, but only the pages of slots in use are touched */
	struct stats_mss mss_total;
	struct stats_line lines[VIEW_MAX_SLOTS + 1];
	uint64_t gaps_reported;
	struct bypass bypass;                        /* the rules' counts against ours, across repairs */
	bool bypassed_known;                         /* a record has had the rules' counts */
	uint64_t bypassed_reported;
	time_t started;
	struct statlog *statlog;
};

struct report *
report_new(void)
{
	struct report *report = calloc(1, sizeof(*report));

	if (report == NULL) {
		log_warn("stats");
		return NULL;
	}
	strcpy(report->names[VIEW_SLOT_OTHER], "-");
	report->count = 1;
	report->started = time(NULL);
	return report;
}

void
report_free(struct report *report)
{
	if (report == NULL)
		return;
	statlog_close(report->statlog);
	free(report);
}

/* The slot named name, or a new one; VIEW_SLOT_OTHER when every slot is taken. */
static uint16_t
report_slot_named(struct report *report, const char *name)
{
	uint16_t i, free_slot = 0;

	for (i = 1; i < report->count; i++) {
		if (strcmp(report->names[i], name) == 0)
			return i;
		if (report->names[i][0] == '\0' && free_slot == 0)
			free_slot = i;
	}
	if (free_slot == 0 && report->count == VIEW_MAX_SLOTS)
		return VIEW_SLOT_OTHER;
	if (free_slot == 0)
		free_slot = report->count++;
	snprintf(report->names[free_slot], sizeof(report->names[free_slot]), "%s", name);
	return free_slot;
}

/*
 * Warnings an operator should see once, not on every link event: each slot
 * remembers the inputs it last warned about.
 */
static void
report_warn(struct report *report, uint16_t slot, const struct view_link *vl,
	    const struct conf *conf)
{
	struct report_warned *w = &report->warned[slot];
	const struct conf_iface *iface = vl->iface;
	const struct link *link = vl->link;
	const struct link_ceiling *c = &vl->ceiling;
	unsigned overhead = iface ? iface->overhead : 0;
	char where[PATH_MAX + 32] = "";

	if (w->mtu == link->mtu && w->mtu6 == link->mtu6 && w->overhead == overhead &&
	    w->floored4 == c->floored4 && w->floored6 == c->floored6 && w->warned_once)
		return;
	w->mtu = link->mtu;
	w->mtu6 = link->mtu6;
	w->overhead = overhead;
	w->floored4 = c->floored4;
	w->floored6 = c->floored6;
	w->warned_once = true;

	if (iface)
		snprintf(where, sizeof(where), " (%s:%u)", conf->path, iface->line);
	if (c->floored4)
		log_warnx("%s: effective MTU %u (MTU %u - overhead %u%s) is below IPv4's %u: "
			  "IPv4 MSS held at its floor %u", link->name, c->effective_mtu,
			  iface && iface->mtu ? iface->mtu : link->mtu, overhead, where,
			  BOUNDS_MTU_MIN_IPV4, BOUNDS_MSS_FLOOR_IPV4);
	/* IPv6's floor is reached through its MTU, or through mss - 20 (no mss6) */
	if (c->floored6 && c->effective_mtu6 >= BOUNDS_MTU_MIN_IPV6)
		log_warnx("%s: mss %u less IPv6's %u more header bytes is below IPv6's floor%s: "
			  "IPv6 MSS held at %u (mss6 sets IPv6's own)", link->name,
			  iface ? iface->mss : 0, BOUNDS_IPV6_MSS_DELTA, where, BOUNDS_MSS_FLOOR_IPV6);
	else if (c->floored6)
		log_warnx("%s: IPv6 MTU %u (MTU %u - overhead %u%s) is below IPv6's %u: IPv6 cannot "
			  "run on it; IPv6 MSS held at its floor %u", link->name, c->effective_mtu6,
			  iface && iface->mtu ? iface->mtu : link->mtu, overhead, where,
			  BOUNDS_MTU_MIN_IPV6, BOUNDS_MSS_FLOOR_IPV6);
	if (vl->counted_twice)
		log_warnx("%s: a %s device's MTU (%u) already excludes %s's %u bytes; "
			  "overhead = %u in %s:%u probably counts them twice",
			  link->name, link->kind, link->mtu, vl->counted_twice, overhead,
			  overhead, conf->path, iface->line);
}

uint16_t
report_slot(void *arg, const struct view_link *vl, const struct conf *conf)
{
	struct report *report = arg;
	uint16_t slot = report_slot_named(report, vl->link->name);

	if (slot != VIEW_SLOT_OTHER) {
		report_warn(report, slot, vl, conf);
		report->staged[slot] = (struct report_facts){
			vl->link->mtu, vl->link->mtu6, vl->ceiling.effective_mtu,
			vl->ceiling.effective_mtu6, conf_iface_clamps(vl->iface),
		};
	}
	return slot;
}

const char *
report_slot_name(const struct report *report, uint16_t slot)
{
	return slot < report->count ? report->names[slot] : "";
}

/* Frees a slot for the next new name; its counters must be folded away first. */
static void
report_release(struct report *report, uint16_t slot)
{
	memset(report->names[slot], 0, sizeof(report->names[slot]));
	memset(&report->warned[slot], 0, sizeof(report->warned[slot]));
}

/*
 * Slots are kept per name for as long as there is room, so a PPPoE
 * reconnect keeps its counts. Near full (a container host's veths come and
 * go), the counts of names gone from the system and the config move to
 * iface=- and their slots are reused: the totals never change.
 */
static void
report_reclaim(struct report *report, const bool *present, const struct conf *conf,
	       struct workers *workers)
{
	unsigned reclaimed = 0;
	uint16_t slot;

	if (report->count < VIEW_MAX_SLOTS * 3 / 4)
		return;
	for (slot = 1; slot < report->count; slot++) {
		if (present[slot] || report->names[slot][0] == '\0' ||
		    conf_iface_find(conf, report->names[slot]) != NULL)
			continue;
		workers_fold(workers, slot, VIEW_SLOT_OTHER);
		report_release(report, slot);
		reclaimed++;
	}
	if (reclaimed > 0)
		log_info("stats: %u interfaces that no longer exist now count under iface=-", reclaimed);
}

void
report_published(struct report *report, const struct view *view, const struct conf *conf,
		 struct workers *workers)
{
	bool present[VIEW_MAX_SLOTS] = { false };
	const struct view_entry *e;
	size_t iter = 0;

	memset(report->ceiling, 0, sizeof(report->ceiling));
	memset(report->facts, 0, sizeof(report->facts));
	while ((e = iftable_next(&view->entries, &iter)) != NULL) {
		present[e->slot] = true;
		if (e->clamp)
			report->ceiling[e->slot] = e->mss;
		report->facts[e->slot] = report->staged[e->slot];
	}
	memcpy(report->present, present, sizeof(report->present));
	report->present[VIEW_SLOT_OTHER] = false;
	report_reclaim(report, present, conf, workers);
}

_Static_assert(STATS_IPV4 == 0 && STATS_IPV6 == 1 && BYPASS_FAMILIES == 2,
	       "firewall_counts counts IPv4 first");

/*
 * SYNs our rules matched that never reached us: the kernel let them pass
 * unclamped because the queue was full (fail-open), which it counts nowhere
 * else. The rules' counts are read before the workers' counters, so packets
 * in flight make it an underestimate, never a false alarm; bypass.c carries
 * it across rules made anew.
 */
static void
report_bypassed(struct report *report, const struct firewall_counts *counts,
		struct stats_extra *extra)
{
	uint64_t seen[STATS_FAMILY_COUNT], bypassed;
	int family, action;

	for (family = 0; family < STATS_FAMILY_COUNT; family++) {
		seen[family] = 0;
		for (action = 0; action < ENGINE_ACTION_COUNT; action++)
			seen[family] += report->total.packets[family][action];
	}
	bypassed = bypass_update(&report->bypass, counts->packets, counts->epoch, seen);
	extra->bypassed_known = true;
	extra->bypassed = bypassed;
	if (bypassed > report->bypassed_reported)
		log_warnx("%llu SYNs went past the queue unclamped since the last report: it was full "
			  "and the kernel failed open (raise queue_maxlen or add queues)",
			  (unsigned long long)(bypassed - report->bypassed_reported));
	report->bypassed_reported = bypassed;
	report->bypassed_known = true;
}

static void
report_gaps(struct report *report, const struct stats_extra *extra)
{
	if (extra->queue_gaps <= report->gaps_reported)
		return;
	log_warnx("%llu SYNs went past unclamped since the last report: the queue's "
		  "socket buffer was full and the kernel failed open",
		  (unsigned long long)(extra->queue_gaps - report->gaps_reported));
	report->gaps_reported = extra->queue_gaps;
}

void
report_write(struct report *report, struct workers *workers, const struct conf *conf,
	     struct firewall *fw)
{
	struct firewall_counts counts;
	struct stats_extra extra;
	bool have_counts;
	time_t now = time(NULL);
	size_t n = 0;
	uint16_t slot;

	/* the rules first: what they counted is then at most what we saw plus what passed us */
	have_counts = fw != NULL && firewall_counts(fw, &counts) == 0;
	workers_collect(workers, report->per_slot, &extra, report->mss, report->count);
	extra.uptime_seconds = (uint64_t)(now - report->started);
	extra.observing = conf->mode == CONF_MODE_OBSERVE;
	extra.rules_ours = fw != NULL && firewall_restored(fw, &extra.rules_restored);
	memset(&report->total, 0, sizeof(report->total));
	memset(&report->mss_total, 0, sizeof(report->mss_total));
	for (slot = 0; slot < report->count; slot++) {
		const struct stats_counters *c = &report->per_slot[slot];
		bool configured = report->present[slot] &&
				  conf_iface_find(conf, report->names[slot]) != NULL;

		bool counted = stats_total(c, ENGINE_ACTION_COUNT) != 0;

		stats_add(&report->total, c);
		if (counted) /* else workers_collect() left report->mss[slot] as it was */
			stats_mss_add(&report->mss_total, &report->mss[slot]);
		if (!counted && !configured)
			continue;
		report->lines[n++] = (struct stats_line){ report->names[slot], c,
							  report->ceiling[slot], NULL,
							  counted ? &report->mss[slot] : NULL };
	}
	if (have_counts)
		report_bypassed(report, &counts, &extra);
	report->lines[n++] = (struct stats_line){ "all", &report->total, { 0, 0 }, &extra,
						  &report->mss_total };
	statlog_write(report->statlog, now, report->lines, n);
	report_gaps(report, &extra);
}

uint16_t
report_slots(const struct report *report)
{
	return report->count;
}

bool
report_iface(const struct report *report, struct workers *workers, uint16_t slot,
	     struct report_iface *out)
{
	memset(out, 0, sizeof(*out));
	if (slot == VIEW_SLOT_OTHER || slot >= report->count || report->names[slot][0] == '\0')
		return false;
	out->name = report->names[slot];
	out->present = report->present[slot];
	if (out->present) {
		const struct report_facts *f = &report->facts[slot];

		out->clamp = f->clamp;
		out->mtu = f->mtu;
		out->mtu6 = f->mtu6;
		out->effective_mtu = f->effective_mtu;
		out->effective_mtu6 = f->effective_mtu6;
		out->mss = report->ceiling[slot];
	}
	workers_collect_slot(workers, slot, &out->counters, &out->mss_seen);
	return true;
}

void
report_status(struct report *report, struct workers *workers, const struct conf *conf,
	      struct status *st)
{
	struct stats_counters total;
	struct stats_extra extra;
	uint16_t slot;

	workers_collect(workers, report->per_slot, &extra, report->mss, report->count);
	memset(&total, 0, sizeof(total));
	for (slot = 0; slot < report->count; slot++)
		stats_add(&total, &report->per_slot[slot]);
	st->uptime = (uint64_t)(time(NULL) - report->started);
	st->observing = conf->mode == CONF_MODE_OBSERVE;
	st->seen = stats_total(&total, ENGINE_ACTION_COUNT);
	st->gaps = extra.queue_gaps;
	st->verdict_errors = extra.verdict_errors;
	st->bypassed_known = report->bypassed_known;
	st->bypassed = report->bypassed_reported;
}

void
report_reopen(struct report *report, const struct conf *conf)
{
	if (report->statlog == NULL)
		report->statlog = statlog_open(conf);
	else
		statlog_reopen(report->statlog, conf);
}
