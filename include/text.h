/*
 * Text helpers shared by the parsers and their messages: decimal numbers,
 * quoting a value back to the operator, blanks. Pure: no I/O, no allocation.
 */
#ifndef MSSCLAMPD_TEXT_H
#define MSSCLAMPD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_QUOTE_MAX 40                       /* longest value quoted back in a message */
#define TEXT_QUOTE_BUF (TEXT_QUOTE_MAX * 4 + 4) /* every byte as \xNN, "..." and the NUL */

/*
 * s[0..len) as a decimal number: digits only, so "", "+1", " 1", "0x10" and
 * "1e3" are not numbers. The arithmetic is uint64_t whatever the width of
 * long. Returns 0 and the value in *out; 1 if the number is larger than
 * UINT64_MAX, with *out = UINT64_MAX (saturated: still too large for any
 * range a caller checks); -1 if s is not a number, *out untouched.
 */
int text_parse_decimal(const char *s, size_t len, uint64_t *out);

/*
 * s[0..len) as it may appear inside '...' in a message: at most
 * TEXT_QUOTE_MAX bytes, printable ASCII as it is, '\' and every other byte
 * as \xNN, "..." after a cut. Written into dst of dstlen bytes (a
 * TEXT_QUOTE_BUF holds any input whole; a smaller one gets what fits, never
 * half an \xNN). Returns dst.
 */
const char *text_quote_n(char *dst, size_t dstlen, const char *s, size_t len);

/* text_quote_n() of the string s. */
const char *text_quote(char *dst, size_t dstlen, const char *s);

/* A space or a tab: what separates words in the config and in overhead sums. */
bool text_is_blank(char c);

/* s without leading and trailing blanks: returns a pointer into s, cut in place. */
char *text_trim(char *s);

#endif
