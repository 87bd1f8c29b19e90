/*
 * The rules that send SYNs to our queues: a chain of our own in the mangle
 * table, jumped to from FORWARD, OUTPUT and INPUT, for IPv4 and IPv6
 * (iptables), or a table of our own (nftables). Always --queue-bypass, so a
 * stopped daemon never blackholes a connection. Runs the firewall's own tools.
 */
#ifndef MSSCLAMPD_FIREWALL_H
#define MSSCLAMPD_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

#define FIREWALL_CHAIN "MSSCLAMPD"   /* iptables chain */
#define FIREWALL_TABLE "mssclampd"   /* nftables table (family inet) */

/*
 * Installs (or replaces) the rules for queues first .. first + count - 1.
 * Idempotent: a restart after kill -9 leaves one set. 0, or -1 after logging why.
 */
int firewall_install(enum conf_firewall firewall, unsigned first, unsigned count);

/* Removes every rule firewall_install() made; quiet when there are none. 0 or -1. */
int firewall_remove(enum conf_firewall firewall);

/*
 * True when the tool is iptables-legacy, which needs CAP_NET_RAW (and root's
 * /run/xtables.lock) besides CAP_NET_ADMIN; iptables-nft and nft do not.
 */
bool firewall_needs_raw(enum conf_firewall firewall);

/* Packets that reached our queueing rules, per family (STATS_IPV4, STATS_IPV6). 0 or -1. */
int firewall_packets(enum conf_firewall firewall, uint64_t packets[2]);

#endif
