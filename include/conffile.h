/* Reading the configuration file into conf.c's parser. */
#ifndef MSSCLAMPD_CONFFILE_H
#define MSSCLAMPD_CONFFILE_H

#include "conf.h"

/*
 * Reads path into *conf (which it initialises). Reports every error, not only
 * the first, through report; a file that cannot be opened at line 0. Returns
 * 0, or -1 if anything was wrong, in which case *conf holds nothing to free.
 */
int conf_load(struct conf *conf, const char *path, conf_report_fn *report, void *arg);

#endif
