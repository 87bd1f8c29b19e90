/*
 * The configuration file on disk: opened, read a line at a time and fed to
 * the parser in conf.c, which does no I/O of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "conffile.h"
#include "cpus.h"
#include "log.h"
#include "privs.h"
#include "text.h"

/*
 * The one check that asks the system: the user to switch to must exist and
 * must not be root. Start-up would fail on it (privs_drop()); --check and a
 * reload refuse it the same way, so that what one accepts the others do.
 */
static int
conf_check_user(const struct conf *conf, conf_report_fn *report_fn, void *arg)
{
	char q[TEXT_QUOTE_BUF], why[128], msg[TEXT_QUOTE_BUF + 160];

	if (conf->user[0] == '\0' || privs_check_user(conf->user, why, sizeof(why), NULL, NULL) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "user: '%s': %s", text_quote(q, sizeof(q), conf->user), why);
	report_fn(arg, CONF_ERROR, conf->path, conf->user_line, msg);
	return -1;
}

/*
 * queue = cpu: as many queues as the highest present CPU id + 1, so that the
 * kernel's first + cpu % count gives every CPU a queue of its own. CPUs
 * beyond BOUNDS_QUEUE_COUNT_MAX, or added later, share (the modulo).
 */
static int
conf_count_cpus(struct conf *conf, conf_report_fn *report_fn, void *arg)
{
	struct cpulist present;
	int last;

	if (!conf->queue_per_cpu)
		return 0;
	if (cpus_present(&present) == -1) {
		report_fn(arg, CONF_ERROR, conf->path, 0, "queue = cpu: cannot count the CPUs");
		return -1;
	}
	last = cpulist_last(&present);
	conf->queue_count = (unsigned)last + 1 > BOUNDS_QUEUE_COUNT_MAX ?
	    BOUNDS_QUEUE_COUNT_MAX : (unsigned)last + 1;
	return 0;
}

int
conf_load(struct conf *conf, const char *path, conf_report_fn *report_fn, void *arg)
{
	struct conf_parser *parser;
	char *buf = NULL, msg[PATH_MAX + 64];
	size_t bufsize = 0;
	ssize_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		conf_defaults(conf);
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		report_fn(arg, CONF_ERROR, path, 0, msg);
		return -1;
	}
	if ((parser = conf_parser_new(conf, path, report_fn, arg)) == NULL) {
		fclose(f);
		report_fn(arg, CONF_ERROR, path, 0, "out of memory");
		return -1;
	}
	/* getline() grows the buffer: a line of any length is read whole. */
	errno = 0;
	while ((n = getline(&buf, &bufsize, f)) != -1)
		conf_parser_line(parser, buf, (size_t)n);
	/* getline() also stops on ENOMEM: a file read in part must not pass. */
	if (!feof(f)) {
		snprintf(msg, sizeof(msg), "read error: %s", strerror(errno));
		conf_parser_error(parser, msg);
	}
	free(buf);
	fclose(f);
	if (conf_parser_finish(parser) == -1)
		return -1;
	if (conf_check_user(conf, report_fn, arg) == -1 ||
	    conf_count_cpus(conf, report_fn, arg) == -1) {
		conf_free(conf);
		return -1;
	}
	return 0;
}

int
conf_load_or_default(struct conf *conf, const char *path, bool explicit,
		     conf_report_fn *report_fn, void *arg)
{
	if (!explicit && access(path, F_OK) == -1 && errno == ENOENT) {
		conf_defaults(conf);
		log_info("%s does not exist: running on the built-in default", path);
		return conf_count_cpus(conf, report_fn, arg);
	}
	return conf_load(conf, path, report_fn, arg);
}
