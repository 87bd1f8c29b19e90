/* Internet checksum arithmetic. */
#include "csum.h"

uint32_t
csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		acc += (uint32_t)data[len - 1] << 8; /* RFC 1071: pad the odd byte with zero */
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
csum_finish(uint32_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

uint16_t
csum_replace16(uint16_t check, uint16_t old, uint16_t new)
{
	/*
	 * Eqn. 3, not eqn. 2 (HC' = HC - ~m - m'): subtracting can produce -0
	 * (0xffff) where a full recomputation gives +0, eqn. 3 cannot.
	 */
	uint32_t sum = (uint16_t)~check;

	sum += (uint16_t)~old;
	sum += new;
	return csum_finish(sum);
}
