/*
 * spawn_run(): exit statuses, output captured and cut, stdin fed (and
 * refused without a SIGPIPE), a missing or unrunnable program, the PATH
 * search, the timeout and the cancel fd, each killing the whole process
 * group. Only sh, cat, sleep, true and false, as every Debian has them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "log.h"
#include "spawn.h"

static struct spawn_result r;
static char tmpdir[] = "/tmp/test_spawn.XXXXXX";

static int
run(const char *const argv[], const char *input, int timeout_ms, int cancel_fd)
{
	const struct spawn_options opts = {
		.input = input,
		.timeout_ms = timeout_ms,
		.cancel_fd = cancel_fd,
		.not_found = "install the X package or set firewall = none",
	};

	return spawn_run(argv, &opts, &r);
}

/* Signed, for deadlines that may have passed. */
static int64_t
now_ms(void)
{
	return (int64_t)clock_ms();
}

/* The lowest free descriptor: unchanged after a run means nothing leaked. */
static int
next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

/* What the runner logs during fn, from a stderr redirected to a file. */
static char logged[4096];

static int stderr_saved = -1, stderr_file = -1;

static void
log_capture_start(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fflush(stderr);
	stderr_saved = dup(STDERR_FILENO);
	stderr_file = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	dup2(stderr_file, STDERR_FILENO);
}

static void
log_capture_end(void)
{
	ssize_t n;

	dup2(stderr_saved, STDERR_FILENO);
	close(stderr_saved);
	n = pread(stderr_file, logged, sizeof(logged) - 1, 0);
	logged[n > 0 ? n : 0] = '\0';
	close(stderr_file);
}

/*
 * The background sleep a killed shell left: as our child (we are a
 * subreaper), it must be dead by SIGKILL. Reaped here either way.
 */
static bool
orphan_killed(pid_t pid)
{
	int64_t deadline = now_ms() + 3000;
	int status;

	while (now_ms() < deadline) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (w == -1)
			return false;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return false;
}

static char *
filled(size_t len, char c)
{
	char *s = malloc(len + 1);

	memset(s, c, len);
	s[len] = '\0';
	return s;
}

static bool
all(const char *s, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != c)
			return false;
	return true;
}

static void
test_status(void)
{
	static const char *const t[] = { "true", NULL };
	static const char *const f[] = { "false", NULL };
	static const char *const three[] = { "sh", "-c", "exit 3", NULL };
	static const char *const term[] = { "sh", "-c", "kill -TERM $$; sleep 5", NULL };

	CHECK_EQ(run(t, NULL, 10000, -1), 0);
	CHECK_EQ(r.status, 0);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(run(f, NULL, 10000, -1), 1);
	CHECK_EQ(r.status, 1);
	CHECK_EQ(run(three, NULL, 10000, -1), 1);
	CHECK_EQ(r.status, 3);
	CHECK_EQ(run(term, NULL, 10000, -1), 1);
	CHECK_EQ(r.status, 128 + SIGTERM);
}

/* The daemon blocks its signals (signalfd); the tool must not inherit that. */
static void
test_signal_mask(void)
{
	static const char *const term[] = { "sh", "-c", "kill -TERM $$; exit 0", NULL };
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_EQ(run(term, NULL, 10000, -1), 1);
	CHECK_EQ(r.status, 128 + SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
test_output(void)
{
	static const char *const both[] = { "sh", "-c", "printf 'out\\n'; printf 'err 1\\nerr 2\\n' >&2; exit 4", NULL };
	static const char *const quiet[] = { "sh", "-c", "printf 'only out\\n'; exit 2", NULL };
	static const char *const none[] = { "false", NULL };
	static const char *const cmd[] = { "iptables", "-t", "mangle", "-S", NULL };
	char msg[128];

	CHECK_EQ(run(both, NULL, 10000, -1), 1);
	CHECK(strcmp(r.out, "out\n") == 0);
	CHECK_EQ(r.out_len, 4);
	CHECK(strcmp(r.err, "err 1\nerr 2\n") == 0);
	CHECK_EQ(r.err_len, 12);
	spawn_message(&r, msg, sizeof(msg));
	CHECK(strcmp(msg, "err 1; err 2") == 0);

	CHECK_EQ(run(quiet, NULL, 10000, -1), 1);
	spawn_message(&r, msg, sizeof(msg));
	CHECK(strcmp(msg, "only out") == 0);
	CHECK_EQ(run(none, NULL, 10000, -1), 1);
	spawn_message(&r, msg, sizeof(msg));
	CHECK(strcmp(msg, "exit status 1") == 0);

	spawn_cmdline(cmd, msg, sizeof(msg));
	CHECK(strcmp(msg, "iptables -t mangle -S") == 0);
	spawn_cmdline(cmd, msg, 8);
	CHECK(strcmp(msg, "iptable") == 0);
}

/* More than the buffers hold: kept up to the size, the rest read and dropped, the tool finishes. */
static void
test_output_cut(void)
{
	static const char *const cat[] = { "cat", NULL };
	static const char *const cat_err[] = { "sh", "-c", "cat >&2", NULL };
	char *big = filled(3 * SPAWN_OUT_MAX, 'x');

	r.out[SPAWN_OUT_MAX - 1] = 'z';
	CHECK_EQ(run(cat, big, 10000, -1), 0);
	CHECK_EQ(r.out_len, SPAWN_OUT_MAX - 1);
	CHECK_EQ(r.out[SPAWN_OUT_MAX - 1], '\0');
	CHECK(all(r.out, r.out_len, 'x'));
	CHECK_EQ(r.err_len, 0);

	CHECK_EQ(run(cat_err, big, 10000, -1), 0);
	CHECK_EQ(r.err_len, SPAWN_ERR_MAX - 1);
	CHECK_EQ(r.err[SPAWN_ERR_MAX - 1], '\0');
	CHECK(all(r.err, r.err_len, 'x'));
	CHECK_EQ(r.out_len, 0);
	free(big);
}

static void
test_input(void)
{
	static const char *const cat[] = { "cat", NULL };
	static const char *const t[] = { "true", NULL };
	char *big = filled(1 << 20, 'y');
	sigset_t pipe_set, pending;

	CHECK_EQ(run(cat, "table inet x {}\nsecond line\n", 10000, -1), 0);
	CHECK(strcmp(r.out, "table inet x {}\nsecond line\n") == 0);
	CHECK_EQ(run(cat, NULL, 10000, -1), 0); /* no input: EOF at once */
	CHECK_EQ(r.out_len, 0);

	/* 1 MiB to a tool that never reads: EPIPE past the pipe's buffer, no SIGPIPE */
	signal(SIGPIPE, SIG_DFL);
	CHECK_EQ(run(t, big, 10000, -1), 0);
	/* the same with SIGPIPE blocked, as in the daemon's helper thread: none left pending */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	CHECK_EQ(run(t, big, 10000, -1), 0);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGPIPE));
	sigprocmask(SIG_UNBLOCK, &pipe_set, NULL);
	free(big);
}

static void
test_environment(void)
{
	static const char *const lc[] = { "sh", "-c", "printf '%s' \"$LC_ALL/$MSSCLAMPD_TEST\"", NULL };

	setenv("LC_ALL", "de_DE.UTF-8", 1);
	setenv("MSSCLAMPD_TEST", "kept", 1);
	CHECK_EQ(run(lc, NULL, 10000, -1), 0);
	CHECK(strcmp(r.out, "C/kept") == 0);
	unsetenv("LC_ALL");
	unsetenv("MSSCLAMPD_TEST");
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	CHECK(fd != -1 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static void
test_missing(void)
{
	static const char *const missing[] = { "mssclampd-no-such-tool", "-V", NULL };
	static const char *const slash[] = { "/nonexistent/mssclampd-tool", NULL };
	static const char *const empty[] = { "", NULL };
	const struct spawn_options quiet = { .timeout_ms = 10000, .cancel_fd = -1, .quiet = true };
	char path[128];
	const char *const noexec[] = { path, NULL };

	log_capture_start();
	CHECK_EQ(run(missing, NULL, 10000, -1), -1);
	log_capture_end();
	CHECK_EQ(r.error, ENOENT);
	CHECK(strcmp(logged, "mssclampd-no-such-tool not found in PATH: "
			     "install the X package or set firewall = none\n") == 0);

	log_capture_start();
	CHECK_EQ(spawn_run(missing, &quiet, &r), -1);
	log_capture_end();
	CHECK_EQ(r.error, ENOENT);
	CHECK(strcmp(logged, "") == 0);

	log_capture_start();
	CHECK_EQ(run(slash, NULL, 10000, -1), -1);
	CHECK_EQ(r.error, ENOENT);
	CHECK_EQ(run(empty, NULL, 10000, -1), -1);
	CHECK_EQ(r.error, ENOENT);
	log_capture_end();
	CHECK(strstr(logged, "/nonexistent/mssclampd-tool not found in PATH: ") == logged);

	/* there but not executable: EACCES, in other words */
	snprintf(path, sizeof(path), "%s/noexec", tmpdir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0644);
	log_capture_start();
	CHECK_EQ(run(noexec, NULL, 10000, -1), -1);
	log_capture_end();
	CHECK_EQ(r.error, EACCES);
	CHECK(strstr(logged, "cannot run ") == logged && strstr(logged, "Permission denied") != NULL);
}

/* PATH searched in order, a non-executable candidate skipped, a script without #! run by sh. */
static void
test_path(void)
{
	static const char *const tool[] = { "mssclampd-test-tool", "arg", NULL };
	char a[128], b[128], file[160], path[512];
	const char *old = getenv("PATH");
	char *saved = strdup(old ? old : "/usr/bin:/bin");

	snprintf(a, sizeof(a), "%s/a", tmpdir);
	snprintf(b, sizeof(b), "%s/b", tmpdir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	snprintf(file, sizeof(file), "%s/mssclampd-test-tool", a);
	write_file(file, "echo from a\n", 0644);
	snprintf(file, sizeof(file), "%s/mssclampd-test-tool", b);
	write_file(file, "echo \"from b $1\"\n", 0755);

	snprintf(path, sizeof(path), "/nonexistent:%s:%s:%s", a, b, saved);
	setenv("PATH", path, 1);
	CHECK_EQ(run(tool, NULL, 10000, -1), 0);
	CHECK(strcmp(r.out, "from b arg\n") == 0);
	setenv("PATH", saved, 1);
	free(saved);
}

static void
test_timeout(void)
{
	static const char *const sleeper[] = { "sleep", "30", NULL };
	static const char *const family[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	int64_t start;
	pid_t orphan;

	log_capture_start();
	start = now_ms();
	CHECK_EQ(run(sleeper, NULL, 300, -1), -1);
	CHECK(now_ms() - start < 300 + 2000);
	log_capture_end();
	CHECK_EQ(r.error, ETIMEDOUT);
	CHECK_EQ(r.status, -1);
	CHECK(strcmp(logged, "sleep 30: no answer within 300 ms, killed\n") == 0);

	/* the shell and the sleep it started: one group, killed together */
	log_capture_start();
	start = now_ms();
	CHECK_EQ(run(family, NULL, 500, -1), -1);
	CHECK(now_ms() - start < 500 + 2000);
	log_capture_end();
	CHECK_EQ(r.error, ETIMEDOUT);
	orphan = (pid_t)atoi(r.out);
	CHECK(orphan > 0 && orphan_killed(orphan));
}

static void
test_cancel(void)
{
	static const char *const sleeper[] = { "sleep", "30", NULL };
	static const char *const family[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct itimerspec in_300ms = { .it_value = { 0, 300 * 1000 * 1000 } };
	uint64_t one = 1;
	int64_t start;
	pid_t orphan;
	int fd;

	/* readable later: killed then, long before the timeout */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	timerfd_settime(fd, 0, &in_300ms, NULL);
	log_capture_start();
	start = now_ms();
	CHECK_EQ(run(family, NULL, 30000, fd), -1);
	CHECK(now_ms() - start < 300 + 2000);
	log_capture_end();
	CHECK_EQ(r.error, ECANCELED);
	CHECK(strcmp(logged, "") == 0); /* the caller's own doing: debug level only */
	orphan = (pid_t)atoi(r.out);
	CHECK(orphan > 0 && orphan_killed(orphan));
	close(fd);

	/* readable from the start: returns at once */
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
	start = now_ms();
	CHECK_EQ(run(sleeper, NULL, 30000, fd), -1);
	CHECK(now_ms() - start < 2000);
	CHECK_EQ(r.error, ECANCELED);
	close(fd);

	/* a cancel fd that stays quiet changes nothing */
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK_EQ(run((const char *const[]){ "true", NULL }, NULL, 30000, fd), 0);
	close(fd);
}

static void
remove_tmpdir(void)
{
	static const char *const files[] = { "stderr", "noexec", "a/mssclampd-test-tool",
					     "b/mssclampd-test-tool", "a", "b", NULL };
	char path[128];
	size_t i;

	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		(void)remove(path);
	}
	if (rmdir(tmpdir) == -1)
		perror(tmpdir);
}

int
main(void)
{
	int fd;

	unsetenv("JOURNAL_STREAM"); /* log lines without a "<N>" prefix */
	log_init(0);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* the sleeps a killed shell leaves become ours, to see how they died */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	fd = next_fd();
	test_status();
	test_signal_mask();
	test_output();
	test_output_cut();
	test_input();
	test_environment();
	test_missing();
	test_path();
	test_timeout();
	test_cancel();
	CHECK_EQ(next_fd(), fd);

	remove_tmpdir();
	return check_summary();
}
