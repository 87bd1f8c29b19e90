/*
 * The firewall facade: picks the backend (fw_iptables.c, fw_nftables.c),
 * runs install and remove on the caller's thread, and everything after
 * start-up on a helper thread of its own.
 *
 * The helper thread and the loop share a small mailbox under a mutex:
 * requests are bits (one pending request of a kind absorbs the next), news
 * is the latest result of each kind. Three eventfds: wake_fd tells the
 * thread a request is waiting, news_fd tells the loop news is, cancel_fd
 * (written once, at stop) ends the thread and kills the tool it runs.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "conf.h"
#include "firewall.h"
#include "fw_backend.h"
#include "log.h"

/* What the loop can ask of the helper thread; a set of bits, so that requests merge. */
enum fw_request {
	FW_REQ_PACKETS = 1u << 0,       /* count the packets our rules matched */
};

struct firewall {
	const struct fw_backend *backend;       /* NULL: firewall = none */
	unsigned first, count;
	struct fw_run *run;                     /* the caller's thread: install, remove, needs_raw */

	/* the helper thread, between firewall_start() and fw_stop() */
	bool started;
	pthread_t thread;
	struct fw_run *thread_run;              /* its own, with cancel_fd */
	int wake_fd, news_fd, cancel_fd;
	pthread_mutex_t lock;                   /* guards what follows */
	unsigned requests;                      /* enum fw_request bits not yet taken by the thread */
	bool have_news;                         /* a request was answered since the last dispatch */
	struct firewall_news news;
};

static void
fw_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
fw_signal(int fd)
{
	uint64_t one = 1;

	/* an eventfd's counter only fails to take 1 at 2^64 - 2: readable anyway */
	(void)!write(fd, &one, sizeof(one));
}

static void
fw_clear(int fd)
{
	uint64_t count;

	(void)!read(fd, &count, sizeof(count));
}

/* Runs what was asked, outside the lock; the result goes into done. */
static void
fw_work(struct firewall *fw, unsigned todo, struct firewall_news *done)
{
	uint64_t counted[FW_FAMILIES] = { 0, 0 };

	memset(done, 0, sizeof(*done));
	if ((todo & FW_REQ_PACKETS) && fw->backend->packets(fw->thread_run, counted) == 0) {
		done->have_packets = true;
		memcpy(done->packets, counted, sizeof(done->packets));
	}
}

/* Hands done to the loop: the newest result of each kind wins. Under the lock. */
static void
fw_post(struct firewall *fw, const struct firewall_news *done)
{
	if (done->have_packets) {
		fw->news.have_packets = true;
		memcpy(fw->news.packets, done->packets, sizeof(fw->news.packets));
	}
	fw->have_news = true;
	/* written under the lock: a dispatch that cleared news_fd sees this news or a new wake-up */
	fw_signal(fw->news_fd);
}

/*
 * The helper thread: waits for a request or the end, runs the tools with
 * no lock held, posts the result. wake_fd is cleared before the requests
 * are taken, so a request that comes after the taking wakes it again.
 */
static void *
fw_thread(void *arg)
{
	struct firewall *fw = arg;
	struct firewall_news done;
	struct pollfd pfd[2];
	unsigned todo;

	for (;;) {
		pthread_mutex_lock(&fw->lock);
		todo = fw->requests;
		fw->requests = 0;
		pthread_mutex_unlock(&fw->lock);

		if (todo == 0) {
			pfd[0] = (struct pollfd){ .fd = fw->cancel_fd, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = fw->wake_fd, .events = POLLIN };
			if (poll(pfd, 2, -1) == -1) {
				if (errno == EINTR)
					continue;
				log_warn("firewall: poll");
				break;
			}
			if (pfd[0].revents != 0)
				break;
			fw_clear(fw->wake_fd);
			continue;
		}

		fw_work(fw, todo, &done);
		/* stopping: a tool cut short answers nothing */
		pfd[0] = (struct pollfd){ .fd = fw->cancel_fd, .events = POLLIN };
		if (poll(pfd, 1, 0) == 1)
			break;
		pthread_mutex_lock(&fw->lock);
		fw_post(fw, &done);
		pthread_mutex_unlock(&fw->lock);
	}
	return NULL;
}

/* Ends the helper thread: its tool killed, joined; bounded by the kill and the reap. */
static void
fw_stop(struct firewall *fw)
{
	if (!fw->started)
		return;
	fw_signal(fw->cancel_fd);
	pthread_join(fw->thread, NULL);
	fw->started = false;
	fw_close(&fw->wake_fd);
	fw_close(&fw->news_fd);
	fw_close(&fw->cancel_fd);
	free(fw->thread_run);
	fw->thread_run = NULL;
	fw->requests = 0;
	fw->have_news = false;
}

/* Queues a request for the helper thread. false: no thread to run it. */
static bool
fw_request(struct firewall *fw, unsigned what)
{
	if (!fw->started)
		return false;
	pthread_mutex_lock(&fw->lock);
	fw->requests |= what;
	fw_signal(fw->wake_fd);
	pthread_mutex_unlock(&fw->lock);
	return true;
}

struct firewall *
firewall_new(enum conf_firewall kind, unsigned first, unsigned count)
{
	struct firewall *fw;

	if ((fw = calloc(1, sizeof(*fw))) == NULL) {
		log_warn("firewall");
		return NULL;
	}
	fw->first = first;
	fw->count = count;
	fw->wake_fd = fw->news_fd = fw->cancel_fd = -1;
	pthread_mutex_init(&fw->lock, NULL);
	switch (kind) {
	case CONF_FIREWALL_IPTABLES:
		fw->backend = &fw_iptables;
		break;
	case CONF_FIREWALL_NFTABLES:
		fw->backend = &fw_nftables;
		break;
	case CONF_FIREWALL_NONE:
		return fw;
	}
	if ((fw->run = calloc(1, sizeof(*fw->run))) == NULL) {
		log_warn("firewall");
		firewall_free(fw);
		return NULL;
	}
	fw->run->cancel_fd = -1; /* start-up and stop: the tools run to their end */
	return fw;
}

int
firewall_install(struct firewall *fw)
{
	if (fw->backend == NULL)
		return 0;
	if (fw->count == 0 || fw->first > 65535 || fw->count > 65536 - fw->first) {
		log_err("firewall: queues %u..%u: not within 0..65535", fw->first,
			fw->first + fw->count - 1);
		return -1;
	}
	return fw->backend->install(fw->run, fw->first, fw->count);
}

int
firewall_remove(struct firewall *fw)
{
	if (fw->backend == NULL)
		return 0;
	fw_stop(fw);
	return fw->backend->remove(fw->run);
}

bool
firewall_needs_raw(struct firewall *fw)
{
	return fw->backend != NULL && fw->backend->needs_raw(fw->run);
}

int
firewall_start(struct firewall *fw)
{
	sigset_t all, old;
	int rc;

	if (fw->backend == NULL || fw->started)
		return 0;
	if ((fw->thread_run = calloc(1, sizeof(*fw->thread_run))) == NULL ||
	    (fw->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (fw->news_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (fw->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("firewall: helper thread");
		goto fail;
	}
	fw->thread_run->cancel_fd = fw->cancel_fd;

	/* born with every signal blocked: the main thread takes them (signalfd) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&fw->thread, NULL, fw_thread, fw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("firewall: helper thread");
		goto fail;
	}
	fw->started = true;
	return 0;

fail:
	fw_close(&fw->wake_fd);
	fw_close(&fw->news_fd);
	fw_close(&fw->cancel_fd);
	free(fw->thread_run);
	fw->thread_run = NULL;
	return -1;
}

int
firewall_fd(const struct firewall *fw)
{
	return fw->started ? fw->news_fd : -1;
}

bool
firewall_request_packets(struct firewall *fw)
{
	/* none: the operator's rules, whose counters we cannot know */
	return fw->backend != NULL && fw_request(fw, FW_REQ_PACKETS);
}

int
firewall_dispatch(struct firewall *fw, struct firewall_news *news)
{
	int ret = 0;

	memset(news, 0, sizeof(*news));
	if (!fw->started)
		return 0;
	fw_clear(fw->news_fd);
	pthread_mutex_lock(&fw->lock);
	if (fw->have_news) {
		*news = fw->news;
		memset(&fw->news, 0, sizeof(fw->news));
		fw->have_news = false;
		ret = 1;
	}
	pthread_mutex_unlock(&fw->lock);
	return ret;
}

void
firewall_free(struct firewall *fw)
{
	if (fw == NULL)
		return;
	fw_stop(fw);
	pthread_mutex_destroy(&fw->lock);
	free(fw->run);
	free(fw);
}
