/*
 * The stats outputs on disk, in a mkdtemp(3) directory: lines appended,
 * reopened after a logrotate-style rename, a path that cannot be opened or
 * a disk that fills warned about exactly once and recovered from, "-" to
 * stderr, and the Prometheus textfile replaced by rename(2). The daemon's
 * log (stderr) is captured in a file so the warnings can be counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "log.h"
#include "statlog.h"
#include "stats.h"

static char dir[] = "/tmp/test_statlog.XXXXXX";
static char capture[PATH_MAX];  /* where stderr goes */

#define T0 ((time_t)1795255200) /* 2026-11-21T10:00:00Z */

static struct stats_counters ppp0 = {
	.packets = {
		[STATS_IPV4] = { [ENGINE_CLAMPED] = 7, [ENGINE_UNCHANGED] = 2 },
		[STATS_IPV6] = { [ENGINE_CLAMPED] = 3, [ENGINE_INSERTED] = 1 },
	},
};
static struct stats_counters all;
static struct stats_extra extra = { .queue_gaps = 1, .uptime_seconds = 60 };
static struct stats_line lines[2];

static const char banner_start[] = "# mssclampd stats";

/* out = a + b; out has PATH_MAX bytes */
static void
join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s%s", a, b);

	if (n < 0 || n >= PATH_MAX)
		abort();
}

static void
path_in(char *out, const char *name)
{
	char name_part[PATH_MAX];

	join(name_part, "/", name);
	join(out, dir, name_part);
}

/* The whole file in buf (NUL-terminated); its length, or -1. */
static ssize_t
slurp(const char *path, char *buf, size_t size)
{
	ssize_t len = 0, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 && (n = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

static int
count(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Empties the captured stderr: each test counts only its own messages. */
static void
capture_reset(void)
{
	if (ftruncate(STDERR_FILENO, 0) < 0)
		perror("ftruncate stderr");
}

static int
capture_count(const char *needle)
{
	static char buf[65536];

	if (slurp(capture, buf, sizeof(buf)) < 0)
		return -1;
	return count(buf, needle);
}

/* The record statlog should write at now, as the formatter makes it. */
static size_t
record(char *buf, size_t size, time_t now, bool json)
{
	size_t len = 0;

	for (size_t i = 0; i < 2; i++) {
		int n = json ? stats_format_json(buf + len, size - len, now, &lines[i])
			     : stats_format_logfmt(buf + len, size - len, now, &lines[i]);

		if (n < 0)
			abort();
		len += (size_t)n;
	}
	return len;
}

static struct conf *
conf_with(const char *stats_log, const char *stats_json, const char *textfile)
{
	static struct conf conf;

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.stats_log, sizeof(conf.stats_log), "%s", stats_log);
	snprintf(conf.stats_json, sizeof(conf.stats_json), "%s", stats_json);
	snprintf(conf.prometheus_textfile, sizeof(conf.prometheus_textfile), "%s", textfile);
	conf.stats_interval = 10;
	return &conf;
}

/* The descriptor this process holds on path, or -1. */
static int
fd_of(const char *path)
{
	char link[64], target[PATH_MAX];

	for (int fd = 0; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			return fd;
	}
	return -1;
}

static void
test_append(void)
{
	char path[PATH_MAX], expect[8192], got[8192];
	struct statlog *log;
	struct stat st;
	size_t len;
	int fd;

	printf("logfmt: banner on a new file, records appended\n");
	capture_reset();
	path_in(path, "stats.log");
	log = statlog_open(conf_with(path, "", ""));
	CHECK_MSG(log != NULL && stat(path, &st) == 0, "statlog_open creates the file");
	CHECK_MSG((st.st_mode & 07777) == 0640, "created with mode 0640");
	fd = fd_of(path);
	CHECK_MSG(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) && (fcntl(fd, F_GETFL) & O_APPEND),
	          "opened O_APPEND and O_CLOEXEC");
	for (int i = 0; i < 3; i++)
		statlog_write(log, T0 + 10 * i, lines, 2);
	statlog_close(log);

	len = 0;
	for (int i = 0; i < 3; i++)
		len += record(expect + len, sizeof(expect) - len, T0 + 10 * i, false);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strncmp(got, banner_start, strlen(banner_start)) == 0 && count(got, "\n#") == 0,
	          "one banner line, at the top");
	CHECK_MSG(strchr(got, '\n') != NULL && strcmp(strchr(got, '\n') + 1, expect) == 0,
	          "after it, the three records exactly (two lines each)");
	CHECK_MSG(fd_of(path) < 0, "statlog_close closes it");

	/* an existing log keeps its contents and gets no second banner */
	log = statlog_open(conf_with(path, "", ""));
	statlog_write(log, T0 + 30, lines, 2);
	statlog_close(log);
	slurp(path, got, sizeof(got));
	len += record(expect + len, sizeof(expect) - len, T0 + 30, false);
	CHECK_MSG(strcmp(strchr(got, '\n') + 1, expect) == 0 && count(got, banner_start) == 1,
	          "reopened: appended after the old records, no second banner");
	CHECK_MSG(capture_count("stats log") == 0, "nothing logged while all is well");
}

static void
test_reopen(void)
{
	char path[PATH_MAX], rotated[PATH_MAX], moved[PATH_MAX], got[8192], expect[8192];
	struct statlog *log;
	size_t len;

	printf("logfmt: reopen after logrotate renamed the file, and on a path change\n");
	capture_reset();
	path_in(path, "rotate.log");
	path_in(rotated, "rotate.log.1");
	path_in(moved, "moved.log");
	log = statlog_open(conf_with(path, "", ""));
	statlog_write(log, T0, lines, 2);
	CHECK_MSG(rename(path, rotated) == 0, "logrotate renames the log");
	statlog_write(log, T0 + 10, lines, 2);
	statlog_reopen(log, conf_with(path, "", ""));
	CHECK_MSG(access(path, F_OK) == 0, "reopen creates a new file");
	statlog_write(log, T0 + 20, lines, 2);

	len = record(expect, sizeof(expect), T0, false);
	len += record(expect + len, sizeof(expect) - len, T0 + 10, false);
	slurp(rotated, got, sizeof(got));
	CHECK_MSG(strcmp(strchr(got, '\n') + 1, expect) == 0,
	          "the rotated file holds the records from before the reopen");
	record(expect, sizeof(expect), T0 + 20, false);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strncmp(got, banner_start, strlen(banner_start)) == 0 &&
	          strcmp(strchr(got, '\n') + 1, expect) == 0,
	          "the new file: banner, then the records after it");

	statlog_reopen(log, conf_with(moved, "", ""));
	statlog_write(log, T0 + 30, lines, 2);
	statlog_close(log);
	slurp(path, got, sizeof(got));
	CHECK_MSG(count(got, "\n") == 3, "after a path change the old file gets nothing more");
	record(expect, sizeof(expect), T0 + 30, false);
	slurp(moved, got, sizeof(got));
	CHECK_MSG(strcmp(strchr(got, '\n') + 1, expect) == 0, "the new path gets the record");
	CHECK_MSG(capture_count("stats log") == 0, "nothing logged");
}

static void
test_json(void)
{
	char path[PATH_MAX], got[8192], expect[8192];
	struct statlog *log;
	size_t len;

	printf("JSON lines: appended, no banner\n");
	capture_reset();
	path_in(path, "stats.json");
	log = statlog_open(conf_with("", path, ""));
	statlog_write(log, T0, lines, 2);
	statlog_write(log, T0 + 10, lines, 2);
	statlog_close(log);
	len = record(expect, sizeof(expect), T0, true);
	record(expect + len, sizeof(expect) - len, T0 + 10, true);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strcmp(got, expect) == 0, "two records of JSON lines, nothing else");
}

static void
test_unwritable(void)
{
	char path[PATH_MAX], missing_dir[PATH_MAX], missing[PATH_MAX], got[8192], expect[8192];
	char needle[PATH_MAX + 64];
	struct statlog *log;

	printf("an unwritable path: warned once, retried, recovered\n");
	capture_reset();
	path_in(path, "isdir");
	CHECK_MSG(mkdir(path, 0755) == 0, "a directory stands where the log should be");
	log = statlog_open(conf_with(path, "", ""));
	CHECK_MSG(log != NULL, "statlog_open does not fail hard");
	for (int i = 0; i < 5; i++)
		statlog_write(log, T0 + 10 * i, lines, 2);
	statlog_reopen(log, conf_with(path, "", ""));
	statlog_write(log, T0 + 50, lines, 2);
	snprintf(needle, sizeof(needle), "stats log %s: cannot open, retrying quietly: Is a directory\n", path);
	CHECK_MSG(capture_count(needle) == 1 && capture_count("stats log") == 1,
	          "exactly one warning, naming the file and the error, over 6 records and a reopen");

	CHECK_MSG(rmdir(path) == 0, "the directory goes away");
	statlog_write(log, T0 + 60, lines, 2);
	statlog_write(log, T0 + 70, lines, 2);
	snprintf(needle, sizeof(needle), "stats log %s: writing again\n", path);
	CHECK_MSG(capture_count(needle) == 1, "one message: writing again");
	record(expect, sizeof(expect), T0 + 60, false);
	record(expect + strlen(expect), sizeof(expect) - strlen(expect), T0 + 70, false);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strncmp(got, banner_start, strlen(banner_start)) == 0 &&
	          strcmp(strchr(got, '\n') + 1, expect) == 0,
	          "the next records land in the file, after a banner");
	statlog_close(log);

	capture_reset();
	path_in(missing_dir, "missing");
	join(missing, missing_dir, "/stats.log");
	log = statlog_open(conf_with(missing, "", ""));
	for (int i = 0; i < 3; i++)
		statlog_write(log, T0 + 10 * i, lines, 2);
	if (snprintf(needle, sizeof(needle), "stats log %s: cannot open, retrying quietly: "
		     "No such file or directory\n", missing) < 0)
		abort();
	CHECK_MSG(capture_count(needle) == 1 && capture_count("stats log") == 1,
	          "a missing parent directory: one warning, and it is not created");
	CHECK_MSG(access(missing_dir, F_OK) < 0, "the parent directory was not created");
	CHECK_MSG(mkdir(missing_dir, 0755) == 0, "the operator creates the directory");
	statlog_reopen(log, conf_with(missing, "", ""));
	statlog_write(log, T0 + 30, lines, 2);
	CHECK_MSG(capture_count("writing again") == 1, "recovered at the reopen's next record");
	record(expect, sizeof(expect), T0 + 30, false);
	slurp(missing, got, sizeof(got));
	CHECK_MSG(strcmp(strchr(got, '\n') + 1, expect) == 0, "and the record is there");
	statlog_close(log);
}

static void
test_stderr(void)
{
	char expect[8192], got[65536];
	struct statlog *log;

	printf("\"-\" writes to stderr, \"\" writes nowhere\n");
	capture_reset();
	log = statlog_open(conf_with("-", "", ""));
	statlog_write(log, T0, lines, 2);
	statlog_reopen(log, conf_with("-", "", ""));
	statlog_write(log, T0 + 10, lines, 2);
	statlog_close(log);
	record(expect, sizeof(expect), T0, false);
	record(expect + strlen(expect), sizeof(expect) - strlen(expect), T0 + 10, false);
	slurp(capture, got, sizeof(got));
	CHECK_MSG(strcmp(got, expect) == 0, "both records on stderr, no banner, nothing else");
	CHECK_MSG(fcntl(STDERR_FILENO, F_GETFD) >= 0, "stderr still open after reopen and close");

	capture_reset();
	log = statlog_open(conf_with("", "", ""));
	CHECK_MSG(log != NULL, "no outputs at all is fine");
	statlog_write(log, T0, lines, 2);
	statlog_reopen(log, conf_with("", "", ""));
	statlog_close(log);
	slurp(capture, got, sizeof(got));
	CHECK_MSG(got[0] == '\0', "and writes nothing");
	statlog_write(NULL, T0, lines, 2);
	statlog_reopen(NULL, conf_with("", "", ""));
	statlog_close(NULL);
	CHECK_MSG(1, "a NULL statlog (allocation failed at start) is a no-op");
}

static void
test_prometheus(void)
{
	char path[PATH_MAX], tmp[PATH_MAX], missing[PATH_MAX], expect[16384], got[16384], old[16384];
	struct stat st1, st2;
	struct statlog *log;
	int old_fd;

	printf("Prometheus textfile: replaced atomically\n");
	capture_reset();
	path_in(path, "mssclampd.prom");
	join(tmp, path, ".tmp");
	log = statlog_open(conf_with("", "", path));
	statlog_write(log, T0, lines, 2);
	stats_format_prometheus(expect, sizeof(expect), lines, 2);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strcmp(got, expect) == 0, "the file holds the exposition exactly");
	CHECK_MSG(access(tmp, F_OK) < 0, "no .tmp left behind");
	CHECK_MSG(stat(path, &st1) == 0 && (st1.st_mode & 07777) == 0644,
	          "mode 0644: node_exporter runs as another user");
	{
		/* the shipped unit has UMask=0077: the textfile must still be readable */
		mode_t old_umask = umask(077);
		struct stat st = { 0 };
		int rc;

		statlog_write(log, T0 + 5, lines, 2);
		umask(old_umask);
		rc = stat(path, &st);
		CHECK_MSG(rc == 0 && (st.st_mode & 07777) == 0644,
			  "mode 0644 under umask 077 too (mode %o)", (unsigned)(st.st_mode & 07777));
		st1 = st;
	}

	old_fd = open(path, O_RDONLY | O_CLOEXEC);
	ppp0.packets[STATS_IPV4][ENGINE_CLAMPED] += 100;
	all.packets[STATS_IPV4][ENGINE_CLAMPED] += 100;
	statlog_write(log, T0 + 10, lines, 2);
	CHECK_MSG(stat(path, &st2) == 0 && st2.st_ino != st1.st_ino,
	          "a new inode each time: renamed into place, not rewritten in place");
	{
		ssize_t n = read(old_fd, old, sizeof(old) - 1);

		old[n > 0 ? n : 0] = '\0';
		CHECK_MSG(strcmp(old, expect) == 0, "a reader of the old file still sees it whole");
	}
	close(old_fd);
	stats_format_prometheus(expect, sizeof(expect), lines, 2);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strcmp(got, expect) == 0 && strstr(got, "action=\"clamped\"} 107\n") != NULL,
	          "the file holds the new exposition");
	CHECK_MSG(access(tmp, F_OK) < 0, "still no .tmp");
	ppp0.packets[STATS_IPV4][ENGINE_CLAMPED] -= 100;
	all.packets[STATS_IPV4][ENGINE_CLAMPED] -= 100;
	statlog_close(log);

	path_in(missing, "nodir/mssclampd.prom");
	log = statlog_open(conf_with("", "", missing));
	for (int i = 0; i < 3; i++)
		statlog_write(log, T0 + 10 * i, lines, 2);
	statlog_close(log);
	CHECK_MSG(capture_count("Prometheus textfile") == 1 &&
	          capture_count("cannot create the temporary file, retrying quietly: No such file") == 1,
	          "a textfile in a missing directory: one warning over three records");
}

/* A stats log at path: opened, one record written, reopened, another, closed. */
static void
log_twice(const char *path)
{
	struct statlog *log = statlog_open(conf_with(path, "", ""));

	statlog_write(log, T0, lines, 2);
	statlog_reopen(log, conf_with(path, "", ""));
	statlog_write(log, T0 + 10, lines, 2);
	statlog_close(log);
}

/* The file's whole contents are still text. */
static bool
unchanged(const char *path, const char *text)
{
	char got[256];

	return slurp(path, got, sizeof(got)) >= 0 && strcmp(got, text) == 0;
}

/*
 * Whoever owns the log directory must not be able to make the daemon write
 * into another file: a symbolic link, a hard link, a file of theirs.
 */
static void
test_refusals(void)
{
	char victim[PATH_MAX], link_path[PATH_MAX], hard[PATH_MAX], theirs[PATH_MAX];
	char prom[PATH_MAX], tmp[PATH_MAX];
	static const char precious[] = "precious\n";
	struct statlog *log;
	struct stat planted, st;
	int fd;

	printf("outputs: no symbolic link, no hard link, no file of another user\n");
	capture_reset();
	path_in(victim, "victim");
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK_MSG(fd >= 0 && write(fd, precious, strlen(precious)) == (ssize_t)strlen(precious),
		  "a file of ours elsewhere");
	close(fd);

	path_in(link_path, "symlink.log");
	CHECK_MSG(symlink(victim, link_path) == 0, "stats.log is a symbolic link to it");
	log_twice(link_path);
	CHECK_MSG(unchanged(victim, precious), "a symbolic link: the file it names is untouched");
	CHECK_MSG(capture_count("refused: a symbolic link, retrying quietly") == 1,
		  "warned once, saying why");

	capture_reset();
	path_in(hard, "hardlink.log");
	CHECK_MSG(link(victim, hard) == 0, "stats.log is a hard link to it");
	log_twice(hard);
	CHECK_MSG(unchanged(victim, precious), "a hard link: the file is untouched");
	CHECK_MSG(capture_count("refused: the file has other names (hard links)") == 1,
		  "warned once, saying why");

	if (geteuid() == 0) {
		capture_reset();
		path_in(theirs, "theirs.log");
		fd = open(theirs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		CHECK_MSG(fd >= 0 && write(fd, precious, strlen(precious)) > 0 &&
			  fchown(fd, 65534, 65534) == 0, "a file of another user (uid 65534)");
		close(fd);
		log_twice(theirs);
		CHECK_MSG(unchanged(theirs, precious), "another user's file: untouched");
		CHECK_MSG(capture_count("refused: the file belongs to another user") == 1,
			  "warned once, saying why");
	} else {
		printf("(not root: another user's file not tried)\n");
	}

	/* another user creates the textfile's temporary file first, writable by all */
	capture_reset();
	path_in(prom, "shared.prom");
	join(tmp, prom, ".tmp");
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	CHECK_MSG(fd >= 0 && fchmod(fd, 0666) == 0 && (geteuid() != 0 || fchown(fd, 65534, 65534) == 0),
		  "a planted FILE.tmp, mode 0666%s", geteuid() == 0 ? ", owned by uid 65534" : "");
	log = statlog_open(conf_with("", "", prom));
	statlog_write(log, T0, lines, 2);
	statlog_close(log);
	/* fd keeps the planted inode alive: the new file cannot reuse its number */
	CHECK_MSG(fstat(fd, &planted) == 0 && planted.st_size == 0,
		  "nothing was written into the planted file");
	close(fd);
	if (stat(prom, &st) < 0)
		memset(&st, 0, sizeof(st));
	CHECK_MSG(st.st_ino != planted.st_ino && st.st_uid == geteuid() && (st.st_mode & 07777) == 0644,
		  "the textfile in place is a new file, ours, mode 0644 (mode %o, uid %u)",
		  (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	CHECK_MSG(access(tmp, F_OK) < 0, "and no .tmp is left");
}

static void
test_dev_full(void)
{
	struct statlog *log;

	printf("a full disk simulated by /dev/full (ENOSPC on every write)\n");
	capture_reset();
	log = statlog_open(conf_with("/dev/full", "/dev/full", ""));
	for (int i = 0; i < 4; i++)
		statlog_write(log, T0 + 10 * i, lines, 2);
	statlog_close(log);
	CHECK_MSG(capture_count("stats log /dev/full: cannot write, retrying quietly: No space left on device\n") == 1,
	          "the logfmt output warns once over four records");
	CHECK_MSG(capture_count("JSON stats /dev/full: cannot write, retrying quietly: No space left on device\n") == 1,
	          "the JSON output warns once, on its own");
	CHECK_MSG(capture_count("\n") == 2, "and nothing else is logged");
}

/* Only whole lines, each starting with the timestamp or the banner. */
static bool
whole_lines(const char *text)
{
	size_t len = strlen(text);

	if (len > 0 && text[len - 1] != '\n')
		return false;
	for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncmp(p, "2026-", 5) != 0 && strncmp(p, banner_start, strlen(banner_start)) != 0)
			return false;
	return true;
}

/*
 * A write cut short part-way (RLIMIT_FSIZE: the kernel writes up to the limit
 * and then fails with EFBIG, as a filling disk does with ENOSPC): the partial
 * record must be cut off again.
 */
static void
test_partial_write(void)
{
	char path[PATH_MAX], got[8192], expect[8192];
	struct rlimit saved, limit;
	struct statlog *log;
	bool limited;
	size_t one;

	printf("a write cut short mid-line (RLIMIT_FSIZE)\n");
	capture_reset();
	path_in(path, "partial.log");
	one = record(expect, sizeof(expect), T0, false);
	log = statlog_open(conf_with(path, "", ""));
	statlog_write(log, T0, lines, 2);
	slurp(path, got, sizeof(got));
	getrlimit(RLIMIT_FSIZE, &saved);
	limit = saved;
	/* room for the first record and half of the next one */
	limit.rlim_cur = (rlim_t)strlen(got) + one / 2;
	signal(SIGXFSZ, SIG_IGN);
	limited = setrlimit(RLIMIT_FSIZE, &limit) == 0;
	statlog_write(log, T0 + 10, lines, 2);
	statlog_write(log, T0 + 20, lines, 2);
	setrlimit(RLIMIT_FSIZE, &saved);
	/* stdout may be a file: print nothing while the limit holds */
	CHECK_MSG(limited, "limit the file size to 1.5 records");
	slurp(path, got, sizeof(got));
	CHECK_MSG(whole_lines(got) && count(got, "\n") == 3,
	          "the file holds the banner and the first record only: the partial one was cut off");
	CHECK_MSG(capture_count("stats log") == 1 &&
	          capture_count("cannot write (partial record removed), retrying quietly: File too large\n") == 1,
	          "one warning for two failed records, saying the partial record was removed");
	statlog_write(log, T0 + 30, lines, 2);
	statlog_close(log);
	record(expect + one, sizeof(expect) - one, T0 + 30, false);
	slurp(path, got, sizeof(got));
	CHECK_MSG(strcmp(strchr(got, '\n') + 1, expect) == 0,
	          "with room again the next record follows the last whole one");
	CHECK_MSG(capture_count("writing again") == 1, "and the recovery is logged once");
}

/*
 * A pipe whose reader stalls (stderr into a stuck journald, a FIFO): writes
 * are non-blocking and go in whole lines no longer than PIPE_BUF, so what
 * the reader gets is whole lines even when a record is cut short.
 */
static void
test_fifo(void)
{
	static struct stats_line many[40];
	char path[PATH_MAX];
	static char got[65536];
	struct statlog *log;
	ssize_t n, len = 0;
	int reader;

	printf("a FIFO that fills up: no blocking, only whole lines\n");
	capture_reset();
	for (size_t i = 0; i < 40; i++)
		many[i] = lines[0];
	many[39] = lines[1];
	path_in(path, "fifo");
	CHECK_MSG(mkfifo(path, 0600) == 0, "mkfifo");
	reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK_MSG(reader >= 0 && fcntl(reader, F_SETPIPE_SZ, 4096) >= 0, "a reader with a one-page pipe");
	log = statlog_open(conf_with(path, "", ""));
	statlog_write(log, T0, many, 40); /* about 5 KB: more than the pipe holds */
	statlog_write(log, T0 + 10, many, 40);
	CHECK_MSG(capture_count("stats log") == 1 &&
	          capture_count("stats log " ) == 1 &&
	          capture_count("cannot write (record cut short), retrying quietly: Resource temporarily unavailable\n") == 1,
	          "the daemon did not block; one warning");
	while (len < (ssize_t)sizeof(got) - 1 &&
	       (n = read(reader, got + len, sizeof(got) - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	CHECK_MSG(len > 0 && len <= 4096 && whole_lines(got), "the reader got at most a pipe's worth, whole lines only");
	len = 0;
	statlog_write(log, T0 + 20, lines, 2);
	while (len < (ssize_t)sizeof(got) - 1 &&
	       (n = read(reader, got + len, sizeof(got) - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	CHECK_MSG(whole_lines(got) && count(got, "2026-11-21T10:00:20Z") == 2,
	          "drained: the next record arrives whole");
	CHECK_MSG(capture_count("writing again") == 1, "recovery logged once");
	statlog_close(log);
	close(reader);
	unlink(path);
}

/*
 * A real full filesystem: a 16 KiB tmpfs in a private mount namespace of a
 * child process (nothing is mounted on the host). Skipped where that is not
 * allowed.
 */
static int
tmpfs_child(const char *mnt)
{
	char path[PATH_MAX], filler[PATH_MAX];
	static char got[16384], chunk[4096];
	struct statlog *log;
	int fd, bad = 0, i;

	if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("mssclampd-test", mnt, "tmpfs", 0, "size=16k,mode=0755") < 0) {
		printf("skip: cannot mount a tmpfs in a private mount namespace: %s\n", strerror(errno));
		return 77;
	}
	join(path, mnt, "/stats.log");
	join(filler, mnt, "/filler");
	/* leave one page free */
	memset(chunk, 'x', sizeof(chunk));
	fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	for (i = 0; i < 3; i++)
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			break;
	close(fd);
	capture_reset();
	log = statlog_open(conf_with(path, "", ""));
	for (i = 0; i < 40; i++)
		statlog_write(log, T0 + i, lines, 2);
	slurp(path, got, sizeof(got));
	if (!whole_lines(got) || strlen(got) > 4096 || strlen(got) < 1024) {
		printf("FAIL: full tmpfs: %zu bytes, whole lines %d\n", strlen(got), whole_lines(got));
		bad++;
	}
	if (capture_count("stats log") != 1 ||
	    capture_count("retrying quietly: No space left on device\n") != 1) {
		printf("FAIL: full tmpfs: expected exactly one ENOSPC warning\n");
		bad++;
	}
	unlink(filler);
	statlog_write(log, T0 + 100, lines, 2);
	statlog_close(log);
	slurp(path, got, sizeof(got));
	if (!whole_lines(got) || count(got, "2026-11-21T10:01:40Z") != 2) {
		printf("FAIL: full tmpfs: the record after space was freed is missing\n");
		bad++;
	}
	if (capture_count("writing again") != 1) {
		printf("FAIL: full tmpfs: recovery not logged once\n");
		bad++;
	}
	umount(mnt);
	return bad > 0;
}

static void
test_tmpfs(void)
{
	char mnt[PATH_MAX];
	int status;
	pid_t pid;

	printf("a real full filesystem (tmpfs, ENOSPC mid-record)\n");
	path_in(mnt, "tmpfs");
	mkdir(mnt, 0755);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(tmpfs_child(mnt));
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		CHECK_MSG(0, "tmpfs child ran");
		return;
	}
	if (WEXITSTATUS(status) == 77)
		return;
	CHECK_MSG(WEXITSTATUS(status) == 0,
	          "ENOSPC on a full tmpfs: whole lines only, one warning, recovery once space is freed");
	rmdir(mnt);
}

static void
cleanup_dir(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
}

int
main(void)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	path_in(capture, "stderr.txt");
	fd = open(capture, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
		perror("capture stderr");
		return 1;
	}
	close(fd);
	log_init(0);

	stats_add(&all, &ppp0);
	lines[0] = (struct stats_line){ "ppp0", &ppp0, { 1452, 1432 }, NULL, NULL };
	lines[1] = (struct stats_line){ "all", &all, { 0, 0 }, &extra, NULL };

	test_append();
	test_reopen();
	test_json();
	test_unwritable();
	test_stderr();
	test_prometheus();
	test_refusals();
	test_dev_full();
	test_partial_write();
	test_fifo();
	test_tmpfs();

	cleanup_dir();
	return check_summary();
}
