/* Reading the configuration file into conf.c's parser. */
#ifndef MSSCLAMPD_CONFFILE_H
#define MSSCLAMPD_CONFFILE_H

#include <stdbool.h>

#include "conf.h"

/*
 * Reads path into *conf (which it initialises). Reports every error, not only
 * the first, through report; a file that cannot be opened at line 0. With
 * queue = cpu, counts the CPUs: conf->queue_count is then set. Returns
 * 0, or -1 if anything was wrong, in which case *conf holds nothing to free.
 */
int conf_load(struct conf *conf, const char *path, conf_report_fn *report, void *arg);

/*
 * The configuration the daemon runs on: path, or, when path is the default
 * (not given explicitly) and does not exist, the built-in default (said at
 * info level). 0 or -1 as conf_load().
 */
int conf_load_or_default(struct conf *conf, const char *path, bool explicit,
			 conf_report_fn *report, void *arg);

#endif
