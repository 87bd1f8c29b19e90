/*
 * The legacy tables' blob. Each entry is an ipt_entry (ip6t_entry for
 * IPv6): matches, then a target at target_offset, the next entry at
 * next_offset. A user chain starts with an ERROR target whose data is the
 * chain's name and ends with a RETURN; the table ends with an ERROR target
 * named "ERROR". Built-in chains start at the hook_entry offsets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "fw_backend.h"
#include "fw_xtables.h"
#include "log.h"

#define FWXT_TABLE "mangle"
#define FWXT_TRIES 3              /* the table may change between GET_INFO and GET_ENTRIES */
#define FWXT_MAX_SIZE (64u << 20) /* a table's blob: a bound, far above any router's */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* Where the fields every entry has are, per family. */
struct fwxt_layout {
	size_t entry_size, target_offset, next_offset, counters;
};

static const struct fwxt_layout fwxt_layout4 = {
	sizeof(struct ipt_entry), offsetof(struct ipt_entry, target_offset),
	offsetof(struct ipt_entry, next_offset), offsetof(struct ipt_entry, counters),
};
static const struct fwxt_layout fwxt_layout6 = {
	sizeof(struct ip6t_entry), offsetof(struct ip6t_entry, target_offset),
	offsetof(struct ip6t_entry, next_offset), offsetof(struct ip6t_entry, counters),
};

struct fw_xtables {
	int fd[2];                /* AF_INET, AF_INET6 raw sockets */
	unsigned char *buf;       /* the last read's blob, grown as needed */
	size_t bufsize;
};

static uint64_t
fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len-- > 0)
		h = (h ^ *p++) * FNV_PRIME;
	return h;
}

static uint16_t
fwxt_u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Whether off is where a built-in chain begins. */
static bool
fwxt_hook_start(const struct fw_xtables_info *info, size_t off)
{
	int h;

	for (h = 0; h < FW_XTABLES_HOOKS; h++)
		if ((info->valid_hooks & (1u << h)) && info->hook_entry[h] == off)
			return true;
	return false;
}

int
fw_xtables_parse(int family, const struct fw_xtables_info *info, const void *entries,
		 size_t size, struct fw_xtables_scan *scan)
{
	const struct fwxt_layout *lay = family == 6 ? &fwxt_layout6 : &fwxt_layout4;
	const unsigned char *blob = entries;
	bool ours = false;
	size_t off = 0;
	uint64_t h;

	memset(scan, 0, sizeof(*scan));
	h = fnv(FNV_OFFSET, info, sizeof(*info));
	while (off < size) {
		const unsigned char *e = blob + off, *t;
		size_t next, target, tsize;
		struct xt_counters c;
		char name[XT_EXTENSION_MAXNAMELEN];

		if (size - off < lay->entry_size)
			return -1;
		next = fwxt_u16(e + lay->next_offset);
		target = fwxt_u16(e + lay->target_offset);
		if (next < lay->entry_size || next > size - off || target < lay->entry_size ||
		    target > next || next - target < sizeof(struct xt_entry_target))
			return -1;
		t = e + target;
		tsize = fwxt_u16(t + offsetof(struct xt_entry_target, u.user.target_size));
		if (tsize < sizeof(struct xt_entry_target) || tsize > next - target)
			return -1;
		memcpy(name, t + offsetof(struct xt_entry_target, u.user.name), sizeof(name));
		name[sizeof(name) - 1] = '\0';

		/* the rule as written, without the counters that change under it */
		h = fnv(h, e, lay->counters);
		h = fnv(h, e + lay->counters + sizeof(c), next - lay->counters - sizeof(c));

		if (fwxt_hook_start(info, off))
			ours = false;
		if (strcmp(name, XT_ERROR_TARGET) == 0) {
			/* a user chain's head: its name is the target's data */
			char chain[XT_FUNCTION_MAXNAMELEN];
			size_t room = tsize - sizeof(struct xt_entry_target);

			if (room > sizeof(chain) - 1)
				room = sizeof(chain) - 1;
			memcpy(chain, t + sizeof(struct xt_entry_target), room);
			chain[room] = '\0';
			ours = strcmp(chain, FIREWALL_CHAIN) == 0;
		} else if (ours && strcmp(name, "NFQUEUE") == 0) {
			memcpy(&c, e + lay->counters, sizeof(c));
			scan->packets += c.pcnt;
			scan->found = true;
		}
		off += next;
	}
	scan->signature = h;
	return 0;
}

struct fw_xtables *
fw_xtables_open(void)
{
	struct fw_xtables *xt = calloc(1, sizeof(*xt));

	if (xt == NULL) {
		log_warn("iptables-legacy tables");
		return NULL;
	}
	xt->fd[0] = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	xt->fd[1] = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (xt->fd[0] == -1 || xt->fd[1] == -1) {
		log_warn("iptables-legacy tables: raw socket");
		fw_xtables_close(xt);
		return NULL;
	}
	return xt;
}

void
fw_xtables_close(struct fw_xtables *xt)
{
	int f;

	if (xt == NULL)
		return;
	for (f = 0; f < FW_FAMILIES; f++)
		if (xt->fd[f] >= 0)
			close(xt->fd[f]);
	free(xt->buf);
	free(xt);
}

/* One family's table: info, then its entries; retried when it changed in between. */
static int
fwxt_read_family(struct fw_xtables *xt, int f, struct fw_xtables_scan *scan)
{
	/* the IPv6 structures are the IPv4 ones under other names, option numbers alike */
	_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo) &&
		       sizeof(struct ipt_get_entries) == sizeof(struct ip6t_get_entries) &&
		       IPT_SO_GET_INFO == IP6T_SO_GET_INFO && IPT_SO_GET_ENTRIES == IP6T_SO_GET_ENTRIES,
		       "both families' requests are alike");
	int level = f == 0 ? SOL_IP : SOL_IPV6, tries, h;
	struct fw_xtables_info info;
	struct ipt_get_entries *get;
	struct ipt_getinfo gi;
	socklen_t len;
	size_t need;

	for (tries = 0; tries < FWXT_TRIES; tries++) {
		memset(&gi, 0, sizeof(gi));
		strcpy(gi.name, FWXT_TABLE);
		len = sizeof(gi);
		if (getsockopt(xt->fd[f], level, IPT_SO_GET_INFO, &gi, &len) == -1)
			return -1;
		if (gi.size > FWXT_MAX_SIZE) {
			errno = EFBIG;
			return -1;
		}
		need = sizeof(*get) + gi.size;
		if (need > xt->bufsize) {
			unsigned char *grown = realloc(xt->buf, need);

			if (grown == NULL)
				return -1;
			xt->buf = grown;
			xt->bufsize = need;
		}
		get = (struct ipt_get_entries *)xt->buf;
		memset(get, 0, sizeof(*get));
		strcpy(get->name, FWXT_TABLE);
		get->size = gi.size;
		len = (socklen_t)need;
		if (getsockopt(xt->fd[f], level, IPT_SO_GET_ENTRIES, get, &len) == -1) {
			if (errno == EAGAIN)
				continue; /* the table changed size meanwhile */
			return -1;
		}
		memset(&info, 0, sizeof(info));
		info.valid_hooks = gi.valid_hooks;
		for (h = 0; h < FW_XTABLES_HOOKS; h++) {
			info.hook_entry[h] = gi.hook_entry[h];
			info.underflow[h] = gi.underflow[h];
		}
		info.num_entries = gi.num_entries;
		info.size = gi.size;
		if (fw_xtables_parse(f == 0 ? 4 : 6, &info, get->entrytable, gi.size, scan) == -1) {
			errno = EBADMSG;
			return -1;
		}
		return 0;
	}
	return -1;
}

int
fw_xtables_read(struct fw_xtables *xt, struct fw_xtables_scan scan[2])
{
	int f;

	for (f = 0; f < FW_FAMILIES; f++) {
		if (fwxt_read_family(xt, f, &scan[f]) == -1) {
			log_debug("iptables-legacy: reading the %s mangle table: %s",
				  f == 0 ? "IPv4" : "IPv6", strerror(errno));
			return -1;
		}
	}
	return 0;
}
