/*
 * The rules that send SYNs to our queues: a chain of our own in the mangle
 * table, jumped to from FORWARD, OUTPUT and INPUT, for IPv4 and IPv6
 * (iptables), or a table of our own (nftables). Always --queue-bypass, so a
 * stopped daemon never blackholes a connection. Runs the firewall's own
 * tools.
 *
 * Install and remove run the tools on the caller's thread (start-up and
 * stop only). After start-up a helper thread of ours keeps the rules in
 * place: it watches the ruleset (nf_tables change events, or the legacy
 * tables read once a second), checks our rules with the tools when they
 * may have changed, and puts back what is gone, backing off when something
 * removes them again and again (backoff.h). The event loop never waits on
 * it: what it knows is read under a lock (firewall_counts(),
 * firewall_status()).
 */
#ifndef MSSCLAMPD_FIREWALL_H
#define MSSCLAMPD_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "status.h"

/* With iptables-legacy, packet counts come from the helper thread's reading, at most this old. */
#define FIREWALL_COUNTS_MAX_AGE_MS 60000

struct firewall;

/* The packets our rules matched, per family ([0] IPv4, [1] IPv6). */
struct firewall_counts {
	uint64_t packets[2];
	uint64_t epoch[2];   /* changes when the counting rule was made anew (bypass.h) */
};

/*
 * The rules for queues first .. first + count - 1 with this tool, several
 * picked by fanout; nothing is run yet. NULL (logged) if out of memory.
 */
struct firewall *firewall_new(enum conf_firewall kind, unsigned first, unsigned count,
			      enum conf_fanout fanout);

/*
 * Installs (or replaces) the rules; blocking: start-up only, before the loop.
 * Idempotent: a restart after kill -9 leaves one set. Learns whether
 * iptables is iptables-legacy (iptables -V). 0, or -1 after logging why.
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
 * Known after firewall_install() (else it runs iptables -V: start-up only).
 */
bool firewall_needs_raw(struct firewall *fw);

/*
 * Starts keeping the rules in place (nothing for firewall = none): the
 * sockets it watches with, then the helper thread, with every signal
 * blocked. A thread inherits its creator's capabilities and keeps them
 * whatever the creator drops later: call this after privileges are
 * dropped. heal: put back what is gone (else only say so). 0, or -1 (logged).
 */
int firewall_start(struct firewall *fw, bool heal);

/* Turns healing on or off (a reload); on again, the rules are checked at once. */
void firewall_set_heal(struct firewall *fw, bool heal);

/*
 * The packets our rules matched, now: read over netlink with the nf_tables
 * backends (iptables-nft, nft), which never waits; with iptables-legacy the
 * helper thread's last reading, if at most FIREWALL_COUNTS_MAX_AGE_MS old.
 * 0, or -1: unknown (firewall = none, rules missing, a failed read).
 */
int firewall_counts(struct firewall *fw, struct firewall_counts *counts);

/* How often the rules were put back; false for firewall = none (the operator's rules). */
bool firewall_restored(struct firewall *fw, uint64_t *restored);

/* The firewall part of a status: backend, the rules' state, healing. */
void firewall_status(struct firewall *fw, struct status *st);

/* Stops the helper thread (a tool it runs is killed; bounded), frees. The rules stay. NULL is fine. */
void firewall_free(struct firewall *fw);

#endif
