/*
 * Unit test for cli.c: `mssclampd calc` and `mssclampd presets`, run with
 * stdout and stderr redirected to temporary files and compared exactly.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "presets.h"
#include "presets_1500.h"

struct output {
	int status;
	char out[16384];
	char err[4096];
};

static void
slurp(int fd, char *buf, size_t size)
{
	ssize_t n;
	size_t have = 0;

	lseek(fd, 0, SEEK_SET);
	while (have < size - 1 && (n = read(fd, buf + have, size - 1 - have)) > 0)
		have += (size_t)n;
	buf[have] = '\0';
}

/* Runs main_fn with argv (NULL-terminated), capturing what it writes. */
static void
run(int (*main_fn)(int, char **), struct output *o, const char *arg0, ...)
{
	char *argv[16];
	char out_path[] = "/tmp/test_calc_out.XXXXXX";
	char err_path[] = "/tmp/test_calc_err.XXXXXX";
	int argc = 0, out_fd, err_fd, saved_out, saved_err;
	va_list ap;
	const char *a;

	argv[argc++] = (char *)(uintptr_t)arg0;
	va_start(ap, arg0);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 15)
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;

	out_fd = mkstemp(out_path);
	err_fd = mkstemp(err_path);
	if (out_fd == -1 || err_fd == -1) {
		perror("mkstemp");
		exit(1);
	}
	unlink(out_path);
	unlink(err_path);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	o->status = main_fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(out_fd, o->out, sizeof(o->out));
	slurp(err_fd, o->err, sizeof(o->err));
	close(out_fd);
	close(err_fd);
}

#define N_ON_1500 (sizeof(on_1500) / sizeof(on_1500[0]))

static const char pppoe_esp_output[] =
	"MTU 1500 - overhead 81 (pppoe+esp) = effective MTU 1419\n"
	"IPv4 MSS: 1379\n"
	"IPv6 MSS: 1359\n"
	"  (MTU - 40 for IPv4 and TCP headers, MTU - 60 for IPv6 and TCP)\n"
	"\n"
	"The same clamp elsewhere (FORWARD covers transit traffic; add OUTPUT for the\n"
	"router's own connections):\n"
	"\n"
	"iptables:\n"
	"  iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1379\n"
	"  ip6tables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1359\n"
	"\n"
	"nftables (in a forward chain of an inet table; IPv6 needs its own value):\n"
	"  meta nfproto ipv4 tcp flags & (syn|rst) == syn tcp option maxseg size > 1379 "
	"tcp option maxseg size set 1379\n"
	"  meta nfproto ipv6 tcp flags & (syn|rst) == syn tcp option maxseg size > 1359 "
	"tcp option maxseg size set 1359\n"
	"\n"
	"Cisco IOS (interface configuration):\n"
	"  ip tcp adjust-mss 1379\n"
	"  ipv6 tcp adjust-mss 1359\n"
	"\n"
	"mssclampd.conf:\n"
	"  [interface NAME]\n"
	"  overhead = pppoe+esp\n"
	"  mtu = 1500    # only if the kernel shows another MTU for NAME\n";

static void
check_contains(const struct output *o, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
check_contains(const struct output *o, const char *what, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	CHECK_MSG(strstr(o->out, line) != NULL, "%s: output has \"%.*s\"", what,
	    (int)strcspn(line, "\n"), line);
}

static void
check_usage_error(const char *want_err, const char *a1, const char *a2)
{
	static struct output o;

	run(cli_calc, &o, "calc", a1, a2, (const char *)NULL);
	CHECK_MSG(o.status == 2 && o.out[0] == '\0' && strncmp(o.err, want_err, strlen(want_err)) == 0,
	    "calc %s %s: exit 2 (got %d), stderr starts \"%.*s\" (got \"%.*s\")", a1,
	    a2 != NULL ? a2 : "", o.status, (int)strcspn(want_err, "\n"), want_err,
	    (int)strcspn(o.err, "\n"), o.err);
}

int
main(void)
{
	static struct output o;
	char what[64], *line, *save, *name_end;
	size_t k, rows, bytes_col, want_col;
	const struct preset *p;
	int aligned;

	for (k = 0; k < N_ON_1500; k++) {
		run(cli_calc, &o, "calc", "--mtu", "1500", "--overhead", on_1500[k].name,
		    (const char *)NULL);
		snprintf(what, sizeof(what), "calc 1500 %s", on_1500[k].name);
		CHECK_MSG(o.status == 0 && o.err[0] == '\0', "%s: exit 0, nothing on stderr", what);
		check_contains(&o, what, "= effective MTU %u\n", on_1500[k].eff);
		check_contains(&o, what, "\nIPv4 MSS: %u\n", on_1500[k].ipv4);
		check_contains(&o, what, "\nIPv6 MSS: %u\n", on_1500[k].ipv6);
		check_contains(&o, what, "  iptables -t mangle -A FORWARD -p tcp --tcp-flags "
		    "SYN,RST SYN -j TCPMSS --set-mss %u\n", on_1500[k].ipv4);
		check_contains(&o, what, "  ip6tables -t mangle -A FORWARD -p tcp --tcp-flags "
		    "SYN,RST SYN -j TCPMSS --set-mss %u\n", on_1500[k].ipv6);
		check_contains(&o, what, "  meta nfproto ipv4 tcp flags & (syn|rst) == syn tcp "
		    "option maxseg size > %u tcp option maxseg size set %u\n", on_1500[k].ipv4,
		    on_1500[k].ipv4);
		check_contains(&o, what, "  meta nfproto ipv6 tcp flags & (syn|rst) == syn tcp "
		    "option maxseg size > %u tcp option maxseg size set %u\n", on_1500[k].ipv6,
		    on_1500[k].ipv6);
		check_contains(&o, what, "  ip tcp adjust-mss %u\n", on_1500[k].ipv4);
		check_contains(&o, what, "  ipv6 tcp adjust-mss %u\n", on_1500[k].ipv6);
		check_contains(&o, what, "  overhead = %s\n", on_1500[k].name);
	}

	run(cli_calc, &o, "calc", "--mtu", "1500", "--overhead", "pppoe+esp", (const char *)NULL);
	CHECK_MSG(o.status == 0 && strcmp(o.out, pppoe_esp_output) == 0,
	    "calc --mtu 1500 --overhead pppoe+esp: the whole output, exactly");
	if (strcmp(o.out, pppoe_esp_output) != 0)
		printf("---- got:\n%s----\n", o.out);
	run(cli_calc, &o, "calc", "--mtu=1500", "--overhead=pppoe+esp", (const char *)NULL);
	CHECK_MSG(o.status == 0 && strcmp(o.out, pppoe_esp_output) == 0,
	    "calc --mtu=1500 --overhead=pppoe+esp: the same output");
	run(cli_calc, &o, "calc", "--overhead", "pppoe+esp", (const char *)NULL);
	CHECK_MSG(o.status == 0 && strcmp(o.out, pppoe_esp_output) == 0,
	    "calc --overhead pppoe+esp: --mtu defaults to 1500");

	run(cli_calc, &o, "calc", "--mtu", "1492", (const char *)NULL);
	check_contains(&o, "calc 1492", "MTU 1492 - overhead 0 = effective MTU 1492\n");
	check_contains(&o, "calc 1492", "IPv4 MSS: 1452\nIPv6 MSS: 1432\n");
	check_contains(&o, "calc 1492", "  overhead = 0\n");

	run(cli_calc, &o, "calc", "--mtu=1500", "--overhead", "esp + natt", "--mss=1300",
	    (const char *)NULL);
	CHECK_MSG(o.status == 0, "calc --mss=1300: exit 0 (got %d)", o.status);
	check_contains(&o, "calc mss 1300", "= effective MTU 1419\n");
	check_contains(&o, "calc mss 1300", "IPv4 MSS: 1300\nIPv6 MSS: 1280\n");
	check_contains(&o, "calc mss 1300", "; capped by --mss 1300, IPv6 at 1280)\n");
	check_contains(&o, "calc mss 1300", "  overhead = esp + natt\n");
	check_contains(&o, "calc mss 1300", "  mss = 1300\n");
	check_contains(&o, "calc mss 1300", "--set-mss 1300\n");
	CHECK_MSG(strstr(o.out, "note: raised") == NULL, "calc mss 1300: no floor note");

	run(cli_calc, &o, "calc", "--mtu", "1300", "--overhead", "esp", (const char *)NULL);
	check_contains(&o, "calc 1300 esp", "= effective MTU 1227\n");
	check_contains(&o, "calc 1300 esp", "IPv4 MSS: 1187\nIPv6 MSS: 1220\n");
	check_contains(&o, "calc 1300 esp", "note: IPv6 MSS raised to its floor 1220: IPv6 cannot "
	    "run on a link below 1280 bytes (RFC 8200), and this one has 1227;");
	CHECK_MSG(strstr(o.out, "note: IPv4") == NULL, "calc 1300 esp: IPv4 did not hit its floor");

	/* the floor reached through mss - 20, not the MTU: the note says so */
	run(cli_calc, &o, "calc", "--mtu", "1500", "--mss", "1200", (const char *)NULL);
	check_contains(&o, "calc mss 1200", "IPv6 MSS: 1220\n");
	check_contains(&o, "calc mss 1200", "note: IPv6 MSS raised to its floor 1220: --mss less "
	    "IPv6's 20 more header bytes is below it; --mss6 sets IPv6's own\n");
	CHECK_MSG(strstr(o.out, "cannot run") == NULL, "calc mss 1200: the MTU is not blamed");

	run(cli_calc, &o, "calc", "--mtu", "500", (const char *)NULL);
	check_contains(&o, "calc 500", "IPv4 MSS: 536\nIPv6 MSS: 1220\n");
	check_contains(&o, "calc 500", "note: IPv4 MSS raised to its floor 536 (effective MTU 500 "
	    "is below 576, the datagram every IPv4 host must accept, RFC 791)");
	check_contains(&o, "calc 500", "note: IPv6 MSS raised to its floor 1220: IPv6 cannot run "
	    "on a link below 1280 bytes (RFC 8200), and this one has 500;");

	run(cli_calc, &o, "calc", "--mtu", "500", "--overhead", "600", (const char *)NULL);
	CHECK_MSG(o.status == 2 && o.out[0] == '\0' && strcmp(o.err, "mssclampd calc: --overhead "
	    "600 leaves nothing of --mtu 500 (the effective MTU would be at or below 0)\n") == 0,
	    "calc --mtu 500 --overhead 600: exit 2, said why (%s)", o.err);
	run(cli_calc, &o, "calc", "--mtu", "68", "--overhead", "68", (const char *)NULL);
	CHECK_MSG(o.status == 2, "calc --mtu 68 --overhead 68: exit 2");
	run(cli_calc, &o, "calc", "--mtu", "69", "--overhead", "68", (const char *)NULL);
	CHECK_MSG(o.status == 0, "calc --mtu 69 --overhead 68: one byte left, exit 0");

	/* the kernel's IPv6 MTU below the link's (a router advertisement) */
	run(cli_calc, &o, "calc", "--mtu", "1492", "--mtu6", "1400", (const char *)NULL);
	CHECK_MSG(o.status == 0, "calc --mtu6 1400: exit 0");
	check_contains(&o, "calc mtu6", "MTU 1492 - overhead 0 = effective MTU 1492\n"
	    "IPv6 MTU 1400 (--mtu6, below the link's): IPv6's effective MTU 1400\n"
	    "IPv4 MSS: 1452\nIPv6 MSS: 1340\n");
	run(cli_calc, &o, "calc", "--mtu", "1492", "--mtu6", "1492", (const char *)NULL);
	CHECK_MSG(strstr(o.out, "IPv6 MTU") == NULL && strstr(o.out, "IPv6 MSS: 1432\n") != NULL,
	    "calc --mtu6 equal to --mtu: nothing of its own");

	/* mss6: IPv6's own cap */
	run(cli_calc, &o, "calc", "--mss", "1370", "--mss6", "1300", (const char *)NULL);
	check_contains(&o, "calc mss6", "IPv4 MSS: 1370\nIPv6 MSS: 1300\n");
	check_contains(&o, "calc mss6", "; capped by --mss 1370; IPv6 capped by --mss6 1300)\n");
	check_contains(&o, "calc mss6", "  mss = 1370\n  mss6 = 1300\n");
	check_contains(&o, "calc mss6", "ipv6 tcp adjust-mss 1300\n");

	run(cli_calc, &o, "calc", "--help", (const char *)NULL);
	CHECK_MSG(o.status == 0 && strncmp(o.out, "usage: mssclampd calc", 21) == 0,
	    "calc --help: usage on stdout, exit 0");

	check_usage_error("mssclampd calc: --mtu: 'abc' is not a number (68 to 65535)\n",
	    "--mtu", "abc");
	check_usage_error("mssclampd calc: --mtu: 67 is out of range (68 to 65535)\n",
	    "--mtu", "67");
	check_usage_error("mssclampd calc: --mtu: 65536 is out of range (68 to 65535)\n",
	    "--mtu=65536", NULL);
	/* 2^32 + 1500: once 1500 where unsigned long has 32 bits */
	check_usage_error("mssclampd calc: --mtu: 4294968796 is out of range (68 to 65535)\n",
	    "--mtu", "4294968796");
	check_usage_error("mssclampd calc: --mtu: '' is not a number (68 to 65535)\n",
	    "--mtu=", NULL);
	/* a negative number is a number, out of range */
	check_usage_error("mssclampd calc: --mtu: -1 is out of range (68 to 65535)\n",
	    "--mtu", "-1");
	check_usage_error("mssclampd calc: --mtu: -1500 is out of range (68 to 65535)\n",
	    "--mtu=-1500", NULL);
	check_usage_error("mssclampd calc: --mss: -0 is out of range (536 to 65495)\n",
	    "--mss", "-0");
	check_usage_error("mssclampd calc: --mtu: '--1' is not a number (68 to 65535)\n",
	    "--mtu", "--1");
	check_usage_error("mssclampd calc: --mtu: '-' is not a number (68 to 65535)\n",
	    "--mtu", "-");
	check_usage_error("mssclampd calc: --mss6: 1219 is out of range (1220 to 65475)\n",
	    "--mss6", "1219");
	check_usage_error("mssclampd calc: --mss6: -1300 is out of range (1220 to 65475)\n",
	    "--mss6=-1300", NULL);
	check_usage_error("mssclampd calc: --mtu6: 1279 is out of range (1280 to 65535)\n",
	    "--mtu6", "1279");
	check_usage_error("mssclampd calc: --mtu needs a value\n", "--mtu", NULL);
	check_usage_error("mssclampd calc: --mss: 535 is out of range (536 to 65495)\n",
	    "--mss", "535");
	check_usage_error("mssclampd calc: --mss: 65496 is out of range (536 to 65495)\n",
	    "--mss", "65496");
	check_usage_error("mssclampd calc: --overhead: unknown overhead 'espp' "
	    "(see `mssclampd presets`)\n", "--overhead", "espp");
	check_usage_error("mssclampd calc: --overhead: '1001' is 1001 bytes, out of range "
	    "(0 to 1000)\n", "--overhead", "1001");
	check_usage_error("mssclampd calc: --overhead: missing term after '+' in 'esp+'\n",
	    "--overhead=esp+", NULL);
	check_usage_error("mssclampd calc: unknown argument '--bogus'\n", "--bogus", NULL);
	check_usage_error("mssclampd calc: unknown argument '--mtux'\n", "--mtux", "1500");
	check_usage_error("mssclampd calc: unknown argument '1500'\n", "1500", NULL);

	/* presets: one aligned row per preset, after a header. */
	run(cli_presets, &o, "presets", (const char *)NULL);
	CHECK_MSG(o.status == 0 && o.err[0] == '\0', "presets: exit 0, nothing on stderr");
	CHECK_MSG(strncmp(o.out, "name        bytes  made of\n", 26) == 0,
	    "presets: header \"name        bytes  made of\"");
	rows = 0;
	aligned = 1;
	want_col = strlen("name        bytes");
	line = strtok_r(o.out, "\n", &save); /* the header */
	for (p = presets; p->name != NULL; p++) {
		line = strtok_r(NULL, "\n", &save);
		if (line == NULL)
			break;
		name_end = line + strlen(p->name);
		bytes_col = strspn(name_end, " ") + strlen(p->name);
		while (line[bytes_col] >= '0' && line[bytes_col] <= '9')
			bytes_col++;
		if (strncmp(line, p->name, strlen(p->name)) != 0 || bytes_col != want_col ||
		    (unsigned)atoi(line + want_col - 5) != p->bytes ||
		    strcmp(line + want_col + 2, p->made_of) != 0) {
			aligned = 0;
			printf("     bad row: \"%s\"\n", line);
		}
		rows++;
	}
	CHECK_MSG(aligned && p->name == NULL, "presets: %zu rows, name, bytes ending in column %zu, "
	    "made_of", rows, want_col);
	run(cli_presets, &o, "presets", "extra", (const char *)NULL);
	CHECK_MSG(o.status == 2 && strcmp(o.err, "mssclampd presets: unexpected argument 'extra'\n"
	    "usage: mssclampd presets\n") == 0, "presets extra: exit 2 with a message");

	return check_summary();
}
