/*
 * The stats outputs on disk: appended logfmt and JSON lines, reopened on
 * SIGHUP for logrotate; a Prometheus textfile replaced atomically. A file
 * that cannot be written is warned about once and then retried quietly:
 * clamping never waits for a disk.
 */
#ifndef MSSCLAMPD_STATLOG_H
#define MSSCLAMPD_STATLOG_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "stats.h"

struct statlog;

/* Opens the outputs named in conf (stats_log, stats_json, prometheus_textfile). Never fails hard. */
struct statlog *statlog_open(const struct conf *conf);

/* Writes one record: n lines (the last is "all") to every output. */
void statlog_write(struct statlog *log, time_t now, const struct stats_line *lines, size_t n);

/* Closes and reopens the files, following a new conf (paths may change on reload). */
void statlog_reopen(struct statlog *log, const struct conf *conf);

void statlog_close(struct statlog *log);

#endif
