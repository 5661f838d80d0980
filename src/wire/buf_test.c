/* Tests of the bounds-checked buffer and view: overfill, truncation,
 * overflow attempts, unchanged state after a failed read. */
#include "wire/buf.h"

#include <stdint.h>
#include <stdlib.h>

#include "hs_test.h"

static void test_put_get_roundtrip(void)
{
	struct hs_buf b;
	hs__buf_init(&b, 1024, 0);
	CHECK_EQ_INT(hs__buf_put_u8(&b, 7), 0);
	CHECK_EQ_INT(hs__buf_put_bool(&b, 5), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&b, 0xdeadbeef), 0);
	CHECK_EQ_INT(hs__buf_put_u64(&b, 0x0102030405060708ULL), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-userauth"), 0);
	uint8_t mp[] = { 0x00, 0x00, 0x80, 0x01 };
	CHECK_EQ_INT(hs__buf_put_mpint_bytes(&b, mp, sizeof mp), 0);
	size_t mark;
	CHECK_EQ_INT(hs__buf_begin_string(&b, &mark), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&b, 42), 0);
	CHECK_EQ_INT(hs__buf_end_string(&b, mark), 0);

	struct hs_view v = hs__buf_view(&b);
	uint8_t u8;
	int bo;
	uint32_t u32;
	uint64_t u64;
	char s[32];
	struct hs_bytes m;
	struct hs_view sub;
	CHECK_EQ_INT(hs__view_get_u8(&v, &u8), 0);
	CHECK_EQ_INT(u8, 7);
	CHECK_EQ_INT(hs__view_get_bool(&v, &bo), 0);
	CHECK_EQ_INT(bo, 1);
	CHECK_EQ_INT(hs__view_get_u32(&v, &u32), 0);
	CHECK(u32 == 0xdeadbeef);
	CHECK_EQ_INT(hs__view_get_u64(&v, &u64), 0);
	CHECK(u64 == 0x0102030405060708ULL);
	CHECK_EQ_INT(hs__view_get_cstring(&v, s, sizeof s), 0);
	CHECK(strcmp(s, "ssh-userauth") == 0);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &m), 0);
	CHECK_EQ_INT(m.len, 2);
	CHECK(m.ptr[0] == 0x80 && m.ptr[1] == 0x01);
	CHECK_EQ_INT(hs__view_get_subview(&v, &sub), 0);
	CHECK_EQ_INT(hs__view_get_u32(&sub, &u32), 0);
	CHECK_EQ_INT(u32, 42);
	CHECK_EQ_INT(hs__view_end(&sub), 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
	hs__buf_cleanup(&b);
}

static void test_overfill(void)
{
	struct hs_buf b;
	hs__buf_init(&b, 10, 1);
	uint8_t d[11] = { 0 };
	CHECK_EQ_INT(hs__buf_put(&b, d, 11), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_len(&b), 0);
	CHECK_EQ_INT(hs__buf_put(&b, d, 10), 0);
	CHECK_EQ_INT(hs__buf_put_u8(&b, 1), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_consume(&b, 4), 0);
	CHECK_EQ_INT(hs__buf_put(&b, d, 4), 0); /* compacts, stays within max */
	CHECK_EQ_INT(hs__buf_len(&b), 10);
	CHECK_EQ_INT(hs__buf_consume(&b, 11), HS_ERR_INTERNAL);
	uint8_t *p;
	CHECK_EQ_INT(hs__buf_reserve(&b, SIZE_MAX, &p), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_reserve(&b, SIZE_MAX - 5, &p), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_unwrite(&b, 11), HS_ERR_INTERNAL);
	CHECK_EQ_INT(hs__buf_unwrite(&b, 10), 0);
	CHECK_EQ_INT(hs__buf_len(&b), 0);
	hs__buf_shrink(&b, 0);
	CHECK(b.data == NULL);
	hs__buf_cleanup(&b);
	hs__buf_cleanup(NULL);
}

static void test_truncated_reads_leave_state(void)
{
	/* string claims 5 bytes, has 3 */
	const uint8_t d[] = { 0, 0, 0, 5, 'a', 'b', 'c' };
	struct hs_view v = hs__view_make(d, sizeof d);
	struct hs_bytes s;
	CHECK_EQ_INT(hs__view_get_string(&v, &s), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(v.pos, 0);
	char c[8];
	CHECK_EQ_INT(hs__view_get_cstring(&v, c, sizeof c), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(v.pos, 0);
	uint64_t u64;
	CHECK_EQ_INT(hs__view_get_u64(&v, &u64), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(v.pos, 0);
	/* huge length must not wrap the position */
	const uint8_t h[] = { 0xff, 0xff, 0xff, 0xff, 1 };
	v = hs__view_make(h, sizeof h);
	CHECK_EQ_INT(hs__view_get_string(&v, &s), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(v.pos, 0);
	CHECK_EQ_INT(hs__view_get_bytes(&v, SIZE_MAX, &s), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(hs__view_end(&v), HS_ERR_TRAILING);
	struct hs_view empty = hs__view_make(NULL, 0);
	uint8_t u8;
	CHECK_EQ_INT(hs__view_get_u8(&empty, &u8), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(hs__view_end(&empty), 0);
}

static void test_cstring_rules(void)
{
	const uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'b' };
	struct hs_view v = hs__view_make(nul, sizeof nul);
	char c[8];
	CHECK_EQ_INT(hs__view_get_cstring(&v, c, sizeof c), HS_ERR_FORMAT);
	CHECK_EQ_INT(v.pos, 0);
	const uint8_t longs[] = { 0, 0, 0, 4, 'a', 'b', 'c', 'd' };
	v = hs__view_make(longs, sizeof longs);
	CHECK_EQ_INT(hs__view_get_cstring(&v, c, 4), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__view_get_cstring(&v, c, 5), 0);
	CHECK(strcmp(c, "abcd") == 0);
}

static void test_mpint_rules(void)
{
	const uint8_t neg[] = { 0, 0, 0, 1, 0x80 };
	const uint8_t nonmin[] = { 0, 0, 0, 2, 0x00, 0x01 };
	const uint8_t zero[] = { 0, 0, 0, 0 };
	struct hs_bytes m;
	struct hs_view v = hs__view_make(neg, sizeof neg);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &m), HS_ERR_FORMAT);
	CHECK_EQ_INT(v.pos, 0);
	v = hs__view_make(nonmin, sizeof nonmin);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &m), HS_ERR_FORMAT);
	v = hs__view_make(zero, sizeof zero);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &m), 0);
	CHECK_EQ_INT(m.len, 0);
}

static void test_namelist(void)
{
	const char *l = "curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com";
	struct hs_bytes b = { (const uint8_t *)l, strlen(l) };
	CHECK(hs__namelist_has(b, "ext-info-c"));
	CHECK(hs__namelist_has(b, "curve25519-sha256"));
	CHECK(hs__namelist_has(b, "kex-strict-c-v00@openssh.com"));
	CHECK(!hs__namelist_has(b, "ext-info"));
	CHECK(!hs__namelist_has(b, "curve25519-sha256,ext-info-c"));
	struct hs_bytes e = { (const uint8_t *)"", 0 };
	CHECK(!hs__namelist_has(e, "x"));
}

static void test_growth_and_secret(void)
{
	struct hs_buf b;
	hs__buf_init(&b, 1 << 20, 1);
	int failures = 0;
	for (int i = 0; i < 100000; i++)
		failures += hs__buf_put_u8(&b, (uint8_t)i) != 0;
	CHECK_EQ_INT(failures, 0);
	CHECK_EQ_INT(hs__buf_len(&b), 100000);
	CHECK_EQ_INT(hs__buf_ptr(&b)[99999], (uint8_t)99999);
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__buf_len(&b), 0);
	hs__buf_shrink(&b, 512);
	CHECK_EQ_INT(b.cap, 512);
	hs__buf_cleanup(&b);
}

int main(void)
{
	test_put_get_roundtrip();
	test_overfill();
	test_truncated_reads_leave_state();
	test_cstring_rules();
	test_mpint_rules();
	test_namelist();
	test_growth_and_secret();
	return hs_test_done();
}
