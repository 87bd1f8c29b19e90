/*
 * What the view, report and worker tests build their worlds from: links
 * as the kernel would describe them, and a config from a string.
 * Header-only, so each test program links only its own module.
 */
#ifndef MSSCLAMPD_TEST_FIXTURE_H
#define MSSCLAMPD_TEST_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "link.h"

/* Puts (or replaces) ifindex into a table of struct link. */
/* The same with the kernel's IPv6 MTU for it (0: no IPv6 on it). */
static inline void
fixture_link6(struct iftable *links, uint32_t ifindex, const char *name, const char *kind,
	      unsigned mtu, unsigned mtu6)
{
	struct link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	snprintf(l.kind, sizeof(l.kind), "%s", kind);
	l.mtu = mtu;
	l.mtu6 = mtu6;
	iftable_put(links, &l);
}

static inline void
fixture_link(struct iftable *links, uint32_t ifindex, const char *name, const char *kind,
	     unsigned mtu)
{
	fixture_link6(links, ifindex, name, kind, mtu, mtu);
}

static inline void
fixture_conf_error(void *arg, enum conf_level level, const char *file, unsigned line,
		   const char *msg)
{
	(void)arg;
	fprintf(stderr, "unexpected config %s %s:%u: %s\n",
		level == CONF_WARNING ? "warning" : "error", file, line, msg);
}

/* Parses text as the file "test.conf"; config errors are printed. 0 or -1. */
static inline int
fixture_conf(struct conf *conf, const char *text)
{
	return conf_parse_buffer(conf, "test.conf", text, strlen(text), fixture_conf_error, NULL);
}

#endif
