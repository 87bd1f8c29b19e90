/*
 * The firewall facade: picks the backend (fw_iptables.c, fw_nftables.c),
 * runs install and remove on the caller's thread, and keeps the rules in
 * place from a helper thread of its own.
 *
 * The helper thread waits in poll() on: cancel_fd (written once, at stop:
 * it ends the thread and kills the tool it runs), wake_fd (healing turned
 * on or off) and, with an nf_tables backend, the ruleset's change events;
 * with iptables-legacy, which has none, it reads the tables once a second
 * (fw_xtables.c) and looks closer only when they changed. A burst of
 * events (a firewall reload is hundreds) settles before one check runs;
 * each check runs the tools, and each repair waits as backoff.c says.
 *
 * What the loop and the status need is kept under a mutex: the rules'
 * state and, for legacy, the last packet counts read.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "clock.h"
#include "conf.h"
#include "firewall.h"
#include "fw_backend.h"
#include "fw_netlink.h"
#include "fw_xtables.h"
#include "log.h"

#define FW_POLL_MS 1000          /* legacy: the tables are read this often */
#define FW_SETTLE_MS 100         /* events: a check once they have been quiet this long */
#define FW_SETTLE_MAX_MS 500     /* ... or this long after the first, however they go on */
#define FW_RETRY_MS 5000         /* a check that could not tell is tried again */
#define FW_DESCRIBE_MAX 256

struct firewall {
	const struct fw_backend *backend;       /* NULL: firewall = none */
	enum conf_firewall kind;
	struct fw_rules rules;                  /* the caller's until firewall_start(), then the thread's */
	struct fw_run *run;                     /* the caller's thread: install, remove, needs_raw */
	bool probed, legacy;                    /* iptables -V said so */
	struct fw_netlink *counter;             /* nf_tables: the caller reads counts with it */

	/* the helper thread, between firewall_start() and fw_stop() */
	bool started;
	pthread_t thread;
	struct fw_run *thread_run;              /* its own, with cancel_fd */
	int wake_fd, cancel_fd;
	struct fw_netlink *events;              /* nf_tables: ruleset changes */
	struct fw_xtables *xtables;             /* legacy: the tables, read directly */
	struct backoff backoff;                 /* the thread's */
	bool repair_due;                        /* a repair waits for repair_ms */
	uint64_t repair_ms;
	bool repaired;                          /* a repair ran since the thread last looked */
	struct fw_damage told;                  /* healing off: the damage last logged */
	bool check_failing;                     /* the last check could not tell: said once */

	pthread_mutex_t lock;                   /* guards what follows */
	bool heal;
	bool missing;                           /* the last check found damage */
	time_t since;                           /* ... since when it holds */
	time_t repair_at;                       /* a waiting repair, in wall-clock time; 0: none */
	uint64_t restored;
	time_t last_restored;
	bool have_counts;                       /* legacy: */
	uint64_t counts_ms;                     /* when they were read */
	struct firewall_counts counts;
	uint64_t rebuilt[FW_FAMILIES];          /* legacy: times the counting rule was made anew */
};

static void
fw_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
fw_signal(int fd)
{
	uint64_t one = 1;

	/* an eventfd's counter only fails to take 1 at 2^64 - 2: readable anyway */
	(void)!write(fd, &one, sizeof(one));
}

static void
fw_clear(int fd)
{
	uint64_t count;

	(void)!read(fd, &count, sizeof(count));
}

static enum fw_netlink_rules
fw_netlink_kind(const struct firewall *fw)
{
	return fw->kind == CONF_FIREWALL_NFTABLES ? FW_NETLINK_NFTABLES : FW_NETLINK_IPTABLES;
}

/* Whether the damage re-made family f's counting rule (its counter starts at 0). */
static bool
fw_rebuilds(const struct fw_damage *damage, int f)
{
	return damage->parts[f] & (FW_PART_TABLE | FW_PART_ALTERED | FW_PART_CHAIN | FW_PART_RULE);
}

/* The rules as made: state in place from now. Under the lock. */
static void
fw_set_intact(struct firewall *fw)
{
	fw->missing = false;
	fw->since = time(NULL);
	fw->repair_at = 0;
}

/*
 * Puts the rules back (or says why not); returns when to check again, 0
 * for "at the next sign of change". Runs the tools: the helper thread only.
 */
static uint64_t
fw_repair(struct firewall *fw, const struct fw_damage *damage, const char *what, uint64_t now)
{
	uint64_t when, restored;
	bool warn;
	int f;

	if (!fw->repair_due) {
		when = backoff_when(&fw->backoff, now, &warn);
		if (warn)
			log_warnx("firewall: our rules keep being removed (%u times within %u s): "
				  "each repair now waits longer, up to %u s; if a firewall manager "
				  "owns the rules, set heal_rules = no", fw->backoff.repairs + 1,
				  BACKOFF_QUIET_MS / 1000, BACKOFF_MAX_MS / 1000);
		if (when > now) {
			fw->repair_due = true;
			fw->repair_ms = when;
			pthread_mutex_lock(&fw->lock);
			fw->repair_at = time(NULL) + (time_t)((when - now + 999) / 1000);
			pthread_mutex_unlock(&fw->lock);
			return when;
		}
	}
	fw->repair_due = false;
	fw->repaired = true;
	backoff_repaired(&fw->backoff, now);
	if (fw->backend->repair(fw->thread_run, &fw->rules, damage) == -1) {
		log_err("firewall: our rules were removed or altered (%s); restoring them failed", what);
		pthread_mutex_lock(&fw->lock);
		fw->repair_at = 0;
		pthread_mutex_unlock(&fw->lock);
		return now + FW_RETRY_MS;
	}
	pthread_mutex_lock(&fw->lock);
	restored = ++fw->restored;
	fw->last_restored = time(NULL);
	for (f = 0; f < FW_FAMILIES; f++)
		if (fw_rebuilds(damage, f))
			fw->rebuilt[f]++;
	fw_set_intact(fw);
	pthread_mutex_unlock(&fw->lock);
	log_warnx("firewall: our rules were removed or altered (%s): restored them (%llu time%s "
		  "since start)", what, (unsigned long long)restored, restored == 1 ? "" : "s");
	return 0;
}

/*
 * Compares the rules with what was made and acts on the difference; returns
 * when to check again (0: at the next sign of change).
 */
static uint64_t
fw_check(struct firewall *fw, uint64_t now)
{
	struct fw_damage damage;
	char what[FW_DESCRIBE_MAX];
	bool heal, was_missing;
	int f;

	if (fw->backend->check(fw->thread_run, &fw->rules, &damage) == -1) {
		/* the tool said why; say it once a spell, retry quietly */
		fw->check_failing = fw->thread_run->quiet = true;
		return now + FW_RETRY_MS;
	}
	if (fw->check_failing)
		log_info("firewall: checking our rules works again");
	fw->check_failing = fw->thread_run->quiet = false;

	for (f = 0; f < FW_FAMILIES && damage.parts[f] == 0; f++)
		;
	pthread_mutex_lock(&fw->lock);
	heal = fw->heal;
	was_missing = fw->missing;
	if (f == FW_FAMILIES) {
		fw_set_intact(fw);
	} else if (!fw->missing) {
		fw->missing = true;
		fw->since = time(NULL);
	}
	pthread_mutex_unlock(&fw->lock);

	if (f == FW_FAMILIES) {
		fw->repair_due = false;
		if (was_missing && !heal)
			log_info("firewall: our rules are complete again");
		memset(&fw->told, 0, sizeof(fw->told));
		return 0;
	}
	fw->backend->describe(&damage, what, sizeof(what));
	if (!heal) {
		fw->repair_due = false;
		if (memcmp(&damage, &fw->told, sizeof(damage)) != 0)
			log_warnx("firewall: our rules were removed or altered (%s): not restored "
				  "(heal_rules = no)", what);
		fw->told = damage;
		return 0;
	}
	return fw_repair(fw, &damage, what, now);
}

/* Legacy: the tables, read directly; their counts kept for the loop. True when they changed. */
static bool
fw_read_legacy(struct firewall *fw, uint64_t now, uint64_t *signature)
{
	struct fw_xtables_scan scan[FW_FAMILIES];
	uint64_t sig;
	int f;

	if (fw->xtables == NULL || fw_xtables_read(fw->xtables, scan) == -1)
		return true; /* no other way to know: let the tools look */
	pthread_mutex_lock(&fw->lock);
	fw->have_counts = scan[0].found && scan[1].found;
	for (f = 0; f < FW_FAMILIES; f++) {
		fw->counts.packets[f] = scan[f].packets;
		fw->counts.epoch[f] = fw->rebuilt[f];
	}
	fw->counts_ms = now;
	pthread_mutex_unlock(&fw->lock);
	sig = scan[0].signature ^ (scan[1].signature * 31);
	if (sig == *signature)
		return false;
	*signature = sig;
	return true;
}

static uint64_t
fw_earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/*
 * The helper thread. Deadlines are monotonic milliseconds, 0 for none:
 * check_at (a check due), poll_at (legacy: the next reading), and the
 * settling of a burst of events (first_event, last_event).
 */
static void *
fw_thread(void *arg)
{
	struct firewall *fw = arg;
	uint64_t now = clock_ms(), check_at = now, poll_at = 0, first_event = 0, last_event = 0;
	uint64_t signature = 0, deadline;
	struct pollfd pfd[3];
	int nfds, timeout;

	/* first a check: what changed between install and now had no one watching */
	if (fw->legacy)
		poll_at = now;
	for (;;) {
		deadline = fw_earliest(check_at, poll_at);
		if (first_event != 0)
			deadline = fw_earliest(deadline, last_event + FW_SETTLE_MS < first_event + FW_SETTLE_MAX_MS ?
						 last_event + FW_SETTLE_MS : first_event + FW_SETTLE_MAX_MS);
		now = clock_ms();
		timeout = deadline == 0 ? -1 : deadline <= now ? 0 :
			  deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
		pfd[0] = (struct pollfd){ .fd = fw->cancel_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = fw->wake_fd, .events = POLLIN };
		nfds = 2;
		if (fw->events != NULL)
			pfd[nfds++] = (struct pollfd){ .fd = fw_netlink_fd(fw->events), .events = POLLIN };
		if (poll(pfd, (nfds_t)nfds, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("firewall: poll");
			break;
		}
		if (pfd[0].revents != 0)
			break;
		now = clock_ms();
		if (pfd[1].revents != 0) {
			fw_clear(fw->wake_fd);
			check_at = now; /* healing turned on or off: look now */
		}
		if (nfds > 2 && pfd[2].revents != 0) {
			int r = fw_netlink_events(fw->events, fw_netlink_kind(fw));

			if (r == -1) {
				/* a socket that failed (logged) is made anew, and meanwhile we look */
				fw_netlink_close(fw->events);
				fw->events = fw_netlink_open(true);
			}
			if (r != 0 && first_event == 0)
				first_event = now;
			if (r != 0)
				last_event = now;
		}
		/* no events to wait for: look now and then */
		if (!fw->legacy && fw->events == NULL && check_at == 0)
			check_at = now + FW_RETRY_MS;
		if (first_event != 0 && (now >= last_event + FW_SETTLE_MS ||
					 now >= first_event + FW_SETTLE_MAX_MS)) {
			first_event = last_event = 0;
			check_at = fw_earliest(check_at, now);
		}
		if (poll_at != 0 && now >= poll_at) {
			if (fw_read_legacy(fw, now, &signature))
				check_at = fw_earliest(check_at, now);
			poll_at = now + FW_POLL_MS;
		}
		/* a waiting repair is not hurried by more news */
		if (fw->repair_due && check_at != 0 && check_at < fw->repair_ms)
			check_at = fw->repair_ms;
		if (check_at != 0 && now >= check_at)
			check_at = fw_check(fw, now);
		if (fw->repaired && poll_at != 0) {
			/*
			 * Legacy: what we just wrote is no baseline (a removal right
			 * after it would look like nothing changed): the next reading,
			 * at once, is checked whatever it says.
			 */
			signature = 0;
			poll_at = now;
		}
		fw->repaired = false;
	}
	return NULL;
}

/* What only the helper thread used, once it has ended or never began. */
static void
fw_release(struct firewall *fw)
{
	fw_close(&fw->wake_fd);
	fw_close(&fw->cancel_fd);
	fw_netlink_close(fw->events);
	fw->events = NULL;
	fw_xtables_close(fw->xtables);
	fw->xtables = NULL;
	free(fw->thread_run);
	fw->thread_run = NULL;
}

/* Ends the helper thread: its tool killed, joined; bounded by the kill and the reap. */
static void
fw_stop(struct firewall *fw)
{
	if (!fw->started)
		return;
	fw_signal(fw->cancel_fd);
	pthread_join(fw->thread, NULL);
	fw->started = false;
	fw_release(fw);
}

struct firewall *
firewall_new(enum conf_firewall kind, unsigned first, unsigned count, enum conf_fanout fanout)
{
	struct firewall *fw;

	if ((fw = calloc(1, sizeof(*fw))) == NULL) {
		log_warn("firewall");
		return NULL;
	}
	fw->kind = kind;
	fw->rules.first = first;
	fw->rules.count = count;
	fw->rules.fanout = fanout;
	fw->wake_fd = fw->cancel_fd = -1;
	fw->heal = true;
	pthread_mutex_init(&fw->lock, NULL);
	switch (kind) {
	case CONF_FIREWALL_IPTABLES:
		fw->backend = &fw_iptables;
		break;
	case CONF_FIREWALL_NFTABLES:
		fw->backend = &fw_nftables;
		break;
	case CONF_FIREWALL_NONE:
		return fw;
	}
	if ((fw->run = calloc(1, sizeof(*fw->run))) == NULL) {
		log_warn("firewall");
		firewall_free(fw);
		return NULL;
	}
	fw->run->cancel_fd = -1; /* start-up and stop: the tools run to their end */
	return fw;
}

int
firewall_install(struct firewall *fw)
{
	if (fw->backend == NULL)
		return 0;
	if (fw->rules.count == 0 || fw->rules.first > 65535 ||
	    fw->rules.count > 65536 - fw->rules.first) {
		log_err("firewall: queues %u..%u: not within 0..65535", fw->rules.first,
			fw->rules.first + fw->rules.count - 1);
		return -1;
	}
	(void)firewall_needs_raw(fw);
	if (fw->backend->install(fw->run, &fw->rules) == -1)
		return -1;
	pthread_mutex_lock(&fw->lock);
	fw_set_intact(fw);
	pthread_mutex_unlock(&fw->lock);
	return 0;
}

int
firewall_remove(struct firewall *fw)
{
	if (fw->backend == NULL)
		return 0;
	fw_stop(fw);
	return fw->backend->remove(fw->run);
}

bool
firewall_needs_raw(struct firewall *fw)
{
	if (fw->backend == NULL)
		return false;
	if (!fw->probed) {
		fw->legacy = fw->backend->needs_raw(fw->run);
		fw->probed = true;
	}
	return fw->legacy;
}

int
firewall_start(struct firewall *fw, bool heal)
{
	sigset_t all, old;
	int rc;

	if (fw->backend == NULL || fw->started)
		return 0;
	fw->heal = heal;
	if ((fw->thread_run = calloc(1, sizeof(*fw->thread_run))) == NULL ||
	    (fw->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (fw->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("firewall: helper thread");
		goto fail;
	}
	fw->thread_run->cancel_fd = fw->cancel_fd;
	if (firewall_needs_raw(fw)) {
		/* without them the tools look every second: slower, still right */
		if ((fw->xtables = fw_xtables_open()) == NULL)
			log_warnx("firewall: iptables-legacy's tables cannot be read directly: our "
				  "rules are checked with iptables every second, and bypassed= is unknown");
	} else if ((fw->events = fw_netlink_open(true)) == NULL ||
		   (fw->counter == NULL && (fw->counter = fw_netlink_open(false)) == NULL)) {
		goto fail;
	}

	/* born with every signal blocked: the main thread takes them (signalfd) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&fw->thread, NULL, fw_thread, fw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("firewall: helper thread");
		goto fail;
	}
	fw->started = true;
	return 0;

fail:
	fw_release(fw);
	return -1;
}

void
firewall_set_heal(struct firewall *fw, bool heal)
{
	bool changed;

	pthread_mutex_lock(&fw->lock);
	changed = fw->heal != heal;
	fw->heal = heal;
	pthread_mutex_unlock(&fw->lock);
	if (changed && fw->started)
		fw_signal(fw->wake_fd);
}

int
firewall_counts(struct firewall *fw, struct firewall_counts *counts)
{
	int rc = -1;

	if (fw->backend == NULL)
		return -1; /* the operator's rules, whose counters we cannot know */
	if (!fw->legacy)
		return fw->counter != NULL ? fw_netlink_counts(fw->counter, fw_netlink_kind(fw), counts) : -1;
	pthread_mutex_lock(&fw->lock);
	if (fw->have_counts && clock_ms() - fw->counts_ms <= FIREWALL_COUNTS_MAX_AGE_MS) {
		*counts = fw->counts;
		rc = 0;
	}
	pthread_mutex_unlock(&fw->lock);
	return rc;
}

bool
firewall_restored(struct firewall *fw, uint64_t *restored)
{
	if (fw->backend == NULL)
		return false;
	pthread_mutex_lock(&fw->lock);
	*restored = fw->restored;
	pthread_mutex_unlock(&fw->lock);
	return true;
}

void
firewall_status(struct firewall *fw, struct status *st)
{
	st->firewall = conf_firewall_name(fw->kind);
	st->flavour = fw->kind != CONF_FIREWALL_IPTABLES ? "" : fw->legacy ? "legacy" : "nf_tables";
	if (fw->backend == NULL) {
		st->rules = STATUS_RULES_NONE;
		return;
	}
	pthread_mutex_lock(&fw->lock);
	st->rules = fw->missing ? STATUS_RULES_MISSING : STATUS_RULES_IN_PLACE;
	st->rules_since = fw->since;
	st->healing = fw->heal;
	st->rules_restored = fw->restored;
	st->last_restored = fw->last_restored;
	st->repair_at = fw->repair_at;
	pthread_mutex_unlock(&fw->lock);
}

void
firewall_free(struct firewall *fw)
{
	if (fw == NULL)
		return;
	fw_stop(fw);
	fw_netlink_close(fw->counter);
	pthread_mutex_destroy(&fw->lock);
	free(fw->run);
	free(fw);
}
