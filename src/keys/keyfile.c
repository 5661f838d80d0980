/*
 * Host key files in OpenSSH's own private key format, "openssh-key-v1"
 * (OpenSSH PROTOCOL.key), so that `ssh-keygen` can make, read and inspect
 * the keys this server uses. Only unencrypted Ed25519 keys are supported:
 * a host key has to be loaded unattended, so a passphrase would have to be
 * stored beside the file anyway.
 *
 * Body layout:
 *   "openssh-key-v1\0", string ciphername, string kdfname, string kdfoptions,
 *   uint32 number of keys (1), string public key blob,
 *   string private section = uint32 checkint, uint32 checkint,
 *                            string "ssh-ed25519", string pub (32),
 *                            string seed || pub (64), string comment,
 *                            padding 1, 2, 3, ... to a multiple of 8.
 *
 * Everything that holds the decoded file lives in wiped memory.
 */
#include "keys/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "keys/key_priv.h"
#include "wire/base64.h"

static const char key_magic[] = "openssh-key-v1"; /* written with its NUL */
static const char mark_begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
static const char mark_end[] = "-----END OPENSSH PRIVATE KEY-----";

#define ARMOUR_COLUMNS 70
#define BLOCK_SIZE 8 /* the "none" cipher's block size */
#define ED25519_ALG "ssh-ed25519"

static void free_secret(void *p, size_t n)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, n);
		free(p);
	}
}

/* Consume one line end ("\n" or "\r\n") at *i. */
static int line_end(const uint8_t *t, size_t len, size_t *i)
{
	if (*i < len && t[*i] == '\n') {
		*i += 1;
		return 0;
	}
	if (len - *i >= 2 && t[*i] == '\r' && t[*i + 1] == '\n') {
		*i += 2;
		return 0;
	}
	return HS_ERR_FORMAT;
}

int hs__keyfile_unarmour(const uint8_t *text, size_t len, struct hs_buf *out)
{
	size_t blen = sizeof mark_begin - 1, elen = sizeof mark_end - 1;
	char *b64 = NULL;
	size_t nb = 0, i = blen, dmax = 0, dlen = 0;
	uint8_t *dst;
	int r = HS_ERR_FORMAT;
	if (len > HS_KEYFILE_MAX || len < blen || memcmp(text, mark_begin, blen) != 0)
		return HS_ERR_FORMAT;
	if (line_end(text, len, &i) != 0)
		return HS_ERR_FORMAT;
	if ((b64 = malloc(len)) == NULL)
		return HS_ERR_ALLOC;
	for (;;) {
		if (len - i >= elen && memcmp(text + i, mark_end, elen) == 0) {
			i += elen;
			break;
		}
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			b64[nb++] = (char)text[i++];
		/* An empty line or a file cut short before END. */
		if (i == start || line_end(text, len, &i) != 0)
			goto out;
	}
	for (; i < len; i++)
		if (text[i] != '\n' && text[i] != '\r')
			goto out; /* something after END */
	if (nb == 0)
		goto out; /* nothing between the markers */
	dmax = hs__base64_decoded_max(nb);
	if ((r = hs__buf_extend(out, dmax, &dst)) != 0)
		goto out;
	if ((r = hs__base64_decode(b64, nb, dst, dmax, &dlen)) != 0) {
		r = HS_ERR_FORMAT;
		if (hs__buf_unwrite(out, dmax) != 0)
			r = HS_ERR_INTERNAL;
		goto out;
	}
	r = hs__buf_unwrite(out, dmax - dlen);
out:
	free_secret(b64, len);
	return r;
}

int hs__keyfile_armour(const uint8_t *body, size_t len, char **out, size_t *outlen)
{
	size_t blen = sizeof mark_begin - 1, elen = sizeof mark_end - 1;
	size_t n64 = hs__base64_encoded_len(len, 1);
	char *b64 = NULL, *s = NULL;
	int r;
	*out = NULL;
	if (len > HS_KEYFILE_MAX)
		return HS_ERR_LIMIT;
	size_t lines = (n64 + ARMOUR_COLUMNS - 1) / ARMOUR_COLUMNS;
	size_t total = blen + 1 + n64 + lines + elen + 1;
	if ((b64 = malloc(n64 + 1)) == NULL || (s = malloc(total + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = hs__base64_encode(body, len, b64, n64 + 1, 1)) != 0)
		goto out;
	size_t o = 0;
	memcpy(s, mark_begin, blen);
	o += blen;
	s[o++] = '\n';
	for (size_t i = 0; i < n64; i += ARMOUR_COLUMNS) {
		size_t n = n64 - i < ARMOUR_COLUMNS ? n64 - i : ARMOUR_COLUMNS;
		memcpy(s + o, b64 + i, n);
		o += n;
		s[o++] = '\n';
	}
	memcpy(s + o, mark_end, elen);
	o += elen;
	s[o++] = '\n';
	s[o] = '\0';
	*out = s;
	*outlen = o;
	s = NULL;
out:
	free_secret(b64, n64 + 1);
	free_secret(s, total + 1);
	return r;
}

int hs__keyfile_parse(const uint8_t *body, size_t len, struct hs_hostkey **out, char *type, size_t typesize)
{
	struct hs_view v = hs__view_make(body, len), pv, priv;
	struct hs_bytes magic, cipher, kdf, kdfopts, pubblob, ktype, kpub, kpriv, comment, pad;
	struct hs_key *pub = NULL;
	struct hs_hostkey *hk = NULL;
	uint32_t nkeys, check1, check2;
	int r = HS_ERR_FORMAT;
	*out = NULL;
	if (type != NULL && typesize > 0)
		type[0] = '\0';
	if (hs__view_get_bytes(&v, sizeof key_magic, &magic) != 0 ||
	    memcmp(magic.ptr, key_magic, sizeof key_magic) != 0)
		goto out;
	if (hs__view_get_string(&v, &cipher) != 0 || hs__view_get_string(&v, &kdf) != 0 ||
	    hs__view_get_string(&v, &kdfopts) != 0 || hs__view_get_u32(&v, &nkeys) != 0 || nkeys != 1 ||
	    hs__view_get_string(&v, &pubblob) != 0 || hs__view_get_subview(&v, &priv) != 0 || hs__view_end(&v) != 0)
		goto out;
	/* The public part is in the clear even in an encrypted file: report a
	 * wrong key type first, so that removing a passphrase is not advised
	 * for a key we would refuse anyway. */
	char tname[HS_KEYFILE_TYPE_MAX];
	pv = hs__view_make(pubblob.ptr, pubblob.len);
	if (hs__view_get_cstring(&pv, tname, sizeof tname) != 0)
		goto out;
	if (type != NULL && typesize > 0)
		snprintf(type, typesize, "%s", tname);
	if (strcmp(tname, ED25519_ALG) != 0) {
		r = HS_ERR_KEY_TYPE;
		goto out;
	}
	if (!hs__bytes_eq(cipher, "none")) {
		r = HS_ERR_KEY_ENCRYPTED;
		goto out;
	}
	if (!hs__bytes_eq(kdf, "none") || kdfopts.len != 0)
		goto out;
	if ((r = hs_key_from_blob(pubblob.ptr, pubblob.len, &pub)) != 0) {
		r = r == HS_ERR_ALLOC ? r : HS_ERR_FORMAT;
		goto out;
	}
	r = HS_ERR_FORMAT;
	/* The private section: padded to the cipher block size, and the two
	 * checkints equal (for an encrypted file, the proof of a right
	 * passphrase; here, a check against damage). */
	if (priv.len % BLOCK_SIZE != 0 || hs__view_get_u32(&priv, &check1) != 0 ||
	    hs__view_get_u32(&priv, &check2) != 0 || check1 != check2)
		goto out;
	if (hs__view_get_string(&priv, &ktype) != 0 || !hs__bytes_eq(ktype, ED25519_ALG) ||
	    hs__view_get_string(&priv, &kpub) != 0 || kpub.len != 32 || hs__view_get_string(&priv, &kpriv) != 0 ||
	    kpriv.len != 64 || hs__view_get_string(&priv, &comment) != 0)
		goto out;
	/* Ed25519's "private key" is seed || public key; both copies of the
	 * public key must agree. */
	if (CRYPTO_memcmp(kpriv.ptr + 32, kpub.ptr, 32) != 0)
		goto out;
	hs__view_get_rest(&priv, &pad);
	if (pad.len >= BLOCK_SIZE)
		goto out;
	for (size_t i = 0; i < pad.len; i++)
		if (pad.ptr[i] != i + 1)
			goto out;
	if ((r = hs__hostkey_from_seed(kpriv.ptr, &hk)) != 0)
		goto out;
	/* The seed must give the public key the file declares (both places). */
	if (!hs_key_equal(hk->pub, pub)) {
		r = HS_ERR_FORMAT;
		goto out;
	}
	*out = hk;
	hk = NULL;
	r = 0;
out:
	hs_key_free(pub);
	hs_hostkey_free(hk);
	return r;
}

int hs__keyfile_build(const struct hs_hostkey *key, const char *comment, uint32_t checkint, struct hs_buf *out)
{
	size_t start = hs__buf_len(out), mark, kmark, publen = 32, seedlen = 32, bloblen;
	uint8_t pub[32], *seed;
	int r;
	if (key == NULL || key->pub == NULL || key->pub->type != HS_KEY_ED25519)
		return HS_ERR_KEY_TYPE;
	if (comment == NULL)
		comment = "";
	const uint8_t *blob = hs_key_blob(key->pub, &bloblen);
	if (EVP_PKEY_get_raw_public_key(key->priv, pub, &publen) != 1 || publen != sizeof pub) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((r = hs__buf_put(out, key_magic, sizeof key_magic)) != 0 || (r = hs__buf_put_cstring(out, "none")) != 0 ||
	    (r = hs__buf_put_cstring(out, "none")) != 0 || (r = hs__buf_put_string(out, NULL, 0)) != 0 ||
	    (r = hs__buf_put_u32(out, 1)) != 0 || (r = hs__buf_put_string(out, blob, bloblen)) != 0 ||
	    (r = hs__buf_begin_string(out, &mark)) != 0)
		goto out;
	if ((r = hs__buf_put_u32(out, checkint)) != 0 || (r = hs__buf_put_u32(out, checkint)) != 0 ||
	    (r = hs__buf_put_cstring(out, ED25519_ALG)) != 0 || (r = hs__buf_put_string(out, pub, sizeof pub)) != 0 ||
	    (r = hs__buf_begin_string(out, &kmark)) != 0 || (r = hs__buf_extend(out, 32, &seed)) != 0)
		goto out;
	/* The seed goes straight from libcrypto into the (secret) buffer. */
	if (EVP_PKEY_get_raw_private_key(key->priv, seed, &seedlen) != 1 || seedlen != 32) {
		r = HS_ERR_CRYPTO;
		goto out;
	}
	if ((r = hs__buf_put(out, pub, sizeof pub)) != 0 || (r = hs__buf_end_string(out, kmark)) != 0 ||
	    (r = hs__buf_put_cstring(out, comment)) != 0)
		goto out;
	for (uint8_t pad = 1; (hs__buf_len(out) - mark - 4) % BLOCK_SIZE != 0; pad++)
		if ((r = hs__buf_put_u8(out, pad)) != 0)
			goto out;
	r = hs__buf_end_string(out, mark);
out:
	if (r != 0)
		hs__buf_truncate(out, start);
	return r;
}

int hs_hostkey_load_mem(const uint8_t *data, size_t len, struct hs_hostkey **out)
{
	struct hs_buf body;
	int r;
	if (out == NULL || (data == NULL && len != 0))
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	if ((r = hs__keyfile_unarmour(data, len, &body)) == 0)
		r = hs__keyfile_parse(hs__buf_ptr(&body), hs__buf_len(&body), out, NULL, 0);
	hs__buf_cleanup(&body);
	return r;
}

int hs_hostkey_save_mem(const struct hs_hostkey *key, const char *comment, char **out, size_t *outlen)
{
	struct hs_buf body;
	uint32_t checkint;
	int r;
	if (key == NULL || out == NULL || outlen == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	*outlen = 0;
	if (key->priv == NULL) /* an external key: the private half is not ours to write */
		return HS_ERR_KEY_TYPE;
	if (RAND_bytes((unsigned char *)&checkint, sizeof checkint) != 1)
		return HS_ERR_CRYPTO;
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	if ((r = hs__keyfile_build(key, comment, checkint, &body)) == 0)
		r = hs__keyfile_armour(hs__buf_ptr(&body), hs__buf_len(&body), out, outlen);
	hs__buf_cleanup(&body);
	OPENSSL_cleanse(&checkint, sizeof checkint);
	return r;
}

/* The sentence for err: says which file and what to do about it. */
static void explain(int r, const char *path, const char *type, int err_no, char *err, size_t errlen)
{
	if (err == NULL || errlen == 0)
		return;
	switch (r) {
	case 0:
		err[0] = '\0';
		break;
	case HS_ERR_IO: {
		char why[128] = "not a regular file";
		/* strerror_r (XSI form): strerror is not thread-safe. */
		if (err_no > 0 && strerror_r(err_no, why, sizeof why) != 0)
			snprintf(why, sizeof why, "error %d", err_no);
		snprintf(err, errlen, "cannot read host key file %s: %s", path, why);
		break;
	}
	case HS_ERR_KEY_ENCRYPTED:
		snprintf(err, errlen,
		         "host key file %s is protected by a passphrase; passphrase-protected host keys are not "
		         "supported: remove the passphrase with ssh-keygen -p -N \"\" -f %s",
		         path, path);
		break;
	case HS_ERR_KEY_TYPE:
		snprintf(err, errlen,
		         "host key file %s holds a key of type %s; only ssh-ed25519 host keys are supported "
		         "(make one with ssh-keygen -t ed25519 -N \"\" -f FILE)",
		         path, type);
		break;
	case HS_ERR_FORMAT:
		snprintf(err, errlen,
		         "host key file %s is damaged or is not an OpenSSH private key "
		         "(\"-----BEGIN OPENSSH PRIVATE KEY-----\", as ssh-keygen writes it)",
		         path);
		break;
	default:
		snprintf(err, errlen, "cannot load host key file %s: %s", path, hs_strerror(r));
		break;
	}
}

/* Printable copy of a type name read from a file, for an error message. */
static void printable(char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

/* Read the whole file (at most HS_KEYFILE_MAX bytes) into a secret buffer. */
static int read_file(const char *path, struct hs_buf *text, int *err_no)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not hang us */
	int r = HS_ERR_IO;
	*err_no = 0;
	if (fd < 0) {
		*err_no = errno;
		return HS_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		*err_no = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*err_no = -1; /* explained as "not a regular file" */
		goto out;
	}
	for (;;) {
		uint8_t *p, *q;
		/* text holds at most one byte more than a key file may have: a
		 * full buffer means the file is too large. */
		size_t room = text->max - hs__buf_len(text);
		if (room == 0) {
			r = HS_ERR_FORMAT;
			goto out;
		}
		if (room > 4096)
			room = 4096;
		if ((r = hs__buf_reserve(text, room, &p)) != 0)
			goto out;
		ssize_t n = read(fd, p, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err_no = errno;
			r = HS_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		/* Count the bytes read: they are already in the reserved room. */
		if ((r = hs__buf_extend(text, (size_t)n, &q)) != 0 || q != p) {
			r = HS_ERR_INTERNAL;
			goto out;
		}
	}
	r = hs__buf_len(text) > HS_KEYFILE_MAX ? HS_ERR_FORMAT : 0;
out:
	close(fd);
	return r;
}

int hs_hostkey_load_file(const char *path, struct hs_hostkey **out, char *err, size_t errlen)
{
	struct hs_buf text, body;
	char type[HS_KEYFILE_TYPE_MAX] = "";
	int r, err_no = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	/* One byte more than the limit, so an oversized file is detected. */
	hs__buf_init(&text, HS_KEYFILE_MAX + 1, 1);
	hs__buf_init(&body, HS_KEYFILE_MAX, 1);
	r = read_file(path, &text, &err_no);
	if (r == 0 && (r = hs__keyfile_unarmour(hs__buf_ptr(&text), hs__buf_len(&text), &body)) == 0)
		r = hs__keyfile_parse(hs__buf_ptr(&body), hs__buf_len(&body), out, type, sizeof type);
	printable(type);
	explain(r, path, type, err_no, err, errlen);
	hs__buf_cleanup(&text);
	hs__buf_cleanup(&body);
	return r;
}

/* Write all of buf to fd, retrying short writes and interruptions. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return HS_ERR_IO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int hs_hostkey_save_file(const struct hs_hostkey *key, const char *path, const char *comment)
{
	char *text = NULL;
	size_t len = 0;
	int r, fd = -1, created = 0;
	if (key == NULL || path == NULL)
		return HS_ERR_INVALID_ARG;
	if ((r = hs_hostkey_save_mem(key, comment, &text, &len)) != 0)
		return r;
	/* O_EXCL: never overwrite (or follow a symlink to) an existing file;
	 * the mode is 0600 from birth, so the secret is never readable by
	 * others, whatever the umask. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		r = HS_ERR_IO;
		goto out;
	}
	created = 1;
	if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		r = HS_ERR_IO;
		goto out;
	}
	int c = close(fd);
	fd = -1;
	if (c != 0)
		r = HS_ERR_IO;
out:
	if (fd >= 0)
		close(fd);
	/* A half-written key file would only fail to load later: remove it,
	 * so that a retry can create it again. */
	if (r != 0 && created)
		unlink(path);
	free_secret(text, len + 1);
	return r;
}
