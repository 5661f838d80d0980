/* Tests of the refusal log (daemon/refusal_log.c): a flood becomes one
 * summary line per interval with its reasons and top sources; penalty
 * lines are limited per interval, the rest counted; names are made safe. */
#include "daemon/refusal_log.h"

#include <stdio.h>
#include <string.h>

#include <hostsd/server.h>

#include "hs_test.h"

#define T0 1000000u
#define IV HSD_REFUSAL_INTERVAL_MS

static void test_summary(void)
{
	struct hsd_refusal_log r;
	char line[512];
	hsd_refusal_log_init(&r);
	CHECK(hsd_refusal_log_due(&r, T0) == UINT64_MAX);
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0, line, sizeof line), 0);
	/* the first refusal is told at once */
	hsd_refusal_log_refused(&r, "127.0.0.3", HS_REFUSED_PENALTY);
	CHECK(hsd_refusal_log_due(&r, T0) == T0);
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0, line, sizeof line), 1);
	CHECK_STR(line, "refused connections: 1 (penalty 1) from 1 source; top 127.0.0.3 (1)");
	CHECK(hsd_refusal_log_due(&r, T0) == UINT64_MAX);
	/* a flood within the next interval waits for its end: one line */
	for (int i = 0; i < 30; i++)
		hsd_refusal_log_refused(&r, "127.0.0.3", HS_REFUSED_PENALTY);
	for (int i = 0; i < 7; i++)
		hsd_refusal_log_refused(&r, "10.0.0.0/24", HS_REFUSED_EARLY_DROP);
	hsd_refusal_log_refused(&r, "2001:db8:1:2::/64", HS_REFUSED_PER_SOURCE);
	hsd_refusal_log_refused(&r, "127.0.0.9", HS_REFUSED_MAX_UNAUTH);
	hsd_refusal_log_refused(&r, "127.0.0.9", HS_REFUSED_EARLY_DROP);
	CHECK(hsd_refusal_log_due(&r, T0 + 5) == T0 + IV);
	CHECK(hsd_refusal_log_due(&r, T0 + IV + 3) == T0 + IV + 3);
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0 + IV, line, sizeof line), 1);
	CHECK_STR(line,
	          "refused connections: 40 (penalty 30, early drop 8, max_unauthenticated 1, "
	          "max_unauthenticated_per_source 1) from 4 sources; top 127.0.0.3 (30), 10.0.0.0/24 (7), "
	          "127.0.0.9 (2)");
	/* quiet for longer than an interval: the next is told at once */
	hsd_refusal_log_refused(&r, "127.0.0.3", HS_REFUSED_PENALTY);
	CHECK(hsd_refusal_log_due(&r, T0 + 3 * IV) == T0 + 3 * IV);
	/* a short buffer cuts, never overflows */
	char tiny[16];
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0 + 3 * IV, tiny, sizeof tiny), 1);
	CHECK_EQ_INT(strlen(tiny), sizeof tiny - 1);
}

static void test_many_sources(void)
{
	struct hsd_refusal_log r;
	char line[512], name[32];
	hsd_refusal_log_init(&r);
	for (unsigned i = 0; i < 2 * HSD_REFUSAL_SOURCES; i++) {
		snprintf(name, sizeof name, "10.0.%u.%u", i / 256, i % 256);
		hsd_refusal_log_refused(&r, name, HS_REFUSED_PER_SOURCE);
	}
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0, line, sizeof line), 1);
	CHECK(strstr(line, "from more than 64 sources") != NULL);
	/* peer-chosen bytes cannot reach the log as they are */
	hsd_refusal_log_refused(&r, "a\nb\x1b", HS_REFUSED_PENALTY);
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0 + IV, line, sizeof line), 1);
	CHECK(strstr(line, "a?b?") != NULL);
	CHECK(strchr(line, '\n') == NULL);
}

static void test_penalty_lines(void)
{
	struct hsd_refusal_log r;
	char line[256];
	hsd_refusal_log_init(&r);
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "127.0.0.3", HS_PENALTY_AUTHFAIL, 32, T0, line, sizeof line), 1);
	CHECK_STR(line, "source penalised source=127.0.0.3 seconds=32 reason=\"failed authentication\"");
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "2001:db8::/64", HS_PENALTY_GRACE, 40, T0, line, sizeof line), 1);
	CHECK_STR(line, "source penalised source=2001:db8::/64 seconds=40 reason=\"login grace time exceeded\"");
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "127.0.0.5", HS_PENALTY_MALFORMED, 31, T0, line, sizeof line), 1);
	CHECK(strstr(line, "reason=\"protocol error\"") != NULL);
	/* the interval's lines used up: counted, told in the summary */
	for (unsigned i = 3; i < HSD_PENALTY_LINES; i++)
		CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "x", HS_PENALTY_AUTHFAIL, 31, T0 + i, line, sizeof line), 1);
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "y", HS_PENALTY_AUTHFAIL, 31, T0 + 50, line, sizeof line), 0);
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "z", HS_PENALTY_AUTHFAIL, 31, T0 + 60, line, sizeof line), 0);
	CHECK(hsd_refusal_log_due(&r, T0 + 60) == T0 + 60);
	CHECK_EQ_INT(hsd_refusal_log_summary(&r, T0 + 60, line, sizeof line), 1);
	CHECK_STR(line, "2 more sources penalised");
	/* a new interval: lines again */
	CHECK_EQ_INT(hsd_refusal_log_penalised(&r, "y", HS_PENALTY_AUTHFAIL, 31, T0 + IV, line, sizeof line), 1);
}

int main(void)
{
	test_summary();
	test_many_sources();
	test_penalty_lines();
	return hs_test_done();
}
