/*
 * Tests of the angelos-tongues public key algorithm (Ed25519 with the
 * Angelos project's framing): the known answer from the project's issue
 * (seed 00..1f, its public key, blob, fingerprint and the signature of 64
 * bytes of 0x01), host key blobs and signatures in both framings, keys
 * from raw hex/base64 text, and the refusal of every malformed key or
 * signature blob with a clean error code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_test.h"
#include "keys/key_priv.h"
#include "keys/key_testutil.h"
#include "keys/sig.h"
#include "wire/base64.h"
#include "wire/buf.h"

static const char ka_public[] = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
static const char ka_public_b64[] = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
static const char ka_sig[] =
	"da3ce4f4a42b3215531204c46adc478717ed8f9f4ab496a1e5c693856575404654649489a0abd2e77c7af0"
	"25ff2889641aaa2ca15996f1e7037045d1aac83801";
/* sha256 over the 63-byte blob, computed independently. */
static const char ka_fingerprint[] = "SHA256:C33+Er2Zn6M/UsTFoAGqmF5l9jq5vks96COqOnHFsow";
/* base64 of the 63-byte blob, as in a public key line. */
static const char ka_line_b64[] =
	"AAAAD2FuZ2Vsb3MtdG9uZ3Vlc0E2RUh2L1BPRUw0ZGNOMFk1MHZBbVdmazFqQ2Jw"
	"UTFmSGR5R1pCSlZNYmc9";

static const uint8_t msg[] = "exchange hash stand-in: angelos-tongues test";

static struct hs_hostkey *ka_hostkey(void)
{
	uint8_t seed[32];
	struct hs_hostkey *hk = NULL;
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	CHECK_EQ_INT(hs__hostkey_from_seed(seed, &hk), 0);
	return hk;
}

/* The expected 63-byte blob. */
static void ka_blob(uint8_t out[HS_TONGUES_BLOB_LEN])
{
	memcpy(out,
	       "\0\0\0\x0f"
	       "angelos-tongues",
	       19);
	memcpy(out + 19, ka_public_b64, 44);
}

static int blob_result(const uint8_t *p, size_t n)
{
	struct hs_key *k = NULL;
	int r = hs_key_from_blob(p, n, &k);
	CHECK((r == 0) == (k != NULL));
	hs_key_free(k);
	return r;
}

/* A blob "string angelos-tongues" + text (any length). */
static int tongues_result(const char *text, size_t n)
{
	uint8_t b[256];
	if (n > sizeof b - 19)
		return -1000;
	memcpy(b,
	       "\0\0\0\x0f"
	       "angelos-tongues",
	       19);
	memcpy(b + 19, text, n);
	return blob_result(b, 19 + n);
}

static void test_known_answer(void)
{
	uint8_t pub[32], sig[64], got[32], blob[HS_TONGUES_BLOB_LEN], ones[64];
	struct hs_hostkey *hk = ka_hostkey();
	struct hs_key *k = NULL, *k2 = NULL;
	struct hs_buf b, s;
	hs__buf_init(&b, 1024, 0);
	hs__buf_init(&s, 1024, 0);
	CHECK_EQ_INT(hs_test_unhex(ka_public, pub, sizeof pub), 32);
	CHECK_EQ_INT(hs_test_unhex(ka_sig, sig, sizeof sig), 64);
	memset(ones, 0x01, sizeof ones);
	ka_blob(blob);
	if (hk == NULL)
		goto out;
	/* The verify key derived from the seed. */
	CHECK_EQ_INT(hs_hostkey_ed25519_public(hk, got), 0);
	CHECK_MEM(got, pub, 32);
	/* K_S in angelos form: exactly the 63 bytes, appended after what is
	 * already there. */
	CHECK_EQ_INT(hs__buf_put_u8(&b, 0xaa), 0);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, "angelos-tongues", &b), 0);
	CHECK_EQ_INT(hs__buf_len(&b), 1 + 63);
	CHECK(hs__buf_len(&b) == 64 && memcmp(hs__buf_ptr(&b) + 1, blob, 63) == 0);
	/* ... and in ssh-ed25519 form, the host key's own blob. */
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, "ssh-ed25519", &b), 0);
	size_t plen;
	const uint8_t *pblob = hs_key_blob(hs_hostkey_public(hk), &plen);
	CHECK(hs__buf_len(&b) == plen && memcmp(hs__buf_ptr(&b), pblob, plen) == 0);
	CHECK_EQ_INT(plen, 51);
	/* Any other name: refused, nothing appended. */
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, "rsa-sha2-256", &b), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, "angelos-tongues ", &b), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, "", &b), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__buf_len(&b), 0);
	CHECK_EQ_INT(hs__hostkey_public_blob(NULL, "ssh-ed25519", &b), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__hostkey_public_blob(hk, NULL, &b), HS_ERR_INVALID_ARG);
	struct hs_buf tiny;
	hs__buf_init(&tiny, 62, 0);
	CHECK(hs__hostkey_public_blob(hk, "angelos-tongues", &tiny) != 0);
	CHECK_EQ_INT(hs__buf_len(&tiny), 0);
	hs__buf_cleanup(&tiny);

	/* The blob parses to an angelos-tongues key. */
	CHECK_EQ_INT(hs_key_from_blob(blob, sizeof blob, &k), 0);
	if (k == NULL)
		goto out;
	CHECK_EQ_INT(hs_key_type(k), HS_KEY_ANGELOS_TONGUES);
	CHECK(strcmp(hs_key_type_name(k), "angelos-tongues") == 0);
	size_t blen;
	const uint8_t *kb = hs_key_blob(k, &blen);
	CHECK(blen == 63 && memcmp(kb, blob, 63) == 0);
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(k, fp);
	CHECK(strcmp(fp, ka_fingerprint) == 0);
	memset(got, 0, sizeof got);
	CHECK_EQ_INT(hs_key_ed25519_public(k, got), 0);
	CHECK_MEM(got, pub, 32);
	CHECK_EQ_INT(hs_key_from_ed25519_raw(pub, HS_KEY_ANGELOS_TONGUES, &k2), 0);
	CHECK(hs_key_equal(k, k2));
	hs_key_free(k2);
	k2 = NULL;

	/* Signing 64 bytes of 0x01: the known signature, 83 bytes framed. */
	CHECK_EQ_INT(hs__buf_put_u8(&s, 0x55), 0);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "angelos-tongues", ones, sizeof ones, &s), 0);
	CHECK_EQ_INT(hs__buf_len(&s), 1 + 83);
	if (hs__buf_len(&s) == 84) {
		const uint8_t *p = hs__buf_ptr(&s) + 1;
		CHECK_MEM(p,
		          "\0\0\0\x0f"
		          "angelos-tongues",
		          19);
		CHECK_MEM(p + 19, sig, 64);
		CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", p, 83, ones, sizeof ones), 0);
		CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", p, 83, ones, 63), HS_ERR_SIGNATURE);
		/* Under the other name, or with the other key framing: refused
		 * (the request's name must match the key blob's type). */
		CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", p, 83, ones, sizeof ones), HS_ERR_KEY_TYPE);
		CHECK_EQ_INT(hs__key_verify(hs_hostkey_public(hk), "angelos-tongues", p, 83, ones, sizeof ones),
		             HS_ERR_KEY_TYPE);
	}
	/* The same key signing as ssh-ed25519: the same raw signature in the
	 * RFC 8709 framing, which only the ssh-ed25519 key accepts. */
	hs__buf_reset(&s);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "ssh-ed25519", ones, sizeof ones, &s), 0);
	CHECK_EQ_INT(hs__buf_len(&s), 4 + 11 + 4 + 64);
	if (hs__buf_len(&s) == 83) {
		CHECK_MEM(hs__buf_ptr(&s) + 19, sig, 64);
		CHECK_EQ_INT(hs__key_verify(hs_hostkey_public(hk), "ssh-ed25519", hs__buf_ptr(&s), 83, ones,
		                            sizeof ones),
		             0);
		CHECK(hs__key_verify(k, "ssh-ed25519", hs__buf_ptr(&s), 83, ones, sizeof ones) != 0);
		CHECK(hs__key_verify(k, "angelos-tongues", hs__buf_ptr(&s), 83, ones, sizeof ones) != 0);
	}
	/* Other algorithms: refused, nothing appended. */
	hs__buf_reset(&s);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "angelos-tongue", ones, sizeof ones, &s), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "rsa-sha2-512", ones, sizeof ones, &s), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__buf_len(&s), 0);
	/* A buffer one byte too small: nothing half-written. */
	hs__buf_init(&tiny, 82, 0);
	CHECK(hs__hostkey_sign(hk, "angelos-tongues", ones, sizeof ones, &tiny) != 0);
	CHECK_EQ_INT(hs__buf_len(&tiny), 0);
	hs__buf_cleanup(&tiny);
	hs__buf_init(&tiny, 83, 0);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "angelos-tongues", ones, sizeof ones, &tiny), 0);
	CHECK_EQ_INT(hs__buf_len(&tiny), 83);
	hs__buf_cleanup(&tiny);
	/* Empty data signs and verifies too. */
	hs__buf_reset(&s);
	CHECK_EQ_INT(hs__hostkey_sign(hk, "angelos-tongues", NULL, 0, &s), 0);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", hs__buf_ptr(&s), hs__buf_len(&s), NULL, 0), 0);

	/* Which names each key may use. */
	CHECK_EQ_INT(hs__key_alg_allowed(k, "angelos-tongues"), 1);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "ssh-ed25519"), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(k, "angelos-tongues\n"), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(k, ""), 0);
	CHECK_EQ_INT(hs__key_alg_allowed(hs_hostkey_public(hk), "angelos-tongues"), 0);
out:
	hs_key_free(k);
	hs_hostkey_free(hk);
	hs__buf_cleanup(&b);
	hs__buf_cleanup(&s);
}

/* The value of a base64 character, or -1 (written independently of the
 * decoder under test). */
static int b64_value(unsigned c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != 0 ? strchr(alphabet, (int)c) : NULL;
	return p != NULL ? (int)(p - alphabet) : -1;
}

static void test_key_blobs(void)
{
	uint8_t blob[HS_TONGUES_BLOB_LEN + 8];
	char text[64];
	ka_blob(blob);
	CHECK_EQ_INT(blob_result(blob, 63), 0);
	/* 62 and 64 bytes; every shorter prefix. */
	CHECK_EQ_INT(blob_result(blob, 62), HS_ERR_TRUNCATED);
	blob[63] = '=';
	CHECK_EQ_INT(blob_result(blob, 64), HS_ERR_TRAILING);
	blob[63] = 0;
	CHECK_EQ_INT(blob_result(blob, 64), HS_ERR_TRAILING);
	int all = 1;
	for (size_t n = 0; n < 63; n++)
		all &= blob_result(blob, n) != 0;
	CHECK(all);
	/* Every one-byte change of the key text: accepted exactly when the
	 * text is still the canonical encoding of some 32 bytes (another
	 * alphabet character in the first 42 places; in the 43rd one whose
	 * two unused low bits are zero; never anything but '=' in the last),
	 * refused as malformed otherwise. */
	all = 1;
	for (size_t i = 19; i < 63; i++) {
		uint8_t keep = blob[i];
		for (unsigned c = 1; c < 256; c++) {
			if (c == keep)
				continue;
			blob[i] = (uint8_t)c;
			int v = b64_value(c), want;
			if (i - 19 < 42)
				want = v >= 0 ? 0 : HS_ERR_FORMAT;
			else if (i - 19 == 42)
				want = v >= 0 && (v & 3) == 0 ? 0 : HS_ERR_FORMAT;
			else
				want = HS_ERR_FORMAT;
			int r = blob_result(blob, 63);
			if (r != want)
				fprintf(stderr, "text[%zu] = 0x%02x: %d, expected %d\n", i - 19, c, r, want);
			all &= r == want;
		}
		blob[i] = 0; /* NUL: never a base64 character */
		all &= blob_result(blob, 63) == HS_ERR_FORMAT;
		blob[i] = keep;
	}
	CHECK(all);
	CHECK_EQ_INT(blob_result(blob, 63), 0);

	/* Named cases. Bad characters (URL-safe alphabet, punctuation, NUL). */
	memcpy(text, ka_public_b64, 44);
	text[4] = '-';
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	text[4] = '_';
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	text[4] = '\0';
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	/* Without padding: 43 characters, or a 44th that is not '='. */
	CHECK_EQ_INT(tongues_result(ka_public_b64, 43), HS_ERR_TRUNCATED);
	memcpy(text, ka_public_b64, 44);
	text[43] = 'A'; /* 44 characters without '=': 33 bytes */
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	/* Whitespace: inside, leading (dropping the padding to keep 44),
	 * trailing. */
	memcpy(text, ka_public_b64, 44);
	text[20] = ' ';
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	text[0] = ' ';
	memcpy(text + 1, ka_public_b64, 43);
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	memcpy(text, ka_public_b64, 44);
	text[44] = '\n';
	CHECK_EQ_INT(tongues_result(text, 45), HS_ERR_TRAILING);
	memcpy(text, ka_public_b64, 40);
	memcpy(text + 40, "\nMbg=", 5); /* a line break inside, 45 long */
	CHECK_EQ_INT(tongues_result(text, 45), HS_ERR_TRAILING);
	memcpy(text, "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJV\nbg=", 44);
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	/* Non-canonical: the last character carries stray low bits
	 * ('g' = 100000b; 'h' sets a bit the decoding drops). */
	memcpy(text, ka_public_b64, 44);
	CHECK(text[42] == 'g');
	for (char c = 'h'; c <= 'j'; c++) {
		text[42] = c;
		CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	}
	/* 44 characters that decode to 31 or 33 bytes. */
	uint8_t raw[33];
	memset(raw, 0x42, sizeof raw);
	CHECK_EQ_INT(hs__base64_encode(raw, 31, text, sizeof text, 1), 0);
	CHECK(strlen(text) == 44 && text[42] == '=');
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__base64_encode(raw, 33, text, sizeof text, 1), 0);
	CHECK(strlen(text) == 44 && text[43] != '=');
	CHECK_EQ_INT(tongues_result(text, 44), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__base64_encode(raw, 32, text, sizeof text, 1), 0);
	CHECK_EQ_INT(tongues_result(text, 44), 0);
	/* Too much: 48 characters for 34 bytes / 36 bytes. */
	CHECK_EQ_INT(hs__base64_encode(raw, 33, text, sizeof text, 1), 0);
	memcpy(text + 44, "AAA=", 4);
	CHECK(tongues_result(text, 48) != 0);

	/* Names: near misses are unknown types. */
	static const char *const names[] = { "angelos-tongue", "angelos-tonguesx", "Angelos-tongues", "angelos_tongues",
		                             "angelos-tongues\0" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct hs_buf b;
		hs__buf_init(&b, 256, 0);
		size_t nl = strlen(names[i]) + (i == 4 ? 1 : 0);
		CHECK_EQ_INT(hs__buf_put_string(&b, names[i], nl), 0);
		CHECK_EQ_INT(hs__buf_put(&b, ka_public_b64, 44), 0);
		CHECK_EQ_INT(blob_result(hs__buf_ptr(&b), hs__buf_len(&b)), HS_ERR_KEY_TYPE);
		hs__buf_cleanup(&b);
	}
	/* The angelos name with the ssh-ed25519 framing (a string of 32
	 * bytes), and the ssh-ed25519 name with the angelos framing. */
	struct hs_buf b;
	uint8_t pub[32];
	hs__buf_init(&b, 256, 0);
	CHECK_EQ_INT(hs_test_unhex(ka_public, pub, sizeof pub), 32);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "angelos-tongues"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&b, pub, 32), 0);
	CHECK(blob_result(hs__buf_ptr(&b), hs__buf_len(&b)) != 0);
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-ed25519"), 0);
	CHECK_EQ_INT(hs__buf_put(&b, ka_public_b64, 44), 0);
	CHECK(blob_result(hs__buf_ptr(&b), hs__buf_len(&b)) != 0);
	/* The angelos name with the base64 text as an SSH string. */
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "angelos-tongues"), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, ka_public_b64), 0);
	CHECK(blob_result(hs__buf_ptr(&b), hs__buf_len(&b)) != 0);
	hs__buf_cleanup(&b);
}

static void test_lines_equality(void)
{
	struct hs_hostkey *hk = ka_hostkey();
	struct hs_key *k = NULL, *again = NULL, *copy = NULL, *ssh = NULL;
	char *line = NULL, *com = NULL, want[200];
	uint8_t blob[HS_TONGUES_BLOB_LEN];
	ka_blob(blob);
	if (hk == NULL)
		return;
	CHECK_EQ_INT(hs_key_from_blob(blob, sizeof blob, &k), 0);
	if (k == NULL)
		goto out;
	CHECK_EQ_INT(hs_key_format_line(k, "peer host", &line), 0);
	snprintf(want, sizeof want, "angelos-tongues %s peer host", ka_line_b64);
	CHECK(line != NULL && strcmp(line, want) == 0);
	CHECK_EQ_INT(hs_key_parse_line(want, &again, &com), 0);
	CHECK(again != NULL && hs_key_equal(k, again));
	CHECK(com != NULL && strcmp(com, "peer host") == 0);
	/* The type word must name the blob's type. */
	snprintf(want, sizeof want, "ssh-ed25519 %s", ka_line_b64);
	struct hs_key *bad = NULL;
	CHECK_EQ_INT(hs_key_parse_line(want, &bad, NULL), HS_ERR_KEY_TYPE);
	CHECK(bad == NULL);
	size_t plen;
	const uint8_t *pblob = hs_key_blob(hs_hostkey_public(hk), &plen);
	char pb64[100];
	CHECK_EQ_INT(hs__base64_encode(pblob, plen, pb64, sizeof pb64, 1), 0);
	snprintf(want, sizeof want, "angelos-tongues %s", pb64);
	CHECK_EQ_INT(hs_key_parse_line(want, &bad, NULL), HS_ERR_KEY_TYPE);
	/* The raw key base64 alone is not a line's blob. */
	snprintf(want, sizeof want, "angelos-tongues %s", ka_public_b64);
	CHECK(hs_key_parse_line(want, &bad, NULL) != 0);
	CHECK(bad == NULL);
	/* Copies are equal; the same Ed25519 key as ssh-ed25519 is not. */
	copy = hs_key_dup(k);
	CHECK(copy != NULL && hs_key_equal(copy, k) && hs_key_type(copy) == HS_KEY_ANGELOS_TONGUES);
	CHECK_EQ_INT(hs_key_from_ed25519_raw((const uint8_t *)"\x03\xa1\x07\xbf\xf3\xce\x10\xbe\x1d\x70\xdd\x18\xe7\x4b"
	                                                      "\xc0\x99\x67\xe4\xd6\x30\x9b\xa5\x0d\x5f\x1d\xdc\x86\x64"
	                                                      "\x12\x55\x31\xb8",
	                                     HS_KEY_ED25519, &ssh),
	             0);
	CHECK(ssh != NULL && hs_key_equal(ssh, hs_hostkey_public(hk)));
	CHECK(!hs_key_equal(ssh, k));
	char fp1[HS_FINGERPRINT_SIZE], fp2[HS_FINGERPRINT_SIZE];
	if (ssh != NULL) {
		hs_key_fingerprint(ssh, fp1);
		hs_key_fingerprint(k, fp2);
		CHECK(strcmp(fp1, fp2) != 0);
	}
out:
	hs_key_free(k);
	hs_key_free(again);
	hs_key_free(copy);
	hs_key_free(ssh);
	hs_hostkey_free(hk);
	free(line);
	free(com);
}

static int text_result(enum hs_key_type type, const char *text)
{
	struct hs_key *k = (struct hs_key *)1;
	int r = hs_key_from_text(type, text, &k);
	CHECK((r == 0) == (k != NULL));
	hs_key_free(k);
	return r;
}

static void test_from_text(void)
{
	struct hs_key *k = NULL, *want = NULL;
	uint8_t blob[HS_TONGUES_BLOB_LEN];
	char t[200];
	ka_blob(blob);
	CHECK_EQ_INT(hs_key_from_blob(blob, sizeof blob, &want), 0);
	/* Hex in either case, base64, with blanks and a line end around. */
	static const char *const good[] = {
		"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
		"03A107BFF3CE10BE1D70DD18E74BC09967E4D6309BA50D5F1DDC8664125531B8",
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",
		"  A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\r\n",
		"\t03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8\n",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK_EQ_INT(hs_key_from_text(HS_KEY_ANGELOS_TONGUES, good[i], &k), 0);
		CHECK(k != NULL && want != NULL && hs_key_equal(k, want));
		hs_key_free(k);
		k = NULL;
	}
	/* As an ssh-ed25519 key: the host key's own public key. */
	struct hs_hostkey *hk = ka_hostkey();
	CHECK_EQ_INT(hs_key_from_text(HS_KEY_ED25519, good[2], &k), 0);
	CHECK(k != NULL && hk != NULL && hs_key_equal(k, hs_hostkey_public(hk)));
	hs_key_free(k);
	k = NULL;
	hs_hostkey_free(hk);
	/* Refused text. */
	static const char *const bad[] = {
		"",
		"   \n",
		"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b",   /* 63 digits */
		"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b80", /* 65 */
		"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531bg",  /* not hex */
		"03a107bff3ce10be1d70dd18e74bc099 7e4d6309ba50d5f1ddc8664125531b8",  /* blank inside */
		"0x03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc86641255",
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg",  /* no padding */
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbh=", /* stray bits */
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbgA", /* 33 bytes */
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMb==", /* 31 bytes */
		"A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=", /* URL-safe */
		"A6EHv/POEL4dcN0Y50vAmWfk1jC pQ1fHdyGZBJVMbg=", /* blank inside */
		"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=x",
		"angelos-tongues A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = text_result(HS_KEY_ANGELOS_TONGUES, bad[i]);
		if (r != HS_ERR_FORMAT)
			fprintf(stderr, "text %zu: %d\n", i, r);
		CHECK_EQ_INT(r, HS_ERR_FORMAT);
	}
	snprintf(t, sizeof t, "%s", good[0]);
	CHECK_EQ_INT(text_result(HS_KEY_RSA, t), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(text_result(HS_KEY_ECDSA_P256, t), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(text_result((enum hs_key_type)0, t), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs_key_from_text(HS_KEY_ANGELOS_TONGUES, NULL, &k), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_key_from_text(HS_KEY_ANGELOS_TONGUES, t, NULL), HS_ERR_INVALID_ARG);
	uint8_t pub[32] = { 0 };
	CHECK_EQ_INT(hs_key_from_ed25519_raw(pub, HS_KEY_RSA, &k), HS_ERR_KEY_TYPE);
	CHECK(k == NULL);
	CHECK_EQ_INT(hs_key_from_ed25519_raw(NULL, HS_KEY_ED25519, &k), HS_ERR_INVALID_ARG);
	/* Only Ed25519 keys have a raw Ed25519 public key. */
	struct hs_key *rsa = kt_load_pub("rsa3072");
	CHECK(rsa != NULL);
	memset(pub, 0x77, sizeof pub);
	if (rsa != NULL) {
		CHECK_EQ_INT(hs_key_ed25519_public(rsa, pub), HS_ERR_KEY_TYPE);
		CHECK(pub[0] == 0x77 && pub[31] == 0x77);
	}
	hs_key_free(rsa);
	CHECK_EQ_INT(hs_key_ed25519_public(NULL, pub), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs_hostkey_ed25519_public(NULL, pub), HS_ERR_INVALID_ARG);
	hs_key_free(want);
}

static void test_signatures(void)
{
	struct hs_hostkey *hk = NULL, *other = NULL;
	struct hs_key *k = NULL, *ok = NULL;
	struct hs_buf s, w;
	uint8_t pub[32];
	hs__buf_init(&s, 1024, 0);
	hs__buf_init(&w, 1024, 0);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &hk), 0);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &other), 0);
	if (hk == NULL || other == NULL)
		goto out;
	CHECK_EQ_INT(hs_hostkey_ed25519_public(hk, pub), 0);
	CHECK_EQ_INT(hs_key_from_ed25519_raw(pub, HS_KEY_ANGELOS_TONGUES, &k), 0);
	CHECK_EQ_INT(hs_hostkey_ed25519_public(other, pub), 0);
	CHECK_EQ_INT(hs_key_from_ed25519_raw(pub, HS_KEY_ANGELOS_TONGUES, &ok), 0);
	if (k == NULL || ok == NULL)
		goto out;
	CHECK_EQ_INT(hs__hostkey_sign(hk, "angelos-tongues", msg, sizeof msg, &s), 0);
	CHECK_EQ_INT(hs__buf_len(&s), 83);
	size_t n = hs__buf_len(&s);
	uint8_t sig[83 + 2], d[sizeof msg];
	if (n != 83)
		goto out;
	memcpy(sig, hs__buf_ptr(&s), n);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, n, msg, sizeof msg), 0);
	/* Another key's signature. */
	CHECK_EQ_INT(hs__key_verify(ok, "angelos-tongues", sig, n, msg, sizeof msg), HS_ERR_SIGNATURE);
	/* Every bit flip of the blob fails; in the signature it is a bad
	 * signature. */
	int all = 1, sigerr = 1;
	for (size_t i = 0; i < n * 8; i++) {
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
		int r = hs__key_verify(k, "angelos-tongues", sig, n, msg, sizeof msg);
		all &= r != 0;
		if (i / 8 >= 19)
			sigerr &= r == HS_ERR_SIGNATURE;
		sig[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(all);
	CHECK(sigerr);
	/* Every bit flip of the data. */
	memcpy(d, msg, sizeof msg);
	all = 1;
	for (size_t i = 0; i < sizeof d * 8; i++) {
		d[i / 8] ^= (uint8_t)(1u << (i % 8));
		all &= hs__key_verify(k, "angelos-tongues", sig, n, d, sizeof d) == HS_ERR_SIGNATURE;
		d[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(all);
	/* Every strict prefix (a 63-byte signature among them) is malformed;
	 * so are trailing bytes. */
	all = 1;
	for (size_t i = 0; i < n; i++)
		all &= hs__key_verify(k, "angelos-tongues", sig, i, msg, sizeof msg) == HS_ERR_FORMAT;
	CHECK(all);
	sig[83] = 0;
	sig[84] = 0;
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, 84, msg, sizeof msg), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, 85, msg, sizeof msg), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, 82, msg, sizeof msg), HS_ERR_FORMAT);
	/* The signature as an SSH string (the ssh-ed25519 framing under the
	 * angelos name): 87 bytes, malformed. */
	hs__buf_reset(&w);
	CHECK_EQ_INT(hs__buf_put_cstring(&w, "angelos-tongues"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&w, sig + 19, 64), 0);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", hs__buf_ptr(&w), hs__buf_len(&w), msg, sizeof msg),
	             HS_ERR_FORMAT);
	/* Another name inside the blob, the raw signature after it. */
	static const char *const names[] = { "ssh-ed25519", "angelos-tongue", "angelos-tonguesx", "" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		hs__buf_reset(&w);
		CHECK_EQ_INT(hs__buf_put_cstring(&w, names[i]), 0);
		CHECK_EQ_INT(hs__buf_put(&w, sig + 19, 64), 0);
		CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", hs__buf_ptr(&w), hs__buf_len(&w), msg, sizeof msg),
		             HS_ERR_KEY_TYPE);
	}
	/* Refused request names. */
	CHECK_EQ_INT(hs__key_verify(k, "ssh-ed25519", sig, n, msg, sizeof msg), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__key_verify(k, "", sig, n, msg, sizeof msg), HS_ERR_KEY_TYPE);
	CHECK_EQ_INT(hs__key_verify(k, "rsa-sha2-256", sig, n, msg, sizeof msg), HS_ERR_KEY_TYPE);
	/* Still good after all that. */
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, n, msg, sizeof msg), 0);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", NULL, 5, msg, sizeof msg), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", NULL, 0, msg, sizeof msg), HS_ERR_FORMAT);
out:
	hs_key_free(k);
	hs_key_free(ok);
	hs_hostkey_free(hk);
	hs_hostkey_free(other);
	hs__buf_cleanup(&s);
	hs__buf_cleanup(&w);
}

/* The fuzz corpora's valid samples are what their names say (the replay
 * only shows that no sample crashes). */
static void test_corpus_samples(void)
{
	size_t blen = 0, slen = 0;
	uint8_t *blob = kt_read_file("fuzz/corpus/key_blob/valid-angelos-tongues", &blen);
	uint8_t *sig = kt_read_file("fuzz/corpus/sig/valid-angelos-tongues", &slen);
	uint8_t want[HS_TONGUES_BLOB_LEN];
	struct hs_key *k = NULL;
	static const char fuzz_msg[] = "hostsd sig fuzz message"; /* as in sig_fuzz.c */
	ka_blob(want);
	CHECK(blob != NULL && sig != NULL);
	if (blob != NULL && sig != NULL) {
		CHECK(blen == sizeof want && memcmp(blob, want, blen) == 0);
		CHECK_EQ_INT(hs_key_from_blob(blob, blen, &k), 0);
		CHECK_EQ_INT(slen, 83);
		if (k != NULL)
			CHECK_EQ_INT(hs__key_verify(k, "angelos-tongues", sig, slen, (const uint8_t *)fuzz_msg,
			                            sizeof fuzz_msg - 1),
			             0);
	}
	hs_key_free(k);
	free(blob);
	free(sig);
}

int main(void)
{
	test_known_answer();
	test_key_blobs();
	test_lines_equality();
	test_from_text();
	test_signatures();
	test_corpus_samples();
	return hs_test_done();
}
