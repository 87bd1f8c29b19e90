/*
 * One tool, run and waited for: fork, then execve over the PATH candidates
 * worked out beforehand (as execvpe would, but with nothing allocated in
 * the child), stdout and stderr read through pipes so a failure can be
 * reported in the tool's own words, a deadline and a cancel fd watched in
 * the same poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "spawn.h"

#define SPAWN_REAP_POLL_MS 5    /* pipes closed, no exit yet: how often to look again */
#define SPAWN_DEFAULT_PATH "/bin:/usr/bin" /* glibc's execvpe without PATH */

/* Everything the child needs, made before fork: the child only reads it. */
struct spawn_exec {
	char **paths;           /* the file names to try in turn, NULL-terminated */
	char **envp;
	char **sh_argv;         /* "/bin/sh", (candidate), argv[1]...: for a script without #! */
	char *names;            /* the storage behind paths */
};

void
spawn_cmdline(const char *const argv[], char *buf, size_t size)
{
	size_t len = 0;
	int n;

	buf[0] = '\0';
	for (; *argv != NULL && len < size; argv++) {
		n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", *argv);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

void
spawn_message(const struct spawn_result *r, char *buf, size_t size)
{
	const char *src = r->err_len ? r->err : r->out;
	size_t len = 0;

	for (; *src != '\0' && len + 3 < size; src++) {
		if (*src != '\n') {
			buf[len++] = *src;
		} else if (src[1] != '\0' && len > 0) {
			buf[len++] = ';';
			buf[len++] = ' ';
		}
	}
	buf[len] = '\0';
	if (len == 0)
		snprintf(buf, size, "exit status %d", r->status);
}

void
spawn_log_failure(const char *const argv[], const struct spawn_result *r, bool quiet)
{
	char cmd[512], msg[512];

	spawn_cmdline(argv, cmd, sizeof(cmd));
	spawn_message(r, msg, sizeof(msg));
	if (quiet)
		log_debug("%s: %s", cmd, msg);
	else
		log_err("%s: %s", cmd, msg);
}

/* An error, or only a debug line when the caller asked for quiet. */
#define SPAWN_LOG(opts, ...) do {		\
	if ((opts)->quiet)			\
		log_debug(__VA_ARGS__);		\
	else					\
		log_err(__VA_ARGS__);		\
} while (0)

static void
spawn_exec_free(struct spawn_exec *x)
{
	free(x->paths);
	free(x->envp);
	free(x->sh_argv);
	free(x->names);
}

/*
 * The tools' messages are parsed (nft's "No such file or directory"), so
 * they run in the C locale; the rest of the environment (PATH) is ours.
 * The candidates are those execvpe(3) would try: argv[0] itself when it
 * has a slash, else each PATH element (empty: the current directory).
 */
static int
spawn_exec_init(struct spawn_exec *x, const char *const argv[])
{
	const char *path = getenv("PATH"), *name = argv[0], *p, *end;
	size_t n = 0, i, j = 0, name_len = strlen(name), dirs = 1, argc = 0;
	char *dst;

	memset(x, 0, sizeof(*x));
	while (environ != NULL && environ[n] != NULL)
		n++;
	while (argv[argc] != NULL)
		argc++;
	if (path == NULL)
		path = SPAWN_DEFAULT_PATH;
	for (p = path; *p != '\0'; p++)
		dirs += *p == ':';
	if ((x->envp = calloc(n + 2, sizeof(*x->envp))) == NULL ||
	    (x->sh_argv = calloc(argc + 2, sizeof(*x->sh_argv))) == NULL ||
	    (x->paths = calloc(dirs + 1, sizeof(*x->paths))) == NULL ||
	    (x->names = malloc(strlen(path) + dirs * (name_len + 2) + 1)) == NULL) {
		spawn_exec_free(x);
		return -1;
	}

	x->envp[j++] = (char *)(uintptr_t)"LC_ALL=C";
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			x->envp[j++] = environ[i];
	x->envp[j] = NULL;

	x->sh_argv[0] = (char *)(uintptr_t)"/bin/sh";
	for (i = 1; i < argc; i++)
		x->sh_argv[i + 1] = (char *)(uintptr_t)argv[i];

	/* "" names no file: no candidate, so the child reports ENOENT */
	j = 0;
	dst = x->names;
	if (strchr(name, '/') != NULL) {
		x->paths[j++] = strcpy(dst, name);
	} else if (name_len > 0) {
		for (p = path;; p = end + 1) {
			end = strchrnul(p, ':');
			x->paths[j++] = dst;
			if (end > p) {
				memcpy(dst, p, (size_t)(end - p));
				dst += end - p;
				*dst++ = '/';
			}
			memcpy(dst, name, name_len + 1);
			dst += name_len + 1;
			if (*end == '\0')
				break;
		}
	}
	x->paths[j] = NULL;
	return 0;
}

/*
 * Between fork and exec only async-signal-safe calls: the daemon has other
 * threads, whose locks the child inherits held.
 */
static _Noreturn void
spawn_child(const struct spawn_exec *x, const char *const argv[], int in, int out, int err,
	    int report)
{
	union { const char *const *c; char *const *v; } args = { .c = argv };
	bool eacces = false;
	char *const *path;
	sigset_t none;
	int e;

	/* a group of its own, so that a hung tool is killed with whatever it started */
	setpgid(0, 0);
	/* exec keeps the signal mask (the daemon blocks its signals for a signalfd) */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* any of them may be 0, 1 or 2 if the daemon started with those closed */
	if ((report = fcntl(report, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (in = fcntl(in, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (out = fcntl(out, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    (err = fcntl(err, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1 ||
	    dup2(err, STDERR_FILENO) == -1)
		goto fail;

	/* execvpe's walk: on to the next candidate unless the error is not about this one */
	errno = ENOENT;
	for (path = x->paths; *path != NULL; path++) {
		execve(*path, args.v, x->envp);
		if (errno == ENOEXEC) {
			/* no #! line: a shell script, as execvpe runs it */
			x->sh_argv[1] = *path;
			execve(x->sh_argv[0], x->sh_argv, x->envp);
		}
		switch (errno) {
		case EACCES:
			eacces = true;
			/* FALLTHROUGH */
		case ENOENT:
		case ESTALE:
		case ENOTDIR:
		case ENODEV:
		case ETIMEDOUT:
			continue;
		default:
			goto fail;
		}
	}
	if (eacces)
		errno = EACCES;
fail:
	e = errno;
	(void)!write(report, &e, sizeof(e));
	_exit(127);
}

static void
spawn_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Appends what fd has to buf (at most size - 1 bytes kept); closes fd at EOF. */
static void
spawn_drain(int *fd, char *buf, size_t size, size_t *len)
{
	char scratch[4096];
	ssize_t n;

	if (*len + 1 < size)
		n = read(*fd, buf + *len, size - 1 - *len);
	else
		n = read(*fd, scratch, sizeof(scratch)); /* keep the pipe flowing */
	if (n > 0 && *len + 1 < size)
		*len += (size_t)n;
	buf[*len] = '\0';
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
		spawn_close(fd);
}

/*
 * Writes input to the child's stdin without letting a child that exited
 * unread raise SIGPIPE in the caller: SIGPIPE is blocked around the write
 * and, if the write raised it, taken back. Closes fd when done or refused.
 */
static void
spawn_feed(int *fd, const char **input, size_t *left)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	bool was_pending;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(*fd, *input, *left);
	if (n == -1 && errno == EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) == -1 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	if (n > 0) {
		*input += n;
		*left -= (size_t)n;
	}
	if (*left == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
		spawn_close(fd);
}

static void
spawn_kill(pid_t pid)
{
	if (kill(-pid, SIGKILL) == -1)
		kill(pid, SIGKILL);
}

int
spawn_run(const char *const argv[], const struct spawn_options *opts, struct spawn_result *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 };
	const char *input = opts->input;
	size_t input_left = input ? strlen(input) : 0, rep_len = 0;
	int64_t deadline = (int64_t)clock_ms() + opts->timeout_ms, left;
	int child_errno = 0, status = 0, ret = -1;
	bool timed_out = false, cancelled = false, exec_ready = false;
	struct spawn_exec x;
	struct pollfd pfd[5];
	char cmd[512];
	pid_t pid = -1, w;
	nfds_t n;

	r->out_len = r->err_len = 0;
	r->out[0] = r->err[0] = '\0';
	r->status = -1;
	r->error = 0;
	spawn_cmdline(argv, cmd, sizeof(cmd));

	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1 ||
	    pipe2(err, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1 ||
	    fcntl(in[1], F_SETFL, O_NONBLOCK) == -1) {
		r->error = errno;
		log_warn("%s: pipe", cmd);
		goto cleanup;
	}
	if (spawn_exec_init(&x, argv) == -1) {
		r->error = errno;
		log_warn("%s: environment", cmd);
		goto cleanup;
	}
	exec_ready = true;
	if ((pid = fork()) == -1) {
		r->error = errno;
		log_warn("%s: fork", cmd);
		goto cleanup;
	}
	if (pid == 0)
		spawn_child(&x, argv, in[0], out[1], err[1], rep[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	spawn_close(&in[0]);
	spawn_close(&out[1]);
	spawn_close(&err[1]);
	spawn_close(&rep[1]);
	if (input_left == 0)
		spawn_close(&in[1]);

	while (out[0] != -1 || err[0] != -1 || rep[0] != -1) {
		if ((left = deadline - (int64_t)clock_ms()) <= 0) {
			timed_out = true;
			break;
		}
		n = 0;
		if (opts->cancel_fd != -1)
			pfd[n++] = (struct pollfd){ .fd = opts->cancel_fd, .events = POLLIN };
		if (in[1] != -1)
			pfd[n++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (out[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (err[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = err[0], .events = POLLIN };
		if (rep[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = rep[0], .events = POLLIN };
		if (poll(pfd, n, left > INT32_MAX ? INT32_MAX : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", cmd);
			timed_out = true;
			break;
		}
		if (opts->cancel_fd != -1 && pfd[0].revents != 0) {
			cancelled = true;
			break;
		}
		while (n-- > 0) {
			if (pfd[n].revents == 0 || pfd[n].fd == opts->cancel_fd)
				continue;
			if (pfd[n].fd == in[1])
				spawn_feed(&in[1], &input, &input_left);
			else if (pfd[n].fd == out[0])
				spawn_drain(&out[0], r->out, sizeof(r->out), &r->out_len);
			else if (pfd[n].fd == err[0])
				spawn_drain(&err[0], r->err, sizeof(r->err), &r->err_len);
			else {
				/* the child's errno from a failed exec; EOF once exec succeeded */
				ssize_t got = read(rep[0], (char *)&child_errno + rep_len,
						   sizeof(child_errno) - rep_len);
				if (got > 0)
					rep_len += (size_t)got;
				else if (got == 0 || errno != EINTR)
					spawn_close(&rep[0]);
			}
		}
	}
	spawn_close(&in[1]);
	spawn_close(&out[0]);
	spawn_close(&err[0]);
	spawn_close(&rep[0]);

	/* reap it, within the same deadline and while not cancelled; then by force */
	if (timed_out || cancelled)
		spawn_kill(pid);
	for (;;) {
		bool killed = timed_out || cancelled;

		w = waitpid(pid, &status, killed ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR) {
			r->error = errno;
			log_warn("%s: waitpid", cmd);
			pid = -1;
			goto cleanup;
		}
		if (w != 0)
			continue;
		if ((left = deadline - (int64_t)clock_ms()) <= 0) {
			spawn_kill(pid);
			timed_out = true;
		} else {
			struct pollfd cancel = { .fd = opts->cancel_fd, .events = POLLIN };

			/* poll() skips a negative fd: then this is a short sleep */
			if (poll(&cancel, 1, left < SPAWN_REAP_POLL_MS ? (int)left : SPAWN_REAP_POLL_MS) == 1) {
				spawn_kill(pid);
				cancelled = true;
			}
		}
	}
	pid = -1;

	if (rep_len == sizeof(child_errno)) {
		r->error = child_errno;
		if (child_errno == ENOENT && opts->not_found != NULL)
			SPAWN_LOG(opts, "%s not found in PATH: %s", argv[0], opts->not_found);
		else if (child_errno == ENOENT)
			SPAWN_LOG(opts, "%s not found in PATH", argv[0]);
		else
			SPAWN_LOG(opts, "cannot run %s: %s", argv[0], strerror(child_errno));
		goto cleanup;
	}
	if (cancelled) {
		r->error = ECANCELED;
		log_debug("%s: cancelled, killed", cmd);
		goto cleanup;
	}
	if (timed_out) {
		r->error = ETIMEDOUT;
		if (opts->timeout_ms % 1000 == 0)
			SPAWN_LOG(opts, "%s: no answer within %d s, killed", cmd, opts->timeout_ms / 1000);
		else
			SPAWN_LOG(opts, "%s: no answer within %d ms, killed", cmd, opts->timeout_ms);
		goto cleanup;
	}
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	ret = r->status == 0 ? 0 : 1;

cleanup:
	if (pid > 0) {
		spawn_kill(pid);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	spawn_close(&in[0]);
	spawn_close(&in[1]);
	spawn_close(&out[0]);
	spawn_close(&out[1]);
	spawn_close(&err[0]);
	spawn_close(&err[1]);
	spawn_close(&rep[0]);
	spawn_close(&rep[1]);
	if (exec_ready)
		spawn_exec_free(&x);
	return ret;
}
