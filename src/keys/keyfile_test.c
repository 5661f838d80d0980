/*
 * Tests of host key files (openssh-key-v1): the ssh-keygen fixtures load or
 * are refused with the right code and message; every truncation, bad
 * checkint, bad padding, inconsistent copy of the key and trailing byte is
 * refused; keys we save load again and are read by `ssh-keygen -y`.
 */
#include "keys/keyfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_test.h"
#include "keys/key_priv.h"
#include "keys/key_testutil.h"
#include "keys/sig.h"
#include "wire/base64.h"
#include "wire/buf.h"

#define SSH_KEYGEN "/usr/bin/ssh-keygen"

static const uint8_t msg[] = "host key file test message";

static int load_text(const char *text, size_t len)
{
	struct hs_hostkey *hk = (struct hs_hostkey *)1;
	int r = hs_hostkey_load_mem((const uint8_t *)text, len, &hk);
	CHECK((r == 0) == (hk != NULL));
	hs_hostkey_free(hk);
	return r;
}

/* Armour body and load it. */
static int load_body(const uint8_t *body, size_t len)
{
	char *text = NULL;
	size_t tlen;
	int r = hs__keyfile_armour(body, len, &text, &tlen);
	CHECK_EQ_INT(r, 0);
	if (r != 0)
		return r;
	r = load_text(text, tlen);
	free(text);
	return r;
}

static int sign_verify(const struct hs_hostkey *hk, const struct hs_key *pub)
{
	struct hs_buf sig;
	hs__buf_init(&sig, 1024, 0);
	int r = hs__hostkey_sign(hk, "ssh-ed25519", msg, sizeof msg, &sig);
	if (r == 0)
		r = hs__key_verify(pub, "ssh-ed25519", hs__buf_ptr(&sig), hs__buf_len(&sig), msg, sizeof msg);
	hs__buf_cleanup(&sig);
	return r;
}

static void test_fixture_loads(void)
{
	struct hs_hostkey *hk = NULL;
	char err[512] = "x";
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "ed25519", &hk, err, sizeof err), 0);
	CHECK(err[0] == '\0');
	struct hs_key *pub = kt_load_pub("ed25519");
	CHECK(hk != NULL && pub != NULL);
	if (hk != NULL && pub != NULL) {
		CHECK_EQ_INT(hs_key_equal(hs_hostkey_public(hk), pub), 1);
		CHECK_EQ_INT(sign_verify(hk, pub), 0);
	}
	hs_hostkey_free(hk);
	hs_key_free(pub);
	hk = NULL;
	/* err may be NULL. */
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "ed25519", &hk, NULL, 0), 0);
	hs_hostkey_free(hk);
}

static void test_fixture_refusals(void)
{
	struct hs_hostkey *hk = NULL;
	char err[512];

	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "ed25519_pass", &hk, err, sizeof err), HS_ERR_KEY_ENCRYPTED);
	CHECK(hk == NULL);
	CHECK(strstr(err, KEYDIR "ed25519_pass") != NULL);
	CHECK(strstr(err, "passphrase") != NULL);
	CHECK(strstr(err, "ssh-keygen -p -N \"\" -f " KEYDIR "ed25519_pass") != NULL);

	static const char *const others[][2] = { { "rsa3072", "ssh-rsa" },
		                                 { "rsa1024", "ssh-rsa" },
		                                 { "ecdsa256", "ecdsa-sha2-nistp256" },
		                                 { "ecdsa521", "ecdsa-sha2-nistp521" } };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		char path[128];
		snprintf(path, sizeof path, KEYDIR "%s", others[i][0]);
		CHECK_EQ_INT(hs_hostkey_load_file(path, &hk, err, sizeof err), HS_ERR_KEY_TYPE);
		CHECK(strstr(err, path) != NULL);
		CHECK(strstr(err, others[i][1]) != NULL);
	}

	/* Old PEM format and public key files are not openssh-key-v1. */
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "rsa3072.pem", &hk, err, sizeof err), HS_ERR_FORMAT);
	CHECK(strstr(err, KEYDIR "rsa3072.pem") != NULL);
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "ed25519.pub", &hk, err, sizeof err), HS_ERR_FORMAT);

	/* Unreadable: missing, a directory. */
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "no-such-key", &hk, err, sizeof err), HS_ERR_IO);
	CHECK(strstr(err, KEYDIR "no-such-key") != NULL);
	CHECK(strstr(err, strerror(ENOENT)) != NULL);
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR, &hk, err, sizeof err), HS_ERR_IO);
	CHECK(strstr(err, KEYDIR) != NULL);
	/* A tiny err buffer is still terminated. */
	char small[8];
	CHECK_EQ_INT(hs_hostkey_load_file(KEYDIR "no-such-key", &hk, small, sizeof small), HS_ERR_IO);
	CHECK_EQ_INT(strlen(small), 7);
	CHECK(hk == NULL);
	CHECK_EQ_INT(hs_hostkey_load_file(NULL, &hk, err, sizeof err), HS_ERR_INVALID_ARG);
}

static void test_truncations(void)
{
	size_t len;
	char *text = (char *)kt_read_file(KEYDIR "ed25519", &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	CHECK_EQ_INT(load_text(text, len), 0);
	/* Without the final newline the key is still whole; any shorter, it
	 * is not. */
	CHECK_EQ_INT(load_text(text, len - 1), 0);
	int all = 1;
	for (size_t n = 0; n + 1 < len; n++) {
		int r = load_text(text, n);
		if (r != HS_ERR_FORMAT) {
			fprintf(stderr, "prefix %zu: %d\n", n, r);
			all = 0;
		}
	}
	CHECK(all);

	/* The binary body, cut anywhere, then re-armoured correctly. */
	struct hs_buf body;
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	CHECK_EQ_INT(hs__keyfile_unarmour((const uint8_t *)text, len, &body), 0);
	all = 1;
	for (size_t n = 0; n < hs__buf_len(&body); n++) {
		struct hs_hostkey *hk = NULL;
		all &= hs__keyfile_parse(hs__buf_ptr(&body), n, &hk, NULL, 0) == HS_ERR_FORMAT && hk == NULL;
		/* and through the armour as well, for a sample of lengths */
		if (n % 7 == 0)
			all &= load_body(hs__buf_ptr(&body), n) == HS_ERR_FORMAT;
	}
	CHECK(all);
	hs__buf_cleanup(&body);
	free(text);
}

static void test_armour(void)
{
	size_t len;
	char *text = (char *)kt_read_file(KEYDIR "ed25519", &len);
	char *t2 = malloc(2 * len + 64);
	CHECK(text != NULL && t2 != NULL);
	if (text == NULL || t2 == NULL)
		goto out;
	/* CRLF line ends are fine. */
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			t2[o++] = '\r';
		t2[o++] = text[i];
	}
	CHECK_EQ_INT(load_text(t2, o), 0);
	/* Blank lines after END are fine; anything else after END is not. */
	snprintf(t2, 2 * len + 64, "%s\n\n", text);
	CHECK_EQ_INT(load_text(t2, strlen(t2)), 0);
	snprintf(t2, 2 * len + 64, "%sgarbage\n", text);
	CHECK_EQ_INT(load_text(t2, strlen(t2)), HS_ERR_FORMAT);
	snprintf(t2, 2 * len + 64, "%s ", text);
	CHECK_EQ_INT(load_text(t2, strlen(t2)), HS_ERR_FORMAT);
	/* Nothing before BEGIN; a blank line inside; a bad character; a lone CR. */
	snprintf(t2, 2 * len + 64, "\n%s", text);
	CHECK_EQ_INT(load_text(t2, strlen(t2)), HS_ERR_FORMAT);
	char *nl = strchr(text, '\n');
	memcpy(t2, text, len + 1);
	t2[nl - text + 5] = '*';
	CHECK_EQ_INT(load_text(t2, len), HS_ERR_FORMAT);
	memcpy(t2, text, (size_t)(nl - text + 1));
	t2[nl - text + 1] = '\n';
	memcpy(t2 + (nl - text) + 2, nl + 1, len - (size_t)(nl - text) - 1);
	CHECK_EQ_INT(load_text(t2, len + 1), HS_ERR_FORMAT);
	memcpy(t2, text, len + 1);
	t2[nl - text] = '\r';
	CHECK_EQ_INT(load_text(t2, len), HS_ERR_FORMAT);
	/* Rewrapped at 64 columns: still the same key. */
	struct hs_buf body;
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	CHECK_EQ_INT(hs__keyfile_unarmour((const uint8_t *)text, len, &body), 0);
	char b64[2048];
	CHECK_EQ_INT(hs__base64_encode(hs__buf_ptr(&body), hs__buf_len(&body), b64, sizeof b64, 1), 0);
	o = (size_t)snprintf(t2, 2 * len + 64, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	for (size_t i = 0; i < strlen(b64); i += 64)
		o += (size_t)snprintf(t2 + o, 2 * len + 64 - o, "%.64s\n", b64 + i);
	o += (size_t)snprintf(t2 + o, 2 * len + 64 - o, "-----END OPENSSH PRIVATE KEY-----\n");
	CHECK_EQ_INT(load_text(t2, o), 0);
	/* Non-canonical base64 (unused bits set in the last character). */
	char *pad = strchr(t2, '=');
	CHECK(pad != NULL);
	if (pad != NULL && pad[-1] == 'A') {
		pad[-1] = 'B';
		CHECK_EQ_INT(load_text(t2, o), HS_ERR_FORMAT);
	}
	hs__buf_cleanup(&body);
	/* An oversized file is refused unread. */
	char *big = malloc(HS_KEYFILE_MAX + 100);
	if (big != NULL) {
		memset(big, '\n', HS_KEYFILE_MAX + 100);
		memcpy(big, text, len);
		CHECK_EQ_INT(load_text(big, HS_KEYFILE_MAX + 100), HS_ERR_FORMAT);
		free(big);
	}
	CHECK_EQ_INT(load_text(NULL, 0), HS_ERR_FORMAT);
	static const char empty[] = "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n";
	CHECK_EQ_INT(load_text(empty, strlen(empty)), HS_ERR_FORMAT);
out:
	free(text);
	free(t2);
}

/* Offsets inside a body made by hs__keyfile_build with comment "". */
struct layout {
	size_t cipher, kdf, nkeys, pubblob, sect_len, check1, check2, ktype, kpub, kpriv, comment, pad, end;
};

static struct layout layout_of(size_t bloblen)
{
	struct layout l;
	l.cipher = 15;
	l.kdf = l.cipher + 4 + 4;
	l.nkeys = l.kdf + 4 + 4 + 4;
	l.pubblob = l.nkeys + 4;
	l.sect_len = l.pubblob + 4 + bloblen;
	l.check1 = l.sect_len + 4;
	l.check2 = l.check1 + 4;
	l.ktype = l.check2 + 4;
	l.kpub = l.ktype + 4 + 11;
	l.kpriv = l.kpub + 4 + 32;
	l.comment = l.kpriv + 4 + 64;
	l.pad = l.comment + 4;
	l.end = l.pad + 5; /* 131 bytes + 5 of padding = 136 */
	return l;
}

static void test_damaged_bodies(void)
{
	struct hs_hostkey *hk = NULL;
	struct hs_buf body, mod;
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	hs__buf_init(&mod, HS_KEYFILE_MAX, 1);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &hk), 0);
	if (hk == NULL)
		goto out;
	CHECK_EQ_INT(hs__keyfile_build(hk, "", 0x01020304, &body), 0);
	struct layout l = layout_of(51);
	CHECK_EQ_INT(hs__buf_len(&body), l.end);
	if (hs__buf_len(&body) != l.end)
		goto out;
	const uint8_t *b = hs__buf_ptr(&body);
	CHECK(memcmp(b + l.pad, "\x01\x02\x03\x04\x05", 5) == 0);
	CHECK_EQ_INT(load_body(b, l.end), 0);
	uint8_t *m;
	int r = 0;

#define MUTATE(expr, expect)                                                           \
	do {                                                                           \
		hs__buf_reset(&mod);                                                   \
		CHECK_EQ_INT(hs__buf_put(&mod, b, l.end), 0);                          \
		m = hs__buf_ptr(&mod);                                                 \
		expr;                                                                  \
		CHECK_EQ_INT(load_body(hs__buf_ptr(&mod), hs__buf_len(&mod)), expect); \
	} while (0)

	MUTATE(m[0] ^= 1, HS_ERR_FORMAT);                                  /* magic */
	MUTATE(m[14] = 'x', HS_ERR_FORMAT);                                /* magic's NUL */
	MUTATE(memcpy(m + l.cipher + 4, "aes2", 4), HS_ERR_KEY_ENCRYPTED); /* any cipher but none */
	MUTATE(memcpy(m + l.kdf + 4, "bcry", 4), HS_ERR_FORMAT);           /* kdf other than none, cipher none */
	MUTATE(m[l.nkeys + 3] = 2, HS_ERR_FORMAT);                         /* two keys */
	MUTATE(m[l.nkeys + 3] = 0, HS_ERR_FORMAT);                         /* no key */
	MUTATE(m[l.check1] ^= 0x80, HS_ERR_FORMAT);                        /* checkints differ */
	MUTATE(m[l.check2 + 3] ^= 1, HS_ERR_FORMAT);
	MUTATE(m[l.ktype + 4] = 'S', HS_ERR_FORMAT);       /* private key type */
	MUTATE(m[l.kpub + 4 + 7] ^= 4, HS_ERR_FORMAT);     /* private section's public key */
	MUTATE(m[l.kpriv + 4 + 40] ^= 4, HS_ERR_FORMAT);   /* pub half of the private key */
	MUTATE(m[l.kpriv + 4 + 3] ^= 4, HS_ERR_FORMAT);    /* seed: gives another public key */
	MUTATE(m[l.pubblob + 4 + 30] ^= 4, HS_ERR_FORMAT); /* outer public key */
	MUTATE(m[l.pad + 4] = 6, HS_ERR_FORMAT);           /* padding */
	MUTATE(m[l.pad] = 0, HS_ERR_FORMAT);
	MUTATE(m[l.comment + 3] = 1, HS_ERR_FORMAT); /* comment swallows padding: 4 left */
	/* Trailing bytes: after the private section, and a whole extra block
	 * of padding inside it. */
	MUTATE(r = hs__buf_put_u8(&mod, 0), HS_ERR_FORMAT);
	CHECK_EQ_INT(r, 0);
	MUTATE(m[l.sect_len + 3] += 8; r = hs__buf_put(&mod, "\x06\x07\x08\x09\x0a\x0b\x0c\x0d", 8), HS_ERR_FORMAT);
	CHECK_EQ_INT(r, 0);
	/* Section length no longer a multiple of 8 (padding cut to 4). */
	MUTATE(m[l.sect_len + 3] -= 1; hs__buf_truncate(&mod, l.end - 1), HS_ERR_FORMAT);

	/* An encrypted body: the cipher name, with its length, rewritten. */
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.cipher), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&mod, "aes256-ctr"), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&mod, "bcrypt"), 0);
	CHECK_EQ_INT(hs__buf_put_string(&mod, "\0\0\0\x10saltsaltsaltsalt\0\0\0\x10", 24), 0);
	CHECK_EQ_INT(hs__buf_put(&mod, b + l.nkeys, l.end - l.nkeys), 0);
	CHECK_EQ_INT(load_body(hs__buf_ptr(&mod), hs__buf_len(&mod)), HS_ERR_KEY_ENCRYPTED);
	/* Without a kdf, still encrypted (the cipher decides). */
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.cipher), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&mod, "chacha20-poly1305@openssh.com"), 0);
	CHECK_EQ_INT(hs__buf_put(&mod, b + l.kdf, l.end - l.kdf), 0);
	CHECK_EQ_INT(load_body(hs__buf_ptr(&mod), hs__buf_len(&mod)), HS_ERR_KEY_ENCRYPTED);
	/* kdfoptions must be empty for "none". */
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.kdf + 8), 0);
	CHECK_EQ_INT(hs__buf_put_string(&mod, "x", 1), 0);
	CHECK_EQ_INT(hs__buf_put(&mod, b + l.nkeys, l.end - l.nkeys), 0);
	CHECK_EQ_INT(load_body(hs__buf_ptr(&mod), hs__buf_len(&mod)), HS_ERR_FORMAT);
	/* A type name with a NUL, or too long to be a name. */
	char type[HS_KEYFILE_TYPE_MAX];
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.pubblob + 4), 0);
	CHECK_EQ_INT(hs__buf_put_string(&mod, "ssh-ed25519\0", 12), 0);
	struct hs_hostkey *hk2 = (struct hs_hostkey *)1;
	CHECK_EQ_INT(hs__keyfile_parse(hs__buf_ptr(&mod), hs__buf_len(&mod), &hk2, type, sizeof type), HS_ERR_FORMAT);
	CHECK(hk2 == NULL);
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.pubblob + 4), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&mod, 100), 0);
	for (int i = 0; i < 100; i++)
		CHECK_EQ_INT(hs__buf_put_u8(&mod, 'a'), 0);
	CHECK_EQ_INT(hs__buf_put(&mod, b + l.pubblob + 4, l.end - l.pubblob - 4), 0);
	CHECK_EQ_INT(hs__keyfile_parse(hs__buf_ptr(&mod), hs__buf_len(&mod), &hk2, type, sizeof type), HS_ERR_FORMAT);
	/* The type read from the file is reported back, cut to fit. */
	hs__buf_reset(&mod);
	CHECK_EQ_INT(hs__buf_put(&mod, b, l.pubblob), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&mod, 4 + 7 + 4), 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&mod, "ssh-dss"), 0);
	CHECK_EQ_INT(hs__buf_put_u32(&mod, 0), 0);
	CHECK_EQ_INT(hs__buf_put(&mod, b + l.sect_len, l.end - l.sect_len), 0);
	CHECK_EQ_INT(hs__keyfile_parse(hs__buf_ptr(&mod), hs__buf_len(&mod), &hk2, type, sizeof type), HS_ERR_KEY_TYPE);
	CHECK(strcmp(type, "ssh-dss") == 0);
	CHECK_EQ_INT(hs__keyfile_parse(hs__buf_ptr(&mod), hs__buf_len(&mod), &hk2, type, 4), HS_ERR_KEY_TYPE);
	CHECK(strcmp(type, "ssh") == 0);
out:
	hs_hostkey_free(hk);
	hs__buf_cleanup(&body);
	hs__buf_cleanup(&mod);
}

static void test_roundtrip_mem(void)
{
	struct hs_hostkey *hk = NULL, *back = NULL;
	char *text = NULL;
	size_t len = 0;
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &hk), 0);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_RSA, &back), HS_ERR_KEY_TYPE);
	CHECK(back == NULL);
	if (hk == NULL)
		return;
	for (int c = 0; c < 12; c++) {
		char comment[16];
		snprintf(comment, sizeof comment, "%.*s", c, "abcdefghijkl");
		CHECK_EQ_INT(hs_hostkey_save_mem(hk, comment, &text, &len), 0);
		if (text == NULL)
			continue;
		CHECK_EQ_INT(strlen(text), len);
		CHECK(strncmp(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
		CHECK(len > 34 && strcmp(text + len - 34, "-----END OPENSSH PRIVATE KEY-----\n") == 0);
		/* Lines of at most 70 columns. */
		size_t col = 0, maxcol = 0;
		for (size_t i = 36; i + 34 < len; i++) {
			col = text[i] == '\n' ? 0 : col + 1;
			maxcol = col > maxcol ? col : maxcol;
		}
		CHECK_EQ_INT(maxcol, 70);
		CHECK_EQ_INT(hs_hostkey_load_mem((const uint8_t *)text, len, &back), 0);
		if (back != NULL) {
			CHECK_EQ_INT(hs_key_equal(hs_hostkey_public(back), hs_hostkey_public(hk)), 1);
			CHECK_EQ_INT(sign_verify(back, hs_hostkey_public(hk)), 0);
			CHECK_EQ_INT(sign_verify(hk, hs_hostkey_public(back)), 0);
		}
		hs_hostkey_free(back);
		back = NULL;
		OPENSSL_cleanse(text, len);
		free(text);
		text = NULL;
	}
	/* Two saves of one key differ (random checkints) yet load the same. */
	char *t2 = NULL;
	size_t l2 = 0;
	CHECK_EQ_INT(hs_hostkey_save_mem(hk, NULL, &text, &len), 0);
	CHECK_EQ_INT(hs_hostkey_save_mem(hk, NULL, &t2, &l2), 0);
	CHECK(text != NULL && t2 != NULL && len == l2 && strcmp(text, t2) != 0);
	free(text);
	free(t2);
	CHECK_EQ_INT(hs_hostkey_save_mem(NULL, NULL, &t2, &l2), HS_ERR_INVALID_ARG);
	hs_hostkey_free(hk);
	hs_hostkey_free(NULL);
}

/* Run cmd and return its first output line (without newline), or NULL. */
static char *run_line(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char buf[4096];
	char *res = NULL;
	if (p == NULL)
		return NULL;
	if (fgets(buf, sizeof buf, p) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		res = strdup(buf);
	}
	if (pclose(p) != 0) {
		free(res);
		res = NULL;
	}
	return res;
}

static void test_save_file(void)
{
	char dir[] = "/tmp/hostsd-keyfile-test-XXXXXX", path[128], cmd[512], err[512];
	struct hs_hostkey *hk = NULL, *back = NULL;
	struct stat st;
	char *line = NULL, *out = NULL;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/host_ed25519_key", dir);
	CHECK_EQ_INT(hs_hostkey_generate(HS_KEY_ED25519, &hk), 0);
	if (hk == NULL)
		goto out;
	CHECK_EQ_INT(hs_hostkey_save_file(hk, path, "hostsd@test"), 0);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	/* Never overwritten. */
	CHECK_EQ_INT(hs_hostkey_save_file(hk, path, "again"), HS_ERR_IO);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(hs_hostkey_load_file(path, &back, err, sizeof err), 0);
	CHECK(back != NULL && hs_key_equal(hs_hostkey_public(back), hs_hostkey_public(hk)));
	/* A file larger than any key file, and one exactly at the limit
	 * (the key padded with blank lines). */
	{
		char big[160];
		size_t klen;
		char *ktext = (char *)kt_read_file(KEYDIR "ed25519", &klen);
		snprintf(big, sizeof big, "%s/big", dir);
		for (size_t total = HS_KEYFILE_MAX; ktext != NULL && total <= HS_KEYFILE_MAX + 1; total++) {
			FILE *f = fopen(big, "wb");
			CHECK(f != NULL);
			if (f == NULL)
				break;
			fwrite(ktext, 1, klen, f);
			for (size_t i = klen; i < total; i++)
				fputc('\n', f);
			fclose(f);
			struct hs_hostkey *k2 = NULL;
			CHECK_EQ_INT(hs_hostkey_load_file(big, &k2, err, sizeof err),
			             total == HS_KEYFILE_MAX ? 0 : HS_ERR_FORMAT);
			hs_hostkey_free(k2);
			unlink(big);
		}
		free(ktext);
	}
	/* A directory that does not exist. */
	char bad[160];
	snprintf(bad, sizeof bad, "%s/missing/key", dir);
	CHECK_EQ_INT(hs_hostkey_save_file(hk, bad, NULL), HS_ERR_IO);

	/* ssh-keygen reads what we wrote: same public key line, same
	 * fingerprint. */
	if (access(SSH_KEYGEN, X_OK) != 0) {
		printf("skipped: %s not installed, cannot check that it reads our key files\n", SSH_KEYGEN);
		goto out;
	}
	CHECK_EQ_INT(hs_key_format_line(hs_hostkey_public(hk), NULL, &line), 0);
	snprintf(cmd, sizeof cmd, SSH_KEYGEN " -y -f '%s' 2>&1", path);
	out = run_line(cmd);
	CHECK(out != NULL);
	if (out != NULL && line != NULL) {
		/* ssh-keygen -y prints "TYPE BASE64 COMMENT". */
		size_t n = strlen(line);
		if (strncmp(out, line, n) != 0 || (out[n] != '\0' && out[n] != ' '))
			fprintf(stderr, "ssh-keygen -y: %s\nours:          %s\n", out, line);
		CHECK(strncmp(out, line, n) == 0 && (out[n] == '\0' || out[n] == ' '));
	}
	free(out);
	snprintf(cmd, sizeof cmd, SSH_KEYGEN " -l -E sha256 -f '%s' 2>&1", path);
	out = run_line(cmd);
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(hs_hostkey_public(hk), fp);
	CHECK(out != NULL && strstr(out, fp) != NULL);
	/* And a key file ssh-keygen just made loads, with its public half. */
	char made[160];
	snprintf(made, sizeof made, "%s/made", dir);
	snprintf(cmd, sizeof cmd, SSH_KEYGEN " -q -t ed25519 -N '' -C x -f '%s' </dev/null >/dev/null 2>&1", made);
	CHECK_EQ_INT(system(cmd), 0);
	hs_hostkey_free(back);
	back = NULL;
	CHECK_EQ_INT(hs_hostkey_load_file(made, &back, err, sizeof err), 0);
	snprintf(made, sizeof made, "%s/made.pub", dir);
	size_t plen;
	char *pubtext = (char *)kt_read_file(made, &plen);
	struct hs_key *pub = NULL;
	CHECK(pubtext != NULL && hs_key_parse_line(pubtext, &pub, NULL) == 0);
	CHECK(back != NULL && pub != NULL && hs_key_equal(hs_hostkey_public(back), pub));
	hs_key_free(pub);
	free(pubtext);
	snprintf(made, sizeof made, "%s/made", dir);
	unlink(made);
	snprintf(made, sizeof made, "%s/made.pub", dir);
	unlink(made);
out:
	free(out);
	free(line);
	hs_hostkey_free(hk);
	hs_hostkey_free(back);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_fixture_loads();
	test_fixture_refusals();
	test_truncations();
	test_armour();
	test_damaged_bodies();
	test_roundtrip_mem();
	test_save_file();
	return hs_test_done();
}
