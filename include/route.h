/* One route of the main table as the kernel describes it (routes.c keeps a set of them). */
#ifndef MSSCLAMPD_ROUTE_H
#define MSSCLAMPD_ROUTE_H

#include <stdint.h>

struct route {
	uint8_t family;         /* 4 or 6 */
	uint8_t len;            /* prefix length */
	uint8_t tos;            /* IPv4: part of the key, as the kernel's FIB has it */
	uint8_t dst[16];        /* the prefix, host bits clear; IPv4 in the first 4 bytes */
	uint32_t priority;      /* the metric: part of the key */
	uint32_t oif;           /* the device it leaves by; 0 for several (multipath) or none */
	uint32_t mtu;           /* its MTU metric (ip route ... mtu [lock] N); 0 if it has none */
};

#endif
