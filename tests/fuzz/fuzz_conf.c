/*
 * libFuzzer harness for the config parser: the input is a whole file's text,
 * which conf_parse_buffer() feeds to the parser a line at a time as
 * conf_load() does. It checks that every message is one printable line with
 * a real line number, that a failed parse leaves nothing to free, and that a
 * successful one holds only values inside their documented ranges.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "ceiling.h"
#include "conf.h"

#define FUZZ_PATH "fuzz.conf"

static unsigned fuzz_lines;

/* Errors and warnings counted apart: a file that parses may still warn. */
struct reports {
	unsigned errors, warnings;
};

static void
fuzz_report(void *arg, enum conf_level level, const char *file, unsigned line, const char *msg)
{
	struct reports *count = arg;
	const char *p;

	if (strcmp(file, FUZZ_PATH) != 0 || line == 0 || line > fuzz_lines || *msg == '\0')
		abort();
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort(); /* a message must never carry raw bytes of the input */
	if (level == CONF_ERROR)
		count->errors++;
	else if (level == CONF_WARNING)
		count->warnings++;
	else
		abort();
}

static size_t
bounded_strlen(const char *s, size_t max)
{
	const char *end = memchr(s, '\0', max);

	if (end == NULL)
		abort();
	return (size_t)(end - s);
}

static void
check_conf(const struct conf *conf)
{
	static const char *const names[] = { "eth0", "ppp0", "ppp1", "wg0", "lo", "a", "" };
	static const unsigned mtus[] = { 0, 68, 576, 1280, 1500, 9000, 65536, UINT_MAX };
	const struct conf_iface *iface, *found;
	struct link_ceiling c;
	size_t i, k, len;

	/* queue = cpu: counted by conf_load(), not by the parser */
	if (conf->queue_per_cpu ? (conf->queue_count != 0 || conf->queue_first != 0 ||
				   conf->queue_fanout != CONF_FANOUT_CPU) :
	    (conf->queue_count < 1 || conf->queue_count > BOUNDS_QUEUE_COUNT_MAX ||
	     conf->queue_first + conf->queue_count - 1 > BOUNDS_QUEUE_MAX))
		abort();
	if (conf->queue_fanout != CONF_FANOUT_FLOW && conf->queue_fanout != CONF_FANOUT_CPU)
		abort();
	if (conf->queue_maxlen < BOUNDS_QUEUE_MAXLEN_MIN ||
	    conf->queue_maxlen > BOUNDS_QUEUE_MAXLEN_MAX)
		abort();
	if (conf->firewall != CONF_FIREWALL_IPTABLES &&
	    conf->firewall != CONF_FIREWALL_NFTABLES && conf->firewall != CONF_FIREWALL_NONE)
		abort();
	if (conf->mode != CONF_MODE_CLAMP && conf->mode != CONF_MODE_OBSERVE)
		abort();
	if (conf->stats_interval < 1 || conf->stats_interval > 86400)
		abort();
	/* Paths: "", "-" (stats_log only) or absolute. */
	len = bounded_strlen(conf->stats_log, sizeof(conf->stats_log));
	if (len > 0 && conf->stats_log[0] != '/' && strcmp(conf->stats_log, "-") != 0)
		abort();
	len = bounded_strlen(conf->stats_json, sizeof(conf->stats_json));
	if (len > 0 && conf->stats_json[0] != '/')
		abort();
	len = bounded_strlen(conf->prometheus_textfile, sizeof(conf->prometheus_textfile));
	if (len > 0 && conf->prometheus_textfile[0] != '/')
		abort();
	len = bounded_strlen(conf->user, sizeof(conf->user));
	if (len > 32 || (len > 0 && conf->user[0] == '-'))
		abort();
	if (strcmp(conf->path, FUZZ_PATH) != 0)
		abort();

	for (i = 0; i < conf->n_ifaces; i++) {
		iface = &conf->ifaces[i];
		len = bounded_strlen(iface->pattern, sizeof(iface->pattern));
		if (len == 0 || len > 15 || strchr(iface->pattern, '/') != NULL ||
		    strpbrk(iface->pattern, " \t\r\n") != NULL)
			abort();
		if (iface->is_glob != (strpbrk(iface->pattern, "*?[") != NULL))
			abort();
		if (iface->overhead > BOUNDS_OVERHEAD_MAX ||
		    (iface->mtu != 0 && iface->mtu < BOUNDS_MTU_MIN) ||
		    iface->mtu > BOUNDS_MTU_MAX ||
		    (iface->mss != 0 && iface->mss < BOUNDS_MSS_MIN) ||
		    iface->mss > BOUNDS_MSS_MAX || iface->line == 0 || iface->line > fuzz_lines ||
		    (iface->mss6 != 0 && iface->mss6 < BOUNDS_MSS6_MIN) || iface->mss6 > BOUNDS_MSS6_MAX)
			abort();
		/* what conf_check() refuses never loads */
		if (iface->mtu != 0 && iface->overhead >= iface->mtu)
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(conf->ifaces[k].pattern, iface->pattern) == 0)
				abort(); /* duplicates are refused */
		/* An exact name finds its own section. */
		if (!iface->is_glob && conf_iface_find(conf, iface->pattern) != iface)
			abort();
		for (k = 0; k < sizeof(mtus) / sizeof(mtus[0]); k++) {
			ceiling_for_link(iface, mtus[k], mtus[(k + 3) % (sizeof(mtus) / sizeof(mtus[0]))],
					 &c);
			if (c.mss.ipv4 < BOUNDS_MSS_FLOOR_IPV4 ||
			    c.mss.ipv6 < BOUNDS_MSS_FLOOR_IPV6 ||
			    c.effective_mtu > BOUNDS_PACKET_MAX)
				abort();
			if (iface->mss != 0 && c.mss.ipv4 > iface->mss &&
			    c.mss.ipv4 != BOUNDS_MSS_FLOOR_IPV4)
				abort();
			if (iface->mss6 != 0 && c.mss.ipv6 > iface->mss6)
				abort();
			if (c.effective_mtu6 > c.effective_mtu)
				abort();
		}
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		found = conf_iface_find(conf, names[k]);
		if (found != NULL && (found < conf->ifaces || found >= conf->ifaces + conf->n_ifaces))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size, *nl;
	struct conf conf;
	struct reports reports = { 0, 0 };

	/* Count the lines first so reports can be checked against them. */
	fuzz_lines = 0;
	for (nl = text; nl < end; nl++)
		if (*nl == '\n')
			fuzz_lines++;
	if (size > 0 && end[-1] != '\n')
		fuzz_lines++;

	if (conf_parse_buffer(&conf, FUZZ_PATH, text, size, fuzz_report, &reports) == 0) {
		if (reports.errors != 0)
			abort();
		check_conf(&conf);
		conf_free(&conf);
	} else {
		if (reports.errors == 0 || conf.ifaces != NULL || conf.n_ifaces != 0)
			abort();
	}
	return 0;
}
