/*
 * The control socket: where `mssclampd status` asks the daemon how it is. A
 * unix stream socket (control_socket, mode 0600, or 0660 with
 * control_group), its clients and their requests, on the main thread. A
 * request is one line; the answer is a status document made from what each
 * module reports of itself (report.c, firewall.c, the links and the
 * config), then the connection is closed.
 *
 * No client can hold up the loop: every socket is non-blocking, a request
 * is at most CONTROL_REQUEST_MAX bytes, a client gets CONTROL_TIMEOUT_MS
 * for the whole exchange, at most CONTROL_CLIENTS_MAX are served at once
 * (more are told "busy" and closed), and an answer a client does not read
 * waits in its own buffer, never in the loop. The loop sees one fd: an
 * epoll of the module's own over the socket, the clients and a timer.
 */
#ifndef MSSCLAMPD_CONTROL_H
#define MSSCLAMPD_CONTROL_H

#include <stddef.h>

#include "conf.h"
#include "firewall.h"
#include "links.h"
#include "report.h"
#include "view.h"
#include "worker.h"

#define CONTROL_REQUEST_MAX 64       /* bytes, the newline included */
#define CONTROL_CLIENTS_MAX 8
#define CONTROL_TIMEOUT_MS 3000      /* from connect to the answer's last byte */

enum control_format { CONTROL_TEXT, CONTROL_JSON };

struct control_request {
	enum control_format format;
};

/* The modules a status is asked of; valid for one control_dispatch(). */
struct control_modules {
	const struct conf *conf;
	const struct links *links;
	const struct view *view;
	struct report *report;
	struct workers *workers;
	struct firewall *firewall;
};

struct control;

/*
 * Listens on conf->control_socket (nothing for ""), replacing a socket no
 * daemon answers on, never one that answers or a file that is no socket.
 * Call before any thread starts (it sets the umask around bind). NULL when
 * there is none: disabled, or it could not be made (logged; the daemon
 * runs on without it).
 */
struct control *control_open(const struct conf *conf);

/* Readable when control_dispatch() has work. */
int control_fd(const struct control *ctl);

/* Accepts, reads, answers, writes and times out what is ready; never blocks. */
void control_dispatch(struct control *ctl, const struct control_modules *m);

/* Closes every client and the socket, and removes the socket file if it is still ours. NULL is fine. */
void control_close(struct control *ctl);

/*
 * One request in buf[0..len), as read so far: "status" or "status json",
 * ended by "\n" (a "\r" before it is dropped). 1: complete, *req filled;
 * 0: incomplete, read more; -1: bad (a NUL byte, longer than
 * CONTROL_REQUEST_MAX, or not a request), with a reason in *why.
 */
int control_parse_request(const char *buf, size_t len, struct control_request *req,
			  const char **why);

#endif
