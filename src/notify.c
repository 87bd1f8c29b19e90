/*
 * sd_notify(3) without libsystemd: one datagram per state change to the
 * AF_UNIX socket named by $NOTIFY_SOCKET, a path or, with a leading '@', a
 * name in the abstract namespace. Routers without systemd never set it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "text.h"

/* Longest state we send; systemd itself reads up to NOTIFY_BUFFER_MAX (4 KiB). */
#define NOTIFY_STATE_MAX 4096

static int notify_fd = -1;
static bool notify_enabled;      /* NOTIFY_SOCKET was set, usable or not */
static struct sockaddr_un notify_addr;
static socklen_t notify_addrlen;
static uint64_t notify_watchdog;
static atomic_bool notify_warned;

static int
notify_parse_address(const char *name)
{
	size_t len = strlen(name);

	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	if (name[0] == '@') {
		/* abstract: a leading NUL, then the name, not NUL-terminated */
		if (len < 2 || len > sizeof(notify_addr.sun_path))
			return -1;
		memcpy(notify_addr.sun_path + 1, name + 1, len - 1);
		notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
		return 0;
	}
	if (name[0] != '/' || len >= sizeof(notify_addr.sun_path))
		return -1;
	memcpy(notify_addr.sun_path, name, len);
	notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return 0;
}

static uint64_t
notify_read_watchdog(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uint64_t interval, owner;

	/* whole decimal numbers that fit 64 bits, or nothing: "30000000x" is no watchdog */
	if (usec == NULL || text_parse_decimal(usec, strlen(usec), &interval) != 0 ||
	    interval == 0)
		return 0;
	/*
	 * sd_watchdog_enabled(3): WATCHDOG_PID, when set, names the process
	 * the watchdog is meant for; a child that inherited it is not it.
	 */
	if (pid != NULL && (text_parse_decimal(pid, strlen(pid), &owner) != 0 ||
			    owner != (uint64_t)getpid()))
		return 0;
	return interval;
}

void
notify_init(void)
{
	const char *name = getenv("NOTIFY_SOCKET");

	if (notify_fd != -1)
		close(notify_fd);
	notify_fd = -1;
	notify_enabled = false;
	atomic_store(&notify_warned, false);
	notify_watchdog = notify_read_watchdog();

	if (name != NULL) {
		notify_enabled = true;
		if (notify_parse_address(name) == -1)
			log_warnx("NOTIFY_SOCKET=%s: not an absolute path or @abstract name "
				  "that fits a unix socket address", name);
		else if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			log_warn("NOTIFY_SOCKET: socket");
	}

	/*
	 * As sd_notify(unset_environment=1) does: the firewall tools we run
	 * must not inherit a channel that speaks for us, nor our watchdog.
	 */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static int
notify_write(const char *state, size_t len)
{
	ssize_t n;

	if (!notify_enabled)
		return 0;
	if (notify_fd == -1) {
		errno = EINVAL;
		return -1;
	}
	n = sendto(notify_fd, state, len, MSG_NOSIGNAL,
		   (const struct sockaddr *)&notify_addr, notify_addrlen);
	if (n == -1 || (size_t)n != len) {
		/* the watchdog pings every few seconds: say it once */
		if (!atomic_exchange(&notify_warned, true))
			log_warn("NOTIFY_SOCKET: cannot send \"%.*s\"",
				 (int)(len < 64 ? len : 64), state);
		if (n != -1)
			errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
notify_send(const char *state)
{
	return notify_write(state, strlen(state));
}

int
notify_sendf(const char *fmt, ...)
{
	char state[NOTIFY_STATE_MAX];
	va_list ap;
	int n;

	if (!notify_enabled)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	/* a truncated state could read as another one: send none */
	if (n < 0 || (size_t)n >= sizeof(state)) {
		errno = EMSGSIZE;
		return -1;
	}
	return notify_write(state, (size_t)n);
}

uint64_t
notify_watchdog_usec(void)
{
	return notify_watchdog;
}
