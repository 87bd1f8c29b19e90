/*
 * notify: the sd_notify(3) datagrams, checked byte for byte on a socket of
 * our own, bound at a path in a temporary directory and in the abstract
 * namespace; WATCHDOG_USEC/WATCHDOG_PID; and silence without NOTIFY_SOCKET.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "notify.h"

/* Binds a datagram socket at path, or at "@name" in the abstract namespace. */
static int
listener(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("socket");
		exit(1);
	}
	if (name[0] == '@') {
		memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	} else {
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", name);
		len = (socklen_t)sizeof(sun);
	}
	if (bind(fd, (struct sockaddr *)&sun, len) == -1) {
		perror(name);
		exit(1);
	}
	return fd;
}

/* The next datagram, waiting at most a second; -1 if none came. */
static ssize_t
receive(int fd, char *buf, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, size, MSG_DONTWAIT);
}

static bool
nothing_pending(int fd)
{
	char buf[16];

	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN;
}

/* state is sent and arrives as exactly its bytes: no NUL, no newline. */
static void
check_datagram(int fd, int rc, const char *what, const char *expect)
{
	char buf[8192];
	ssize_t n;

	CHECK_MSG(rc == 0, "%s returned %d, expected 0", what, rc);
	n = receive(fd, buf, sizeof(buf));
	CHECK_MSG(n == (ssize_t)strlen(expect) && memcmp(buf, expect, strlen(expect)) == 0,
		  "%s: got %zd bytes \"%.*s\", expected %zu bytes \"%s\"", what, n,
	      n > 0 ? (int)n : 0, buf, strlen(expect), expect);
}

static void
test_path_socket(const char *dir)
{
	char path[256], big[5000];
	int fd;

	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	notify_init();
	CHECK_MSG(getenv("NOTIFY_SOCKET") == NULL,
		  "NOTIFY_SOCKET is gone from the environment after notify_init");

	check_datagram(fd, notify_send("READY=1"), "path: notify_send", "READY=1");
	check_datagram(fd, notify_send("STATUS=clamping on queues 0-3"), "path: notify_send status",
		       "STATUS=clamping on queues 0-3");
	check_datagram(fd, notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu", 123456789ULL),
		       "path: notify_sendf", "RELOADING=1\nMONOTONIC_USEC=123456789");
	check_datagram(fd, notify_sendf("STATUS=%s %u", "queues", 4U), "path: notify_sendf status",
		       "STATUS=queues 4");
	check_datagram(fd, notify_send("WATCHDOG=1"), "path: watchdog ping", "WATCHDOG=1");

	/* longer than the 4 KiB a state may be: refused whole, never truncated */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_MSG(notify_sendf("STATUS=%s", big) == -1, "a 5000-byte state is refused");
	CHECK_MSG(nothing_pending(fd), "a refused state sends nothing");

	/* the listener goes away (systemd restarted): an error, not a crash */
	close(fd);
	unlink(path);
	CHECK_MSG(notify_send("WATCHDOG=1") == -1, "send to a vanished socket returns -1");
}

static void
test_abstract_socket(void)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@mssclampd-test-notify-%ld", (long)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	notify_init();
	check_datagram(fd, notify_send("READY=1"), "abstract: notify_send", "READY=1");
	check_datagram(fd, notify_sendf("STOPPING=1"), "abstract: notify_sendf", "STOPPING=1");
	close(fd);
}

static void
test_unset(void)
{
	unsetenv("NOTIFY_SOCKET");
	notify_init();
	CHECK_MSG(notify_send("READY=1") == 0, "notify_send without NOTIFY_SOCKET returns 0");
	CHECK_MSG(notify_sendf("STATUS=%d", 1) == 0, "notify_sendf without NOTIFY_SOCKET returns 0");
}

static void
test_bad_address(void)
{
	const char *bad[] = {
		"relative/notify",    /* neither a path nor abstract */
		"@",                  /* an empty abstract name */
		("/a/path/longer/than/the/one/hundred/and/eight/bytes/of/sun_path/"
		 "in/struct/sockaddr_un/which/systemd/would/refuse/too"),
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		notify_init();
		CHECK_MSG(notify_send("READY=1") == -1, "NOTIFY_SOCKET=%s: notify_send fails", bad[i]);
	}
}

static void
check_watchdog(const char *usec, const char *pid, uint64_t expect)
{
	uint64_t got;

	unsetenv("NOTIFY_SOCKET");
	if (usec)
		setenv("WATCHDOG_USEC", usec, 1);
	else
		unsetenv("WATCHDOG_USEC");
	if (pid)
		setenv("WATCHDOG_PID", pid, 1);
	else
		unsetenv("WATCHDOG_PID");
	notify_init();
	got = notify_watchdog_usec();
	CHECK_MSG(got == expect, "WATCHDOG_USEC=%s WATCHDOG_PID=%s: got %llu, expected %llu",
		  usec ? usec : "(unset)", pid ? pid : "(unset)",
		  (unsigned long long)got, (unsigned long long)expect);
	CHECK_MSG(getenv("WATCHDOG_USEC") == NULL && getenv("WATCHDOG_PID") == NULL,
		  "WATCHDOG_* are gone from the environment after notify_init");
}

static void
test_watchdog(void)
{
	char self[32], other[32];

	snprintf(self, sizeof(self), "%ld", (long)getpid());
	snprintf(other, sizeof(other), "%ld", (long)getpid() + 1);

	check_watchdog(NULL, NULL, 0);
	check_watchdog("30000000", NULL, 30000000);
	check_watchdog("30000000", self, 30000000);
	check_watchdog("30000000", other, 0);      /* meant for another process */
	check_watchdog("30000000", "bogus", 0);
	check_watchdog("0", NULL, 0);
	check_watchdog("30s", NULL, 0);
	check_watchdog("-5", NULL, 0);
	check_watchdog("", NULL, 0);
	check_watchdog("18446744073709551615", self, UINT64_MAX);
	check_watchdog("18446744073709551616", self, 0); /* overflows */
}

int
main(void)
{
	char dir[] = "/tmp/mssclampd-test-notify.XXXXXX";

	log_init(0);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_path_socket(dir);
	rmdir(dir);
	test_abstract_socket();
	test_unset();
	test_bad_address();
	test_watchdog();

	return check_summary();
}
