/*
 * Logging to stderr, one write(2) per line so threads never interleave.
 * Under systemd (JOURNAL_STREAM names our stderr) each line carries its
 * syslog priority as "<N>" so journald files it right.
 */
#ifndef MSSCLAMPD_LOG_H
#define MSSCLAMPD_LOG_H

#define LOG_FORMAT(a, b) __attribute__((format(printf, a, b)))

/* verbosity 0: info and up; 1: debug too. */
void log_init(int verbosity);

void log_warn(const char *fmt, ...) LOG_FORMAT(1, 2);  /* appends ": strerror(errno)" */
void log_warnx(const char *fmt, ...) LOG_FORMAT(1, 2);
void log_err(const char *fmt, ...) LOG_FORMAT(1, 2);   /* an error we carry on after */
void log_info(const char *fmt, ...) LOG_FORMAT(1, 2);
void log_debug(const char *fmt, ...) LOG_FORMAT(1, 2);
_Noreturn void fatal(const char *fmt, ...) LOG_FORMAT(1, 2);  /* with errno, exits 1 */
_Noreturn void fatalx(const char *fmt, ...) LOG_FORMAT(1, 2);

#endif
