/*
 * The operator's subcommands. `mssclampd calc` and `mssclampd presets`: the
 * daemon's arithmetic for an operator at a shell, and the same numbers
 * written as the clamps other tools understand, so a result can be checked
 * against a known-good box. `mssclampd status`: the client of the control
 * socket (control.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "ceiling.h"
#include "cli.h"
#include "conf.h"
#include "presets.h"
#include "text.h"

#define EXIT_USAGE 2
#define STATUS_WAIT_S 10              /* the daemon answers in milliseconds; this is for a wedged one */
#define STATUS_ANSWER_MAX (64u << 20)


struct calc_args {
	unsigned mtu;
	unsigned mtu6;
	const char *overhead_text;
	unsigned overhead;
	unsigned mss;
	unsigned mss6;
};

static void
calc_usage(FILE *f)
{
	fprintf(f,
	    "usage: mssclampd calc [--mtu BYTES] [--mtu6 BYTES] [--overhead SUM] [--mss BYTES]\n"
	    "                      [--mss6 BYTES]\n"
	    "  --mtu       the MTU of the interface the kernel shows, %u to %u (default 1500)\n"
	    "  --mtu6      its IPv6 MTU, when a router advertisement or sysctl set one below\n"
	    "              --mtu, %u to %u\n"
	    "  --overhead  encapsulation the kernel MTU does not show: preset names and\n"
	    "              byte counts joined by '+', e.g. pppoe+esp (default 0;\n"
	    "              see `mssclampd presets`)\n"
	    "  --mss       an extra cap on the IPv4 MSS, %u to %u (IPv6 gets %u less\n"
	    "              unless --mss6 is given)\n"
	    "  --mss6      an extra cap on the IPv6 MSS, %u to %u\n",
	    BOUNDS_MTU_MIN, BOUNDS_MTU_MAX, BOUNDS_MTU_MIN_IPV6, BOUNDS_MTU_MAX,
	    BOUNDS_MSS_MIN, BOUNDS_MSS_MAX, BOUNDS_IPV6_MSS_DELTA, BOUNDS_MSS6_MIN,
	    BOUNDS_MSS6_MAX);
}

static int
calc_number(const char *opt, const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	/* a minus sign and digits is a number, below every range here */
	if (s[0] == '-' && text_parse_decimal(s + 1, strlen(s + 1), &v) != -1) {
		fprintf(stderr, "mssclampd calc: %s: %s is out of range (%u to %u)\n", opt, s,
		    min, max);
		return -1;
	}
	if (text_parse_decimal(s, strlen(s), &v) == -1) {
		fprintf(stderr, "mssclampd calc: %s: '%s' is not a number (%u to %u)\n", opt,
		    s, min, max);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "mssclampd calc: %s: %s is out of range (%u to %u)\n", opt, s,
		    min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Accepts "--mtu 1500" and "--mtu=1500"; *value is NULL if this is not opt. */
static int
calc_option(int argc, char **argv, int *i, const char *opt, const char **value)
{
	size_t len = strlen(opt);
	const char *arg = argv[*i];

	*value = NULL;
	if (strncmp(arg, opt, len) != 0)
		return 0;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return 0;
	}
	if (arg[len] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "mssclampd calc: %s needs a value\n", opt);
		return -1;
	}
	*value = argv[++*i];
	return 0;
}

/* The numeric options and their ranges, in the order of calc_parse()'s dst[]. */
static const struct {
	const char *name;
	unsigned min, max;
} calc_numbers[] = {
	{ "--mtu", BOUNDS_MTU_MIN, BOUNDS_MTU_MAX },
	{ "--mtu6", BOUNDS_MTU_MIN_IPV6, BOUNDS_MTU_MAX },
	{ "--mss", BOUNDS_MSS_MIN, BOUNDS_MSS_MAX },
	{ "--mss6", BOUNDS_MSS6_MIN, BOUNDS_MSS6_MAX },
};

static int
calc_parse(int argc, char **argv, struct calc_args *args)
{
	unsigned *dst[] = { &args->mtu, &args->mtu6, &args->mss, &args->mss6 };
	const char *value;
	char err[256];
	size_t k;
	int i;

	_Static_assert(sizeof(dst) / sizeof(dst[0]) == sizeof(calc_numbers) / sizeof(calc_numbers[0]),
		       "one destination per numeric option");
	memset(args, 0, sizeof(*args));
	args->mtu = 1500;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			calc_usage(stdout);
			return 1;
		}
		for (k = 0; k < sizeof(calc_numbers) / sizeof(calc_numbers[0]); k++) {
			if (calc_option(argc, argv, &i, calc_numbers[k].name, &value) == -1)
				return -1;
			if (value != NULL)
				break;
		}
		if (value != NULL) {
			if (calc_number(calc_numbers[k].name, value, calc_numbers[k].min,
			    calc_numbers[k].max, dst[k]) == -1)
				return -1;
			continue;
		}
		if (calc_option(argc, argv, &i, "--overhead", &value) == -1)
			return -1;
		if (value != NULL) {
			if (presets_parse_sum(value, &args->overhead, err, sizeof(err)) == -1) {
				fprintf(stderr, "mssclampd calc: --overhead: %s\n", err);
				return -1;
			}
			if (args->overhead > BOUNDS_OVERHEAD_MAX) {
				fprintf(stderr, "mssclampd calc: --overhead: '%s' is %u bytes, "
				    "out of range (0 to %u)\n", value, args->overhead,
				    BOUNDS_OVERHEAD_MAX);
				return -1;
			}
			args->overhead_text = value;
			continue;
		}
		fprintf(stderr, "mssclampd calc: unknown argument '%s'\n", argv[i]);
		calc_usage(stderr);
		return -1;
	}
	/* the same rule as for a config section: nothing left is no link at all */
	if (args->overhead >= args->mtu) {
		fprintf(stderr, "mssclampd calc: --overhead %u leaves nothing of --mtu %u (the "
		    "effective MTU would be at or below 0)\n", args->overhead, args->mtu);
		return -1;
	}
	return 0;
}

/* Says which family hit its floor, and why that floor. */
static void
calc_floor_notes(const struct link_ceiling *c)
{
	if (c->floored4)
		printf("note: IPv4 MSS raised to its floor %u (effective MTU %u is below %u, the "
		    "datagram every IPv4 host must accept, RFC 791); mssclampd never clamps below "
		    "it and warns about the interface\n", BOUNDS_MSS_FLOOR_IPV4, c->effective_mtu,
		    BOUNDS_MTU_MIN_IPV4);
	/* IPv6's floor is reached through its MTU, or through mss - 20 (no mss6) */
	if (c->floored6 && c->effective_mtu6 < BOUNDS_MTU_MIN_IPV6)
		printf("note: IPv6 MSS raised to its floor %u: IPv6 cannot run on a link below "
		    "%u bytes (RFC 8200), and this one has %u; mssclampd never clamps below it "
		    "and warns about the interface\n", BOUNDS_MSS_FLOOR_IPV6,
		    BOUNDS_MTU_MIN_IPV6, c->effective_mtu6);
	else if (c->floored6)
		printf("note: IPv6 MSS raised to its floor %u: --mss less IPv6's %u more header "
		    "bytes is below it; --mss6 sets IPv6's own\n", BOUNDS_MSS_FLOOR_IPV6,
		    BOUNDS_IPV6_MSS_DELTA);
}

int
cli_calc(int argc, char **argv)
{
	struct calc_args args;
	struct conf_iface iface;
	struct link_ceiling c;
	int r;

	if ((r = calc_parse(argc, argv, &args)) != 0)
		return r == 1 ? 0 : EXIT_USAGE;

	memset(&iface, 0, sizeof(iface));
	iface.overhead = args.overhead;
	iface.mss = args.mss;
	iface.mss6 = args.mss6;
	ceiling_for_link(&iface, args.mtu, args.mtu6, &c);

	printf("MTU %u - overhead %u", args.mtu, args.overhead);
	if (args.overhead_text != NULL)
		printf(" (%s)", args.overhead_text);
	printf(" = effective MTU %u\n", c.effective_mtu);
	if (c.effective_mtu6 != c.effective_mtu)
		printf("IPv6 MTU %u (--mtu6, below the link's): IPv6's effective MTU %u\n", args.mtu6,
		    c.effective_mtu6);
	printf("IPv4 MSS: %u\n", c.mss.ipv4);
	printf("IPv6 MSS: %u\n", c.mss.ipv6);
	printf("  (MTU - %u for IPv4 and TCP headers, MTU - %u for IPv6 and TCP",
	    BOUNDS_IPV4_TCP_HEADERS, BOUNDS_IPV6_TCP_HEADERS);
	if (args.mss != 0 && args.mss6 == 0)
		printf("; capped by --mss %u, IPv6 at %u", args.mss,
		    args.mss - BOUNDS_IPV6_MSS_DELTA);
	else if (args.mss != 0)
		printf("; capped by --mss %u", args.mss);
	if (args.mss6 != 0)
		printf("; IPv6 capped by --mss6 %u", args.mss6);
	printf(")\n");
	calc_floor_notes(&c);

	printf("\nThe same clamp elsewhere (FORWARD covers transit traffic; add OUTPUT for the\n"
	    "router's own connections):\n");
	printf("\niptables:\n");
	printf("  iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
	    "-j TCPMSS --set-mss %u\n", c.mss.ipv4);
	printf("  ip6tables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
	    "-j TCPMSS --set-mss %u\n", c.mss.ipv6);
	/* unlike TCPMSS, nft's "set" raises a smaller MSS too: the "size >" guard stops that */
	printf("\nnftables (in a forward chain of an inet table; IPv6 needs its own value):\n");
	printf("  meta nfproto ipv4 tcp flags & (syn|rst) == syn tcp option maxseg size > %u "
	    "tcp option maxseg size set %u\n", c.mss.ipv4, c.mss.ipv4);
	printf("  meta nfproto ipv6 tcp flags & (syn|rst) == syn tcp option maxseg size > %u "
	    "tcp option maxseg size set %u\n", c.mss.ipv6, c.mss.ipv6);
	printf("\nCisco IOS (interface configuration):\n");
	printf("  ip tcp adjust-mss %u\n", c.mss.ipv4);
	printf("  ipv6 tcp adjust-mss %u\n", c.mss.ipv6);
	printf("\nmssclampd.conf:\n");
	printf("  [interface NAME]\n");
	printf("  overhead = %s\n", args.overhead_text != NULL ? args.overhead_text : "0");
	printf("  mtu = %u    # only if the kernel shows another MTU for NAME\n", args.mtu);
	if (args.mss != 0)
		printf("  mss = %u\n", args.mss);
	if (args.mss6 != 0)
		printf("  mss6 = %u\n", args.mss6);
	return 0;
}

int
cli_presets(int argc, char **argv)
{
	const struct preset *p;
	int name_width = (int)strlen("name");

	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			printf("usage: mssclampd presets\n");
			return 0;
		}
		fprintf(stderr, "mssclampd presets: unexpected argument '%s'\n"
		    "usage: mssclampd presets\n", argv[1]);
		return EXIT_USAGE;
	}
	for (p = presets; p->name != NULL; p++)
		if ((int)strlen(p->name) > name_width)
			name_width = (int)strlen(p->name);

	printf("%-*s  %5s  %s\n", name_width, "name", "bytes", "made of");
	for (p = presets; p->name != NULL; p++)
		printf("%-*s  %5u  %s\n", name_width, p->name, p->bytes, p->made_of);
	printf("\nCombine them with '+' (overhead = pppoe + esp + natt), add plain byte counts\n"
	    "(esp + 8), and count each MPLS label or VLAN tag once.\n");
	return 0;
}

static void
status_usage(FILE *f)
{
	fprintf(f, "usage: mssclampd status [--json] [--socket PATH]\n"
	    "  --json    one JSON document (fields in mssclampd(8))\n"
	    "  --socket  the daemon's control socket (default " CONF_CONTROL_SOCKET_DEFAULT ")\n");
}

/* Connects *fd to path: 0, or the exit status after saying why. */
static int
status_connect(const char *path, int *fd)
{
	struct timeval wait = { STATUS_WAIT_S, 0 };
	struct sockaddr_un sun;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "mssclampd status: %s: longer than a socket path may be\n", path);
		return EXIT_USAGE;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "mssclampd status: socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
	setsockopt(*fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
	if (connect(*fd, (const struct sockaddr *)&sun, sizeof(sun)) == 0)
		return 0;
	switch (errno) {
	case ENOENT:
	case ENOTDIR:
		fprintf(stderr, "mssclampd status: no control socket at %s: mssclampd is not "
		    "running, or its control_socket is elsewhere (--socket) or none\n", path);
		close(*fd);
		return CLI_STATUS_NO_SOCKET;
	case ECONNREFUSED:
		fprintf(stderr, "mssclampd status: nothing listens on %s: mssclampd is not running\n",
		    path);
		close(*fd);
		return CLI_STATUS_NOT_RUNNING;
	case EACCES:
	case EPERM:
		fprintf(stderr, "mssclampd status: %s: permission denied (root, or a member of "
		    "the control_group the configuration names)\n", path);
		close(*fd);
		return CLI_STATUS_DENIED;
	default:
		fprintf(stderr, "mssclampd status: %s: %s\n", path, strerror(errno));
		close(*fd);
		return 1;
	}
}

int
cli_status(int argc, char **argv)
{
	const char *path = CONF_CONTROL_SOCKET_DEFAULT, *request = "status\n";
	char *answer = NULL, *grown;
	size_t len = 0, size = 0;
	ssize_t n;
	int i, fd, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			request = "status json\n";
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			path = argv[i] + 9;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			status_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mssclampd status: unknown argument '%s'\n", argv[i]);
			status_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((rc = status_connect(path, &fd)) != 0)
		return rc;
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) != (ssize_t)strlen(request)) {
		fprintf(stderr, "mssclampd status: %s: sending the request: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	for (;;) {
		if (len + 4096 > size) {
			if (size >= STATUS_ANSWER_MAX || (grown = realloc(answer, size + 65536)) == NULL) {
				fprintf(stderr, "mssclampd status: the answer is too long\n");
				rc = 1;
				goto cleanup;
			}
			answer = grown;
			size += 65536;
		}
		n = recv(fd, answer + len, size - len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "mssclampd status: %s: no answer: %s\n", path,
			    errno == EAGAIN ? "timed out" : strerror(errno));
			rc = 1;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == 0 || strncmp(answer, "error: ", 7) == 0) {
		fprintf(stderr, "mssclampd status: %s: %.*s%s", path, (int)len, len ? answer : "",
		    len ? "" : "closed without an answer\n");
		rc = 1;
		goto cleanup;
	}
	rc = fwrite(answer, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
cleanup:
	free(answer);
	close(fd);
	return rc;
}
