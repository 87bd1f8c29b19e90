/*
 * Text helpers for the parsers. One decimal parser for every number an
 * operator writes (the config, overhead sums, `mssclampd calc`) and every
 * number systemd hands us, so that all of them refuse the same typos and
 * none depends on the width of unsigned long (32 bits on i386 and many
 * routers).
 */
#include <stdio.h>
#include <string.h>

#include "text.h"

int
text_parse_decimal(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	bool saturated = false;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned digit;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		digit = (unsigned)(s[i] - '0');
		/* read on after an overflow: "99999999999999999999x" is still no number */
		if (saturated || v > (UINT64_MAX - digit) / 10) {
			saturated = true;
			v = UINT64_MAX;
		} else {
			v = v * 10 + digit;
		}
	}
	*out = v;
	return saturated ? 1 : 0;
}

const char *
text_quote_n(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t i, o = 0;

	if (dstlen == 0)
		return dst;
	dst[0] = '\0';
	for (i = 0; i < len && i < TEXT_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (dstlen - o < 2)
				return dst;
			dst[o++] = (char)c;
		} else {
			if (dstlen - o < 5)
				return dst;
			snprintf(dst + o, 5, "\\x%02x", c);
			o += 4;
		}
		dst[o] = '\0';
	}
	if (i < len && dstlen - o >= 4) {
		memcpy(dst + o, "...", 4);
		o += 3;
	}
	return dst;
}

const char *
text_quote(char *dst, size_t dstlen, const char *s)
{
	/* one byte past the limit tells text_quote_n that there is more */
	return text_quote_n(dst, dstlen, s, strnlen(s, TEXT_QUOTE_MAX + 1));
}

bool
text_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *
text_trim(char *s)
{
	size_t len;

	while (text_is_blank(*s))
		s++;
	len = strlen(s);
	while (len > 0 && text_is_blank(s[len - 1]))
		s[--len] = '\0';
	return s;
}
