/*
 * Internet checksum arithmetic (RFC 1071, RFC 1624). Pure.
 * Values are host-order numbers of big-endian 16-bit words.
 */
#ifndef MSSCLAMPD_CSUM_H
#define MSSCLAMPD_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds the bytes at data, as big-endian 16-bit words, to a running 32-bit sum. */
uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);

/* Folds a running sum to 16 bits with end-around carry (not complemented). */
uint16_t csum_fold(uint32_t sum);

/* The checksum field for a running sum: the complement of its fold. */
uint16_t csum_finish(uint32_t sum);

/*
 * RFC 1624 eqn. 3: the checksum after one 16-bit word changes from old to new,
 * HC' = ~(~HC + ~m + m'). Keeps a wrong checksum exactly as wrong.
 */
uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new);

#endif
