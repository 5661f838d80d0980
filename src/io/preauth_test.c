/* The listener's memory of sources (io/preauth.c): penalties that add up,
 * run out, come into force above the minimum, stop at the maximum, grow
 * for repeat offenders and are forgotten; a table that stays bounded; the
 * memory of known sources; the bounds of random early drop. */
#include "io/preauth.h"

#include <arpa/inet.h>
#include <string.h>

#include "hs_test.h"

#define S 1000u /* one second in ms */

static struct hs_netblock v4(uint32_t a)
{
	struct hs_netblock n;
	memset(&n, 0, sizeof n);
	n.family = 4;
	n.bits = 32;
	uint32_t be = htonl(a);
	memcpy(n.addr, &be, 4);
	return n;
}

static struct hs_netblock v6(uint32_t a)
{
	struct hs_netblock n;
	memset(&n, 0, sizeof n);
	n.family = 6;
	n.bits = 64;
	n.addr[0] = 0x20;
	n.addr[1] = 0x01;
	uint32_t be = htonl(a);
	memcpy(n.addr + 4, &be, 4);
	return n;
}

/* One offence; returns how long it put the penalty in force for (0: not). */
static uint64_t offend(struct hs_penalties *p, const struct hs_netblock *src, uint64_t cost, uint64_t now)
{
	uint64_t in_force = 12345;
	CHECK_EQ_INT(hs__penalties_add(p, src, cost, 30 * S, 600 * S, now, &in_force), 0);
	return in_force;
}

/* The defaults' arithmetic: 4 s a failure, in force above 30 s. */
static void test_threshold_and_decay(void)
{
	struct hs_penalties p;
	struct hs_netblock a = v4(0x7f000003), b = v4(0x7f000001);
	hs__penalties_init(&p, 42);
	uint64_t t = 1000000;
	/* seven failures in a row: 28 s outstanding, not in force */
	for (int i = 0; i < 7; i++)
		CHECK(offend(&p, &a, 4 * S, t) == 0);
	CHECK(hs__penalties_check(&p, &a, t) == 0);
	/* the eighth: 32 s, in force for 32 s */
	CHECK(offend(&p, &a, 4 * S, t) == 32 * S);
	CHECK(hs__penalties_check(&p, &a, t) == 32 * S);
	CHECK(hs__penalties_check(&p, &a, t + 31 * S) == 1 * S);
	CHECK(hs__penalties_check(&p, &a, t + 32 * S) == 0);
	/* another source is untouched */
	CHECK(hs__penalties_check(&p, &b, t) == 0);
	/* outstanding seconds run out in real time: one failure every 4 s
	 * never adds up */
	for (int i = 0; i < 50; i++)
		CHECK(offend(&p, &b, 4 * S, t + (uint64_t)i * 4 * S) == 0);
	CHECK(hs__penalties_check(&p, &b, t + 200 * S) == 0);
	/* a little faster does */
	uint64_t got = 0;
	int n = 0;
	for (; n < 100 && got == 0; n++)
		got = offend(&p, &b, 4 * S, t + 300 * S + (uint64_t)n * 3 * S);
	CHECK(got > 30 * S);
	CHECK(n > 8); /* more failures than in a burst */
	hs__penalties_cleanup(&p);
}

/* Once in force, more offences lengthen it, up to the maximum; each time
 * it comes into force again its offences cost double; a source that
 * behaves for the maximum after its penalty is forgotten. */
static void test_growth(void)
{
	struct hs_penalties p;
	struct hs_netblock a = v4(0xc0000201);
	hs__penalties_init(&p, 7);
	uint64_t t = 5000;
	/* one offence above the minimum is in force at once */
	CHECK(offend(&p, &a, 90 * S, t) == 90 * S);
	/* more while in force (connections accepted before) lengthen it, to
	 * the maximum at most, and do not report again */
	for (int i = 0; i < 20; i++)
		CHECK(offend(&p, &a, 90 * S, t) == 0);
	CHECK(hs__penalties_check(&p, &a, t) == 600 * S);
	/* run out: the next offences cost double (4 s -> 8 s, 16 s ...) */
	t += 600 * S;
	CHECK(hs__penalties_check(&p, &a, t) == 0);
	int n = 0;
	uint64_t got = 0;
	for (; n < 10 && got == 0; n++)
		got = offend(&p, &a, 4 * S, t);
	CHECK_EQ_INT(n, 4); /* 8 s each: 32 s after the fourth */
	CHECK(got == 32 * S);
	t += got;
	n = 0;
	got = 0;
	for (; n < 10 && got == 0; n++)
		got = offend(&p, &a, 4 * S, t);
	CHECK_EQ_INT(n, 2); /* 16 s each */
	t += got;
	CHECK(offend(&p, &a, 4 * S, t) == 32 * S); /* 32 s at once */
	t += 32 * S;
	CHECK(offend(&p, &a, 4 * S, t) == 64 * S);
	t += 64 * S;
	/* doubling stops at the maximum */
	for (int i = 0; i < 20; i++) {
		uint64_t f = offend(&p, &a, 4 * S, t);
		CHECK(f > 0 && f <= 600 * S);
		t += f;
	}
	CHECK(offend(&p, &a, 4 * S, t) == 600 * S);
	t += 600 * S;
	/* behaving for the maximum after it ran out: forgotten, 4 s again */
	t += 600 * S;
	for (int i = 0; i < 7; i++)
		CHECK(offend(&p, &a, 4 * S, t) == 0);
	CHECK(offend(&p, &a, 4 * S, t) == 32 * S);
	/* a cost of 0 (that offence is not penalised) records nothing */
	struct hs_netblock b = v4(0xc0000202);
	uint64_t f = 1;
	CHECK_EQ_INT(hs__penalties_add(&p, &b, 0, 30 * S, 600 * S, t, &f), 0);
	CHECK(f == 0);
	CHECK_EQ_INT(hs__penalties_count(&p), 1);
	hs__penalties_cleanup(&p);
}

/* The table never holds more than HS_PENALTY_SOURCES: forgotten sources
 * make room first, then those closest to being forgotten; the heaviest
 * penalties stay, lookups stay correct through the deletions. */
static void test_bounded(void)
{
	struct hs_penalties p;
	hs__penalties_init(&p, 99);
	uint64_t t = 1;
	struct hs_netblock heavy = v4(0x0a000001);
	CHECK(offend(&p, &heavy, 600 * S, t) == 600 * S);
	/* a flood of sources, each with a light penalty not in force */
	for (uint32_t i = 0; i < 2 * HS_PENALTY_SOURCES; i++) {
		struct hs_netblock s = v6(i);
		CHECK(offend(&p, &s, 1 * S, t + i) == 0);
		CHECK(hs__penalties_count(&p) <= HS_PENALTY_SOURCES);
	}
	CHECK_EQ_INT(hs__penalties_count(&p), HS_PENALTY_SOURCES);
	CHECK(hs__penalties_check(&p, &heavy, t + 3 * HS_PENALTY_SOURCES) > 0);
	/* the newest light ones are there (found through the probing) */
	for (uint32_t i = 2 * HS_PENALTY_SOURCES - 100; i < 2 * HS_PENALTY_SOURCES; i++) {
		struct hs_netblock s = v6(i);
		uint64_t f = 0;
		/* 30 s more puts a present one over 30 s, not a new one */
		CHECK_EQ_INT(hs__penalties_add(&p, &s, 30 * S, 30 * S, 600 * S, t + 2 * HS_PENALTY_SOURCES, &f), 0);
		CHECK(f > 0);
	}
	CHECK_EQ_INT(hs__penalties_count(&p), HS_PENALTY_SOURCES);
	/* much later everything is forgotten and makes room at once */
	t += 10000 * S;
	for (uint32_t i = 0; i < 10; i++) {
		struct hs_netblock s = v4(0x0b000000 + i);
		CHECK(offend(&p, &s, 1 * S, t) == 0);
	}
	CHECK(hs__penalties_count(&p) <= HS_PENALTY_SOURCES);
	CHECK(hs__penalties_check(&p, &heavy, t) == 0);
	hs__penalties_cleanup(&p);
	/* an empty table answers without allocating */
	hs__penalties_init(&p, 1);
	CHECK(hs__penalties_check(&p, &heavy, 0) == 0);
	CHECK(p.slot == NULL);
	hs__penalties_cleanup(&p);
}

static void test_known(void)
{
	static struct hs_known_sources k;
	struct hs_netblock a = v4(1), b = v4(2);
	memset(&k, 0, sizeof k);
	CHECK(!hs__known_has(&k, &a, 10));
	hs__known_add(&k, &a, 10);
	CHECK(hs__known_has(&k, &a, 10));
	CHECK(hs__known_has(&k, &a, 10 + HS_KNOWN_SOURCE_MS - 1));
	CHECK(!hs__known_has(&k, &a, 10 + HS_KNOWN_SOURCE_MS));
	CHECK(!hs__known_has(&k, &b, 10));
	/* seen again: remembered from then on */
	hs__known_add(&k, &a, 10 + HS_KNOWN_SOURCE_MS);
	CHECK(hs__known_has(&k, &a, 10 + HS_KNOWN_SOURCE_MS + 5));
	CHECK_EQ_INT(k.n, 1);
	/* bounded: when full the one seen longest ago makes room */
	memset(&k, 0, sizeof k);
	for (uint32_t i = 0; i < HS_KNOWN_SOURCES; i++) {
		struct hs_netblock s = v6(i);
		hs__known_add(&k, &s, 100 + i);
	}
	CHECK_EQ_INT(k.n, HS_KNOWN_SOURCES);
	hs__known_add(&k, &a, 5000);
	CHECK_EQ_INT(k.n, HS_KNOWN_SOURCES);
	struct hs_netblock first = v6(0), second = v6(1);
	CHECK(!hs__known_has(&k, &first, 5000));
	CHECK(hs__known_has(&k, &second, 5000));
	CHECK(hs__known_has(&k, &a, 5000));
}

/* Random early drop: never below START, always from FULL, RATE % at
 * START rising linearly; r spans 0..99. */
static void test_early_drop(void)
{
	/* 10:30:100 (OpenSSH's default) */
	for (uint32_t r = 0; r < 100; r++) {
		CHECK(!hs__early_drop(0, 10, 30, 100, r));
		CHECK(!hs__early_drop(9, 10, 30, 100, r));
		CHECK(hs__early_drop(100, 10, 30, 100, r));
		CHECK(hs__early_drop(150, 10, 30, 100, r));
	}
	int drops = 0;
	for (uint32_t r = 0; r < 100; r++)
		drops += hs__early_drop(10, 10, 30, 100, r);
	CHECK_EQ_INT(drops, 30);
	drops = 0;
	for (uint32_t r = 0; r < 100; r++)
		drops += hs__early_drop(55, 10, 30, 100, r); /* halfway: 30 + 70/2 */
	CHECK_EQ_INT(drops, 65);
	drops = 0;
	for (uint32_t r = 0; r < 100; r++)
		drops += hs__early_drop(99, 10, 30, 100, r);
	CHECK(drops >= 99 && drops <= 100);
	/* probability never falls as the count grows */
	int last = 0;
	for (uint32_t u = 0; u <= 110; u++) {
		int d = 0;
		for (uint32_t r = 0; r < 100; r++)
			d += hs__early_drop(u, 10, 30, 100, r);
		CHECK(d >= last);
		last = d;
	}
	/* START = FULL (the default): a plain cap, nothing random */
	for (uint32_t r = 0; r < 100; r++) {
		CHECK(!hs__early_drop(63, 64, 30, 64, r));
		CHECK(hs__early_drop(64, 64, 30, 64, r));
	}
	/* RATE 100: everything from START on */
	CHECK(hs__early_drop(5, 5, 100, 64, 99));
	CHECK(!hs__early_drop(4, 5, 100, 64, 0));
}

int main(void)
{
	test_threshold_and_decay();
	test_growth();
	test_bounded();
	test_known();
	test_early_drop();
	return hs_test_done();
}
