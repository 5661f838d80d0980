/*
 * Tests of public keys: every ssh-keygen fixture's .pub line parses, prints
 * back identically and has ssh-keygen's fingerprint; malformed lines and
 * blobs (bad base64, type mismatch, truncation, trailing bytes, wrong sizes,
 * weak RSA, bad curve points) are refused with the right code.
 */
#include "keys/key_priv.h"

#include <stdint.h>
#include <stdlib.h>

#include "hs_test.h"
#include "keys/key_testutil.h"
#include "wire/base64.h"
#include "wire/buf.h"

struct fixture {
	const char *name;
	enum hs_key_type type;
	const char *type_name;
	const char *fingerprint; /* ssh-keygen -l -E sha256 -f NAME.pub */
};

static const struct fixture fixtures[] = {
	{ "ed25519", HS_KEY_ED25519, "ssh-ed25519", "SHA256:RugqiNrBS4vb9KuOVX1HzkG/wcvvzWhfuVEo/AZ0a+8" },
	{ "ed25519_pass", HS_KEY_ED25519, "ssh-ed25519", "SHA256:4t5HIADGm0qY/oLgBaelQ/iGseTp13BkLivLoWnhwfI" },
	{ "rsa3072", HS_KEY_RSA, "ssh-rsa", "SHA256:0k3RKWOoeqsHhVnS+Z2qOoeDNVW1063cqjeJfCWLoH8" },
	{ "ecdsa256", HS_KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "SHA256:Z/ptWyrpE3hegdaXbZxszGRHVAtf+14TL9L7m7q4g2k" },
	{ "ecdsa384", HS_KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "SHA256:H72rcjMJ4UhAP24m8mM3b3qjo6ishV6uuv090T0c7mo" },
	{ "ecdsa521", HS_KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "SHA256:Z35q8LqQvmBT7sjL7igUN4rLZubnRlN/CEHl6G96+YY" },
};

static int blob_result(const uint8_t *p, size_t n)
{
	struct hs_key *k = NULL;
	int r = hs_key_from_blob(p, n, &k);
	CHECK((r == 0) == (k != NULL));
	hs_key_free(k);
	return r;
}

static int buf_result(const struct hs_buf *b)
{
	return blob_result(hs__buf_ptr(b), hs__buf_len(b));
}

static int line_result(const char *line)
{
	struct hs_key *k = NULL;
	char *comment = NULL;
	int r = hs_key_parse_line(line, &k, &comment);
	CHECK((r == 0) == (k != NULL));
	CHECK((r == 0) == (comment != NULL));
	hs_key_free(k);
	free(comment);
	return r;
}

/* A line "TYPE base64(blob)" for a hand-made blob. */
static char *make_line(const char *type, const uint8_t *blob, size_t n)
{
	size_t need = strlen(type) + 1 + hs__base64_encoded_len(n, 1) + 1;
	char *s = malloc(need);
	if (s == NULL)
		return NULL;
	strcpy(s, type);
	strcat(s, " ");
	if (hs__base64_encode(blob, n, s + strlen(s), need - strlen(s), 1) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void test_fixtures(void)
{
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		const struct fixture *f = &fixtures[i];
		char path[256], expect_comment[64], fp[HS_FINGERPRINT_SIZE];
		size_t len;
		snprintf(path, sizeof path, KEYDIR "%s.pub", f->name);
		snprintf(expect_comment, sizeof expect_comment, "hostsd-test-%s",
		         strcmp(f->name, "ed25519_pass") == 0 ? "ed25519-pass" : f->name);
		char *text = (char *)kt_read_file(path, &len);
		CHECK(text != NULL);
		if (text == NULL)
			continue;
		struct hs_key *key = NULL;
		char *comment = NULL, *line = NULL;
		int r = hs_key_parse_line(text, &key, &comment);
		CHECK_EQ_INT(r, 0);
		if (r == 0) {
			CHECK_EQ_INT(hs_key_type(key), f->type);
			CHECK(strcmp(hs_key_type_name(key), f->type_name) == 0);
			CHECK(strcmp(comment, expect_comment) == 0);
			hs_key_fingerprint(key, fp);
			if (strcmp(fp, f->fingerprint) != 0)
				fprintf(stderr, "%s: fingerprint %s, ssh-keygen says %s\n", f->name, fp,
				        f->fingerprint);
			CHECK(strcmp(fp, f->fingerprint) == 0);
			CHECK_EQ_INT(strlen(fp), HS_FINGERPRINT_SIZE - 1);
			/* Printing gives the file's line back, byte for byte. */
			CHECK_EQ_INT(hs_key_format_line(key, comment, &line), 0);
			text[strcspn(text, "\n")] = '\0';
			CHECK(line != NULL && strcmp(line, text) == 0);
			/* The blob is the one in the file. */
			struct hs_buf b;
			hs__buf_init(&b, 8192, 0);
			CHECK_EQ_INT(kt_pub_blob(f->name, &b), 0);
			size_t blen;
			const uint8_t *blob = hs_key_blob(key, &blen);
			CHECK_EQ_INT(blen, hs__buf_len(&b));
			CHECK(blen == hs__buf_len(&b) && memcmp(blob, hs__buf_ptr(&b), blen) == 0);
			/* Parsing the bare blob gives an equal key. */
			struct hs_key *k2 = NULL;
			CHECK_EQ_INT(hs_key_from_blob(hs__buf_ptr(&b), hs__buf_len(&b), &k2), 0);
			CHECK_EQ_INT(hs_key_equal(key, k2), 1);
			/* Every strict prefix of the blob is refused. */
			for (size_t n = 0; n < hs__buf_len(&b); n++)
				CHECK(blob_result(hs__buf_ptr(&b), n) != 0);
			/* One byte more is refused as trailing. */
			CHECK_EQ_INT(hs__buf_put_u8(&b, 0), 0);
			CHECK_EQ_INT(buf_result(&b), HS_ERR_TRAILING);
			hs_key_free(k2);
			hs__buf_cleanup(&b);
		}
		hs_key_free(key);
		free(comment);
		free(line);
		free(text);
	}
}

static void test_rsa1024_refused(void)
{
	size_t len;
	char *text = (char *)kt_read_file(KEYDIR "rsa1024.pub", &len);
	CHECK(text != NULL);
	if (text != NULL)
		CHECK_EQ_INT(line_result(text), HS_ERR_KEY_TYPE);
	free(text);
}

static void test_equal_dup(void)
{
	struct hs_key *a = kt_load_pub("ed25519"), *b = kt_load_pub("ed25519"), *c = kt_load_pub("ed25519_pass");
	struct hs_key *r = kt_load_pub("rsa3072");
	CHECK(a != NULL && b != NULL && c != NULL && r != NULL);
	if (a == NULL || b == NULL || c == NULL || r == NULL)
		goto out;
	CHECK_EQ_INT(hs_key_equal(a, b), 1);
	CHECK_EQ_INT(hs_key_equal(a, c), 0);
	CHECK_EQ_INT(hs_key_equal(a, r), 0);
	CHECK_EQ_INT(hs_key_equal(a, NULL), 0);
	struct hs_key *d = hs_key_dup(r);
	CHECK(d != NULL);
	hs_key_free(r); /* the copy outlives its original */
	r = NULL;
	if (d != NULL) {
		char fp[HS_FINGERPRINT_SIZE];
		hs_key_fingerprint(d, fp);
		CHECK(strcmp(fp, fixtures[2].fingerprint) == 0);
		CHECK_EQ_INT(hs_key_type(d), HS_KEY_RSA);
		struct hs_key *again = kt_load_pub("rsa3072");
		CHECK_EQ_INT(hs_key_equal(d, again), 1);
		hs_key_free(again);
	}
	hs_key_free(d);
	CHECK(hs_key_dup(NULL) == NULL);
out:
	hs_key_free(a);
	hs_key_free(b);
	hs_key_free(c);
	hs_key_free(r);
	hs_key_free(NULL);
}

static void test_ed25519_blobs(void)
{
	uint8_t pk[34];
	memset(pk, 0x5a, sizeof pk);
	struct hs_buf b;
	hs__buf_init(&b, 1024, 0);
	for (size_t n = 30; n <= 34; n++) {
		hs__buf_reset(&b);
		CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-ed25519"), 0);
		CHECK_EQ_INT(hs__buf_put_string(&b, pk, n), 0);
		CHECK_EQ_INT(buf_result(&b), n == 32 ? 0 : HS_ERR_FORMAT);
		char *line = make_line("ssh-ed25519", hs__buf_ptr(&b), hs__buf_len(&b));
		CHECK(line != NULL);
		if (line != NULL)
			CHECK_EQ_INT(line_result(line), n == 32 ? 0 : HS_ERR_FORMAT);
		free(line);
	}
	/* Unknown and refused types. */
	static const char *const others[] = { "ssh-dss",       "ssh-ed25519-cert-v01@openssh.com",
		                              "ssh-ed448",     "sk-ssh-ed25519@openssh.com",
		                              "ssh-ed25519\0", "",
		                              "SSH-ED25519" };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		hs__buf_reset(&b);
		size_t tl = strlen(others[i]) + (i == 4 ? 1 : 0);
		CHECK_EQ_INT(hs__buf_put_string(&b, others[i], tl), 0);
		CHECK_EQ_INT(hs__buf_put_string(&b, pk, 32), 0);
		CHECK_EQ_INT(buf_result(&b), HS_ERR_KEY_TYPE);
	}
	/* Nothing, a lone length, a length past the end. */
	CHECK_EQ_INT(blob_result(NULL, 0), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(blob_result((const uint8_t *)"\0\0\0\x0b", 4), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(blob_result((const uint8_t *)"\xff\xff\xff\xffssh-ed25519", 15), HS_ERR_TRUNCATED);
	struct hs_key *k = (struct hs_key *)1;
	CHECK_EQ_INT(hs_key_from_blob(NULL, 5, &k), HS_ERR_INVALID_ARG);
	/* Oversized input is refused before it is looked at. */
	uint8_t *big = calloc(1, HS_KEY_MAX_BLOB + 1);
	CHECK(big != NULL);
	if (big != NULL)
		CHECK_EQ_INT(blob_result(big, HS_KEY_MAX_BLOB + 1), HS_ERR_FORMAT);
	free(big);
	hs__buf_cleanup(&b);
}

static int rsa_blob(const uint8_t *e, size_t elen, const uint8_t *n, size_t nlen)
{
	struct hs_buf b;
	hs__buf_init(&b, 16384, 0);
	int r = hs__buf_put_cstring(&b, "ssh-rsa");
	if (r == 0)
		r = hs__buf_put_mpint_bytes(&b, e, elen);
	if (r == 0)
		r = hs__buf_put_mpint_bytes(&b, n, nlen);
	if (r == 0)
		r = buf_result(&b);
	hs__buf_cleanup(&b);
	return r;
}

static void test_rsa_blobs(void)
{
	struct hs_buf b;
	struct hs_bytes name, e, n;
	hs__buf_init(&b, 8192, 0);
	CHECK_EQ_INT(kt_pub_blob("rsa3072", &b), 0);
	struct hs_view v = hs__buf_view(&b);
	CHECK_EQ_INT(hs__view_get_string(&v, &name), 0);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &e), 0);
	CHECK_EQ_INT(hs__view_get_mpint(&v, &n), 0);
	CHECK_EQ_INT(n.len, 384);
	if (n.len != 384) {
		hs__buf_cleanup(&b);
		return;
	}
	uint8_t nn[2049];
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, n.ptr, n.len), 0);
	/* Exponents: odd and >= 3, at most 64 bits. */
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"\x03", 1, n.ptr, n.len), 0);
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"\x01", 1, n.ptr, n.len), HS_ERR_FORMAT);
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"", 0, n.ptr, n.len), HS_ERR_FORMAT);
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"\x01\x00\x00", 3, n.ptr, n.len), HS_ERR_FORMAT);
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"\x01\x00\x00\x00\x00\x00\x00\x01", 8, n.ptr, n.len), 0);
	CHECK_EQ_INT(rsa_blob((const uint8_t *)"\x01\x00\x00\x00\x00\x00\x00\x00\x01", 9, n.ptr, n.len), HS_ERR_FORMAT);
	/* An even modulus. */
	memcpy(nn, n.ptr, n.len);
	nn[n.len - 1] ^= 1;
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, nn, n.len), HS_ERR_FORMAT);
	/* Modulus sizes: 2047 and 16385 bits refused, 2048 and 16384 taken. */
	memset(nn, 0xff, sizeof nn);
	nn[0] = 0x7f;
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, nn, 256), HS_ERR_KEY_TYPE);
	nn[0] = 0x80;
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, nn, 256), 0);
	nn[0] = 0xff;
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, nn, 2048), 0);
	nn[0] = 0x01;
	CHECK_EQ_INT(rsa_blob(e.ptr, e.len, nn, 2049), HS_ERR_KEY_TYPE);
	/* The 1024-bit fixture. */
	hs__buf_reset(&b);
	CHECK_EQ_INT(kt_pub_blob("rsa1024", &b), 0);
	CHECK_EQ_INT(buf_result(&b), HS_ERR_KEY_TYPE);
	/* Non-minimal and negative mpints. */
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-rsa"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&b, "\x00\x01\x00\x01", 4), 0);
	CHECK_EQ_INT(hs__buf_put_mpint_bytes(&b, nn, 256), 0);
	CHECK_EQ_INT(buf_result(&b), HS_ERR_FORMAT);
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-rsa"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&b, "\x01\x00\x01", 3), 0);
	memset(nn, 0xff, 256);
	CHECK_EQ_INT(hs__buf_put_string(&b, nn, 256), 0); /* top bit set: negative */
	CHECK_EQ_INT(buf_result(&b), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);
}

static int ecdsa_blob(const char *name, const char *curve, const uint8_t *q, size_t qlen)
{
	struct hs_buf b;
	hs__buf_init(&b, 1024, 0);
	int r = hs__buf_put_cstring(&b, name);
	if (r == 0)
		r = hs__buf_put_cstring(&b, curve);
	if (r == 0)
		r = hs__buf_put_string(&b, q, qlen);
	if (r == 0)
		r = buf_result(&b);
	hs__buf_cleanup(&b);
	return r;
}

static void test_ecdsa_blobs(void)
{
	static const char *const fix[] = { "ecdsa256", "ecdsa384", "ecdsa521" };
	static const char *const names[] = { "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" };
	static const char *const curves[] = { "nistp256", "nistp384", "nistp521" };
	for (int i = 0; i < 3; i++) {
		struct hs_buf b;
		struct hs_bytes name, curve, q;
		uint8_t qq[200];
		hs__buf_init(&b, 1024, 0);
		CHECK_EQ_INT(kt_pub_blob(fix[i], &b), 0);
		struct hs_view v = hs__buf_view(&b);
		CHECK_EQ_INT(hs__view_get_string(&v, &name), 0);
		CHECK_EQ_INT(hs__view_get_string(&v, &curve), 0);
		CHECK_EQ_INT(hs__view_get_string(&v, &q), 0);
		if (q.len > sizeof qq || q.len < 65) {
			CHECK(0);
			hs__buf_cleanup(&b);
			continue;
		}
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], q.ptr, q.len), 0);
		/* The curve identifier must match the algorithm. */
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[(i + 1) % 3], q.ptr, q.len), HS_ERR_FORMAT);
		CHECK_EQ_INT(ecdsa_blob(names[(i + 1) % 3], curves[(i + 1) % 3], q.ptr, q.len), HS_ERR_FORMAT);
		/* Only uncompressed points of the right length. */
		memcpy(qq, q.ptr, q.len);
		qq[0] = 0x02;
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], qq, 1 + (q.len - 1) / 2), HS_ERR_FORMAT);
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], qq, q.len), HS_ERR_FORMAT);
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], q.ptr + 1, q.len - 1), HS_ERR_FORMAT);
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], q.ptr, q.len - 1), HS_ERR_FORMAT);
		/* Off the curve: y changed. */
		memcpy(qq, q.ptr, q.len);
		qq[q.len - 1] ^= 1;
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], qq, q.len), HS_ERR_FORMAT);
		/* (0, 0) and all-ones coordinates. */
		memset(qq, 0, sizeof qq);
		qq[0] = 0x04;
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], qq, q.len), HS_ERR_FORMAT);
		memset(qq + 1, 0xff, q.len - 1);
		CHECK_EQ_INT(ecdsa_blob(names[i], curves[i], qq, q.len), HS_ERR_FORMAT);
		/* Trailing bytes after Q. */
		CHECK_EQ_INT(hs__buf_put_u32(&b, 0), 0);
		CHECK_EQ_INT(buf_result(&b), HS_ERR_TRAILING);
		hs__buf_cleanup(&b);
	}
}

static void test_lines(void)
{
	size_t len;
	char *text = (char *)kt_read_file(KEYDIR "ed25519.pub", &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	text[strcspn(text, "\n")] = '\0';
	char *sp1 = strchr(text, ' ');
	char *sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
	CHECK(sp1 != NULL && sp2 != NULL);
	if (sp1 == NULL || sp2 == NULL) {
		free(text);
		return;
	}
	*sp1 = *sp2 = '\0';
	const char *b64 = sp1 + 1, *type = text;
	char line[1024];
	struct hs_key *k = NULL;
	char *com = NULL;

	/* Accepted spellings: no comment, tabs, leading blanks, CRLF, spaces
	 * inside the comment. */
	snprintf(line, sizeof line, "%s %s", type, b64);
	CHECK_EQ_INT(hs_key_parse_line(line, &k, &com), 0);
	CHECK(com != NULL && strcmp(com, "") == 0);
	hs_key_free(k);
	free(com);
	snprintf(line, sizeof line, " \t%s\t\t%s  two words here \r\n", type, b64);
	CHECK_EQ_INT(hs_key_parse_line(line, &k, &com), 0);
	CHECK(com != NULL && strcmp(com, "two words here ") == 0);
	char *out = NULL;
	CHECK_EQ_INT(hs_key_format_line(k, NULL, &out), 0);
	snprintf(line, sizeof line, "%s %s", type, b64);
	CHECK(out != NULL && strcmp(out, line) == 0);
	free(out);
	CHECK_EQ_INT(hs_key_format_line(k, "", &out), 0);
	CHECK(out != NULL && strcmp(out, line) == 0);
	free(out);
	CHECK_EQ_INT(hs_key_format_line(k, "a\nb", &out), HS_ERR_INVALID_ARG);
	CHECK(out == NULL);
	CHECK_EQ_INT(hs_key_format_line(k, "a\rb", &out), HS_ERR_INVALID_ARG);
	hs_key_free(k);
	free(com);
	k = NULL;
	snprintf(line, sizeof line, "%s %s c", type, b64);
	CHECK_EQ_INT(hs_key_parse_line(line, &k, NULL), 0); /* comment not wanted */
	hs_key_free(k);

	/* Refused lines. */
	CHECK_EQ_INT(line_result(""), HS_ERR_FORMAT);
	CHECK_EQ_INT(line_result("\n"), HS_ERR_FORMAT);
	CHECK_EQ_INT(line_result(type), HS_ERR_FORMAT);
	snprintf(line, sizeof line, "%s ", type);
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	snprintf(line, sizeof line, " %s", b64); /* no type word */
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	snprintf(line, sizeof line, "ssh-rsa %s c", b64); /* type mismatch */
	CHECK_EQ_INT(line_result(line), HS_ERR_KEY_TYPE);
	snprintf(line, sizeof line, "ecdsa-sha2-nistp256 %s", b64);
	CHECK_EQ_INT(line_result(line), HS_ERR_KEY_TYPE);
	snprintf(line, sizeof line, "ssh-ed25519x %s", b64);
	CHECK_EQ_INT(line_result(line), HS_ERR_KEY_TYPE);
	snprintf(line, sizeof line, "%s %s c\nssh-ed25519 %s", type, b64, b64); /* two lines */
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	snprintf(line, sizeof line, "%s %s\r c", type, b64);
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	/* Bad base64: a stray character, missing padding, cut short. */
	snprintf(line, sizeof line, "%s !%s c", type, b64 + 1);
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	snprintf(line, sizeof line, "%s %.*s c", type, (int)strlen(b64) - 1, b64);
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	snprintf(line, sizeof line, "%s %.*s c", type, (int)strlen(b64) - 2, b64);
	CHECK_EQ_INT(line_result(line), HS_ERR_FORMAT);
	/* Well-formed base64 of a truncated blob, and of a blob with a
	 * trailing byte. */
	struct hs_buf b;
	hs__buf_init(&b, 1024, 0);
	CHECK_EQ_INT(kt_pub_blob("ed25519", &b), 0);
	char *l2 = make_line(type, hs__buf_ptr(&b), hs__buf_len(&b) - 3);
	CHECK(l2 != NULL && line_result(l2) == HS_ERR_TRUNCATED);
	free(l2);
	CHECK_EQ_INT(hs__buf_put_u8(&b, 7), 0);
	l2 = make_line(type, hs__buf_ptr(&b), hs__buf_len(&b));
	CHECK(l2 != NULL && line_result(l2) == HS_ERR_TRAILING);
	free(l2);
	hs__buf_cleanup(&b);
	/* A base64 field longer than any key we take. */
	size_t huge = 20000;
	char *h = malloc(huge + 20);
	CHECK(h != NULL);
	if (h != NULL) {
		memcpy(h, "ssh-ed25519 ", 12);
		memset(h + 12, 'A', huge);
		h[12 + huge] = '\0';
		CHECK_EQ_INT(line_result(h), HS_ERR_FORMAT);
		free(h);
	}
	CHECK_EQ_INT(hs_key_parse_line(NULL, &k, NULL), HS_ERR_INVALID_ARG);
	free(text);
}

int main(void)
{
	test_fixtures();
	test_rsa1024_refused();
	test_equal_dup();
	test_ed25519_blobs();
	test_rsa_blobs();
	test_ecdsa_blobs();
	test_lines();
	return hs_test_done();
}
