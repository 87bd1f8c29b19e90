/* Logging to stderr, journald-aware. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static int log_verbosity;
static bool log_to_journal;

void
log_init(int verbosity)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_verbosity = verbosity;
	/* sd-daemon(3): prefixes only when stderr is still the journal's stream */
	log_to_journal = stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
			 fstat(STDERR_FILENO, &st) == 0 &&
			 st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

static void log_emit(int priority, const char *fmt, va_list ap, int errnum)
	__attribute__((format(printf, 2, 0)));

static void
log_emit(int priority, const char *fmt, va_list ap, int errnum)
{
	char line[1024];
	size_t len = 0;
	int n;

	if (log_to_journal)
		len = (size_t)snprintf(line, sizeof(line), "<%d>", priority);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof(line) - len ? (size_t)n : sizeof(line) - len - 1;
	if (errnum)
		len += (size_t)snprintf(line + len, sizeof(line) - len, ": %s", strerror(errnum));
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
}

#define LOG_FUNCTION(name, priority, with_errno)			\
	void name(const char *fmt, ...)					\
	{								\
		int errnum = errno;					\
		va_list ap;						\
		va_start(ap, fmt);					\
		log_emit(priority, fmt, ap, with_errno ? errnum : 0);	\
		va_end(ap);						\
		errno = errnum;						\
	}

LOG_FUNCTION(log_warn, LOG_WARNING, true)
LOG_FUNCTION(log_warnx, LOG_WARNING, false)
LOG_FUNCTION(log_err, LOG_ERR, false)
LOG_FUNCTION(log_info, LOG_INFO, false)

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, errnum);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
