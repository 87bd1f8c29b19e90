/*
 * connlat: connection-setup latency and bulk throughput through the router.
 *
 *   connlat serve PORT SECONDS
 *	listens on [::]:PORT (IPv4 too), accepts everything and reads it
 *	to nowhere; exits after SECONDS.
 *   connlat connect ADDR PORT COUNT [WARMUP]
 *	COUNT sequential non-blocking connect()s, each timed from the call
 *	to the socket turning writable (SYN out, SYN-ACK back: both cross
 *	the router), then a reset close so no TIME_WAIT piles up. WARMUP
 *	more first, not counted. Prints n, fail, p50_us, p99_us, max_us.
 *   connlat bulk ADDR PORT SECONDS
 *	writes for SECONDS, then waits for the server to have read it all;
 *	prints bytes, seconds and MBps (10^6 bytes per second).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNLAT_MAX_CONNS 64
#define CONNLAT_TIMEOUT_MS 3000     /* a lost SYN retransmits after 1 s: counted, not hidden */
#define CONNLAT_BUF (256 * 1024)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: connlat serve PORT SECONDS\n"
			"       connlat connect ADDR PORT COUNT [WARMUP]\n"
			"       connlat bulk ADDR PORT SECONDS\n");
	exit(2);
}

static int
resolve(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int err;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err != 0) {
		fprintf(stderr, "connlat: %s: %s\n", addr, gai_strerror(err));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int
serve(int port, int seconds)
{
	struct pollfd pfd[CONNLAT_MAX_CONNS + 1];
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	static char buf[CONNLAT_BUF];
	uint64_t end = now_ns() + (uint64_t)seconds * 1000000000u;
	int one = 1, zero = 0, lfd, nfds = 1, i;

	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd == -1 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin6, sizeof(sin6)) == -1 || listen(lfd, 1024) == -1) {
		perror("connlat: listen");
		return 1;
	}
	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	while (now_ns() < end) {
		if (poll(pfd, (nfds_t)nfds, 200) <= 0)
			continue;
		for (i = nfds - 1; i >= 1; i--) {
			ssize_t n;

			if (!pfd[i].revents)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n > 0 || (n == -1 && errno == EAGAIN))
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--nfds];
		}
		if (pfd[0].revents & POLLIN) {
			int fd;

			while (nfds <= CONNLAT_MAX_CONNS &&
			       (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) != -1)
				pfd[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
	}
	return 0;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One timed connect: nanoseconds, or 0 if it failed. */
static uint64_t
connect_once(const struct sockaddr_storage *ss, socklen_t len)
{
	struct linger reset = { 1, 0 };
	struct pollfd pfd;
	uint64_t t0, t1 = 0;
	int fd, err = 0;
	socklen_t errlen = sizeof(err);

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return 0;
	t0 = now_ns();
	if (connect(fd, (const struct sockaddr *)ss, len) == 0 || errno == EINPROGRESS) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (poll(&pfd, 1, CONNLAT_TIMEOUT_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == 0 && err == 0)
			t1 = now_ns();
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	close(fd);
	return t1 ? t1 - t0 : 0;
}

static int
latency(const char *addr, const char *port, int count, int warmup)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint64_t *samples, t;
	int i, n = 0, fail = 0;

	if (resolve(addr, port, &ss, &len) == -1)
		return 1;
	samples = calloc((size_t)count, sizeof(*samples));
	if (samples == NULL)
		return 1;
	for (i = 0; i < warmup; i++)
		(void)connect_once(&ss, len);
	for (i = 0; i < count; i++) {
		t = connect_once(&ss, len);
		if (t == 0)
			fail++;
		else
			samples[n++] = t;
	}
	if (n == 0) {
		printf("n=0 fail=%d\n", fail);
		free(samples);
		return 1;
	}
	qsort(samples, (size_t)n, sizeof(*samples), compare_u64);
	printf("n=%d fail=%d p50_us=%.1f p99_us=%.1f max_us=%.1f\n", n, fail,
	       (double)samples[(n - 1) / 2] / 1e3, (double)samples[(size_t)(n - 1) * 99 / 100] / 1e3,
	       (double)samples[n - 1] / 1e3);
	free(samples);
	return 0;
}

static int
bulk(const char *addr, const char *port, int seconds)
{
	static char buf[CONNLAT_BUF];
	struct sockaddr_storage ss;
	struct pollfd pfd;
	uint64_t start, end, bytes = 0;
	socklen_t len;
	ssize_t n;
	int fd;

	if (resolve(addr, port, &ss, &len) == -1)
		return 1;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&ss, len) == -1) {
		perror("connlat: bulk connect");
		return 1;
	}
	start = now_ns();
	end = start + (uint64_t)seconds * 1000000000u;
	while (now_ns() < end) {
		n = write(fd, buf, sizeof(buf));
		if (n <= 0) {
			perror("connlat: bulk write");
			return 1;
		}
		bytes += (uint64_t)n;
	}
	/* the server closes once it has read everything: that ends the clock */
	shutdown(fd, SHUT_WR);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (poll(&pfd, 1, 10000) == 1 && read(fd, buf, sizeof(buf)) > 0)
		;
	end = now_ns();
	close(fd);
	printf("bytes=%llu seconds=%.3f MBps=%.1f\n", (unsigned long long)bytes,
	       (double)(end - start) / 1e9, (double)bytes / ((double)(end - start) / 1e3));
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]), atoi(argv[3]));
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "connect") == 0)
		return latency(argv[2], argv[3], atoi(argv[4]), argc == 6 ? atoi(argv[5]) : 0);
	if (argc == 5 && strcmp(argv[1], "bulk") == 0)
		return bulk(argv[2], argv[3], atoi(argv[4]));
	usage();
	return 2;
}
