/*
 * A minimal unit-test harness: CHECK records a failure with its location and
 * goes on; REQUIRE records it and ends the test program at once (for a
 * condition the next lines depend on, such as a pointer they use);
 * hs_test_done() prints "N passed, N failed" and gives the exit code.
 */
#ifndef HS_TEST_H
#define HS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One pair of counters per test program (tests/hs_test.c), so that
 * fixtures compiled apart count into the same totals. */
extern int hs_test_passed, hs_test_failed;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (cond) {                                                                      \
			hs_test_passed++;                                                        \
		} else {                                                                         \
			hs_test_failed++;                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define REQUIRE(cond)                                                                                         \
	do {                                                                                                  \
		if (cond) {                                                                                   \
			hs_test_passed++;                                                                     \
		} else {                                                                                      \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s (stopping)\n", __FILE__, __LINE__, #cond); \
			printf("%d passed, %d failed, stopped\n", hs_test_passed, hs_test_failed + 1);        \
			exit(1);                                                                              \
		}                                                                                             \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                                            \
	do {                                                                                                          \
		long long hs_a_ = (long long)(a), hs_b_ = (long long)(b);                                             \
		if (hs_a_ == hs_b_) {                                                                                 \
			hs_test_passed++;                                                                             \
		} else {                                                                                              \
			hs_test_failed++;                                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, \
			        hs_a_, hs_b_);                                                                        \
		}                                                                                                     \
	} while (0)

/* Two C strings equal (NULL equals only NULL); both shown when not. */
#define CHECK_STR(a, b)                                                                                               \
	do {                                                                                                          \
		const char *hs_sa_ = (a), *hs_sb_ = (b);                                                              \
		if (hs_sa_ == hs_sb_ || (hs_sa_ && hs_sb_ && strcmp(hs_sa_, hs_sb_) == 0)) {                          \
			hs_test_passed++;                                                                             \
		} else {                                                                                              \
			hs_test_failed++;                                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, #a, \
			        #b, hs_sa_ ? hs_sa_ : "(null)", hs_sb_ ? hs_sb_ : "(null)");                          \
		}                                                                                                     \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

static inline int hs_test_done(void)
{
	printf("%d passed, %d failed\n", hs_test_passed, hs_test_failed);
	return hs_test_failed == 0 ? 0 : 1;
}

/* Decode a hex string into out; returns the byte count or -1. */
static inline int hs_test_unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return (int)(n / 2);
}

#endif
