/*
 * Signatures by a host key wherever its private half is (sign_request.h),
 * and the answer of an external signer (hs_sign_request_done, hostsd/key.h).
 * A request outlives whoever asked when that one is gone (cancelled) until
 * the signer answers: the signer holds it, only its answer frees it.
 */
#include "keys/sign_request.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/limits.h"
#include "keys/sig.h"
#include "wire/buf.h"

struct hs_sign_request {
	const struct hs_hostkey *key;
	hs__sign_done_fn done; /* NULL once cancelled */
	void *ctx;
	int in_call;  /* the signer is being asked: hs__hostkey_sign_async frees */
	int answered; /* hs_sign_request_done was called */
	char alg[HS_MAX_NAME + 1];
	uint8_t *data; /* a copy, to check the answer against */
	size_t len;
};

static void request_free(struct hs_sign_request *req)
{
	if (req->data != NULL)
		OPENSSL_cleanse(req->data, req->len);
	free(req->data);
	free(req);
}

int hs__hostkey_sign_async(const struct hs_hostkey *key, const char *alg, const uint8_t *data, size_t len,
                           hs__sign_done_fn done, void *ctx, struct hs_sign_request **pending)
{
	struct hs_sign_request *req;
	struct hs_buf sig;
	int r;
	if (pending != NULL)
		*pending = NULL;
	if (key == NULL || alg == NULL || done == NULL || (data == NULL && len != 0) || strlen(alg) > HS_MAX_NAME)
		return HS_ERR_INVALID_ARG;
	if (!hs__hostkey_external(key)) {
		hs__buf_init(&sig, HS_MAX_HOSTKEY_BLOB, 0);
		r = hs__hostkey_sign(key, alg, data, len, &sig);
		done(ctx, r, r == 0 ? hs__buf_ptr(&sig) : NULL, r == 0 ? hs__buf_len(&sig) : 0);
		hs__buf_cleanup(&sig);
		return 0;
	}
	if ((req = calloc(1, sizeof(*req))) == NULL || (len > 0 && (req->data = malloc(len)) == NULL)) {
		free(req);
		return HS_ERR_ALLOC;
	}
	req->key = key;
	req->done = done;
	req->ctx = ctx;
	memcpy(req->alg, alg, strlen(alg) + 1);
	if (len > 0)
		memcpy(req->data, data, len);
	req->len = len;
	req->in_call = 1;
	hs__hostkey_ask_signer(key, req, data, len);
	req->in_call = 0;
	if (req->answered) {
		request_free(req);
		return 0;
	}
	if (pending != NULL)
		*pending = req;
	return 0;
}

void hs__sign_request_cancel(struct hs_sign_request *req)
{
	if (req != NULL)
		req->done = NULL;
}

void hs_sign_request_done(struct hs_sign_request *req, int err, const uint8_t *sig, size_t siglen)
{
	struct hs_buf framed;
	if (req == NULL || req->answered)
		return;
	req->answered = 1;
	if (req->done != NULL) {
		hs__sign_done_fn done = req->done;
		req->done = NULL;
		hs__buf_init(&framed, HS_MAX_HOSTKEY_BLOB, 0);
		if (err == 0 && sig == NULL)
			err = HS_ERR_INVALID_ARG;
		/* the engine uses only what the host key's public half verifies */
		if (err == 0)
			err = hs__hostkey_adopt_signature(req->key, req->alg, sig, siglen, req->data, req->len,
			                                  &framed);
		done(req->ctx, err, err == 0 ? hs__buf_ptr(&framed) : NULL, err == 0 ? hs__buf_len(&framed) : 0);
		hs__buf_cleanup(&framed);
	}
	if (!req->in_call)
		request_free(req);
}
