/*
 * The rules that send SYNs to our queues, made with the firewall's own
 * tools: iptables/ip6tables or nft, each run with fork and execvpe (a PATH
 * search, no shell, an argv of our own), its stdout and stderr captured so
 * a failure is logged in its own words, and killed if it hangs.
 *
 * iptables, for each family, table mangle:
 *	-N MSSCLAMPD
 *	-A MSSCLAMPD -p tcp --tcp-flags SYN,RST SYN -j NFQUEUE --queue-num N --queue-bypass
 *	-A FORWARD|OUTPUT|INPUT -p tcp --tcp-flags SYN,RST SYN -j MSSCLAMPD
 * nftables: one table, inet mssclampd, replaced in one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "firewall.h"
#include "log.h"
#include "stats.h"

#define FW_TIMEOUT_MS 30000     /* a tool that has not finished by then is killed */
#define FW_WAIT_LOCK "10"       /* iptables -w: seconds to wait for the xtables lock */
#define FW_MAX_ARGS 32
#define FW_MAX_DELETES 64       /* -D repeated at most this often per hook */
#define FW_OUT_MAX 65536
#define FW_ERR_MAX 4096
#define FW_RULESET_MAX 4096

/* Both tools match the same SYNs: SYN set, RST clear (a SYN-ACK too). */
#define FW_SYN_MATCH "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN"

struct fw_result {
	char out[FW_OUT_MAX];   /* the tool's stdout, NUL-terminated, for parsing */
	size_t out_len;
	char err[FW_ERR_MAX];   /* its stderr, for the log */
	size_t err_len;
	int status;             /* exit code, 128 + signal, or -1 */
	bool quiet;             /* a best-effort rollback: failures only at debug level */
};

static const char *const fw_hooks[] = { "FORWARD", "OUTPUT", "INPUT" };
#define FW_NHOOKS (sizeof(fw_hooks) / sizeof(fw_hooks[0]))
static const char *const fw_iptables[STATS_FAMILY_COUNT] = { "iptables", "ip6tables" };

static void
fw_cmdline(const char *const argv[], char *buf, size_t size)
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

/* What the tool said, on one line: its stderr, else its stdout. */
static void
fw_message(const struct fw_result *r, char *buf, size_t size)
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

/* An error, or only a debug line during a best-effort rollback. */
#define FW_LOG(r, ...) do {			\
	if ((r)->quiet)				\
		log_debug(__VA_ARGS__);		\
	else					\
		log_err(__VA_ARGS__);		\
} while (0)

static void
fw_fail(const struct fw_result *r, const char *const argv[])
{
	char cmd[512], msg[512];

	fw_cmdline(argv, cmd, sizeof(cmd));
	fw_message(r, msg, sizeof(msg));
	FW_LOG(r, "%s: %s", cmd, msg);
}

static int64_t
fw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The tools' messages are parsed (nft's "No such file or directory"), so
 * they run in the C locale; the rest of the environment (PATH) is ours.
 */
static char **
fw_environment(void)
{
	size_t n = 0, i, j = 0;
	char **envp;

	while (environ != NULL && environ[n] != NULL)
		n++;
	if ((envp = calloc(n + 2, sizeof(*envp))) == NULL)
		return NULL;
	envp[j++] = (char *)(uintptr_t)"LC_ALL=C";
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			envp[j++] = environ[i];
	envp[j] = NULL;
	return envp;
}

/*
 * Between fork and exec only async-signal-safe calls: the daemon has other
 * threads, whose locks the child inherits held.
 */
static _Noreturn void
fw_child(const char *const argv[], char **envp, int in, int out, int err, int report)
{
	union { const char *const *c; char *const *v; } args = { .c = argv };
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
	execvpe(argv[0], args.v, envp);
fail:
	e = errno;
	(void)!write(report, &e, sizeof(e));
	_exit(127);
}

static void
fw_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Appends what fd has to buf (at most size - 1 bytes kept); closes fd at EOF. */
static void
fw_drain(int *fd, char *buf, size_t size, size_t *len)
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
		fw_close(fd);
}

/*
 * Writes input to the child's stdin without letting a child that exited
 * unread raise SIGPIPE in the daemon. Closes fd when done or refused.
 */
static void
fw_feed(int *fd, const char **input, size_t *left)
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
		fw_close(fd);
}

static void
fw_kill(pid_t pid)
{
	if (kill(-pid, SIGKILL) == -1)
		kill(pid, SIGKILL);
}

static const char *
fw_package(const char *tool)
{
	return strcmp(tool, "nft") == 0 ? "nftables" : "iptables";
}

/*
 * Runs argv[0] from PATH, input (if any) on its stdin. 0 if it exited 0;
 * 1 if it ran and failed (its words in r, for the caller to judge); -1 if it
 * could not run or did not finish, logged here.
 */
static int
fw_run(const char *const argv[], const char *input, struct fw_result *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 };
	size_t input_left = input ? strlen(input) : 0, rep_len = 0;
	int64_t deadline = fw_now_ms() + FW_TIMEOUT_MS, left;
	int child_errno = 0, status = 0, ret = -1;
	char **envp = NULL, cmd[512];
	struct pollfd pfd[4];
	bool timed_out = false;
	pid_t pid = -1, w;
	nfds_t n;

	r->out_len = r->err_len = 0;
	r->out[0] = r->err[0] = '\0';
	r->status = -1;
	fw_cmdline(argv, cmd, sizeof(cmd));

	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1 ||
	    pipe2(err, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1 ||
	    fcntl(in[1], F_SETFL, O_NONBLOCK) == -1) {
		log_warn("%s: pipe", cmd);
		goto cleanup;
	}
	if ((envp = fw_environment()) == NULL) {
		log_warn("%s: environment", cmd);
		goto cleanup;
	}
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", cmd);
		goto cleanup;
	}
	if (pid == 0)
		fw_child(argv, envp, in[0], out[1], err[1], rep[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	fw_close(&in[0]);
	fw_close(&out[1]);
	fw_close(&err[1]);
	fw_close(&rep[1]);
	if (input_left == 0)
		fw_close(&in[1]);

	while (out[0] != -1 || err[0] != -1 || rep[0] != -1) {
		if ((left = deadline - fw_now_ms()) <= 0) {
			timed_out = true;
			break;
		}
		n = 0;
		if (in[1] != -1)
			pfd[n++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (out[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (err[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = err[0], .events = POLLIN };
		if (rep[0] != -1)
			pfd[n++] = (struct pollfd){ .fd = rep[0], .events = POLLIN };
		if (poll(pfd, n, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", cmd);
			timed_out = true;
			break;
		}
		while (n-- > 0) {
			if (pfd[n].revents == 0)
				continue;
			if (pfd[n].fd == in[1])
				fw_feed(&in[1], &input, &input_left);
			else if (pfd[n].fd == out[0])
				fw_drain(&out[0], r->out, sizeof(r->out), &r->out_len);
			else if (pfd[n].fd == err[0])
				fw_drain(&err[0], r->err, sizeof(r->err), &r->err_len);
			else {
				/* the child's errno from a failed exec; EOF once exec succeeded */
				ssize_t got = read(rep[0], (char *)&child_errno + rep_len,
						   sizeof(child_errno) - rep_len);
				if (got > 0)
					rep_len += (size_t)got;
				else if (got == 0 || errno != EINTR)
					fw_close(&rep[0]);
			}
		}
	}
	fw_close(&in[1]);
	fw_close(&out[0]);
	fw_close(&err[0]);
	fw_close(&rep[0]);

	/* reap it, within the same deadline; then by force */
	if (timed_out)
		fw_kill(pid);
	for (;;) {
		w = waitpid(pid, &status, timed_out ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR) {
			log_warn("%s: waitpid", cmd);
			pid = -1;
			goto cleanup;
		}
		if (w == 0 && fw_now_ms() >= deadline) {
			fw_kill(pid);
			timed_out = true;
		} else if (w == 0) {
			nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
		}
	}
	pid = -1;

	if (rep_len == sizeof(child_errno)) {
		if (child_errno == ENOENT)
			FW_LOG(r, "%s not found in PATH: install the %s package or set firewall = none",
				argv[0], fw_package(argv[0]));
		else
			FW_LOG(r, "cannot run %s: %s", argv[0], strerror(child_errno));
		goto cleanup;
	}
	if (timed_out) {
		FW_LOG(r, "%s: no answer within %d s, killed", cmd, FW_TIMEOUT_MS / 1000);
		goto cleanup;
	}
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	ret = r->status == 0 ? 0 : 1;

cleanup:
	if (pid > 0) {
		fw_kill(pid);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	fw_close(&in[0]);
	fw_close(&in[1]);
	fw_close(&out[0]);
	fw_close(&out[1]);
	fw_close(&err[0]);
	fw_close(&err[1]);
	fw_close(&rep[0]);
	fw_close(&rep[1]);
	free(envp);
	return ret;
}

/*
 * Runs "tool -w N -t mangle ARGS..." (NULL-terminated). As fw_run(); with
 * must, a failure of the tool is logged too and returned as -1.
 */
static int
fw_ipt(struct fw_result *r, bool must, const char *tool, ...)
{
	const char *argv[FW_MAX_ARGS];
	const char *arg;
	size_t n = 0;
	va_list ap;
	int rc;

	argv[n++] = tool;
	argv[n++] = "-w";  /* wait for the xtables lock (iptables-legacy; -nft takes none) */
	argv[n++] = FW_WAIT_LOCK;
	argv[n++] = "-t";
	argv[n++] = "mangle";
	va_start(ap, tool);
	while ((arg = va_arg(ap, const char *)) != NULL && n < FW_MAX_ARGS - 1)
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	rc = fw_run(argv, NULL, r);
	if (must && rc == 1) {
		fw_fail(r, argv);
		return -1;
	}
	return rc;
}

#define FW_IPT(r, ...) fw_ipt(r, false, __VA_ARGS__, (const char *)NULL)
#define FW_IPT_MUST(r, ...) fw_ipt(r, true, __VA_ARGS__, (const char *)NULL)

/* "queue 3" or "queues 0-3", for the log */
static void
fw_queues(char *buf, size_t size, unsigned first, unsigned count)
{
	if (count == 1)
		snprintf(buf, size, "queue %u", first);
	else
		snprintf(buf, size, "queues %u-%u", first, first + count - 1);
}

static int
fw_ipt_install(struct fw_result *r, const char *tool, unsigned first, unsigned count)
{
	char queues[32];
	const char *option;
	size_t i;
	int rc;

	/*
	 * One queue, or a range balanced by a hash of the flow. Not
	 * --queue-cpu-fanout: it picks the queue by the CPU the packet
	 * arrived on, and a router whose NIC has one RX queue handles all its
	 * packets on one CPU, so every SYN would go to one worker.
	 */
	if (count == 1) {
		option = "--queue-num";
		snprintf(queues, sizeof(queues), "%u", first);
	} else {
		option = "--queue-balance";
		snprintf(queues, sizeof(queues), "%u:%u", first, first + count - 1);
	}

	/* A chain left by a daemon that could not clean up (kill -9) is refilled. */
	if ((rc = FW_IPT(r, tool, "-N", FIREWALL_CHAIN)) == -1)
		return -1;
	if (rc == 1) {
		if (FW_IPT_MUST(r, tool, "-F", FIREWALL_CHAIN) == -1)
			return -1;
		log_info("%s: mangle chain %s was left by an earlier run: refilled",
			 tool, FIREWALL_CHAIN);
	}
	if (FW_IPT_MUST(r, tool, "-A", FIREWALL_CHAIN, FW_SYN_MATCH,
			"-j", "NFQUEUE", option, queues, "--queue-bypass") == -1)
		return -1;

	/*
	 * Appended, not inserted: when the daemon accepts a queued packet,
	 * the packet's walk through this hook's mangle chains ends there and
	 * goes on with the next table (filter). A rule behind our jump would
	 * never see a SYN; so the operator's own mangle rules (marks, a TCPMSS
	 * of their own) come first, and we see their result. -C first: a
	 * restart after kill -9 must not add a second jump.
	 */
	for (i = 0; i < FW_NHOOKS; i++) {
		if ((rc = FW_IPT(r, tool, "-C", fw_hooks[i], FW_SYN_MATCH,
				 "-j", FIREWALL_CHAIN)) == -1)
			return -1;
		if (rc == 1 && FW_IPT_MUST(r, tool, "-A", fw_hooks[i], FW_SYN_MATCH,
					   "-j", FIREWALL_CHAIN) == -1)
			return -1;
	}
	return 0;
}

/* Whether a line of "iptables -S" output is exactly text. */
static bool
fw_has_line(const char *out, const char *text)
{
	size_t len = strlen(text);
	const char *p;

	for (p = out; (p = strstr(p, text)) != NULL; p += len)
		if ((p == out || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

/* Rules in "iptables -S" output that jump to our chain. */
static unsigned
fw_count_jumps(const char *out)
{
	const char *p, *needle = " -j " FIREWALL_CHAIN;
	size_t len = strlen(needle);
	unsigned jumps = 0;

	for (p = out; (p = strstr(p, needle)) != NULL; p += len)
		if (p[len] == '\n' || p[len] == ' ' || p[len] == '\0')
			jumps++;
	return jumps;
}

static int
fw_ipt_remove(struct fw_result *r, const char *tool)
{
	unsigned jumps, deleted = 0, n;
	bool has_chain;
	size_t i;

	/* Look first, so that nothing there is quiet and a tool that fails is not. */
	if (FW_IPT_MUST(r, tool, "-S") == -1)
		return -1;
	has_chain = fw_has_line(r->out, "-N " FIREWALL_CHAIN);
	jumps = fw_count_jumps(r->out);
	if (!has_chain && jumps == 0)
		return 0;

	for (i = 0; i < FW_NHOOKS; i++)
		for (n = 0; n < FW_MAX_DELETES; n++, deleted++)
			if (FW_IPT(r, tool, "-D", fw_hooks[i], FW_SYN_MATCH,
				   "-j", FIREWALL_CHAIN) != 0)
				break;
	/* -X fails while any jump is left, e.g. one the operator added by hand */
	if (has_chain && (FW_IPT_MUST(r, tool, "-F", FIREWALL_CHAIN) == -1 ||
			  FW_IPT_MUST(r, tool, "-X", FIREWALL_CHAIN) == -1))
		return -1;
	if (!r->quiet)
		log_info("%s: removed mangle chain %s and %u jump%s to it", tool,
			 FIREWALL_CHAIN, deleted, deleted == 1 ? "" : "s");
	return 0;
}

/*
 * "iptables -L MSSCLAMPD -v -x -n": two header lines, then one line per
 * rule starting "pkts bytes target". Sums the NFQUEUE rules' packets.
 */
static int
fw_ipt_packets(struct fw_result *r, const char *tool, uint64_t *packets)
{
	unsigned long long pkts, bytes;
	const char *line, *next;
	char target[32];
	bool found = false;

	if (FW_IPT_MUST(r, tool, "-L", FIREWALL_CHAIN, "-v", "-x", "-n") == -1)
		return -1;
	*packets = 0;
	for (line = r->out; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		if (sscanf(line, "%llu %llu %31s", &pkts, &bytes, target) == 3 &&
		    strcmp(target, "NFQUEUE") == 0) {
			*packets += pkts;
			found = true;
		}
	}
	if (!found) {
		log_err("%s: no NFQUEUE rule in mangle chain %s", tool, FIREWALL_CHAIN);
		return -1;
	}
	return 0;
}

/*
 * The whole table, replaced in one transaction: declaring it first makes
 * the delete succeed when it is not there yet, so a restart after kill -9
 * ends with one copy. Without queue, the same ruleset minus the queue
 * statements, to tell a kernel without nft_queue from any other failure.
 */
static int
fw_nft_ruleset(char *buf, size_t size, unsigned first, unsigned count, bool with_queue)
{
	static const char *const hooks[] = { "forward", "output", "input" };
	char queue[64] = "";
	size_t len = 0, i;
	int n;

	/*
	 * Several queues: spread by a hash of the flow, as --queue-balance;
	 * not "fanout", which picks by CPU (see fw_ipt_install()).
	 */
	if (with_queue && count == 1)
		snprintf(queue, sizeof(queue), " queue num %u bypass", first);
	else if (with_queue)
		snprintf(queue, sizeof(queue), " queue num %u-%u bypass", first, first + count - 1);

	n = snprintf(buf, size,
		     "table inet " FIREWALL_TABLE " {}\n"
		     "delete table inet " FIREWALL_TABLE "\n"
		     "table inet " FIREWALL_TABLE " {\n"
		     "\tcounter syn4 {}\n"
		     "\tcounter syn6 {}\n");
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		n = snprintf(buf + len, size - len,
			     "\tchain %s {\n"
			     "\t\ttype filter hook %s priority mangle; policy accept;\n"
			     "\t\tmeta nfproto ipv4 tcp flags & (syn | rst) == syn counter name \"syn4\"%s\n"
			     "\t\tmeta nfproto ipv6 tcp flags & (syn | rst) == syn counter name \"syn6\"%s\n"
			     "\t}\n", hooks[i], hooks[i], queue, queue);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "}\n");
	if (n < 0 || (size_t)n >= size - len)
		return -1;
	return 0;
}

static int
fw_nft_install(struct fw_result *r, unsigned first, unsigned count)
{
	const char *const apply[] = { "nft", "-f", "-", NULL };
	/*
	 * nft -c sends the batch without its end marker, so the kernel checks
	 * every expression (loading nft_queue if it can) and then aborts it.
	 */
	const char *const check[] = { "nft", "-c", "-f", "-", NULL };
	char ruleset[FW_RULESET_MAX], msg[512];
	int rc;

	if (fw_nft_ruleset(ruleset, sizeof(ruleset), first, count, true) == -1)
		return -1;
	if ((rc = fw_run(apply, ruleset, r)) == 0)
		return 0;
	if (rc == -1)
		return -1;
	fw_message(r, msg, sizeof(msg));
	/* the kernel's ENOENT for an expression type it does not have */
	if (strstr(msg, "No such file or directory") != NULL &&
	    fw_nft_ruleset(ruleset, sizeof(ruleset), first, count, false) == 0 &&
	    fw_run(check, ruleset, r) == 0) {
		log_debug("nft -f -: %s", msg);
		log_err("this kernel has no nftables queue support (nft_queue): use firewall = iptables");
		return -1;
	}
	log_err("nft -f -: %s", msg);
	return -1;
}

static int
fw_nft_remove(struct fw_result *r)
{
	const char *const apply[] = { "nft", "-f", "-", NULL };
	int rc;

	rc = fw_run(apply, "table inet " FIREWALL_TABLE " {}\n"
			   "delete table inet " FIREWALL_TABLE "\n", r);
	if (rc == 1)
		fw_fail(r, apply);
	return rc == 0 ? 0 : -1;
}

/* "counter syn4 {\n\t\tpackets 12 bytes 720\n\t}" from nft list counters. */
static int
fw_nft_packets(struct fw_result *r, uint64_t packets[STATS_FAMILY_COUNT])
{
	const char *const list[] = { "nft", "list", "counters", "table", "inet", FIREWALL_TABLE, NULL };
	static const char *const names[STATS_FAMILY_COUNT] = { "counter syn4 {", "counter syn6 {" };
	unsigned long long pkts;
	const char *p;
	size_t i;
	int rc;

	if ((rc = fw_run(list, NULL, r)) != 0) {
		if (rc == 1)
			fw_fail(r, list);
		return -1;
	}
	for (i = 0; i < STATS_FAMILY_COUNT; i++) {
		if ((p = strstr(r->out, names[i])) == NULL ||
		    (p = strstr(p, "packets ")) == NULL ||
		    sscanf(p, "packets %llu", &pkts) != 1) {
			log_err("nft list counters: no %s in table inet %s", names[i], FIREWALL_TABLE);
			return -1;
		}
		packets[i] = pkts;
	}
	return 0;
}

bool
firewall_needs_raw(enum conf_firewall firewall)
{
	static const char *const version[] = { "iptables", "-V", NULL };
	struct fw_result *r;
	bool legacy;

	if (firewall != CONF_FIREWALL_IPTABLES || (r = calloc(1, sizeof(*r))) == NULL)
		return false;
	r->quiet = true;
	/* "iptables v1.8.9 (legacy)" or "(nf_tables)" */
	legacy = fw_run(version, NULL, r) == 0 && strstr(r->out, "(legacy)") != NULL;
	free(r);
	return legacy;
}

int
firewall_install(enum conf_firewall firewall, unsigned first, unsigned count)
{
	struct fw_result *r = NULL;
	char queues[32];
	int ret = -1;
	size_t i, j;

	if (firewall == CONF_FIREWALL_NONE)
		return 0;
	if (count == 0 || first > 65535 || count > 65536 - first) {
		log_err("firewall: queues %u..%u: not within 0..65535", first, first + count - 1);
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("firewall");
		return -1;
	}

	fw_queues(queues, sizeof(queues), first, count);
	if (firewall == CONF_FIREWALL_NFTABLES) {
		if (fw_nft_install(r, first, count) == -1)
			goto cleanup;
		log_info("nftables: table inet %s sends SYNs from forward, output and input "
			 "to %s (bypass)", FIREWALL_TABLE, queues);
		ret = 0;
		goto cleanup;
	}

	for (i = 0; i < STATS_FAMILY_COUNT; i++) {
		if (fw_ipt_install(r, fw_iptables[i], first, count) == -1) {
			/* leave nothing half-made: a failed start must not strand rules */
			r->quiet = true;
			for (j = 0; j <= i; j++)
				(void)fw_ipt_remove(r, fw_iptables[j]);
			goto cleanup;
		}
		log_info("%s: mangle chain %s sends SYNs from FORWARD, OUTPUT and INPUT "
			 "to %s (bypass)", fw_iptables[i], FIREWALL_CHAIN, queues);
	}
	ret = 0;

cleanup:
	free(r);
	return ret;
}

int
firewall_remove(enum conf_firewall firewall)
{
	struct fw_result *r = NULL;
	int ret = 0;
	size_t i;

	if (firewall == CONF_FIREWALL_NONE)
		return 0;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("firewall");
		return -1;
	}
	if (firewall == CONF_FIREWALL_NFTABLES) {
		ret = fw_nft_remove(r);
	} else {
		/* both families, even when one fails */
		for (i = 0; i < STATS_FAMILY_COUNT; i++)
			if (fw_ipt_remove(r, fw_iptables[i]) == -1)
				ret = -1;
	}
	free(r);
	return ret;
}

int
firewall_packets(enum conf_firewall firewall, uint64_t packets[2])
{
	struct fw_result *r = NULL;
	uint64_t counted[STATS_FAMILY_COUNT] = { 0, 0 };
	int ret = -1;
	size_t i;

	/* none: the operator's rules, whose counters we cannot know */
	if (firewall == CONF_FIREWALL_NONE) {
		errno = ENOTSUP;
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("firewall");
		return -1;
	}
	if (firewall == CONF_FIREWALL_NFTABLES) {
		if (fw_nft_packets(r, counted) == -1)
			goto cleanup;
	} else {
		for (i = 0; i < STATS_FAMILY_COUNT; i++)
			if (fw_ipt_packets(r, fw_iptables[i], &counted[i]) == -1)
				goto cleanup;
	}
	packets[STATS_IPV4] = counted[STATS_IPV4];
	packets[STATS_IPV6] = counted[STATS_IPV6];
	ret = 0;

cleanup:
	free(r);
	return ret;
}
