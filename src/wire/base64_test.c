/* Tests of base64: RFC 4648 §10 vectors both ways, the unpadded form used
 * by fingerprints, every byte value, and the strict decoder's refusals. */
#include "wire/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "hs_test.h"

struct vec {
	const char *raw, *padded, *unpadded;
};

static const struct vec rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_vectors(void)
{
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		const struct vec *t = &rfc4648[i];
		size_t n = strlen(t->raw);
		char out[16];
		uint8_t dec[16];
		size_t dlen = 99;
		CHECK_EQ_INT(hs__base64_encoded_len(n, 1), strlen(t->padded));
		CHECK_EQ_INT(hs__base64_encoded_len(n, 0), strlen(t->unpadded));
		CHECK_EQ_INT(hs__base64_encode((const uint8_t *)t->raw, n, out, sizeof out, 1), 0);
		CHECK(strcmp(out, t->padded) == 0);
		CHECK_EQ_INT(hs__base64_encode((const uint8_t *)t->raw, n, out, sizeof out, 0), 0);
		CHECK(strcmp(out, t->unpadded) == 0);
		CHECK_EQ_INT(hs__base64_decode(t->padded, strlen(t->padded), dec, sizeof dec, &dlen), 0);
		CHECK_EQ_INT(dlen, n);
		CHECK_MEM(dec, t->raw, n);
		CHECK(hs__base64_decoded_max(strlen(t->padded)) >= n);
	}
}

/* Every byte value at every position of a 3-byte group survives. */
static void test_all_bytes(void)
{
	uint8_t raw[256 + 2], dec[300];
	char enc[400];
	size_t dlen;
	for (int i = 0; i < 256; i++)
		raw[i] = (uint8_t)i;
	raw[256] = 0xff;
	raw[257] = 0x00;
	for (size_t n = 255; n <= sizeof raw; n++) {
		CHECK_EQ_INT(hs__base64_encode(raw, n, enc, sizeof enc, 1), 0);
		CHECK_EQ_INT(strlen(enc), hs__base64_encoded_len(n, 1));
		CHECK_EQ_INT(hs__base64_decode(enc, strlen(enc), dec, sizeof dec, &dlen), 0);
		CHECK_EQ_INT(dlen, n);
		CHECK_MEM(dec, raw, n);
	}
	/* The whole alphabet decodes, in order. */
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	CHECK_EQ_INT(hs__base64_decode(alpha, 64, dec, sizeof dec, &dlen), 0);
	CHECK_EQ_INT(dlen, 48);
	CHECK_EQ_INT(hs__base64_encode(dec, 48, enc, sizeof enc, 1), 0);
	CHECK(strcmp(enc, alpha) == 0);
}

static void test_strict_decoder(void)
{
	static const char *const bad[] = {
		"Zg=",               /* length not a multiple of 4 */
		"Zg",                /* unpadded */
		"Zh==",              /* unused bits set */
		"Zm9=",              /* unused bits set (one pad) */
		"Z===",              /* too much padding */
		"====",  "Zg==Zg==", /* padding in the middle */
		"Z=g=",  "Zm 9",     /* whitespace */
		"Zm9\n", "Zm-v",     /* URL-safe alphabet is not ours */
		"Zm_v",  "Zm9\x80",  "Zm9v\0\0\0\0",
	};
	uint8_t dec[16];
	size_t dlen = 77;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = i == sizeof bad / sizeof bad[0] - 1 ? 8 : strlen(bad[i]);
		int r = hs__base64_decode(bad[i], n, dec, sizeof dec, &dlen);
		if (r != HS_ERR_FORMAT)
			fprintf(stderr, "accepted bad input #%zu\n", i);
		CHECK_EQ_INT(r, HS_ERR_FORMAT);
	}
	CHECK_EQ_INT(dlen, 77); /* untouched on failure */
	/* Every non-alphabet byte is refused in every position. */
	for (int c = 0; c < 256; c++) {
		int in = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		         c == '/';
		for (int pos = 0; pos < 4; pos++) {
			char s[5] = "AAAA";
			s[pos] = (char)c;
			int r = hs__base64_decode(s, 4, dec, sizeof dec, &dlen);
			if (in)
				CHECK_EQ_INT(r, 0);
			else if (c != '=' || pos < 2)
				CHECK_EQ_INT(r, HS_ERR_FORMAT);
		}
	}
}

static void test_limits(void)
{
	char small[5];
	uint8_t d[2];
	size_t dlen;
	CHECK_EQ_INT(hs__base64_encode((const uint8_t *)"foo", 3, small, 4, 1), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__base64_encode((const uint8_t *)"foo", 3, small, 5, 1), 0);
	CHECK_EQ_INT(hs__base64_encode((const uint8_t *)"f", 1, small, 0, 1), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__base64_decode("Zm9v", 4, d, sizeof d, &dlen), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__base64_decode("Zm8=", 4, d, sizeof d, &dlen), 0);
	CHECK_EQ_INT(hs__base64_encoded_len(SIZE_MAX, 1), SIZE_MAX);
	CHECK_EQ_INT(hs__base64_encoded_len(SIZE_MAX - 1, 0), SIZE_MAX);
}

int main(void)
{
	test_vectors();
	test_all_bytes();
	test_strict_decoder();
	test_limits();
	return hs_test_done();
}
