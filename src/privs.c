/*
 * Least privilege with libcap-ng: after the queues are bound and the rules
 * are in, the daemon needs CAP_NET_ADMIN alone, for the verdicts' netlink
 * and for the firewall tools at exit. The capability is kept ambient too:
 * a non-root process loses its permitted set at execve unless the
 * capability is ambient, and iptables-nft, ip6tables-nft and nft work as a
 * non-root user with CAP_NET_ADMIN alone (they speak netlink; no
 * CAP_NET_RAW, no /run/xtables.lock). iptables-legacy does not: it wants
 * CAP_NET_RAW for its raw socket (and root's lock file), so with it the
 * daemon keeps CAP_NET_RAW too (raw).
 *
 * Capabilities belong to a thread, not a process, and the kernel checks
 * the sending thread's CAP_NET_ADMIN on every nfnetlink message, verdicts
 * included: call these before any thread starts. New threads copy the
 * creator's capabilities; threads already running keep theirs.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "log.h"
#include "privs.h"

/* Threads in this process; 1 when there is no /proc to ask. */
static unsigned
privs_threads(void)
{
	struct dirent *de;
	unsigned tasks = 0;
	DIR *dir;

	if ((dir = opendir("/proc/self/task")) == NULL)
		return 1;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			tasks++;
	closedir(dir);
	return tasks ? tasks : 1;
}

/* Already where privs_limit() would take us: nothing to change. */
static bool
kept(int cap, bool raw)
{
	return cap == CAP_NET_ADMIN || (raw && cap == CAP_NET_RAW);
}

static bool
privs_limited(bool raw)
{
	int cap;

	if (raw && !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW))
		return false;
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    !capng_have_capability(CAPNG_INHERITABLE, CAP_NET_ADMIN) ||
	    (geteuid() != 0 && !capng_have_capability(CAPNG_AMBIENT, CAP_NET_ADMIN)))
		return false;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!kept(cap, raw) &&
		    (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) ||
		     capng_have_capability(CAPNG_PERMITTED, (unsigned)cap)))
			return false;
	return true;
}

/*
 * Reads the capabilities back from the kernel: CAP_NET_ADMIN effective,
 * permitted and (if ambient) ambient, and nothing else effective or
 * permitted.
 */
static int
privs_verify(bool ambient, bool raw)
{
	int cap;

	if (capng_get_caps_process() != 0) {
		log_warn("privileges: cannot read capabilities back");
		return -1;
	}
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    !capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN) ||
	    (ambient && !capng_have_capability(CAPNG_AMBIENT, CAP_NET_ADMIN))) {
		log_err("privileges: CAP_NET_ADMIN lost%s", ambient ? " (or not ambient)" : "");
		return -1;
	}
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (kept(cap, raw))
			continue;
		if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) ||
		    capng_have_capability(CAPNG_PERMITTED, (unsigned)cap)) {
			log_err("privileges: %s still held", capng_capability_to_name((unsigned)cap));
			return -1;
		}
	}
	return 0;
}

int
privs_check_user(const char *user, char *why, size_t size, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		/* getpwnam(3): these mean "not found" too, depending on the NSS module */
		bool absent = errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF ||
			      errno == EPERM;

		snprintf(why, size, "%s", absent ? "no such user" : strerror(errno));
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(why, size, "is root (uid 0); name an unprivileged user, or leave user unset");
		return -1;
	}
	if (uid != NULL)
		*uid = pw->pw_uid;
	if (gid != NULL)
		*gid = pw->pw_gid;
	return 0;
}

int
privs_check(const char *user, bool raw)
{
	if (!raw || (user[0] == '\0' && geteuid() == 0))
		return 0;
	/* root's /run/xtables.lock is mode 0600: anyone else's tools fail at exit */
	log_err("iptables is iptables-legacy, whose lock /run/xtables.lock only root can take; "
		"it cannot run as %s%s: leave user = unset and run as root, or use "
		"iptables-nft, firewall = nftables or firewall = none",
		user[0] ? "user " : "a non-root user", user);
	return -1;
}

int
privs_drop(const char *user, bool raw)
{
	unsigned threads;
	uid_t uid;
	gid_t gid;
	char why[128];
	int rc;

	if (privs_check_user(user, why, sizeof(why), &uid, &gid) == -1) {
		log_err("user %s: %s", user, why);
		return -1;
	}
	if (geteuid() != 0) {
		log_err("cannot switch to user %s: not running as root", user);
		return -1;
	}
	/*
	 * The other threads would go through the uid change too (glibc makes
	 * every thread follow setresuid), but not through capng's KEEPCAPS or
	 * capset: they would lose CAP_NET_ADMIN, and a worker without it
	 * cannot send a verdict.
	 */
	if ((threads = privs_threads()) > 1) {
		log_err("cannot switch to user %s: %u threads already running; "
			"privileges must be dropped before any thread starts", user, threads);
		return -1;
	}

	/*
	 * What we keep once we are uid: capng_change_id() adds what it needs
	 * for the switch (CAP_SETUID, CAP_SETGID, CAP_SETPCAP) itself and
	 * drops it again at the end. Inheritable as well as permitted, or the
	 * kernel refuses to make it ambient.
	 */
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
			 CAPNG_AMBIENT, CAP_NET_ADMIN) != 0 ||
	    (raw && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
				 CAPNG_INHERITABLE | CAPNG_AMBIENT, CAP_NET_RAW) != 0)) {
		log_err("privileges: cannot keep CAP_NET_ADMIN");
		return -1;
	}
	rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc != 0) {
		/* the negative codes of capng_change_id(3): which step failed */
		log_warn("cannot switch to user %s (uid %u, gid %u): capng_change_id %d",
			 user, (unsigned)uid, (unsigned)gid, rc);
		return -1;
	}

	/* no way back: setuid(0) must fail now */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    setuid(0) != -1 || getgroups(0, NULL) != 0) {
		log_err("privileges: still able to regain root after switching to %s", user);
		return -1;
	}
	if (privs_verify(true, raw) == -1)
		return -1;
	log_info("running as user %s (uid %u) with CAP_NET_ADMIN%s alone", user, (unsigned)uid,
		 raw ? " and CAP_NET_RAW (for iptables-legacy)" : "");
	return 0;
}

int
privs_limit(bool raw)
{
	unsigned threads;
	bool bounding;

	if (capng_get_caps_process() != 0) {
		log_warn("privileges: cannot read capabilities");
		return -1;
	}
	/* e.g. systemd's CapabilityBoundingSet= and AmbientCapabilities= did it all */
	if (privs_limited(raw)) {
		log_debug("capabilities: CAP_NET_ADMIN alone already");
		return 0;
	}
	if ((threads = privs_threads()) > 1)
		log_warnx("capabilities: %u threads already running; only this one's are "
			  "limited: limit them before any thread starts", threads);
	/*
	 * The bounding set takes CAP_SETPCAP to change; under systemd with
	 * CapabilityBoundingSet= it is already ours, and we lack it.
	 */
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		log_err("privileges: CAP_NET_ADMIN is needed to bind the queues "
			"and to run the firewall tools, and it is not ours");
		return -1;
	}
	capng_clear(bounding ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
	/*
	 * As root, the tools get their capabilities at execve from the
	 * inheritable and bounding sets; as anyone else, from the ambient set.
	 */
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
			 CAPNG_AMBIENT | (bounding ? CAPNG_BOUNDING_SET : 0),
			 CAP_NET_ADMIN) != 0 ||
	    (raw && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
				 CAPNG_AMBIENT | (bounding ? CAPNG_BOUNDING_SET : 0),
				 CAP_NET_RAW) != 0) ||
	    capng_apply(bounding ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT) != 0) {
		log_warn("privileges: cannot limit capabilities to CAP_NET_ADMIN");
		return -1;
	}
	if (privs_verify(true, raw) == -1)
		return -1;
	log_info("capabilities limited to CAP_NET_ADMIN%s",
		 raw ? " and CAP_NET_RAW (for iptables-legacy)" : "");
	return 0;
}
