/*
 * The rules that send SYNs to our queues: a chain of our own in the mangle
 * table, jumped to from FORWARD, OUTPUT and INPUT, for IPv4 and IPv6
 * (iptables), or a table of our own (nftables). Always --queue-bypass, so a
 * stopped daemon never blackholes a connection. Runs the firewall's own tools.
 *
 * Install and remove run the tools on the caller's thread (start-up and
 * stop only). Everything else runs on a helper thread of ours, so that the
 * event loop never waits on a child: the loop makes a request, the thread
 * runs the tools and makes firewall_fd() readable, firewall_dispatch()
 * hands over the result.
 */
#ifndef MSSCLAMPD_FIREWALL_H
#define MSSCLAMPD_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

struct firewall;

/* What the helper thread has for the loop since the last firewall_dispatch(). */
struct firewall_news {
	bool have_packets;      /* a packet count finished and succeeded */
	uint64_t packets[2];    /* packets our queueing rules matched: [0] IPv4, [1] IPv6 */
};

/* The rules for queues first .. first + count - 1 with this tool; nothing is run yet. NULL (logged) if out of memory. */
struct firewall *firewall_new(enum conf_firewall kind, unsigned first, unsigned count);

/*
 * Installs (or replaces) the rules; blocking: start-up only, before the loop.
 * Idempotent: a restart after kill -9 leaves one set. 0, or -1 after logging why.
 */
int firewall_install(struct firewall *fw);

/*
 * Removes every rule firewall_install() made, quiet when there are none;
 * blocking: at stop. Stops the helper thread first (a tool it runs is
 * killed) so that nothing touches the rules while they go. 0 or -1.
 */
int firewall_remove(struct firewall *fw);

/*
 * True when the tool is iptables-legacy, which needs CAP_NET_RAW (and root's
 * /run/xtables.lock) besides CAP_NET_ADMIN; iptables-nft and nft do not.
 * Blocking (runs iptables -V): start-up only.
 */
bool firewall_needs_raw(struct firewall *fw);

/*
 * Starts the helper thread (none for firewall = none), with every signal
 * blocked. A thread inherits its creator's capabilities and keeps them
 * whatever the creator drops later: call this after privileges are
 * dropped, or the tools run with the privileges the daemon gave up.
 * 0, or -1 (logged).
 */
int firewall_start(struct firewall *fw);

/* Readable when firewall_dispatch() may have news; -1 for none, before start and after remove. */
int firewall_fd(const struct firewall *fw);

/*
 * Asks the helper thread to count the packets our rules matched; does not
 * wait. A request made while another is still pending merges with it.
 * false: no counters (firewall = none: the operator's rules; or no thread).
 */
bool firewall_request_packets(struct firewall *fw);

/*
 * Takes the news (never waits on a tool): 1 when a request was answered
 * (news->have_packets false if the count failed, logged), 0 when there is
 * none. news is filled either way.
 */
int firewall_dispatch(struct firewall *fw, struct firewall_news *news);

/* Stops the helper thread (a tool it runs is killed; bounded), frees. The rules stay. NULL is fine. */
void firewall_free(struct firewall *fw);

#endif
