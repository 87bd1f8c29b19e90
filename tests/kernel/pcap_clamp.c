/*
 * pcap_clamp: runs the packet engine over every packet of a pcap file, the
 * way the daemon runs it over what NFQUEUE delivers, and writes the results
 * as a raw-IP pcap plus one line per packet on stdout:
 *
 *	INDEX ACTION REASON NOTE FAMILY MSS_BEFORE MSS_AFTER LEN_BEFORE LEN_AFTER
 *
 * Reads raw-IP (LINKTYPE_RAW, IPV4, IPV6) and Ethernet captures in either
 * byte order, micro- or nanosecond. No libpcap: the format is a 24-byte file
 * header and a 16-byte header per record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define ETH_HLEN 14
#define PKT_MAX 65535
#define ROOM_DEFAULT 40 /* what a copy-mode NFQUEUE buffer leaves, at the least */

struct pcap_in {
	FILE *f;
	int swapped;
	int nsec;
	unsigned linktype;
};

static uint32_t
swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static uint32_t
get32(const struct pcap_in *in, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return in->swapped ? swap32(v) : v;
}

static int
pcap_open(struct pcap_in *in, const char *path)
{
	uint8_t hdr[24];
	uint32_t magic;

	if ((in->f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "pcap_clamp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(hdr, 1, sizeof(hdr), in->f) != sizeof(hdr)) {
		fprintf(stderr, "pcap_clamp: %s: short file header\n", path);
		return -1;
	}
	memcpy(&magic, hdr, 4);
	in->swapped = 0;
	if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC) {
		magic = swap32(magic);
		in->swapped = 1;
	}
	if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC) {
		fprintf(stderr, "pcap_clamp: %s: not a pcap file (magic %08x)\n", path, magic);
		return -1;
	}
	in->nsec = magic == PCAP_MAGIC_NSEC;
	in->linktype = get32(in, hdr + 20) & 0xffff;
	switch (in->linktype) {
	case LINKTYPE_ETHERNET:
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		return 0;
	default:
		fprintf(stderr, "pcap_clamp: %s: link type %u (allowed: 1, 101, 228, 229)\n",
			path, in->linktype);
		return -1;
	}
}

/* Returns 1 with a record, 0 at the end, -1 on a broken record. */
static int
pcap_next(const struct pcap_in *in, uint8_t *rec, uint32_t *caplen, uint8_t *data)
{
	size_t n = fread(rec, 1, 16, in->f);

	if (n == 0 && feof(in->f))
		return 0;
	if (n != 16) {
		fprintf(stderr, "pcap_clamp: short record header\n");
		return -1;
	}
	*caplen = get32(in, rec + 8);
	if (*caplen > PKT_MAX + ETH_HLEN) {
		fprintf(stderr, "pcap_clamp: record of %u bytes (at most %u)\n",
			*caplen, PKT_MAX + ETH_HLEN);
		return -1;
	}
	if (fread(data, 1, *caplen, in->f) != *caplen) {
		fprintf(stderr, "pcap_clamp: short record\n");
		return -1;
	}
	return 1;
}

static int
pcap_write_header(FILE *out)
{
	uint32_t hdr[6] = { PCAP_MAGIC_USEC, 2 | 4u << 16, 0, 0, PKT_MAX, LINKTYPE_RAW };

	return fwrite(hdr, sizeof(hdr), 1, out) == 1 ? 0 : -1;
}

static int
pcap_write(FILE *out, const struct pcap_in *in, const uint8_t *rec,
	   const uint8_t *pkt, uint32_t len)
{
	uint32_t hdr[4];

	hdr[0] = get32(in, rec);
	hdr[1] = get32(in, rec + 4) / (in->nsec ? 1000 : 1);
	hdr[2] = len;
	hdr[3] = len;
	if (fwrite(hdr, sizeof(hdr), 1, out) != 1 || fwrite(pkt, 1, len, out) != len)
		return -1;
	return 0;
}

static unsigned long
parse_number(const char *arg, const char *what, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "pcap_clamp: %s '%s' (allowed %lu..%lu)\n", what, arg, min, max);
		exit(2);
	}
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pcap_clamp -4 CEILING -6 CEILING [-r ROOM] [-n] IN.pcap OUT.pcap\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static uint8_t data[PKT_MAX + ETH_HLEN], pkt[2 * PKT_MAX];
	struct engine_ceiling ceiling = { 0, 0 };
	struct engine_result res;
	struct pcap_in in = { NULL, 0, 0, 0 };
	FILE *out = NULL;
	uint8_t rec[16];
	uint32_t caplen;
	size_t room = ROOM_DEFAULT, skip, len;
	unsigned flags = 0, index = 0;
	int ch, got, rc = 1;

	while ((ch = getopt(argc, argv, "4:6:r:n")) != -1) {
		switch (ch) {
		case '4':
			ceiling.ipv4 = (uint16_t)parse_number(optarg, "IPv4 ceiling", 1, 65535);
			break;
		case '6':
			ceiling.ipv6 = (uint16_t)parse_number(optarg, "IPv6 ceiling", 1, 65535);
			break;
		case 'r':
			room = parse_number(optarg, "room", 0, PKT_MAX);
			break;
		case 'n':
			flags |= ENGINE_DRY_RUN;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || ceiling.ipv4 == 0 || ceiling.ipv6 == 0)
		usage();

	if (pcap_open(&in, argv[optind]) == -1)
		goto cleanup;
	if ((out = fopen(argv[optind + 1], "wb")) == NULL || pcap_write_header(out) == -1) {
		fprintf(stderr, "pcap_clamp: %s: %s\n", argv[optind + 1], strerror(errno));
		goto cleanup;
	}

	while ((got = pcap_next(&in, rec, &caplen, data)) == 1) {
		skip = in.linktype == LINKTYPE_ETHERNET ? ETH_HLEN : 0;
		if (caplen < skip) {
			fprintf(stderr, "pcap_clamp: record %u shorter than its link header\n", index);
			goto cleanup;
		}
		len = caplen - skip;
		memcpy(pkt, data + skip, len);
		engine_clamp(pkt, len, len + room, ceiling, flags, &res);
		printf("%u %s %s %s %u %u %u %zu %zu\n", index,
		       engine_action_name(res.action), engine_malformed_name(res.malformed),
		       engine_note_name(res.note), res.family, res.mss_before,
		       res.mss_after, len, res.len);
		if (pcap_write(out, &in, rec, pkt, (uint32_t)res.len) == -1) {
			fprintf(stderr, "pcap_clamp: %s: %s\n", argv[optind + 1], strerror(errno));
			goto cleanup;
		}
		index++;
	}
	if (got == 0)
		rc = 0;

cleanup:
	if (in.f != NULL)
		fclose(in.f);
	if (out != NULL && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "pcap_clamp: %s: %s\n", argv[optind + 1], strerror(errno));
		rc = 1;
	}
	return rc;
}
