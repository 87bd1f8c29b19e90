/* Unit test for presets.c: the overhead table and "esp + 8" sums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "presets.h"

/* The figures issue 3 asks for, and the IPv6-outer variants added with them. */
static const struct {
	const char *name;
	unsigned bytes;
} expected[] = {
	{ "pppoe", 8 }, { "gre", 24 }, { "ip6gre", 44 }, { "ipip", 20 }, { "sit", 20 },
	{ "6in4", 20 }, { "ip6tnl", 40 }, { "4in6", 40 }, { "dslite", 40 }, { "esp", 73 },
	{ "esp-gcm", 57 }, { "esp6", 93 }, { "esp-gcm6", 77 }, { "natt", 8 },
	{ "vxlan", 50 }, { "vxlan6", 70 }, { "wireguard", 60 }, { "wireguard6", 80 },
	{ "nvgre", 42 }, { "otv", 42 }, { "stt", 54 }, { "lisp", 36 }, { "lisp6", 56 },
	{ "mpls", 4 }, { "vlan", 4 }, { "qinq", 8 },
};
#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

/*
 * The sum of the whole-word numbers in made_of outside parentheses: the
 * description must add up to the figure it explains.
 */
static unsigned
made_of_sum(const char *s)
{
	unsigned sum = 0, depth = 0;
	const char *p = s;

	while (*p != '\0') {
		const char *word = p;
		size_t len, i;
		int digits = 1;

		while (*p != '\0' && *p != ' ')
			p++;
		len = (size_t)(p - word);
		for (i = 0; i < len; i++) {
			if (word[i] == '(')
				depth++;
			if (word[i] < '0' || word[i] > '9')
				digits = 0;
		}
		if (digits && len > 0 && depth == 0)
			sum += (unsigned)strtoul(word, NULL, 10);
		for (i = 0; i < len; i++)
			if (word[i] == ')' && depth > 0)
				depth--;
		while (*p == ' ')
			p++;
	}
	return sum;
}

/*
 * The device kinds whose kernel MTU already leaves out a preset's bytes
 * (what view.c warns about): exactly these pairs, with these labels.
 */
static const struct {
	const char *kind;
	unsigned overhead;
	const char *preset;
	const char *label;
} device_pairs[] = {
	{ "ppp", 8, "pppoe", "PPPoE" },
	{ "wireguard", 60, "wireguard", "WireGuard over IPv4" },
	{ "wireguard", 80, "wireguard6", "WireGuard over IPv6" },
	{ "gre", 24, "gre", "GRE" },
	{ "ip6gre", 44, "ip6gre", "GRE over IPv6" },
	{ "ipip", 20, "ipip", "IP-in-IP" },
	{ "sit", 20, "sit", "6in4" },
	{ "ip6tnl", 40, "ip6tnl", "IPv6 tunnelling" },
	{ "vxlan", 50, "vxlan", "VXLAN" },
};
#define N_DEVICE_PAIRS (sizeof(device_pairs) / sizeof(device_pairs[0]))

static void
test_device_match(void)
{
	static const struct {
		const char *kind;
		unsigned overhead;
	} no_match[] = {
		{ "ppp", 0 }, { "ppp", 16 }, { "ppp", 60 }, { "PPP", 8 }, { "pppoe", 8 },
		{ "wireguard", 0 }, { "wireguard", 8 }, { "wireguard", 140 },
		{ "wireguard6", 80 }, { "gre", 44 }, { "ip6gre", 24 }, { "gretap", 24 },
		{ "ipip", 40 }, { "sit", 40 }, { "6in4", 20 }, { "ip6tnl", 20 },
		{ "4in6", 40 }, { "vxlan", 70 }, { "vxlan6", 70 }, { "eth", 8 },
		{ "vlan", 4 }, { "", 0 }, { "", 8 },
	};
	char what[256];
	const struct preset *p;
	unsigned with_kind = 0;
	size_t i;

	for (i = 0; i < N_DEVICE_PAIRS; i++) {
		p = presets_device_match(device_pairs[i].kind, device_pairs[i].overhead);
		snprintf(what, sizeof(what), "device %s with overhead %u: preset %s, \"%s\" (got %s, %s)",
		    device_pairs[i].kind, device_pairs[i].overhead, device_pairs[i].preset,
		    device_pairs[i].label, p != NULL ? p->name : "NULL",
		    p != NULL && p->device_label != NULL ? p->device_label : "NULL");
		CHECK_MSG(p != NULL && p == presets_find(device_pairs[i].preset) &&
		    p->bytes == device_pairs[i].overhead &&
		    strcmp(p->device_kind, device_pairs[i].kind) == 0 &&
		    strcmp(p->device_label, device_pairs[i].label) == 0, "%s", what);
	}
	for (i = 0; i < sizeof(no_match) / sizeof(no_match[0]); i++) {
		p = presets_device_match(no_match[i].kind, no_match[i].overhead);
		snprintf(what, sizeof(what), "device \"%s\" with overhead %u: no preset (got %s)",
		    no_match[i].kind, no_match[i].overhead, p != NULL ? p->name : "NULL");
		CHECK_MSG(p == NULL, "%s", what);
	}
	for (p = presets; p->name != NULL; p++) {
		if (p->device_kind != NULL)
			with_kind++;
		if ((p->device_kind == NULL) != (p->device_label == NULL)) {
			snprintf(what, sizeof(what), "%s has both a device kind and a label, or neither",
			    p->name);
			CHECK_MSG(0, "%s", what);
		}
	}
	snprintf(what, sizeof(what), "%zu presets name a device kind, with a label (got %u)",
	    N_DEVICE_PAIRS, with_kind);
	CHECK_MSG(with_kind == N_DEVICE_PAIRS, "%s", what);
}

static void
check_sum(const char *text, unsigned want)
{
	char what[1024], err[256] = "";
	unsigned bytes = 12345;
	int r;

	r = presets_parse_sum(text, &bytes, err, sizeof(err));
	snprintf(what, sizeof(what), "sum '%s' = %u (got %d, %u, '%s')", text, want, r, bytes,
	    err);
	CHECK_MSG(r == 0 && bytes == want, "%s", what);
}

static void
check_sum_error(const char *text, const char *want)
{
	char what[1024], err[256] = "";
	unsigned bytes = 0;
	int r;

	r = presets_parse_sum(text, &bytes, err, sizeof(err));
	snprintf(what, sizeof(what), "sum '%s' fails with \"%s\" (got %d, \"%s\")", text, want,
	    r, err);
	CHECK_MSG(r == -1 && strcmp(err, want) == 0, "%s", what);
}

int
main(void)
{
	char what[512], text[256], want[256], small[8];
	const struct preset *p, *q;
	unsigned bytes, n = 0;
	size_t i;

	for (i = 0; i < N_EXPECTED; i++) {
		p = presets_find(expected[i].name);
		snprintf(what, sizeof(what), "preset %s is %u bytes (got %d)", expected[i].name,
		    expected[i].bytes, p != NULL ? (int)p->bytes : -1);
		CHECK_MSG(p != NULL && p->bytes == expected[i].bytes, "%s", what);
	}
	for (p = presets; p->name != NULL; p++)
		n++;
	snprintf(what, sizeof(what), "table has %zu presets (got %u)", N_EXPECTED, n);
	CHECK_MSG(n == N_EXPECTED, "%s", what);

	for (p = presets; p->name != NULL; p++) {
		snprintf(what, sizeof(what), "%s: made_of \"%s\" adds up to %u (got %u)", p->name,
		    p->made_of, p->bytes, made_of_sum(p->made_of));
		CHECK_MSG(made_of_sum(p->made_of) == p->bytes, "%s", what);
		for (q = p + 1; q->name != NULL; q++) {
			if (strcasecmp(p->name, q->name) == 0) {
				snprintf(what, sizeof(what), "%s is listed once", p->name);
				CHECK_MSG(0, "%s", what);
			}
		}
	}
	CHECK_MSG(strstr(presets_find("esp")->made_of, "AES-CBC") != NULL &&
	    strstr(presets_find("esp")->made_of, "HMAC-SHA1-96") != NULL &&
	    strstr(presets_find("esp")->made_of, "outer IPv4 20") != NULL &&
	    strstr(presets_find("esp")->made_of, "tunnel mode") != NULL,
	    "esp says AES-CBC, HMAC-SHA1-96, IPv4 outer, tunnel mode");

	CHECK_MSG(presets_find("ESP") == presets_find("esp"), "presets_find is case-insensitive (ESP)");
	CHECK_MSG(presets_find("WireGuard6") == presets_find("wireguard6"),
	    "presets_find is case-insensitive (WireGuard6)");
	CHECK_MSG(presets_find("espp") == NULL, "presets_find(espp) is NULL");
	CHECK_MSG(presets_find("") == NULL, "presets_find(\"\") is NULL");
	CHECK_MSG(presets_find("esp ") == NULL, "presets_find(\"esp \") is NULL");
	CHECK_MSG(presets_find("es") == NULL, "presets_find(es) is NULL (no prefix match)");

	test_device_match();

	check_sum("pppoe+esp", 81);
	check_sum("esp + 8", 81);
	check_sum(" ESP+NATT ", 81);
	check_sum("\tgre\t+\t4\t", 28);
	check_sum("0", 0);
	check_sum("1000", 1000);
	check_sum("007", 7);
	check_sum("8+8+8", 24);
	check_sum("mpls + mpls + mpls", 12);
	check_sum("6in4", 20);
	check_sum("4in6+vlan", 44);
	check_sum("qinq + esp-gcm + natt", 73);
	check_sum("65535", 65535);
	check_sum("65000+535", 65535);

	check_sum_error("espp", "unknown overhead 'espp' (see `mssclampd presets`)");
	check_sum_error("pppoe + espp + 8", "unknown overhead 'espp' (see `mssclampd presets`)");
	check_sum_error("es p", "unknown overhead 'es p' (see `mssclampd presets`)");
	check_sum_error("0x10", "unknown overhead '0x10' (see `mssclampd presets`)");
	check_sum_error("-8", "unknown overhead '-8' (see `mssclampd presets`)");
	check_sum_error("8 - 2", "unknown overhead '8 - 2' (see `mssclampd presets`)");
	check_sum_error("esp,gre", "unknown overhead 'esp,gre' (see `mssclampd presets`)");
	check_sum_error("\x01gre", "unknown overhead '\\x01gre' (see `mssclampd presets`)");
	check_sum_error("", "empty overhead");
	check_sum_error("   ", "empty overhead");
	check_sum_error("esp+", "missing term after '+' in 'esp+'");
	check_sum_error("esp + ", "missing term after '+' in 'esp + '");
	check_sum_error("+8", "missing term before '+' in '+8'");
	check_sum_error("esp++8", "missing term before '+' in 'esp++8'");
	check_sum_error("99999999999999999999999999",
	    "overhead '99999999999999999999999999' is too large (at most 65535)");
	check_sum_error("65536", "overhead '65536' is too large (at most 65535)");
	check_sum_error("65535+1", "overhead '65535+1' is too large (at most 65535)");

	/* A long term is quoted in part: the message stays readable. */
	memset(text, 'a', 100);
	text[100] = '\0';
	snprintf(want, sizeof(want), "unknown overhead '%.40s...' (see `mssclampd presets`)",
	    text);
	check_sum_error(text, want);

	/* A short error buffer is truncated, never overrun (ASan watches). */
	memset(small, 'x', sizeof(small));
	CHECK_MSG(presets_parse_sum("espp", &bytes, small, sizeof(small)) == -1 &&
	    strcmp(small, "unknown") == 0, "a short error buffer holds \"unknown\" and its NUL");

	return check_summary();
}
