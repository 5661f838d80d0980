/* Tests of `hostsd serve` option parsing: listening addresses (IPv4, IPv6,
 * port 0, every malformed shape) and NAME=COMMAND subsystems. */
#include "daemon/serve_args.h"

#include <stdlib.h>
#include <string.h>

#include "hs_test.h"

static void test_listen_good(void)
{
	struct hsd_listen_addr a;
	char err[256], txt[128];
	CHECK_EQ_INT(hsd_parse_listen("127.0.0.1:2222", &a, err, sizeof err), 0);
	CHECK(strcmp(a.addr, "127.0.0.1") == 0);
	CHECK_EQ_INT(a.port, 2222);
	CHECK_EQ_INT(a.ipv6, 0);
	CHECK_EQ_INT(hsd_parse_listen("0.0.0.0:0", &a, err, sizeof err), 0);
	CHECK_EQ_INT(a.port, 0);
	CHECK_EQ_INT(hsd_parse_listen("[::1]:22", &a, err, sizeof err), 0);
	CHECK(strcmp(a.addr, "::1") == 0);
	CHECK_EQ_INT(a.port, 22);
	CHECK_EQ_INT(a.ipv6, 1);
	hsd_format_listen(&a, 4000, txt, sizeof txt);
	CHECK(strcmp(txt, "[::1]:4000") == 0);
	CHECK_EQ_INT(hsd_parse_listen("[::]:65535", &a, err, sizeof err), 0);
	CHECK_EQ_INT(a.port, 65535);
	CHECK_EQ_INT(hsd_parse_listen("10.1.2.3:1", &a, err, sizeof err), 0);
	hsd_format_listen(&a, 1, txt, sizeof txt);
	CHECK(strcmp(txt, "10.1.2.3:1") == 0);
}

static void test_listen_bad(void)
{
	static const char *const bad[] = {
		"",
		"127.0.0.1",
		"127.0.0.1:",
		":22",
		"localhost:22",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:22x",
		"127.0.0.1: 22",
		"::1:22",
		"[::1]22",
		"[::1]",
		"[]:22",
		"[127.0.0.1]:22",
		"[::1]:",
		"1.2.3:4",
		"127.0.0.1:0000022",
		"127.0.0.1:+22",
		"[::1:22",
	};
	struct hsd_listen_addr a;
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		int r = hsd_parse_listen(bad[i], &a, err, sizeof err);
		CHECK_EQ_INT(r, -1);
		if (r != -1)
			fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
		CHECK(strstr(err, "ADDR:PORT") != NULL);
	}
	CHECK_EQ_INT(hsd_parse_listen(NULL, &a, err, sizeof err), -1);
	/* a host part longer than any literal */
	char longspec[200];
	memset(longspec, '1', sizeof longspec);
	memcpy(longspec + 150, ":22", 4);
	CHECK_EQ_INT(hsd_parse_listen(longspec, &a, err, sizeof err), -1);
}

static void test_subsystem(void)
{
	char *n, *c, err[256];
	CHECK_EQ_INT(hsd_parse_subsystem("echo=cat", &n, &c, err, sizeof err), 0);
	CHECK(strcmp(n, "echo") == 0 && strcmp(c, "cat") == 0);
	free(n);
	free(c);
	CHECK_EQ_INT(hsd_parse_subsystem("fail=exit 3", &n, &c, err, sizeof err), 0);
	CHECK(strcmp(c, "exit 3") == 0);
	free(n);
	free(c);
	/* only the first '=' splits */
	CHECK_EQ_INT(hsd_parse_subsystem("x=A=b sh", &n, &c, err, sizeof err), 0);
	CHECK(strcmp(n, "x") == 0 && strcmp(c, "A=b sh") == 0);
	free(n);
	free(c);

	CHECK_EQ_INT(hsd_parse_subsystem("echo", &n, &c, err, sizeof err), -1);
	CHECK(strstr(err, "NAME=COMMAND") != NULL);
	CHECK(n == NULL && c == NULL);
	CHECK_EQ_INT(hsd_parse_subsystem("=cat", &n, &c, err, sizeof err), -1);
	CHECK(strstr(err, "NAME=COMMAND") != NULL);
	CHECK_EQ_INT(hsd_parse_subsystem("echo=", &n, &c, err, sizeof err), -1);
	CHECK(strstr(err, "empty") != NULL);
	CHECK_EQ_INT(hsd_parse_subsystem("echo=  ", &n, &c, err, sizeof err), -1);
	CHECK_EQ_INT(hsd_parse_subsystem("bad name=cat", &n, &c, err, sizeof err), -1);
	CHECK(strstr(err, "bad subsystem name") != NULL);
	CHECK_EQ_INT(hsd_parse_subsystem("*=cat", &n, &c, err, sizeof err), -1);
	CHECK_EQ_INT(hsd_parse_subsystem(NULL, &n, &c, err, sizeof err), -1);
}

static void test_seconds(void)
{
	unsigned v = 0;
	CHECK_EQ_INT(hsd_parse_seconds("30", 3600, &v), 0);
	CHECK_EQ_INT(v, 30);
	CHECK_EQ_INT(hsd_parse_seconds("0", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds("3601", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds("-1", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds("1s", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds("", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds("99999999999999999999", 3600, &v), -1);
	CHECK_EQ_INT(hsd_parse_seconds(NULL, 3600, &v), -1);
}

int main(void)
{
	test_listen_good();
	test_listen_bad();
	test_subsystem();
	test_seconds();
	return hs_test_done();
}
