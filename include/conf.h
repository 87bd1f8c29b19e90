/*
 * Configuration: an INI file read into a struct that never changes after
 * load. A reload parses into a fresh struct and swaps only on success.
 */
#ifndef MSSCLAMPD_CONF_H
#define MSSCLAMPD_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define CONF_DEFAULT_PATH SYSCONFDIR "/mssclampd/mssclampd.conf"
#define CONF_IFNAMSIZ 16 /* IFNAMSIZ: 15 characters and the NUL */
/* Where `mssclampd status` finds the daemon; the unit's RuntimeDirectory=mssclampd. */
#define CONF_CONTROL_SOCKET_DEFAULT "/run/mssclampd/control"
#define CONF_SOCKET_PATH_MAX 107 /* sun_path: 108 bytes with the NUL */

enum conf_firewall { CONF_FIREWALL_IPTABLES, CONF_FIREWALL_NFTABLES, CONF_FIREWALL_NONE };
enum conf_mode { CONF_MODE_CLAMP, CONF_MODE_OBSERVE };
/* How the kernel picks one of several queues for a packet: a hash of its flow, or the CPU it arrived on. */
enum conf_fanout { CONF_FANOUT_FLOW, CONF_FANOUT_CPU };

/* One [interface NAME] section. NAME may be an fnmatch(3) glob such as ppp*. */
struct conf_iface {
	char pattern[CONF_IFNAMSIZ];
	unsigned line;      /* line of the section header, for messages */
	bool is_glob;
	unsigned overhead;  /* bytes of encapsulation the kernel MTU does not show */
	unsigned mtu;       /* 0: use the kernel's live MTU */
	unsigned mss;       /* 0: no cap; else the IPv4 cap (and IPv6's mss - 20 without mss6) */
	unsigned mss6;      /* 0: no IPv6 cap of its own; else the IPv6 cap */
	bool no_clamp;      /* clamp = no: its packets are left alone unless another interface clamps them */
};

struct conf {
	char path[PATH_MAX];          /* the file it came from; "" for the built-in default */
	unsigned queue_first;         /* NFQUEUE numbers queue_first .. queue_first + queue_count - 1 */
	unsigned queue_count;         /* queue = cpu: 0 until conf_load() counts the CPUs */
	bool queue_per_cpu;           /* queue = cpu: one queue per present CPU, from 0 */
	enum conf_fanout queue_fanout;
	unsigned queue_fanout_line;   /* where queue_fanout was set, for messages; 0 if it was not */
	unsigned queue_maxlen;        /* kernel queue length per queue */
	enum conf_firewall firewall;
	enum conf_mode mode;
	char stats_log[PATH_MAX];     /* logfmt stats; "-" for stderr, "" for none */
	char stats_json[PATH_MAX];    /* JSON lines stats; "" for none */
	char prometheus_textfile[PATH_MAX]; /* node_exporter textfile; "" for none */
	unsigned stats_interval;      /* seconds */
	char user[64];                /* drop to this user after start-up; "" to stay */
	unsigned user_line;           /* where user was set, for messages; 0 if it was not */
	bool heal_rules;              /* put back our rules when something removes them */
	char control_socket[CONF_SOCKET_PATH_MAX + 1]; /* `mssclampd status` asks here; "" for none */
	char control_group[64];       /* the socket's group (mode 0660); "" for mode 0600 */
	struct conf_iface *ifaces;    /* in file order */
	size_t n_ifaces;
};

/*
 * Called once per problem: "FILE:LINE: message" is the caller's to print. An
 * error refuses the file (at start-up, on reload and with --check alike); a
 * warning is said and the file is used.
 */
enum conf_level { CONF_ERROR, CONF_WARNING };
typedef void conf_report_fn(void *arg, enum conf_level level, const char *file, unsigned line,
			    const char *msg);

/*
 * The built-in default: one queue per CPU (queue = cpu, not counted yet),
 * iptables rules kept in place, every interface at its live MTU, stats to
 * stderr, the control socket at CONF_CONTROL_SOCKET_DEFAULT.
 */
void conf_defaults(struct conf *conf);

/*
 * The parser, a line at a time: conf_load() (conffile.h) feeds it a file.
 * conf_parser_new() initialises *conf and names path in every message (NULL
 * if out of memory); conf_parser_finish() frees the parser and returns 0, or
 * -1 if anything was wrong, in which case *conf holds nothing to free.
 * Every error is reported, not only the first. A file that parses is then
 * checked as a whole (conf_check()).
 */
struct conf_parser;
struct conf_parser *conf_parser_new(struct conf *conf, const char *path,
				    conf_report_fn *report, void *arg);
/* One line, with or without its "\n" or "\r\n"; a NUL inside is an error. */
void conf_parser_line(struct conf_parser *parser, const char *line, size_t len);
/* Reports msg at the line last fed (0 before any) and fails the parse: a reader's own error. */
void conf_parser_error(struct conf_parser *parser, const char *msg);
int conf_parser_finish(struct conf_parser *parser);

/* A whole file's text buf[0..len), as read from path, through the parser. 0 or -1. */
int conf_parse_buffer(struct conf *conf, const char *path, const char *buf, size_t len,
		      conf_report_fn *report, void *arg);

/*
 * The checks that need the whole file, none of which needs the system:
 * an interface section whose mtu its overhead leaves nothing of (an error);
 * one whose effective MTU is below IPv4's 576 or IPv6's 1280 (a warning:
 * the MSS is held at its floor); a glob no interface name can match, or one
 * hidden behind an earlier glob that matches every name it matches (a
 * warning: the section does nothing). Returns the number of errors. Pure;
 * confcheck.c. conf_parser_finish() runs it.
 */
int conf_check(const struct conf *conf, conf_report_fn *report, void *arg);

/* Frees what a successful parse allocated. */
void conf_free(struct conf *conf);

/* The section for interface name: an exact name first, else the first matching glob. NULL if none. */
const struct conf_iface *conf_iface_find(const struct conf *conf, const char *ifname);

/* Whether an interface with section iface (NULL: none) is clamped: all are but clamp = no. */
static inline bool
conf_iface_clamps(const struct conf_iface *iface)
{
	return iface == NULL || !iface->no_clamp;
}

const char *conf_firewall_name(enum conf_firewall firewall);

/* "queue 3", "queues 0-3" or "queues 0-3 by CPU", for messages. */
void conf_queues_text(char *buf, size_t size, unsigned first, unsigned count,
		      enum conf_fanout fanout);

/*
 * A reload keeps what only a restart can change (queues, queue_fanout,
 * queue_maxlen, firewall, user, control_socket, control_group): copies those from
 * running into fresh. True if fresh asked for something else, which the
 * caller should say.
 */
bool conf_keep_restart_settings(struct conf *fresh, const struct conf *running);

#endif
