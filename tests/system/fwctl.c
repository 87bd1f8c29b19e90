/*
 * fwctl: drives firewall.h and privs.c from the command line for
 * firewall-test.sh, which runs it inside a network namespace of its own.
 *
 *	fwctl MODE VERB...
 *	MODE:  iptables | nftables | none
 *	VERB:  install FIRST COUNT | install-by-cpu FIRST COUNT | remove | packets | heal N |
 *	       drop USER | limit | caps
 *
 * Verbs run in order, in one process, as the daemon does (rules in as root,
 * then drop, rules out at exit); the first that fails ends it with status 1.
 * "packets" prints "packets ipv4=N ipv6=N"; "caps" prints the uid and the
 * capability sets from /proc/self/status.
 *
 * "install" makes a firewall object for its queues (remove and packets use
 * the last one, or one of their own). "packets" goes the daemon's way: the
 * helper thread started (after any drop, as the daemon does), then
 * firewall_counts() (with iptables-legacy, once the thread has read the
 * tables). "heal N" starts the helper thread with healing on, prints
 * "watching", and waits until it has restored the rules N times in all
 * (what the test removes meanwhile), then prints "restored N".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "firewall.h"
#include "log.h"
#include "privs.h"

#define COUNT_WAIT_S 3   /* iptables-legacy: the helper thread reads the tables at once */
#define HEAL_WAIT_S 20   /* the test removes the rules, the helper thread puts them back */

static int
usage(void)
{
	fprintf(stderr, "usage: fwctl iptables|nftables|none "
		"[install[-by-cpu] FIRST COUNT | remove | packets | heal N | drop USER | limit | caps]...\n");
	return 2;
}

static int
parse_unsigned(const char *s, unsigned *value)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v > 65536)
		return -1;
	*value = (unsigned)v;
	return 0;
}

static int
print_caps(void)
{
	static const char *const keys[] = { "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:" };
	char line[256];
	size_t i;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL) {
		perror("/proc/self/status");
		return -1;
	}
	printf("caps uid=%u euid=%u gid=%u", (unsigned)getuid(), (unsigned)geteuid(),
	       (unsigned)getgid());
	while (fgets(line, sizeof(line), f) != NULL) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t len = strlen(keys[i]);
			if (strncmp(line, keys[i], len) == 0) {
				char *v = line + len;
				v += strspn(v, " \t");
				v[strcspn(v, "\n")] = '\0';
				printf(" %.*s=%s", (int)(len - 1), keys[i], v);
			}
		}
	}
	printf("\n");
	fflush(stdout);
	fclose(f);
	return 0;
}

/* The counts as the daemon reads them. -1 for none (no counters) or unknown. */
static int
count_packets(struct firewall *fw, uint64_t packets[2])
{
	struct firewall_counts counts;
	int tries;

	/* counting only: the rules are what the test makes them */
	if (firewall_start(fw, false) == -1)
		return -1;
	for (tries = 0; tries < COUNT_WAIT_S * 10; tries++) {
		if (firewall_counts(fw, &counts) == 0) {
			packets[0] = counts.packets[0];
			packets[1] = counts.packets[1];
			return 0;
		}
		if (!firewall_needs_raw(fw))
			return -1; /* read at once, or not at all */
		usleep(100000);
	}
	fprintf(stderr, "fwctl: no packet count within %d s\n", COUNT_WAIT_S);
	return -1;
}

/* Healing, until the rules were restored n times. */
static int
heal(struct firewall *fw, uint64_t n)
{
	uint64_t restored = 0;
	int tries;

	if (firewall_start(fw, true) == -1)
		return -1;
	printf("watching\n");
	fflush(stdout);
	for (tries = 0; tries < HEAL_WAIT_S * 10; tries++) {
		if (firewall_restored(fw, &restored) && restored >= n) {
			printf("restored %" PRIu64 "\n", restored);
			fflush(stdout);
			return 0;
		}
		usleep(100000);
	}
	fprintf(stderr, "fwctl: restored %" PRIu64 " times, not %" PRIu64 ", within %d s\n",
		restored, n, HEAL_WAIT_S);
	return -1;
}

/* The object the verbs act on: the last install's, else one made here. */
static struct firewall *
current(struct firewall **fw, enum conf_firewall mode)
{
	if (*fw == NULL)
		*fw = firewall_new(mode, 0, 1, CONF_FANOUT_FLOW);
	return *fw;
}

static int
run(int argc, char *argv[], enum conf_firewall mode, struct firewall **fw)
{
	uint64_t packets[2];
	unsigned first, count;
	int i;

	for (i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "install") == 0 || strcmp(argv[i], "install-by-cpu") == 0) &&
		    i + 2 < argc) {
			enum conf_fanout fanout = strcmp(argv[i], "install") == 0 ?
			    CONF_FANOUT_FLOW : CONF_FANOUT_CPU;

			if (parse_unsigned(argv[i + 1], &first) == -1 ||
			    parse_unsigned(argv[i + 2], &count) == -1)
				return usage();
			i += 2;
			firewall_free(*fw);
			if ((*fw = firewall_new(mode, first, count, fanout)) == NULL ||
			    firewall_install(*fw) == -1)
				return 1;
		} else if (strcmp(argv[i], "remove") == 0) {
			if (current(fw, mode) == NULL || firewall_remove(*fw) == -1)
				return 1;
		} else if (strcmp(argv[i], "packets") == 0) {
			if (current(fw, mode) == NULL || count_packets(*fw, packets) == -1)
				return 1;
			printf("packets ipv4=%" PRIu64 " ipv6=%" PRIu64 "\n", packets[0], packets[1]);
			fflush(stdout);
		} else if (strcmp(argv[i], "heal") == 0 && i + 1 < argc) {
			if (parse_unsigned(argv[++i], &count) == -1)
				return usage();
			if (current(fw, mode) == NULL || heal(*fw, count) == -1)
				return 1;
		} else if (strcmp(argv[i], "drop") == 0 && i + 1 < argc) {
			if (privs_drop(argv[++i], false) == -1)
				return 1;
		} else if (strcmp(argv[i], "limit") == 0) {
			if (privs_limit(false) == -1)
				return 1;
		} else if (strcmp(argv[i], "caps") == 0) {
			if (print_caps() == -1)
				return 1;
		} else {
			return usage();
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct firewall *fw = NULL;
	enum conf_firewall mode;
	int status;

	log_init(getenv("FWCTL_DEBUG") != NULL);
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "iptables") == 0)
		mode = CONF_FIREWALL_IPTABLES;
	else if (strcmp(argv[1], "nftables") == 0)
		mode = CONF_FIREWALL_NFTABLES;
	else if (strcmp(argv[1], "none") == 0)
		mode = CONF_FIREWALL_NONE;
	else
		return usage();

	status = run(argc, argv, mode, &fw);
	firewall_free(fw);
	return status;
}
