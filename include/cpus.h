/*
 * The machine's CPUs as the daemon sees them: which are present (each may
 * deliver packets to a queue), which the calling thread may run on, and
 * pinning the calling thread. cpulist.h holds the sets' arithmetic.
 */
#ifndef MSSCLAMPD_CPUS_H
#define MSSCLAMPD_CPUS_H

#include "cpulist.h"

/*
 * The present CPUs, online or not (/sys/devices/system/cpu/present), else
 * 0 .. the configured count - 1. 0, or -1 (logged) if neither is known.
 */
int cpus_present(struct cpulist *set);

/* The CPUs the calling thread may run on (its affinity: CPUAffinity=, taskset, cpusets). 0 or -1. */
int cpus_allowed(struct cpulist *set);

/* Pins the calling thread to set (the kernel keeps only CPUs online and in its cpuset). 0 or -errno. */
int cpus_pin(const struct cpulist *set);

#endif
