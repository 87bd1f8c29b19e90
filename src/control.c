/*
 * The control socket and its clients. Each client is a small state
 * machine: reading its request (bounded), then writing its answer (from a
 * buffer of its own, as fast as it reads), then closed; one deadline from
 * connect to the end, kept by a timerfd armed for the earliest.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "link.h"
#include "log.h"
#include "status.h"

#define CONTROL_BACKLOG 16
#define CONTROL_ACCEPTS 32                 /* per dispatch: the loop has other work */
#define CONTROL_ANSWER_MIN 4096
#define CONTROL_ANSWER_MAX (64u << 20)     /* far above any status: a bound on a runaway */
#define CONTROL_LISTEN_ID CONTROL_CLIENTS_MAX
#define CONTROL_TIMER_ID (CONTROL_CLIENTS_MAX + 1)

struct control_client {
	int fd;                          /* -1: a free slot */
	uint64_t deadline_ms;
	char in[CONTROL_REQUEST_MAX];
	size_t in_len;
	char *out;                       /* the answer, while it is written */
	size_t out_len, out_sent;
};

struct control {
	int epoll_fd, listen_fd, timer_fd;
	char path[CONF_SOCKET_PATH_MAX + 1];
	dev_t dev;                       /* the socket file we made: removed at close only if still it */
	ino_t ino;
	struct control_client clients[CONTROL_CLIENTS_MAX];
};

int
control_parse_request(const char *buf, size_t len, struct control_request *req, const char **why)
{
	const char *nl = memchr(buf, '\n', len);
	size_t line;

	if (memchr(buf, '\0', nl != NULL ? (size_t)(nl - buf) : len) != NULL) {
		*why = "a NUL byte in the request";
		return -1;
	}
	if (nl == NULL) {
		if (len >= CONTROL_REQUEST_MAX) {
			*why = "request too long";
			return -1;
		}
		return 0;
	}
	line = (size_t)(nl - buf);
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	if (line == 6 && memcmp(buf, "status", 6) == 0) {
		req->format = CONTROL_TEXT;
		return 1;
	}
	if (line == 11 && memcmp(buf, "status json", 11) == 0) {
		req->format = CONTROL_JSON;
		return 1;
	}
	*why = "unknown request (expected \"status\" or \"status json\")";
	return -1;
}

static void
control_arm_timer(struct control *ctl)
{
	struct itimerspec its;
	uint64_t earliest = 0;
	size_t i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->clients[i].fd != -1 &&
		    (earliest == 0 || ctl->clients[i].deadline_ms < earliest))
			earliest = ctl->clients[i].deadline_ms;
	memset(&its, 0, sizeof(its));
	if (earliest != 0) {
		/* an absolute 0 would disarm it: a deadline is never that early */
		its.it_value.tv_sec = (time_t)(earliest / 1000);
		its.it_value.tv_nsec = (long)(earliest % 1000) * 1000000;
	}
	timerfd_settime(ctl->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
control_drop(struct control *ctl, struct control_client *c)
{
	epoll_ctl(ctl->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
control_by_name(const void *a, const void *b)
{
	return strcmp(((const struct status_iface *)a)->name, ((const struct status_iface *)b)->name);
}

/* What report.c knows of the interface with slot: ceilings, counts, MSS values. */
static void
control_row_report(const struct control_modules *m, uint16_t slot, struct status_iface *r)
{
	struct report_iface ri;
	int family;

	if (!report_iface(m->report, m->workers, slot, &ri))
		return;
	r->mss4 = ri.mss.ipv4;
	r->mss6 = ri.mss.ipv6;
	r->seen = stats_total(&ri.counters, ENGINE_ACTION_COUNT);
	r->clamped = stats_total(&ri.counters, ENGINE_CLAMPED);
	r->unchanged = stats_total(&ri.counters, ENGINE_UNCHANGED);
	r->inserted = stats_total(&ri.counters, ENGINE_INSERTED);
	r->malformed = stats_total(&ri.counters, ENGINE_MALFORMED);
	for (family = 0; family < STATS_FAMILY_COUNT; family++)
		status_top_mss(ri.mss_seen.bins[family], r->mss_seen[family], &r->n_mss_seen[family]);
}

/* One row per interface the kernel has, from the links, the config, the view and the report. */
static struct status_iface *
control_rows(const struct control_modules *m, size_t *n)
{
	const struct iftable *links = links_table(m->links);
	struct status_iface *rows = calloc(links->count ? links->count : 1, sizeof(*rows));
	const struct link *link;
	size_t iter = 0, i = 0;

	if (rows == NULL)
		return NULL;
	while ((link = iftable_next(links, &iter)) != NULL && i < links->count) {
		const struct conf_iface *iface = conf_iface_find(m->conf, link->name);
		const struct view_entry *e = iftable_find(&m->view->entries, link->ifindex);
		struct status_iface *r = &rows[i++];

		snprintf(r->name, sizeof(r->name), "%s", link->name);
		snprintf(r->kind, sizeof(r->kind), "%s", link->kind);
		r->ifindex = link->ifindex;
		r->mtu = link->mtu;
		r->mtu6 = link->mtu6;
		r->clamp = conf_iface_clamps(iface);
		if (iface != NULL) {
			snprintf(r->section, sizeof(r->section), "%s", iface->pattern);
			r->section_line = iface->line;
			r->overhead = iface->overhead;
			r->mtu_override = iface->mtu;
			r->mss_cap = iface->mss;
			r->mss6_cap = iface->mss6;
		}
		if (e != NULL)
			control_row_report(m, e->slot, r);
	}
	qsort(rows, i, sizeof(*rows), control_by_name);
	*n = i;
	return rows;
}

/* The status document, rendered into a buffer of its own (the client's). NULL if out of memory. */
static char *
control_answer(const struct control_modules *m, enum control_format format, size_t *len)
{
	struct status st;
	size_t size;
	char *buf = NULL, *grown;
	int n = -1;

	memset(&st, 0, sizeof(st));
	st.version = MSSCLAMPD_VERSION;
	st.queue_first = m->conf->queue_first;
	st.queue_count = m->conf->queue_count;
	st.queue_fanout = m->conf->queue_fanout;
	st.config = m->conf->path;
	report_status(m->report, m->workers, m->conf, &st);
	firewall_status(m->firewall, &st);
	if ((st.ifaces = control_rows(m, &st.n_ifaces)) == NULL)
		return NULL;
	for (size = CONTROL_ANSWER_MIN + st.n_ifaces * 256; size <= CONTROL_ANSWER_MAX; size *= 2) {
		if ((grown = realloc(buf, size)) == NULL)
			break;
		buf = grown;
		n = format == CONTROL_JSON ? status_format_json(buf, size, &st) :
		    status_format_text(buf, size, &st);
		if (n >= 0)
			break;
	}
	free(st.ifaces);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* Writes what the client will take now; false when it is done (or gone). */
static bool
control_write(struct control *ctl, struct control_client *c)
{
	ssize_t n;

	while (c->out_sent < c->out_len) {
		n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)(c - ctl->clients) };

			epoll_ctl(ctl->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
			return true;
		}
		if (n <= 0)
			return false;
		c->out_sent += (size_t)n;
	}
	return false;
}

/* A short answer for a client that will get no other: best effort, never waits. */
static void
control_refuse(int fd, const char *why)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "error: %s\n", why);

	(void)!send(fd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Reads the request; once whole, answers. false when the client is done with. */
static bool
control_read(struct control *ctl, struct control_client *c, const struct control_modules *m)
{
	struct control_request req;
	const char *why = NULL;
	ssize_t n;
	int r;

	for (;;) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false; /* gone before asking */
		c->in_len += (size_t)n;
		if ((r = control_parse_request(c->in, c->in_len, &req, &why)) == 0)
			continue;
		if (r == -1) {
			control_refuse(c->fd, why);
			return false;
		}
		if ((c->out = control_answer(m, req.format, &c->out_len)) == NULL) {
			log_warnx("control: out of memory for a status");
			control_refuse(c->fd, "out of memory");
			return false;
		}
		shutdown(c->fd, SHUT_RD); /* what it sends now is no request */
		return control_write(ctl, c);
	}
}

static void
control_accept(struct control *ctl)
{
	struct control_client *c;
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, accepts;
	size_t slot;

	for (accepts = 0; accepts < CONTROL_ACCEPTS; accepts++) {
		fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("control: accept");
			return;
		}
		for (slot = 0; slot < CONTROL_CLIENTS_MAX && ctl->clients[slot].fd != -1; slot++)
			;
		if (slot == CONTROL_CLIENTS_MAX) {
			control_refuse(fd, "busy: too many clients");
			close(fd);
			continue;
		}
		ev.data.u32 = (uint32_t)slot;
		if (epoll_ctl(ctl->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == -1) {
			log_warn("control: epoll_ctl");
			close(fd);
			continue;
		}
		c = &ctl->clients[slot];
		c->fd = fd;
		c->deadline_ms = clock_ms() + CONTROL_TIMEOUT_MS;
	}
}

void
control_dispatch(struct control *ctl, const struct control_modules *m)
{
	struct epoll_event events[CONTROL_CLIENTS_MAX + 2];
	uint64_t now, ticks;
	int n, i;
	size_t k;

	n = epoll_wait(ctl->epoll_fd, events, CONTROL_CLIENTS_MAX + 2, 0);
	for (i = 0; i < n; i++) {
		uint32_t id = events[i].data.u32;
		struct control_client *c;
		bool keep;

		if (id == CONTROL_LISTEN_ID) {
			control_accept(ctl);
			continue;
		}
		if (id == CONTROL_TIMER_ID) {
			(void)!read(ctl->timer_fd, &ticks, sizeof(ticks));
			continue;
		}
		c = &ctl->clients[id];
		if (c->fd == -1)
			continue;
		keep = c->out != NULL ? control_write(ctl, c) : control_read(ctl, c, m);
		if (!keep)
			control_drop(ctl, c);
	}
	now = clock_ms();
	for (k = 0; k < CONTROL_CLIENTS_MAX; k++)
		if (ctl->clients[k].fd != -1 && now >= ctl->clients[k].deadline_ms)
			control_drop(ctl, &ctl->clients[k]); /* idle, or too slow to read its answer */
	control_arm_timer(ctl);
}

int
control_fd(const struct control *ctl)
{
	return ctl->epoll_fd;
}

/*
 * Whether path may be taken: free, or a socket nobody answers on (a
 * daemon that was killed left it). A live daemon's socket, or a file that
 * is not a socket, is left alone.
 */
static bool
control_path_free(const char *path, const struct sockaddr_un *sun)
{
	struct stat sb;
	int fd, rc, err;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT;
	if (!S_ISSOCK(sb.st_mode)) {
		log_warnx("control socket %s: something else is there; no control socket", path);
		return false;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return false;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN) {
		log_warnx("control socket %s: another daemon answers there; no control socket", path);
		return false;
	}
	if (err != ECONNREFUSED) {
		errno = err;
		log_warn("control socket %s", path);
		return false;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("control socket %s: removing the old one", path);
		return false;
	}
	return true;
}

/* 0600 for root alone, or 0660 and the group. */
static int
control_permissions(const char *path, const char *group)
{
	struct group *gr;

	if (group[0] == '\0')
		return chmod(path, 0600);
	errno = 0;
	if ((gr = getgrnam(group)) == NULL) {
		if (errno != 0)
			log_warn("control socket: group %s", group);
		else
			log_err("control socket: no group %s", group);
		return -1;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
		log_warn("control socket %s: group %s", path, group);
		return -1;
	}
	return chmod(path, 0660);
}

/* The socket's directory, if it is missing (outside systemd's RuntimeDirectory=). */
static void
control_mkdir(const char *path)
{
	char dir[CONF_SOCKET_PATH_MAX + 1];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		log_warn("control socket: %s", dir);
}

struct control *
control_open(const struct conf *conf)
{
	struct sockaddr_un sun;
	struct control *ctl;
	struct stat sb;
	mode_t mask;
	size_t i;
	int rc;

	if (conf->control_socket[0] == '\0')
		return NULL;
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		log_warn("control socket");
		return NULL;
	}
	ctl->epoll_fd = ctl->listen_fd = ctl->timer_fd = -1;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		ctl->clients[i].fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", conf->control_socket);

	control_mkdir(conf->control_socket);
	if (!control_path_free(conf->control_socket, &sun))
		goto fail;
	if ((ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    (ctl->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (ctl->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) == -1) {
		log_warn("control socket");
		goto fail;
	}
	/* born private: nobody connects before the mode below is set */
	mask = umask(0177);
	rc = bind(ctl->listen_fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1) {
		log_warn("control socket %s", conf->control_socket);
		goto fail;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s", conf->control_socket);
	if (stat(ctl->path, &sb) == 0) {
		ctl->dev = sb.st_dev;
		ctl->ino = sb.st_ino;
	}
	if (control_permissions(ctl->path, conf->control_group) == -1 ||
	    listen(ctl->listen_fd, CONTROL_BACKLOG) == -1) {
		log_warn("control socket %s", ctl->path);
		goto fail;
	}
	{
		struct epoll_event lev = { .events = EPOLLIN, .data.u32 = CONTROL_LISTEN_ID };
		struct epoll_event tev = { .events = EPOLLIN, .data.u32 = CONTROL_TIMER_ID };

		if (epoll_ctl(ctl->epoll_fd, EPOLL_CTL_ADD, ctl->listen_fd, &lev) == -1 ||
		    epoll_ctl(ctl->epoll_fd, EPOLL_CTL_ADD, ctl->timer_fd, &tev) == -1) {
			log_warn("control socket: epoll_ctl");
			goto fail;
		}
	}
	log_info("control socket %s (mode %s%s): mssclampd status", ctl->path,
		 conf->control_group[0] ? "0660, group " : "0600", conf->control_group);
	return ctl;
fail:
	control_close(ctl);
	return NULL;
}

void
control_close(struct control *ctl)
{
	struct stat sb;
	size_t i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->clients[i].fd != -1)
			control_drop(ctl, &ctl->clients[i]);
	if (ctl->listen_fd != -1)
		close(ctl->listen_fd);
	/* only our own: a daemon started since may have taken the path */
	if (ctl->path[0] != '\0' && stat(ctl->path, &sb) == 0 && sb.st_dev == ctl->dev &&
	    sb.st_ino == ctl->ino && unlink(ctl->path) == -1)
		log_debug("control socket %s: %s", ctl->path, strerror(errno));
	if (ctl->timer_fd != -1)
		close(ctl->timer_fd);
	if (ctl->epoll_fd != -1)
		close(ctl->epoll_fd);
	free(ctl);
}
