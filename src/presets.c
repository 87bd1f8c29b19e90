/*
 * Named encapsulation overheads: the bytes a tunnel or link layer adds
 * between the IP MTU an endpoint sees and the MTU of the link that carries
 * it. Each figure is the worst case, so a ceiling built from it always fits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "presets.h"
#include "text.h"

const struct preset presets[] = {
	/* RFC 2516: the PPPoE header and the PPP protocol field. */
	{ "pppoe", 8, "PPPoE header 6 + PPP protocol 2", "ppp", "PPPoE" },
	/* RFC 2784: a basic GRE header, no key, no sequence number. */
	{ "gre", 24, "outer IPv4 20 + GRE 4", "gre", "GRE" },
	{ "ip6gre", 44, "outer IPv6 40 + GRE 4", "ip6gre", "GRE over IPv6" },
	/* RFC 2003 (IPv4 in IPv4), RFC 4213 (IPv6 in IPv4, Linux sit). */
	{ "ipip", 20, "outer IPv4 20", "ipip", "IP-in-IP" },
	{ "sit", 20, "outer IPv4 20 (IPv6 in IPv4)", "sit", "6in4" },
	{ "6in4", 20, "outer IPv4 20 (IPv6 in IPv4)", NULL, NULL },
	/* RFC 2473 (Linux ip6tnl), RFC 6333 (DS-Lite: IPv4 in IPv6). */
	{ "ip6tnl", 40, "outer IPv6 40", "ip6tnl", "IPv6 tunnelling" },
	{ "4in6", 40, "outer IPv6 40 (IPv4 in IPv6)", NULL, NULL },
	{ "dslite", 40, "outer IPv6 40 (DS-Lite, IPv4 in IPv6)", NULL, NULL },
	/*
	 * RFC 4303 tunnel mode with AES-CBC (RFC 3602: 16-byte IV and block)
	 * and HMAC-SHA1-96 (RFC 2404: 12-byte ICV). The padding brings
	 * payload + 2 to a multiple of 16, so up to 15 bytes: Cisco's 73.
	 */
	{ "esp", 73,
	  "outer IPv4 20 + ESP SPI/seq 8 + AES-CBC IV 16 + padding up to 15 + pad length/next header 2 + HMAC-SHA1-96 ICV 12 (tunnel mode)",
	  NULL, NULL },
	/* RFC 4106: 8-byte IV, 16-byte ICV, padding to a multiple of 4. */
	{ "esp-gcm", 57,
	  "outer IPv4 20 + ESP SPI/seq 8 + AES-GCM IV 8 + padding up to 3 + pad length/next header 2 + ICV 16 (tunnel mode)",
	  NULL, NULL },
	/* The same ESP transforms with an IPv6 outer header. */
	{ "esp6", 93,
	  "outer IPv6 40 + ESP SPI/seq 8 + AES-CBC IV 16 + padding up to 15 + pad length/next header 2 + HMAC-SHA1-96 ICV 12 (tunnel mode)",
	  NULL, NULL },
	{ "esp-gcm6", 77,
	  "outer IPv6 40 + ESP SPI/seq 8 + AES-GCM IV 8 + padding up to 3 + pad length/next header 2 + ICV 16 (tunnel mode)",
	  NULL, NULL },
	/* RFC 3948: ESP in UDP behind NAT; add it to esp or esp-gcm. */
	{ "natt", 8, "UDP 8 (NAT traversal, on top of esp or esp-gcm)", NULL, NULL },
	/* RFC 7348; Linux vxlan.h VXLAN_HEADROOM and VXLAN6_HEADROOM. */
	{ "vxlan", 50, "outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14",
	  "vxlan", "VXLAN" },
	{ "vxlan6", 70, "outer IPv6 40 + UDP 8 + VXLAN 8 + inner Ethernet 14", NULL, NULL },
	/* WireGuard data message: type 4 + receiver 4 + counter 8 + Poly1305 tag 16. */
	{ "wireguard", 60, "outer IPv4 20 + UDP 8 + WireGuard 32",
	  "wireguard", "WireGuard over IPv4" },
	{ "wireguard6", 80, "outer IPv6 40 + UDP 8 + WireGuard 32",
	  "wireguard", "WireGuard over IPv6" },
	/* RFC 7637: GRE with the key field carrying the VSID. */
	{ "nvgre", 42, "outer IPv4 20 + GRE with key 8 + inner Ethernet 14", NULL, NULL },
	/* Cisco OTV: the 802.1Q tag and FCS are stripped, an 8-byte shim added. */
	{ "otv", 42, "outer IPv4 20 + OTV shim (GRE 4 + MPLS 4) 8 + inner Ethernet 14",
	  NULL, NULL },
	/*
	 * draft-davie-stt: the usual 54 leaves out STT's 18-byte frame header,
	 * which rides only in the first segment of each large frame.
	 */
	{ "stt", 54, "outer IPv4 20 + TCP-like header 20 + inner Ethernet 14", NULL, NULL },
	/* RFC 9300 (was RFC 6830) 5.1. */
	{ "lisp", 36, "outer IPv4 20 + UDP 8 + LISP 8", NULL, NULL },
	{ "lisp6", 56, "outer IPv6 40 + UDP 8 + LISP 8", NULL, NULL },
	/* RFC 3032: 4 bytes per label; add one mpls per label in the stack. */
	{ "mpls", 4, "one MPLS label 4", NULL, NULL },
	/* IEEE 802.1Q and 802.1ad, where the kernel MTU does not account for them. */
	{ "vlan", 4, "802.1Q tag 4", NULL, NULL },
	{ "qinq", 8, "802.1ad S-tag 4 + 802.1Q C-tag 4", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct preset *
find_term(const char *name, size_t len)
{
	const struct preset *p;

	for (p = presets; p->name != NULL; p++)
		if (strlen(p->name) == len && strncasecmp(p->name, name, len) == 0)
			return p;
	return NULL;
}

const struct preset *
presets_find(const char *name)
{
	return find_term(name, strlen(name));
}

const struct preset *
presets_device_match(const char *kind, unsigned overhead)
{
	const struct preset *p;

	for (p = presets; p->name != NULL; p++)
		if (p->device_kind != NULL && strcmp(p->device_kind, kind) == 0 &&
		    p->bytes == overhead)
			return p;
	return NULL;
}

int
presets_parse_sum(const char *text, unsigned *bytes, char *err, size_t errlen)
{
	char q[TEXT_QUOTE_BUF];
	const char *term, *end, *plus;
	uint64_t total = 0, value;
	const struct preset *p;
	size_t len;

	term = text;
	for (bool first = true;; first = false) {
		while (text_is_blank(*term))
			term++;
		plus = strchr(term, '+');
		end = plus != NULL ? plus : term + strlen(term);
		len = (size_t)(end - term);
		while (len > 0 && text_is_blank(term[len - 1]))
			len--;
		if (len == 0) {
			text_quote(q, sizeof(q), text);
			if (plus == NULL && first)
				snprintf(err, errlen, "empty overhead");
			else
				snprintf(err, errlen, "missing term %s '+' in '%s'",
				    plus != NULL ? "before" : "after", q);
			return -1;
		}
		if ((p = find_term(term, len)) != NULL)
			value = p->bytes;
		else if (text_parse_decimal(term, len, &value) == -1) {
			text_quote_n(q, sizeof(q), term, len);
			snprintf(err, errlen, "unknown overhead '%s' (see `mssclampd presets`)", q);
			return -1;
		} else if (value > BOUNDS_OVERHEAD_SUM_MAX) {
			text_quote_n(q, sizeof(q), term, len);
			snprintf(err, errlen, "overhead '%s' is too large (at most %u)", q,
			    BOUNDS_OVERHEAD_SUM_MAX);
			return -1;
		}
		total += value;
		if (total > BOUNDS_OVERHEAD_SUM_MAX) {
			text_quote(q, sizeof(q), text);
			snprintf(err, errlen, "overhead '%s' is too large (at most %u)", q,
			    BOUNDS_OVERHEAD_SUM_MAX);
			return -1;
		}
		if (plus == NULL)
			break;
		term = plus + 1;
	}
	*bytes = (unsigned)total;
	return 0;
}
