/*
 * A minimal test harness: CHECK() records a failure with its place and
 * carries on; check_summary() prints "N passed, N failed" and gives the exit
 * status. Header-only so each test program links only its module.
 */
#ifndef MSSCLAMPD_TEST_CHECK_H
#define MSSCLAMPD_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ == check_b_) {                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld != %lld)\n", \
				__FILE__, __LINE__, #a, #b, check_a_, check_b_); \
		}                                                            \
	} while (0)

/*
 * CHECK_MSG(cond, fmt, ...): for a program that says what each check is.
 * Prints "ok   DESCRIPTION" or "FAIL DESCRIPTION" on stdout, pass or fail.
 * Its value is whether cond held, so a caller can show more on a failure.
 */
#define CHECK_MSG(cond, ...) check_msg_((cond) ? 1 : 0, __VA_ARGS__)

static inline int check_msg_(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int
check_msg_(int ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok   " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		check_passed++;
	else
		check_failed++;
	return ok;
}

static inline int
check_summary(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
