/*
 * fwctl: drives firewall.c and privs.c from the command line for
 * firewall-test.sh, which runs it inside a network namespace of its own.
 *
 *	fwctl MODE VERB...
 *	MODE:  iptables | nftables | none
 *	VERB:  install FIRST COUNT | remove | packets | drop USER | limit | caps
 *
 * Verbs run in order, in one process, as the daemon does (rules in as root,
 * then drop, rules out at exit); the first that fails ends it with status 1.
 * "packets" prints "packets ipv4=N ipv6=N"; "caps" prints the uid and the
 * capability sets from /proc/self/status.
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
#include "stats.h"

static int
usage(void)
{
	fprintf(stderr, "usage: fwctl iptables|nftables|none "
		"[install FIRST COUNT | remove | packets | drop USER | limit | caps]...\n");
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

int
main(int argc, char *argv[])
{
	enum conf_firewall mode;
	uint64_t packets[2];
	unsigned first, count;
	int i;

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

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "install") == 0 && i + 2 < argc) {
			if (parse_unsigned(argv[i + 1], &first) == -1 ||
			    parse_unsigned(argv[i + 2], &count) == -1)
				return usage();
			i += 2;
			if (firewall_install(mode, first, count) == -1)
				return 1;
		} else if (strcmp(argv[i], "remove") == 0) {
			if (firewall_remove(mode) == -1)
				return 1;
		} else if (strcmp(argv[i], "packets") == 0) {
			if (firewall_packets(mode, packets) == -1)
				return 1;
			printf("packets ipv4=%" PRIu64 " ipv6=%" PRIu64 "\n",
			       packets[STATS_IPV4], packets[STATS_IPV6]);
			fflush(stdout);
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
