/* Exchange hash and key derivation (RFC 4253 §7.2, §8). */
#include "transport/kexhash.h"

#include <string.h>

#include <openssl/crypto.h>

static int digest_buf(const EVP_MD *md, const struct hs_buf *b, uint8_t *out, unsigned *outlen)
{
	return EVP_Digest(hs__buf_ptr(b), hs__buf_len(b), out, outlen, md, NULL) == 1 ? 0 : HS_ERR_CRYPTO;
}

int hs__kex_hash(const EVP_MD *md, const struct hs_kex_transcript *t, uint8_t *out, size_t *outlen)
{
	struct hs_buf b;
	unsigned len = 0;
	int r;
	hs__buf_init(&b, 1u << 20, 1);
	if ((r = hs__buf_put_string(&b, t->v_c.ptr, t->v_c.len)) != 0 ||
	    (r = hs__buf_put_string(&b, t->v_s.ptr, t->v_s.len)) != 0 ||
	    (r = hs__buf_put_string(&b, t->i_c.ptr, t->i_c.len)) != 0 ||
	    (r = hs__buf_put_string(&b, t->i_s.ptr, t->i_s.len)) != 0 ||
	    (r = hs__buf_put_string(&b, t->k_s.ptr, t->k_s.len)) != 0 ||
	    (r = hs__buf_put(&b, t->method.ptr, t->method.len)) != 0 || (r = hs__buf_put(&b, t->k.ptr, t->k.len)) != 0)
		goto out;
	if ((r = digest_buf(md, &b, out, &len)) != 0)
		goto out;
	*outlen = len;
out:
	hs__buf_cleanup(&b);
	return r;
}

int hs__kex_derive(const EVP_MD *md, struct hs_bytes k, const uint8_t *h, size_t hlen, const uint8_t *session_id,
                   size_t sidlen, char letter, uint8_t *out, size_t need)
{
	struct hs_buf b;
	uint8_t block[EVP_MAX_MD_SIZE];
	unsigned blen = 0;
	size_t have = 0;
	int r;
	hs__buf_init(&b, 1u << 20, 1);
	if ((r = hs__buf_put(&b, k.ptr, k.len)) != 0 || (r = hs__buf_put(&b, h, hlen)) != 0)
		goto out;
	size_t prefix = hs__buf_len(&b);
	if ((r = hs__buf_put_u8(&b, (uint8_t)letter)) != 0 || (r = hs__buf_put(&b, session_id, sidlen)) != 0)
		goto out;
	if ((r = digest_buf(md, &b, block, &blen)) != 0)
		goto out;
	/* K1 done; Kn = HASH(K || H || K1 || ... || Kn-1) */
	if ((r = hs__buf_unwrite(&b, hs__buf_len(&b) - prefix)) != 0)
		goto out;
	for (;;) {
		size_t take = need - have < blen ? need - have : blen;
		memcpy(out + have, block, take);
		have += take;
		if (have >= need)
			break;
		if ((r = hs__buf_put(&b, block, blen)) != 0 || (r = digest_buf(md, &b, block, &blen)) != 0)
			goto out;
	}
out:
	OPENSSL_cleanse(block, sizeof block);
	hs__buf_cleanup(&b);
	return r;
}
