/*
 * The stats outputs on disk. Called by the main thread every stats_interval,
 * never on the packet path. Like chrony's logging.c: lines appended to a file
 * that logrotate renames, the daemon reopening it on SIGHUP; a column banner
 * at the top of a new file. Unlike a log that stops at the first error, a
 * failing output is warned about once, retried on every record and on every
 * reopen, and announced when it works again: a full disk must never stop
 * the counting, and must not fill the journal either.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "statlog.h"
#include "stats.h"

#define STATLOG_BUF_INITIAL (64 * 1024)
#define STATLOG_BUF_MAX (64 * 1024 * 1024) /* 1024 interfaces need about 1 MB */
#define STATLOG_PREFIX_ROOM 512            /* before each record: banner or "\n" */
#define STATLOG_FILE_MODE 0640             /* counts reveal traffic: group adm may read */
#define STATLOG_TEXTFILE_MODE 0644         /* node_exporter runs as its own user */

/* chrony-style column banner: readable with tail, skipped by logfmt readers. */
#define STATLOG_BANNER \
	"# mssclampd stats, counters cumulative since start: ts iface seen clamped unchanged " \
	"inserted malformed skipped ipv4 ipv6 [mss4 mss6] " \
	"[iface=all: gaps [bypassed] [rules_restored] verdict_errors uptime [mode=observe]]\n"

_Static_assert(sizeof(STATLOG_BANNER) + 1 <= STATLOG_PREFIX_ROOM, "banner fits before a record");

enum statlog_kind { STATLOG_LOGFMT, STATLOG_JSON, STATLOG_PROMETHEUS, STATLOG_KIND_COUNT };

struct statlog_output {
	enum statlog_kind kind;
	const char *what;        /* for messages */
	char path[PATH_MAX];     /* "" for none, "-" for stderr */
	int fd;                  /* -1 when closed */
	bool owned;              /* fd is ours to close (not stderr) */
	bool regular;            /* a regular file: a short write can be cut off again */
	bool failing;            /* warned; quiet until a record gets through */
	bool broken_line;        /* a partial line is stuck at the end: start on a new line */
	bool banner_pending;     /* the file was empty when opened */
};

struct statlog {
	struct statlog_output out[STATLOG_KIND_COUNT];
	char *buf;               /* STATLOG_PREFIX_ROOM bytes, then the record */
	size_t cap;
};

static const char *const output_what[STATLOG_KIND_COUNT] = {
	[STATLOG_LOGFMT] = "stats log",
	[STATLOG_JSON] = "JSON stats",
	[STATLOG_PROMETHEUS] = "Prometheus textfile",
};

static bool
output_is_stderr(const struct statlog_output *out)
{
	return strcmp(out->path, "-") == 0 && out->kind != STATLOG_PROMETHEUS;
}

/* Warns once per failure spell; errno is the error. */
static void
output_fail(struct statlog_output *out, const char *doing)
{
	if (out->failing)
		return;
	out->failing = true;
	log_warn("%s %s: %s, retrying quietly", out->what,
		 output_is_stderr(out) ? "(stderr)" : out->path, doing);
}

/* Like output_fail, for a file we will not write to: why is the reason, not errno. */
static void
output_refuse(struct statlog_output *out, const char *why)
{
	if (out->failing)
		return;
	out->failing = true;
	log_warnx("%s %s: %s, retrying quietly", out->what, out->path, why);
}

static void
output_succeed(struct statlog_output *out)
{
	if (!out->failing)
		return;
	out->failing = false;
	log_info("%s %s: writing again", out->what,
		 output_is_stderr(out) ? "(stderr)" : out->path);
}

static void
output_close(struct statlog_output *out)
{
	if (out->fd >= 0 && out->owned)
		close(out->fd);
	out->fd = -1;
	out->owned = false;
}

/*
 * A regular file we may append to: ours, with no other name. Whoever owns
 * the log directory could otherwise plant a hard link to a file of ours
 * elsewhere (O_NOFOLLOW already stops a symbolic link), or hand us a file
 * of theirs. Other kinds (a FIFO, /dev/null) cannot be made to point at a
 * file. NULL if fine, else why not.
 */
static const char *
output_refusal(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return NULL;
	if (st->st_uid != geteuid())
		return "refused: the file belongs to another user";
	if (st->st_nlink != 1)
		return "refused: the file has other names (hard links)";
	return NULL;
}

/*
 * Opens an appended output. O_NONBLOCK so a FIFO without a reader fails at
 * once instead of hanging the daemon; it changes nothing for regular files.
 * O_NOFOLLOW: a symbolic link in the log directory could name any file.
 */
static int
output_open(struct statlog_output *out)
{
	const char *refusal;
	struct stat st;
	int fd;

	out->regular = false;
	out->banner_pending = false;
	if (output_is_stderr(out)) {
		out->fd = STDERR_FILENO;
		out->owned = false;
		return 0;
	}
	fd = open(out->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
		  O_NOFOLLOW, STATLOG_FILE_MODE);
	if (fd < 0 && errno == ELOOP) {
		output_refuse(out, "refused: a symbolic link");
		return -1;
	}
	if (fd < 0) {
		output_fail(out, "cannot open");
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		output_fail(out, "cannot open");
		close(fd);
		return -1;
	}
	if ((refusal = output_refusal(&st)) != NULL) {
		output_refuse(out, refusal);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		out->regular = true;
		out->banner_pending = out->kind == STATLOG_LOGFMT && st.st_size == 0;
	}
	out->fd = fd;
	out->owned = true;
	/* a new file: whatever was stuck at the end of the old one stays there */
	out->broken_line = false;
	return 0;
}

/*
 * Writes data[0..len) to fd. A pipe or socket (stderr under journald) gets
 * chunks of whole lines no longer than PIPE_BUF, so a worker's log line can
 * never land in the middle of a stats line. Returns the bytes written; on a
 * short count errno says why.
 */
static size_t
write_all(int fd, const char *data, size_t len, bool regular)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = len - done;
		ssize_t n;

		if (!regular && chunk > PIPE_BUF) {
			const char *nl = memrchr(data + done, '\n', PIPE_BUF);

			if (nl != NULL)
				chunk = (size_t)(nl - (data + done)) + 1;
			else if ((nl = memchr(data + done, '\n', len - done)) != NULL)
				chunk = (size_t)(nl - (data + done)) + 1;
		}
		n = write(fd, data + done, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done;
		if (n == 0) {
			errno = EIO;
			return done;
		}
		done += (size_t)n;
	}
	return done;
}

/*
 * Appends one record (its prefix room in front of it is ours to use). A
 * record goes in whole or not at all: if the disk fills part-way, the part
 * that made it is cut off again, so a reader never sees half a line. Where
 * that is impossible (not a regular file), the next record starts with a
 * newline so the damage stays on one line.
 */
static void
output_append(struct statlog_output *out, char *record, size_t len)
{
	size_t prefix_len = 0, done;
	struct stat st;
	off_t start = -1;
	int errnum;
	char *data;

	if (out->path[0] == '\0')
		return;
	if (out->fd < 0 && output_open(out) < 0)
		return;
	if (out->banner_pending) {
		prefix_len = sizeof(STATLOG_BANNER) - 1;
		memcpy(record - prefix_len, STATLOG_BANNER, prefix_len);
	}
	if (out->broken_line) {
		prefix_len++;
		*(record - prefix_len) = '\n';
	}
	data = record - prefix_len;
	len += prefix_len;

	/* O_APPEND: the record starts at the current end of the file */
	if (out->regular && fstat(out->fd, &st) == 0)
		start = st.st_size;
	done = write_all(out->fd, data, len, out->regular);
	if (done == len) {
		out->banner_pending = false;
		out->broken_line = false;
		output_succeed(out);
		return;
	}
	if (done == 0) {
		output_fail(out, "cannot write");
		return;
	}
	errnum = errno;
	if (start >= 0 && ftruncate(out->fd, start) == 0) {
		errno = errnum;
		output_fail(out, "cannot write (partial record removed)");
		return;
	}
	out->broken_line = data[done - 1] != '\n';
	out->banner_pending = false;
	errno = errnum;
	output_fail(out, out->broken_line ? "cannot write (partial line left)"
					  : "cannot write (record cut short)");
}

/*
 * Creates FILE.tmp afresh (O_EXCL): in a textfile directory shared with
 * other users, one of them could otherwise create it first and own the
 * file we rename into place. What stands there (our own leftover from a
 * crash, or a planted file where the directory lets us remove it) goes.
 */
static int
textfile_create(const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
	int fd = open(tmp, flags, STATLOG_TEXTFILE_MODE);

	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, flags, STATLOG_TEXTFILE_MODE);
	/* whatever the umask (the shipped unit's is 0077): node_exporter must read it */
	if (fd >= 0 && fchmod(fd, STATLOG_TEXTFILE_MODE) < 0) {
		int errnum = errno;

		close(fd);
		unlink(tmp);
		errno = errnum;
		return -1;
	}
	return fd;
}

/*
 * node_exporter's textfile collector reads *.prom files at any moment, so
 * the new contents go to FILE.tmp (ignored by its glob) and rename(2) puts
 * them in place atomically.
 */
static void
output_replace(struct statlog_output *out, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, written;

	if (out->path[0] == '\0')
		return;
	written = snprintf(tmp, sizeof(tmp), "%s.tmp", out->path);
	if (written < 0 || (size_t)written >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		output_fail(out, "cannot create the temporary file");
		return;
	}
	fd = textfile_create(tmp);
	if (fd < 0) {
		output_fail(out, "cannot create the temporary file");
		return;
	}
	if (write_all(fd, data, len, true) != len) {
		output_fail(out, "cannot write the temporary file");
		goto cleanup;
	}
	/* close() is where NFS reports a failed write */
	if (close(fd) < 0) {
		fd = -1;
		output_fail(out, "cannot write the temporary file");
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, out->path) < 0) {
		output_fail(out, "cannot rename the temporary file into place");
		goto cleanup;
	}
	output_succeed(out);
	return;

cleanup:
	{
		int errnum = errno;

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		errno = errnum;
	}
}

/* Makes room for at least need bytes of record after the prefix room. */
static int
statlog_grow(struct statlog *log, size_t need)
{
	size_t cap = log->cap > 0 ? log->cap : STATLOG_BUF_INITIAL;
	char *buf;

	while (cap < STATLOG_PREFIX_ROOM + need) {
		if (cap >= STATLOG_BUF_MAX)
			return -1;
		cap *= 2;
	}
	if (cap == log->cap)
		return 0;
	buf = realloc(log->buf, cap);
	if (buf == NULL)
		return -1;
	log->buf = buf;
	log->cap = cap;
	return 0;
}

/* Formats one record of kind into log->buf after the prefix room. Its length, or -1. */
static int
statlog_format(struct statlog *log, enum statlog_kind kind, time_t now,
	       const struct stats_line *lines, size_t n)
{
	size_t len = 0;

	if (statlog_grow(log, 1) < 0)
		return -1;
	if (kind == STATLOG_PROMETHEUS) {
		int r;

		while ((r = stats_format_prometheus(log->buf + STATLOG_PREFIX_ROOM,
						    log->cap - STATLOG_PREFIX_ROOM, lines, n)) < 0)
			if (statlog_grow(log, log->cap) < 0)
				return -1;
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		for (;;) {
			char *at = log->buf + STATLOG_PREFIX_ROOM + len;
			size_t room = log->cap - STATLOG_PREFIX_ROOM - len;
			int r = kind == STATLOG_JSON ? stats_format_json(at, room, now, &lines[i])
						     : stats_format_logfmt(at, room, now, &lines[i]);

			if (r >= 0) {
				len += (size_t)r;
				break;
			}
			if (statlog_grow(log, log->cap) < 0)
				return -1;
		}
	}
	return len > INT_MAX ? -1 : (int)len;
}

static void
output_set_path(struct statlog_output *out, const char *path)
{
	if (strcmp(out->path, path) == 0)
		return;
	/* a new file: its own failures deserve their own warning */
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->failing = false;
	out->broken_line = false;
}

static void
statlog_configure(struct statlog *log, const struct conf *conf)
{
	const char *paths[STATLOG_KIND_COUNT] = {
		[STATLOG_LOGFMT] = conf->stats_log,
		[STATLOG_JSON] = conf->stats_json,
		[STATLOG_PROMETHEUS] = conf->prometheus_textfile,
	};

	for (int kind = 0; kind < STATLOG_KIND_COUNT; kind++) {
		struct statlog_output *out = &log->out[kind];

		output_close(out);
		output_set_path(out, paths[kind]);
		/* the textfile is opened afresh for every record */
		if (out->path[0] != '\0' && kind != STATLOG_PROMETHEUS)
			output_open(out);
	}
}

struct statlog *
statlog_open(const struct conf *conf)
{
	struct statlog *log;

	log = calloc(1, sizeof(*log));
	if (log == NULL) {
		log_warn("stats: cannot allocate");
		return NULL;
	}
	for (int kind = 0; kind < STATLOG_KIND_COUNT; kind++) {
		log->out[kind].kind = (enum statlog_kind)kind;
		log->out[kind].what = output_what[kind];
		log->out[kind].fd = -1;
	}
	statlog_configure(log, conf);
	return log;
}

void
statlog_write(struct statlog *log, time_t now, const struct stats_line *lines, size_t n)
{
	if (log == NULL)
		return;
	for (int kind = 0; kind < STATLOG_KIND_COUNT; kind++) {
		struct statlog_output *out = &log->out[kind];
		int len;

		if (out->path[0] == '\0')
			continue;
		len = statlog_format(log, (enum statlog_kind)kind, now, lines, n);
		if (len < 0) {
			errno = ENOMEM;
			output_fail(out, "cannot format the record");
			continue;
		}
		if (kind == STATLOG_PROMETHEUS)
			output_replace(out, log->buf + STATLOG_PREFIX_ROOM, (size_t)len);
		else
			output_append(out, log->buf + STATLOG_PREFIX_ROOM, (size_t)len);
	}
}

void
statlog_reopen(struct statlog *log, const struct conf *conf)
{
	if (log == NULL)
		return;
	statlog_configure(log, conf);
}

void
statlog_close(struct statlog *log)
{
	if (log == NULL)
		return;
	for (int kind = 0; kind < STATLOG_KIND_COUNT; kind++)
		output_close(&log->out[kind]);
	free(log->buf);
	free(log);
}
