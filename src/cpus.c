/*
 * The machine's CPUs: sysfs for the present ones, the affinity syscalls for
 * the rest. sched_setaffinity() is in systemd's @resources group, which the
 * unit denies but for this one call.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "cpus.h"
#include "log.h"

#define CPUS_PRESENT "/sys/devices/system/cpu/present"

int
cpus_present(struct cpulist *set)
{
	char buf[4096];
	ssize_t n = -1;
	long conf;
	int fd;

	if ((fd = open(CPUS_PRESENT, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n > 0 && (size_t)n < sizeof(buf) && cpulist_parse(buf, (size_t)n, set) == 0 &&
	    cpulist_count(set) > 0)
		return 0;
	/* no sysfs (a container without it): glibc counts the CPUs another way */
	cpulist_clear(set);
	conf = sysconf(_SC_NPROCESSORS_CONF);
	if (conf < 1) {
		log_warnx("cannot tell which CPUs are present (%s, sysconf)", CPUS_PRESENT);
		return -1;
	}
	for (unsigned cpu = 0; cpu < (unsigned)conf; cpu++)
		cpulist_add(set, cpu);
	return 0;
}

int
cpus_allowed(struct cpulist *set)
{
	cpu_set_t mask;
	unsigned cpu;

	cpulist_clear(set);
	CPU_ZERO(&mask);
	if (sched_getaffinity(0, sizeof(mask), &mask) == -1)
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE && cpu < CPULIST_MAX; cpu++)
		if (CPU_ISSET(cpu, &mask))
			cpulist_add(set, cpu);
	return 0;
}

int
cpus_pin(const struct cpulist *set)
{
	cpu_set_t mask;
	unsigned cpu;

	CPU_ZERO(&mask);
	for (cpu = 0; cpu < CPU_SETSIZE && cpu < CPULIST_MAX; cpu++)
		if (cpulist_has(set, cpu))
			CPU_SET(cpu, &mask);
	return sched_setaffinity(0, sizeof(mask), &mask) == -1 ? -errno : 0;
}
