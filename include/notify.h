/*
 * The systemd notification protocol (sd_notify(3)), a datagram to
 * $NOTIFY_SOCKET, implemented directly so routers without systemd need no
 * libsystemd. Every call is a no-op when NOTIFY_SOCKET is unset.
 */
#ifndef MSSCLAMPD_NOTIFY_H
#define MSSCLAMPD_NOTIFY_H

#include <stdint.h>

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID; call once at start. */
void notify_init(void);

/* Sends a state string such as "READY=1" or "STATUS=...". 0, or -1 on failure. */
int notify_send(const char *state);

/* As notify_send() with a printf format. */
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval systemd expects WATCHDOG=1 within, in microseconds; 0 if none. */
uint64_t notify_watchdog_usec(void);

#endif
