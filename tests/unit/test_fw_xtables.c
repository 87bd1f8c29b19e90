/*
 * fw_xtables_parse(): iptables-legacy rule blobs as the kernel hands them
 * over (built here from the kernel's own structures): our chain's NFQUEUE
 * packets and no one else's, a signature blind to counters and to nothing
 * else, and every malformed offset refused.
 */
#include <stddef.h>
#include <string.h>

#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "check.h"
#include "fw_xtables.h"

static _Alignas(8) unsigned char blob[4096];
static size_t blob_len;
static int blob_family;

/* Appends an entry with target name and data; its offset. */
static size_t
entry(const char *target, const void *data, size_t data_len, uint64_t packets)
{
	size_t head = blob_family == 6 ? sizeof(struct ip6t_entry) : sizeof(struct ipt_entry);
	size_t tsize = XT_ALIGN(sizeof(struct xt_entry_target) + data_len), at = blob_len;
	struct xt_entry_target *t = (struct xt_entry_target *)(blob + at + head);
	struct xt_counters c = { packets, packets * 60 };

	memset(blob + at, 0, head + tsize);
	if (blob_family == 6) {
		struct ip6t_entry *e = (struct ip6t_entry *)(blob + at);

		e->target_offset = (uint16_t)head;
		e->next_offset = (uint16_t)(head + tsize);
		e->counters = c;
	} else {
		struct ipt_entry *e = (struct ipt_entry *)(blob + at);

		e->target_offset = (uint16_t)head;
		e->next_offset = (uint16_t)(head + tsize);
		e->counters = c;
	}
	t->u.user.target_size = (uint16_t)tsize;
	strcpy(t->u.user.name, target);
	memcpy(t->data, data, data_len);
	blob_len += head + tsize;
	return at;
}

static size_t
nfqueue(uint16_t queue, uint64_t packets)
{
	struct xt_NFQ_info_v3 q = { .queuenum = queue, .queues_total = 1, .flags = NFQ_FLAG_BYPASS };

	return entry("NFQUEUE", &q, sizeof(q), packets);
}

static size_t
standard(int verdict)
{
	return entry(XT_STANDARD_TARGET, &verdict, sizeof(verdict), 0);
}

static size_t
error_entry(const char *name)
{
	char errorname[XT_FUNCTION_MAXNAMELEN] = "";

	strcpy(errorname, name);
	return entry(XT_ERROR_TARGET, errorname, sizeof(errorname), 0);
}

/*
 * The mangle table of one family, as iptables-legacy lays it out: OUTPUT
 * with the operator's own NFQUEUE rule (operator packets) and its policy,
 * then chain MSSCLAMPD with ours (ours packets, queue), then the end.
 */
static void
table(int family, struct fw_xtables_info *info, uint64_t operator, uint64_t ours, uint16_t queue)
{
	blob_family = family;
	blob_len = 0;
	memset(info, 0, sizeof(*info));
	info->valid_hooks = 1u << NF_INET_LOCAL_OUT;
	info->hook_entry[NF_INET_LOCAL_OUT] = (unsigned)nfqueue(9, operator);
	info->underflow[NF_INET_LOCAL_OUT] = (unsigned)standard(-NF_ACCEPT - 1);
	error_entry("MSSCLAMPD");
	nfqueue(queue, ours);
	standard(XT_RETURN);
	error_entry("ERROR");
	info->num_entries = 6;
	info->size = (unsigned)blob_len;
}

static void
test_family(int family)
{
	struct fw_xtables_scan scan, again;
	struct fw_xtables_info info;

	table(family, &info, 100, 7, 0);
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &scan), 0);
	CHECK(scan.found);
	CHECK_EQ(scan.packets, 7); /* not the operator's 100 in OUTPUT */

	/* counters move: the same signature */
	table(family, &info, 5000, 900, 0);
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &again), 0);
	CHECK_EQ(again.packets, 900);
	CHECK(again.signature == scan.signature);

	/* our rule sends to queue 1 now, the same size: another signature */
	table(family, &info, 100, 7, 1);
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &again), 0);
	CHECK(again.signature != scan.signature);

	/* the layout alone moved (a hook's start): another signature */
	table(family, &info, 100, 7, 0);
	info.underflow[NF_INET_LOCAL_OUT] += 4;
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &again), 0);
	CHECK(again.signature != scan.signature);

	/* no chain of ours: nothing found */
	blob_family = family;
	blob_len = 0;
	memset(&info, 0, sizeof(info));
	info.valid_hooks = 1u << NF_INET_LOCAL_OUT;
	nfqueue(0, 3);
	standard(-NF_ACCEPT - 1);
	error_entry("OTHER");
	nfqueue(0, 3);
	standard(XT_RETURN);
	error_entry("ERROR");
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &again), 0);
	CHECK(!again.found);
	CHECK_EQ(again.packets, 0);

	/* a built-in chain laid out after ours: its NFQUEUE rule is still not ours */
	blob_family = family;
	blob_len = 0;
	memset(&info, 0, sizeof(info));
	info.valid_hooks = 1u << NF_INET_FORWARD;
	error_entry("MSSCLAMPD");
	nfqueue(0, 4);
	standard(XT_RETURN);
	info.hook_entry[NF_INET_FORWARD] = (unsigned)nfqueue(9, 1000);
	info.underflow[NF_INET_FORWARD] = (unsigned)standard(-NF_ACCEPT - 1);
	error_entry("ERROR");
	CHECK_EQ(fw_xtables_parse(family, &info, blob, blob_len, &again), 0);
	CHECK(again.found);
	CHECK_EQ(again.packets, 4);

	/* an empty table */
	CHECK_EQ(fw_xtables_parse(family, &info, blob, 0, &again), 0);
	CHECK(!again.found);
}

/* Every field that steers the walk, broken: refused, never read past. */
static void
test_malformed(void)
{
	size_t head = sizeof(struct ipt_entry), size;
	struct fw_xtables_scan scan;
	struct fw_xtables_info info;
	struct ipt_entry *e;
	struct xt_entry_target *t;
	unsigned wrong = 0;

	table(4, &info, 1, 1, 0);
	size = blob_len;
	/* cut where an entry ends, a shorter table; cut inside one, refused */
	for (size_t cut = 1, end = 0; cut < size; cut++) {
		while (end < cut)
			end += ((struct ipt_entry *)(blob + end))->next_offset;
		if (fw_xtables_parse(4, &info, blob, cut, &scan) != (cut == end ? 0 : -1))
			wrong++;
	}
	CHECK_EQ(wrong, 0);
	e = (struct ipt_entry *)blob;
	t = (struct xt_entry_target *)(blob + head);

	e->next_offset = 0; /* no progress */
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	e->next_offset = (uint16_t)(head - 1);
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	e->next_offset = 0xffff; /* past the end */
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	e->target_offset = e->next_offset; /* no room for a target */
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	e->target_offset = 8; /* inside the entry's own header */
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	t->u.user.target_size = 0xffff;
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	table(4, &info, 1, 1, 0);
	t->u.user.target_size = 4;
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), -1);
	/* a name without its NUL is read within its field */
	table(4, &info, 1, 1, 0);
	memset(t->u.user.name, 'A', sizeof(t->u.user.name));
	CHECK_EQ(fw_xtables_parse(4, &info, blob, size, &scan), 0);
}

int
main(void)
{
	test_family(4);
	test_family(6);
	test_malformed();
	return check_summary();
}
