/*
 * Unit test for text.c: the decimal parser at the edges of 32 and 64 bits
 * (the same answers whatever the width of unsigned long), what it refuses,
 * the quoting of values in messages, blanks and trimming.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "text.h"

#define UNTOUCHED 12345u

/* text_parse_decimal() of the string s: want_ret, and want in *out unless -1. */
static void
check_parse(const char *s, int want_ret, uint64_t want)
{
	uint64_t v = UNTOUCHED;
	int r = text_parse_decimal(s, strlen(s), &v);

	if (want_ret == -1)
		want = UNTOUCHED;
	CHECK_MSG(r == want_ret && v == want, "parse \"%s\": %d, %llu (got %d, %llu)", s,
	    want_ret, (unsigned long long)want, r, (unsigned long long)v);
}

static void
test_parse(void)
{
	uint64_t v;

	check_parse("0", 0, 0);
	check_parse("7", 0, 7);
	check_parse("007", 0, 7);
	check_parse("65535", 0, 65535);
	check_parse("4294967295", 0, 4294967295u);                   /* 2^32 - 1 */
	check_parse("4294967296", 0, UINT64_C(4294967296));          /* 2^32: not 0 */
	check_parse("4294968796", 0, UINT64_C(4294968796));          /* 2^32 + 1500: not 1500 */
	check_parse("18446744073709551614", 0, UINT64_MAX - 1);
	check_parse("18446744073709551615", 0, UINT64_MAX);          /* 2^64 - 1 */
	check_parse("018446744073709551615", 0, UINT64_MAX);         /* a leading 0 is no overflow */
	check_parse("18446744073709551616", 1, UINT64_MAX);          /* 2^64: saturated */
	check_parse("18446744073709551620", 1, UINT64_MAX);
	check_parse("99999999999999999999", 1, UINT64_MAX);
	check_parse("184467440737095516150", 1, UINT64_MAX);         /* ten times 2^64 - 1 */
	check_parse("99999999999999999999999999999999999999999999999999", 1, UINT64_MAX);

	check_parse("", -1, 0);
	check_parse("+1", -1, 0);
	check_parse("-1", -1, 0);
	check_parse("-0", -1, 0);
	check_parse(" 1", -1, 0);
	check_parse("1 ", -1, 0);
	check_parse("1\t", -1, 0);
	check_parse("0x10", -1, 0);
	check_parse("1e3", -1, 0);
	check_parse("1.5", -1, 0);
	check_parse("12a", -1, 0);
	check_parse("a12", -1, 0);
	check_parse("99999999999999999999x", -1, 0);                  /* not a number, overflow or not */
	check_parse("\xd9\xa3", -1, 0);                               /* ARABIC-INDIC DIGIT THREE */

	/* Only s[0..len) counts: a prefix, a NUL inside, nothing at all. */
	v = UNTOUCHED;
	CHECK_MSG(text_parse_decimal("1500x", 4, &v) == 0 && v == 1500,
	    "parse the first 4 bytes of \"1500x\": 1500");
	v = UNTOUCHED;
	CHECK_MSG(text_parse_decimal("15\0" "00", 5, &v) == -1 && v == UNTOUCHED,
	    "parse \"15\\0\" \"00\" (5 bytes): not a number");
	v = UNTOUCHED;
	CHECK_MSG(text_parse_decimal("15", 0, &v) == -1 && v == UNTOUCHED,
	    "parse 0 bytes: not a number");
}

/* text_quote() of s gives want, in a TEXT_QUOTE_BUF. */
static void
check_quote(const char *what, const char *s, const char *want)
{
	char q[TEXT_QUOTE_BUF];
	const char *r;

	memset(q, 'Z', sizeof(q));
	r = text_quote(q, sizeof(q), s);
	CHECK_MSG(r == q && strcmp(q, want) == 0, "quote %s: '%s' (got '%s')", what, want, q);
}

static void
test_quote(void)
{
	char q[TEXT_QUOTE_BUF], big[200], want[200], small[8];
	size_t i;

	check_quote("plain", "eth0 = 1500", "eth0 = 1500");
	check_quote("empty", "", "");
	check_quote("a backslash", "a\\b", "a\\x5cb");
	check_quote("control bytes", "\t\r\x01\x1f\x7f", "\\x09\\x0d\\x01\\x1f\\x7f");
	check_quote("UTF-8", "r\xc3\xa9seau", "r\\xc3\\xa9seau");
	check_quote("quotes and printable edges", "' ~\"", "' ~\"");

	memset(big, 'a', 40);
	big[40] = '\0';
	check_quote("exactly 40 bytes: whole", big, big);
	big[40] = 'b';
	big[41] = '\0';
	memcpy(want, big, 40);
	strcpy(want + 40, "...");
	check_quote("41 bytes: 40 and \"...\"", big, want);
	memset(big, 'c', 150);
	big[150] = '\0';
	memset(want, 'c', 40);
	strcpy(want + 40, "...");
	check_quote("150 bytes: 40 and \"...\"", big, want);

	/* The worst case fills TEXT_QUOTE_BUF exactly: 40 bytes as \xNN, "...", NUL. */
	memset(big, 0xff, 41);
	big[41] = '\0';
	for (i = 0; i < 40; i++)
		memcpy(want + i * 4, "\\xff", 4);
	strcpy(want + 160, "...");
	check_quote("41 bytes of 0xff: 160 bytes, \"...\"", big, want);
	CHECK_MSG(strlen(want) + 1 == TEXT_QUOTE_BUF, "TEXT_QUOTE_BUF is the worst case exactly (%zu)",
	    strlen(want) + 1);

	/* text_quote_n: the length, not a NUL, ends the input. */
	text_quote_n(q, sizeof(q), "ab\0cd", 5);
	CHECK_MSG(strcmp(q, "ab\\x00cd") == 0, "quote_n of \"ab\\0cd\" (5 bytes): 'ab\\x00cd' (got '%s')",
	    q);
	text_quote_n(q, sizeof(q), "esp + 8", 3);
	CHECK_MSG(strcmp(q, "esp") == 0, "quote_n of 3 bytes of \"esp + 8\": 'esp' (got '%s')", q);

	/* A short buffer gets whole items only and its NUL (ASan watches). */
	memset(small, 'Z', sizeof(small));
	text_quote(small, sizeof(small), "abcdefghij");
	CHECK_MSG(strcmp(small, "abcdefg") == 0, "quote into 8 bytes: 'abcdefg' (got '%s')", small);
	memset(small, 'Z', sizeof(small));
	text_quote(small, sizeof(small), "ab\x01\x02");
	CHECK_MSG(strcmp(small, "ab\\x01") == 0, "quote into 8 bytes: no half \\xNN (got '%s')", small);
	memset(small, 'Z', sizeof(small));
	text_quote(small, 1, "abc");
	CHECK_MSG(small[0] == '\0' && small[1] == 'Z', "quote into 1 byte: just the NUL");
	memset(small, 'Z', sizeof(small));
	text_quote(small, 0, "abc");
	CHECK_MSG(small[0] == 'Z', "quote into 0 bytes: nothing written");
}

static void
check_trim(const char *s, const char *want)
{
	char buf[64], qs[TEXT_QUOTE_BUF], qwant[TEXT_QUOTE_BUF], qr[TEXT_QUOTE_BUF];
	char *r;

	strcpy(buf, s);
	r = text_trim(buf);
	CHECK_MSG(strcmp(r, want) == 0 && r >= buf && r <= buf + strlen(s),
	    "trim '%s': '%s' (got '%s')", text_quote(qs, sizeof(qs), s),
	    text_quote(qwant, sizeof(qwant), want), text_quote(qr, sizeof(qr), r));
}

static void
test_blank(void)
{
	CHECK_MSG(text_is_blank(' ') && text_is_blank('\t'), "a space and a tab are blank");
	CHECK_MSG(!text_is_blank('\n') && !text_is_blank('\r') && !text_is_blank('\v') &&
	    !text_is_blank('\f') && !text_is_blank('\0') && !text_is_blank('a') &&
	    !text_is_blank('\xa0'), "newline, CR, VT, FF, NUL, a letter, 0xa0 are not blank");

	check_trim("", "");
	check_trim("   ", "");
	check_trim("\t \t", "");
	check_trim("a", "a");
	check_trim("  mtu = 1500 \t", "mtu = 1500");
	check_trim("\tesp + 8", "esp + 8");
	check_trim("esp + 8\t ", "esp + 8");
	check_trim("\nx\n", "\nx\n");
}

int
main(void)
{
	test_parse();
	test_quote();
	test_blank();
	return check_summary();
}
