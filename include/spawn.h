/*
 * Runs one tool and waits for it: argv[0] looked up in PATH and executed
 * with no shell, in the C locale, its stdin fed from a string, its stdout
 * and stderr captured, killed with its whole process group when it takes
 * too long or when the caller's cancel fd becomes readable. Safe to call
 * from any thread of a threaded process.
 */
#ifndef MSSCLAMPD_SPAWN_H
#define MSSCLAMPD_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#define SPAWN_OUT_MAX 65536
#define SPAWN_ERR_MAX 4096

struct spawn_options {
	const char *input;      /* written to its stdin, then closed; NULL: stdin at EOF at once */
	int timeout_ms;         /* from the start; past it the process group is killed */
	int cancel_fd;          /* readable: the group is killed and spawn_run returns; -1: none */
	bool quiet;             /* failures to run logged at debug level only */
	const char *not_found;  /* the advice after "TOOL not found in PATH: ", or NULL */
};

struct spawn_result {
	char out[SPAWN_OUT_MAX];  /* its stdout, NUL-terminated; what does not fit is read and dropped */
	size_t out_len;
	char err[SPAWN_ERR_MAX];  /* its stderr, the same way */
	size_t err_len;
	int status;               /* exit code, 128 + signal, or -1 when it did not end by itself */
	int error;                /* with -1: errno of what failed, ETIMEDOUT or ECANCELED; else 0 */
};

/*
 * Runs argv (NULL-terminated) and waits for it. 0: it exited 0; 1: it ran
 * and failed (status and its words in r, for the caller to judge; not
 * logged); -1: it could not run, timed out or was cancelled (r->error says
 * which). A -1 is logged here: a tool missing or unrunnable, or a timeout,
 * as an error (debug if opts->quiet); a cancel at debug level; a failed
 * pipe, fork or wait as a warning. Output captured before a -1 stays in r.
 */
int spawn_run(const char *const argv[], const struct spawn_options *opts, struct spawn_result *r);

/* argv joined by spaces into buf, cut to fit: the command as a log shows it. */
void spawn_cmdline(const char *const argv[], char *buf, size_t size);

/* What the tool said, on one line: its stderr, else its stdout, else "exit status N". */
void spawn_message(const struct spawn_result *r, char *buf, size_t size);

/* Logs "COMMAND: what it said" for a tool that ran and failed: an error, or debug if quiet. */
void spawn_log_failure(const char *const argv[], const struct spawn_result *r, bool quiet);

#endif
