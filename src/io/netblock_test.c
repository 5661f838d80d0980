/* Netblocks (io/netblock.c): a peer's source from its socket address (an
 * IPv4 peer on an IPv6 socket counts as IPv4), grouping by configurable
 * prefixes, text both ways, lists, and the keyed hash. */
#include "io/netblock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "hs_test.h"

static struct hs_netblock from4(const char *a, int port)
{
	struct sockaddr_in s;
	struct hs_netblock n;
	int p = -1;
	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	REQUIRE(inet_pton(AF_INET, a, &s.sin_addr) == 1);
	REQUIRE(hs__netblock_from_sockaddr((struct sockaddr *)&s, &n, &p) == 0);
	CHECK_EQ_INT(p, port);
	return n;
}

static struct hs_netblock from6(const char *a, int port)
{
	struct sockaddr_in6 s;
	struct hs_netblock n;
	int p = -1;
	memset(&s, 0, sizeof s);
	s.sin6_family = AF_INET6;
	s.sin6_port = htons((uint16_t)port);
	REQUIRE(inet_pton(AF_INET6, a, &s.sin6_addr) == 1);
	REQUIRE(hs__netblock_from_sockaddr((struct sockaddr *)&s, &n, &p) == 0);
	CHECK_EQ_INT(p, port);
	return n;
}

static const char *text(const struct hs_netblock *n)
{
	static char buf[HS_NETBLOCK_TEXT];
	hs__netblock_format(n, buf, sizeof buf);
	return buf;
}

static const char *peer(const struct hs_netblock *n, int port)
{
	static char buf[64];
	hs__netblock_peer_text(n, port, buf, sizeof buf);
	return buf;
}

/* The bug this module fixes: on a [::] listener every IPv4 peer arrives
 * as ::ffff:a.b.c.d, and grouping those by IPv6 /64 made them all one
 * source ("::"). Each is its own IPv4 address now. */
static void test_mapped(void)
{
	struct hs_netblock a = from6("::ffff:127.0.0.2", 40000);
	struct hs_netblock b = from6("::ffff:127.0.0.1", 40001);
	struct hs_netblock plain = from4("127.0.0.2", 40002);
	CHECK_EQ_INT(a.family, 4);
	CHECK_EQ_INT(a.bits, 32);
	CHECK_STR(text(&a), "127.0.0.2");
	CHECK_STR(peer(&a, 40000), "127.0.0.2:40000");
	struct hs_netblock sa = hs__netblock_mask(&a, 32, 64), sb = hs__netblock_mask(&b, 32, 64);
	CHECK(!hs__netblock_equal(&sa, &sb));
	/* the same host over either socket is the same source */
	struct hs_netblock sp = hs__netblock_mask(&plain, 32, 64);
	CHECK(hs__netblock_equal(&sa, &sp));
	/* an IPv4-compatible-looking address that is not mapped stays IPv6 */
	struct hs_netblock v6 = from6("::127.0.0.2", 1);
	CHECK_EQ_INT(v6.family, 6);
	struct hs_netblock other = from6("::fffe:127.0.0.2", 1);
	CHECK_EQ_INT(other.family, 6);
}

static void test_grouping(void)
{
	/* IPv6: a /64 by default, whatever the interface identifier */
	struct hs_netblock a = from6("2001:db8:1:2::10", 22), b = from6("2001:db8:1:2:ffff::1", 22);
	struct hs_netblock c = from6("2001:db8:1:3::10", 22);
	struct hs_netblock na = hs__netblock_mask(&a, 32, 64), nb = hs__netblock_mask(&b, 32, 64);
	struct hs_netblock nc = hs__netblock_mask(&c, 32, 64);
	CHECK(hs__netblock_equal(&na, &nb));
	CHECK(!hs__netblock_equal(&na, &nc));
	CHECK_STR(text(&na), "2001:db8:1:2::/64");
	CHECK_STR(peer(&a, 22), "[2001:db8:1:2::10]:22");
	/* configurable: /48 joins them, /128 splits even a and b */
	na = hs__netblock_mask(&a, 32, 48);
	nc = hs__netblock_mask(&c, 32, 48);
	CHECK(hs__netblock_equal(&na, &nc));
	CHECK_STR(text(&na), "2001:db8:1::/48");
	na = hs__netblock_mask(&a, 32, 128);
	nb = hs__netblock_mask(&b, 32, 128);
	CHECK(!hs__netblock_equal(&na, &nb));
	CHECK_STR(text(&na), "2001:db8:1:2::10");
	/* IPv4: one address by default, a /24 when asked, odd prefixes too */
	struct hs_netblock x = from4("192.0.2.77", 1), y = from4("192.0.2.200", 1);
	struct hs_netblock nx = hs__netblock_mask(&x, 32, 64), ny = hs__netblock_mask(&y, 32, 64);
	CHECK(!hs__netblock_equal(&nx, &ny));
	nx = hs__netblock_mask(&x, 24, 64);
	ny = hs__netblock_mask(&y, 24, 64);
	CHECK(hs__netblock_equal(&nx, &ny));
	CHECK_STR(text(&nx), "192.0.2.0/24");
	nx = hs__netblock_mask(&x, 25, 64);
	ny = hs__netblock_mask(&y, 25, 64);
	CHECK(!hs__netblock_equal(&nx, &ny));
	CHECK_STR(text(&ny), "192.0.2.128/25");
	nx = hs__netblock_mask(&x, 1, 1);
	CHECK_STR(text(&nx), "128.0.0.0/1");
	/* a prefix wider than the family is the whole address */
	nx = hs__netblock_mask(&x, 99, 64);
	CHECK_STR(text(&nx), "192.0.2.77");
	/* the same bits of different families never match */
	struct hs_netblock z4 = from4("0.0.0.0", 1), z6 = from6("::", 1);
	CHECK(!hs__netblock_equal(&z4, &z6));
}

static void test_parse(void)
{
	struct hs_netblock n, a;
	const char *t = "10.1.0.0/16";
	CHECK_EQ_INT(hs__netblock_parse(t, strlen(t), &n), 0);
	CHECK_STR(text(&n), "10.1.0.0/16");
	a = from4("10.1.200.3", 1);
	CHECK(hs__netblock_contains(&n, &a));
	a = from4("10.2.0.1", 1);
	CHECK(!hs__netblock_contains(&n, &a));
	/* a bare address is that address */
	CHECK_EQ_INT(hs__netblock_parse("127.0.0.3", 9, &n), 0);
	CHECK_EQ_INT(n.bits, 32);
	a = from4("127.0.0.3", 1);
	CHECK(hs__netblock_contains(&n, &a));
	a = from4("127.0.0.4", 1);
	CHECK(!hs__netblock_contains(&n, &a));
	/* IPv6, and a mapped peer against an IPv4 network */
	t = "2001:db8::/32";
	CHECK_EQ_INT(hs__netblock_parse(t, strlen(t), &n), 0);
	a = from6("2001:db8:ffff::1", 1);
	CHECK(hs__netblock_contains(&n, &a));
	t = "127.0.0.0/8";
	CHECK_EQ_INT(hs__netblock_parse(t, strlen(t), &n), 0);
	a = from6("::ffff:127.9.9.9", 1);
	CHECK(hs__netblock_contains(&n, &a));
	t = "0.0.0.0/0";
	CHECK_EQ_INT(hs__netblock_parse(t, strlen(t), &n), 0);
	CHECK(hs__netblock_contains(&n, &a));
	/* a length counts only what it is given: "10.1.2.3,x" holds one */
	CHECK_EQ_INT(hs__netblock_parse("10.1.2.3,x", 8, &n), 0);
	CHECK_STR(text(&n), "10.1.2.3");
	/* refused: host bits set, prefixes too long or malformed, names */
	const char *bad[] = { "192.0.2.1/24", "10.0.0.0/33",    "::/129",       "10.0.0.0/", "10.0.0.0/-1",
		              "10.0.0.0/1x",  "10.0.0.0/0008",  "host.example", "",          "/8",
		              "1.2.3",        "2001:db8::1/64", " 10.0.0.1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (hs__netblock_parse(bad[i], strlen(bad[i]), &n) != HS_ERR_INVALID_ARG) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
}

static void test_list(void)
{
	struct hs_netblock *v = NULL, a;
	size_t n = 0;
	char err[256];
	CHECK_EQ_INT(hs__netblock_parse_list("x", "127.0.0.1,10.0.0.0/8,2001:db8::/32", &v, &n, err, sizeof err), 0);
	CHECK_EQ_INT(n, 3);
	a = from4("10.200.0.1", 1);
	CHECK(hs__netblock_list_contains(v, n, &a));
	a = from6("::ffff:127.0.0.1", 1);
	CHECK(hs__netblock_list_contains(v, n, &a));
	a = from4("127.0.0.2", 1);
	CHECK(!hs__netblock_list_contains(v, n, &a));
	a = from6("2001:db9::1", 1);
	CHECK(!hs__netblock_list_contains(v, n, &a));
	free(v);
	CHECK(!hs__netblock_list_contains(NULL, 0, &a));
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", "10.0.0.0/8,,::1", &v, &n, err, sizeof err),
	             HS_ERR_INVALID_ARG);
	CHECK_STR(err, "penalty_exempt: empty item in the list \"10.0.0.0/8,,::1\"");
	CHECK(v == NULL && n == 0);
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", "10.0.0.0/8,", &v, &n, err, sizeof err),
	             HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", "", &v, &n, err, sizeof err), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", "10.0.0.1/8", &v, &n, err, sizeof err),
	             HS_ERR_INVALID_ARG);
	CHECK_STR(err,
	          "penalty_exempt: \"10.0.0.1/8\" is not an address or a network (ADDR or ADDR/BITS, host bits zero)");
	/* a bounded list */
	char big[HS_NETBLOCK_LIST_MAX * 12 + 16] = "";
	for (unsigned i = 0; i <= HS_NETBLOCK_LIST_MAX; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%s10.0.%u.%u", i ? "," : "", i / 256, i % 256);
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", big, &v, &n, err, sizeof err), HS_ERR_INVALID_ARG);
	CHECK(strstr(err, "more than") != NULL);
	*strrchr(big, ',') = '\0';
	CHECK_EQ_INT(hs__netblock_parse_list("penalty_exempt", big, &v, &n, err, sizeof err), 0);
	CHECK_EQ_INT(n, HS_NETBLOCK_LIST_MAX);
	free(v);
}

static void test_hash(void)
{
	struct hs_netblock a = from4("192.0.2.1", 1), b = from4("192.0.2.2", 1);
	CHECK(hs__netblock_hash(&a, 1) == hs__netblock_hash(&a, 1));
	CHECK(hs__netblock_hash(&a, 1) != hs__netblock_hash(&b, 1));
	CHECK(hs__netblock_hash(&a, 1) != hs__netblock_hash(&a, 2));
	/* the prefix is part of the key: 10.0.0.0/8 is not 10.0.0.0/32 */
	struct hs_netblock c = from4("10.0.0.0", 1), d = hs__netblock_mask(&c, 8, 64);
	CHECK(hs__netblock_hash(&c, 7) != hs__netblock_hash(&d, 7));
	CHECK(!hs__netblock_equal(&c, &d));
}

int main(void)
{
	test_mapped();
	test_grouping();
	test_parse();
	test_list();
	test_hash();
	return hs_test_done();
}
