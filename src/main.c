/*
 * mssclampd: clamps the TCP MSS of SYNs that netfilter queues to us.
 *
 * Start-up order: config, interfaces, routes, queues bound, firewall rules, stats,
 * the control socket, privileges dropped, then the worker threads and the
 * firewall's helper thread (which inherit the dropped privileges), READY.
 * Shutdown reverses it: the control socket, then the rules, so nothing new
 * is queued, then the workers drain and unbind.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "conffile.h"
#include "control.h"
#include "firewall.h"
#include "links.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "report.h"
#include "routes.h"
#include "view.h"
#include "worker.h"

enum event_source { EV_SIGNAL, EV_LINKS, EV_ROUTES, EV_STATS, EV_WATCHDOG, EV_CONTROL };

struct daemon {
	struct conf conf;
	const char *conf_path;      /* what SIGHUP reloads */
	bool conf_explicit;         /* -c given: the file must exist */
	bool observe;               /* --dry-run: observe whatever the file says */
	struct links *links;
	struct routes *routes;
	struct firewall *firewall;
	struct control *control;    /* NULL: no control socket */
	struct report *report;
	struct view *view;          /* the one the workers use; only this thread frees views */
	struct workers *workers;
	int epoll_fd, signal_fd, links_fd, stats_fd, watchdog_fd;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: mssclampd [-c FILE] [-n] [-d] [-v]\n"
		"       mssclampd calc [--mtu MTU] [--overhead OVERHEAD] [--mss MSS]\n"
		"       mssclampd presets\n"
		"       mssclampd status [--json] [--socket PATH]\n"
		"\n"
		"  -c, --config FILE  configuration (default " CONF_DEFAULT_PATH ";\n"
		"                     without it, a built-in default clamps every\n"
		"                     interface to its live MTU, one queue per CPU)\n"
		"  -n, --check        check the configuration and exit\n"
		"  -d, --dry-run      observe: count what would be clamped, change nothing\n"
		"  -v, --verbose      debug messages\n"
		"  -V, --version      print the version and exit\n");
}

static void
conf_report(void *arg, enum conf_level level, const char *file, unsigned line, const char *msg)
{
	(void)arg;
	if (level == CONF_WARNING)
		log_warnx("%s:%u: warning: %s", file, line, msg);
	else if (line == 0)
		log_err("%s: %s", file, msg); /* the file itself: missing, unreadable */
	else
		log_err("%s:%u: %s", file, line, msg);
}

/* The config the daemon runs on: the file, or the built-in default when the default file is absent. */
static int
load_config(struct daemon *d, struct conf *conf)
{
	if (conf_load_or_default(conf, d->conf_path, d->conf_explicit, conf_report, NULL) == -1)
		return -1;
	if (d->observe)
		conf->mode = CONF_MODE_OBSERVE;
	return 0;
}

static int
arm_timer(int fd, uint64_t usec)
{
	struct itimerspec its = {
		.it_interval = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 },
		.it_value = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 },
	};

	return timerfd_settime(fd, 0, &its, NULL);
}

/* The view of the interfaces and routes as they are now, under conf. NULL on ENOMEM. */
static struct view *
build_view(struct daemon *d, const struct conf *conf)
{
	const struct route *routes;
	size_t n;

	routes = routes_list(d->routes, &n);
	return view_build(links_table(d->links), routes, n, conf, report_slot, d->report);
}

/* A new view for the workers, after a link, a route or the config changed. */
static void
publish_view(struct daemon *d, const struct conf *conf)
{
	struct view *view = build_view(d, conf);

	if (view == NULL) {
		log_warn("building the interface view; the old one stays");
		return;
	}
	/* after this no worker uses an older view */
	workers_publish(d->workers, view);
	d->view = view;
	report_published(d->report, view, conf, d->workers);
}

static void
reload(struct daemon *d)
{
	struct conf fresh;

	notify_send("RELOADING=1");
	if (load_config(d, &fresh) == -1) {
		log_err("reload: %s has errors; the running configuration stays", d->conf_path);
		report_reopen(d->report, &d->conf);
		notify_send("READY=1\nSTATUS=Reload failed: configuration errors; running the old one");
		return;
	}
	if (conf_keep_restart_settings(&fresh, &d->conf))
		log_warnx("queue, queue_fanout, queue_maxlen, firewall, user, control_socket and "
			  "control_group take effect at the next restart");
	firewall_set_heal(d->firewall, fresh.heal_rules);
	publish_view(d, &fresh);
	report_reopen(d->report, &fresh);
	if (fresh.stats_interval != d->conf.stats_interval)
		arm_timer(d->stats_fd, (uint64_t)fresh.stats_interval * 1000000);
	conf_free(&d->conf);
	d->conf = fresh;
	log_info("reloaded %s", d->conf.path[0] ? d->conf.path : "the built-in default");
	notify_send("READY=1\nSTATUS=Clamping");
}

/* false: time to stop. */
static bool
on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: stopping", si.ssi_signo);
			return false;
		case SIGHUP:
			reload(d);
			break;
		case SIGUSR1:
			report_write(d->report, d->workers, &d->conf, d->firewall);
			break;
		}
	}
	return true;
}

/* What the kernel says of interfaces or routes changed, or could not be followed. */
static void
on_kernel_news(struct daemon *d, int changed, const char *what)
{
	/* blind to MTU changes: better restarted (systemd) than wrong;
	 * --queue-bypass carries traffic meanwhile */
	if (changed == -1)
		fatalx("lost track of the %s", what);
	if (changed == 1)
		publish_view(d, &d->conf);
}

static bool
on_event(struct daemon *d, enum event_source source)
{
	const struct control_modules modules = {
		&d->conf, d->links, d->view, d->report, d->workers, d->firewall,
	};
	uint64_t ticks;

	switch (source) {
	case EV_SIGNAL:
		return on_signal(d);
	case EV_LINKS:
		on_kernel_news(d, links_dispatch(d->links), "interfaces");
		break;
	case EV_ROUTES:
		on_kernel_news(d, routes_dispatch(d->routes), "routes");
		break;
	case EV_STATS:
		if (read(d->stats_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
			report_write(d->report, d->workers, &d->conf, d->firewall);
		break;
	case EV_CONTROL:
		control_dispatch(d->control, &modules);
		break;
	case EV_WATCHDOG:
		/* only a loop that still turns is alive: a wedged worker gets us restarted */
		if (read(d->watchdog_fd, &ticks, sizeof(ticks)) == sizeof(ticks) &&
		    workers_alive(d->workers))
			notify_send("WATCHDOG=1");
		break;
	}
	return true;
}

static void
watch(struct daemon *d, int fd, enum event_source source)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = source };

	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll_ctl");
}

static void
start(struct daemon *d)
{
	uint64_t watchdog_usec = notify_watchdog_usec();
	char queues[32];
	sigset_t mask;
	bool raw;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->stats_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epoll_fd == -1 || d->signal_fd == -1 || d->stats_fd == -1 || d->watchdog_fd == -1)
		fatal("event loop");

	if ((d->links = links_open()) == NULL)
		fatalx("cannot read the interfaces");
	if ((d->routes = routes_open()) == NULL)
		fatalx("cannot read the routes");
	if ((d->report = report_new()) == NULL)
		fatalx("cannot start");
	d->view = build_view(d, &d->conf);
	if (d->view == NULL)
		fatal("cannot build the interface view");
	if ((d->workers = workers_open(&d->conf, d->view)) == NULL) {
		view_free(d->view);
		fatalx("cannot bind queue %u%s", d->conf.queue_first,
		       d->conf.queue_count > 1 ? " and the following" : "");
	}
	d->firewall = firewall_new(d->conf.firewall, d->conf.queue_first, d->conf.queue_count,
				   d->conf.queue_fanout);
	raw = d->firewall != NULL && firewall_needs_raw(d->firewall);
	if (privs_check(d->conf.user, raw) == -1) {
		/* like a config error: RestartPreventExitStatus= ends the restarts */
		workers_stop(d->workers);
		exit(EX_CONFIG);
	}
	if (d->firewall == NULL || firewall_install(d->firewall) == -1) {
		workers_stop(d->workers);
		fatalx("cannot install the firewall rules");
	}
	d->control = control_open(&d->conf);
	/* threads after the drop: a thread keeps its creator's capabilities */
	if ((d->conf.user[0] ? privs_drop(d->conf.user, raw) : privs_limit(raw)) == -1 ||
	    workers_run(d->workers) == -1 ||
	    firewall_start(d->firewall, d->conf.heal_rules) == -1) {
		control_close(d->control);
		firewall_remove(d->firewall);
		workers_stop(d->workers);
		fatalx("cannot start");
	}
	/* as the user who reopens them at every reload, never as root before the drop */
	report_reopen(d->report, &d->conf);

	watch(d, d->signal_fd, EV_SIGNAL);
	watch(d, links_fd(d->links), EV_LINKS);
	watch(d, links_timer_fd(d->links), EV_LINKS);
	watch(d, routes_fd(d->routes), EV_ROUTES);
	watch(d, d->stats_fd, EV_STATS);
	if (d->control != NULL)
		watch(d, control_fd(d->control), EV_CONTROL);
	arm_timer(d->stats_fd, (uint64_t)d->conf.stats_interval * 1000000);
	if (watchdog_usec) {
		watch(d, d->watchdog_fd, EV_WATCHDOG);
		arm_timer(d->watchdog_fd, watchdog_usec / 2 > 500000 ? watchdog_usec / 2 : 500000);
	}
	report_published(d->report, d->view, &d->conf, d->workers);
	conf_queues_text(queues, sizeof(queues), d->conf.queue_first, d->conf.queue_count,
			 d->conf.queue_fanout);
	log_info("ready: %s on %s, firewall %s, %zu interfaces",
		 d->conf.mode == CONF_MODE_OBSERVE ? "observing (dry run: nothing is changed)" : "clamping",
		 queues, conf_firewall_name(d->conf.firewall), links_table(d->links)->count);
	notify_sendf("READY=1\nSTATUS=%s on %s", d->conf.mode == CONF_MODE_OBSERVE ?
		     "Observing" : "Clamping", queues);
}

static int
stop(struct daemon *d)
{
	int status = 0;

	notify_send("STOPPING=1");
	control_close(d->control);
	if (firewall_remove(d->firewall) == -1)
		status = 1;
	firewall_free(d->firewall);
	workers_stop(d->workers); /* drains, unbinds, frees the view */
	d->workers = NULL;
	report_free(d->report);
	routes_close(d->routes);
	links_close(d->links);
	conf_free(&d->conf);
	close(d->watchdog_fd);
	close(d->stats_fd);
	close(d->signal_fd);
	close(d->epoll_fd);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d = { .conf_path = CONF_DEFAULT_PATH };
	struct epoll_event events[8];
	bool check = false, running = true;
	int verbosity = 0, c, i, n;

	if (argc > 1 && strcmp(argv[1], "calc") == 0)
		return cli_calc(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "presets") == 0)
		return cli_presets(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "status") == 0)
		return cli_status(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "c:ndvVh", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.conf_path = optarg;
			d.conf_explicit = true;
			break;
		case 'n':
			check = true;
			break;
		case 'd':
			d.observe = true;
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("mssclampd %s\n", MSSCLAMPD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(verbosity);
	/* EX_CONFIG: the unit's RestartPreventExitStatus=, no restart loop on a broken file */
	if (load_config(&d, &d.conf) == -1)
		return EX_CONFIG;
	if (check) {
		printf("%s: configuration OK\n", d.conf.path[0] ? d.conf.path : "built-in default");
		conf_free(&d.conf);
		return 0;
	}
	notify_init();
	start(&d);
	while (running) {
		n = epoll_wait(d.epoll_fd, events, 8, -1);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n && running; i++)
			running = on_event(&d, (enum event_source)events[i].data.u32);
	}
	report_write(d.report, d.workers, &d.conf, d.firewall); /* the last record */
	return stop(&d);
}
