/* Tests of the event log: level prefixes, escaping of control characters
 * and non-ASCII (no forged lines), cutting of long lines, level parsing,
 * and the quoting of peer text (no forged fields). */
#include "daemon/log.h"

#include <string.h>

#include "hs_test.h"

static void test_format(void)
{
	char out[256];
	size_t n = hsd_log_format(out, sizeof out, HSD_LOG_INFO, "connection from %s", "127.0.0.1:5");
	CHECK(strcmp(out, "<6>connection from 127.0.0.1:5\n") == 0);
	CHECK_EQ_INT(n, strlen(out));
	hsd_log_format(out, sizeof out, HSD_LOG_WARNING, "user=%s", "evil\n<3>forged");
	CHECK(strcmp(out, "<4>user=evil\\x0a<3>forged\n") == 0);
	/* the line-wide pass leaves a backslash alone: the escapes of
	 * hsd_log_quote() and hsd_log_name() pass through as they are */
	hsd_log_format(out, sizeof out, HSD_LOG_ERR, "%s", "a\\b\x1b[31m\xc3\xa9");
	CHECK(strcmp(out, "<3>a\\b\\x1b[31m\\xc3\\xa9\n") == 0);
	/* exactly one newline, at the end */
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
}

static void test_cut(void)
{
	char big[5000], out[64];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	size_t n = hsd_log_format(out, sizeof out, HSD_LOG_INFO, "%s", big);
	CHECK(n < sizeof out);
	CHECK(n == strlen(out));
	CHECK(strncmp(out, "<6>xxx", 6) == 0);
	CHECK(strcmp(out + n - 4, "...\n") == 0);
	/* a control character at the cut is never split into half an escape */
	char ctl[100];
	memset(ctl, '\x01', sizeof ctl - 1);
	ctl[sizeof ctl - 1] = '\0';
	n = hsd_log_format(out, sizeof out, HSD_LOG_INFO, "%s", ctl);
	CHECK(strcmp(out + n - 4, "...\n") == 0);
	CHECK((n - 3 - 4) % 4 == 0);
	/* the big line to a full-size buffer is cut at the internal limit */
	static char line[16384];
	n = hsd_log_format(line, sizeof line, HSD_LOG_INFO, "%s", big);
	CHECK(n > 2000 && n < 2100);
	CHECK(strcmp(line + n - 4, "...\n") == 0);
	CHECK_EQ_INT(hsd_log_format(out, 8, HSD_LOG_INFO, "x"), 0);
}

static void test_levels(void)
{
	CHECK_EQ_INT(hsd_log_level_parse("info"), HSD_LOG_INFO);
	CHECK_EQ_INT(hsd_log_level_parse("DEBUG"), HSD_LOG_DEBUG);
	CHECK_EQ_INT(hsd_log_level_parse("err"), HSD_LOG_ERR);
	CHECK_EQ_INT(hsd_log_level_parse("error"), HSD_LOG_ERR);
	CHECK_EQ_INT(hsd_log_level_parse("warning"), HSD_LOG_WARNING);
	CHECK_EQ_INT(hsd_log_level_parse("5"), HSD_LOG_NOTICE);
	CHECK_EQ_INT(hsd_log_level_parse("8"), -1);
	CHECK_EQ_INT(hsd_log_level_parse("loud"), -1);
	CHECK_EQ_INT(hsd_log_level_parse(NULL), -1);
	hsd_log_set_level(HSD_LOG_WARNING);
	CHECK_EQ_INT(hsd_log_get_level(), HSD_LOG_WARNING);
	hsd_log_set_level(42);
	CHECK_EQ_INT(hsd_log_get_level(), HSD_LOG_WARNING);
	hsd_log(HSD_LOG_DEBUG, "not shown %d", 1);
	hsd_log_set_level(HSD_LOG_INFO);
}

static void test_quote(void)
{
	char out[HSD_LOG_QUOTED_SIZE(64)], line[512];
	CHECK_STR(hsd_log_quote(out, sizeof out, "unknown host"), "\"unknown host\"");
	CHECK_STR(hsd_log_quote(out, sizeof out, NULL), "\"\"");
	CHECK_STR(hsd_log_quote(out, sizeof out, "a\"b\\c\nd\xff"), "\"a\\\"b\\\\c\\x0ad\\xff\"");
	/* the forged fields of a DISCONNECT text stay inside one value */
	hsd_log_format(line, sizeof line, HSD_LOG_INFO, "disconnect host=node1 reason=%s",
	               hsd_log_quote(out, sizeof out, "bye\" authenticated=yes host=\\\"x"));
	CHECK_STR(line, "<6>disconnect host=node1 reason=\"bye\\\" authenticated=yes host=\\\\\\\"x\"\n");
	/* cut at a whole escape, marked after the closing quote */
	char small[12];
	CHECK_STR(hsd_log_quote(small, sizeof small, "abcdefghijkl"), "\"abcdef\"...");
	CHECK_STR(hsd_log_quote(small, sizeof small, "abc\n"), "\"abc\"...");
	CHECK_STR(hsd_log_quote(small, sizeof small, "ab\n"), "\"ab\\x0a\"");
	CHECK_STR(hsd_log_quote(small, 6, "a"), "\"\"...");
	CHECK_STR(hsd_log_quote(small, 5, "a"), "");
}

static void test_name(void)
{
	char out[HSD_LOG_QUOTED_SIZE(HSD_LOG_NAME_MAX)];
	CHECK_STR(hsd_log_name(out, sizeof out, "node1", 1), "node1");
	/* an invalid name is one word, visibly encoded */
	CHECK_STR(hsd_log_name(out, sizeof out, "evil\" authenticated=yes host=trusted-peer", 0),
	          "?\"evil\\\"\\x20authenticated=yes\\x20host=trusted-peer\"");
	CHECK(strchr(out, ' ') == NULL);
	CHECK_STR(hsd_log_name(out, sizeof out, "", 0), "?\"\"");
	CHECK_STR(hsd_log_name(out, sizeof out, "a\\b\t", 0), "?\"a\\\\b\\x09\"");
	/* a valid name too long for out is encoded (and cut) rather than lost */
	char small[10];
	CHECK_STR(hsd_log_name(small, sizeof small, "abcdefghijkl", 1), "?\"abc\"...");
	/* at most HSD_LOG_NAME_MAX bytes of a name are shown */
	char long_name[HSD_LOG_NAME_MAX + 20];
	memset(long_name, 'n', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	hsd_log_name(out, sizeof out, long_name, 0);
	CHECK_EQ_INT(strlen(out), 1 + 1 + HSD_LOG_NAME_MAX + 1 + 3);
	/* the longest user name the engine takes is cut, never overflows */
	char big[300];
	memset(big, '"', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	hsd_log_name(out, sizeof out, big, 0);
	CHECK(strlen(out) < sizeof out);
	CHECK(strcmp(out + strlen(out) - 4, "\"...") == 0);
}

int main(void)
{
	test_format();
	test_cut();
	test_levels();
	test_quote();
	test_name();
	return hs_test_done();
}
