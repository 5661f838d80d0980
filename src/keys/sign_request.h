/*
 * Signatures by a host key wherever its private half is (engine-internal):
 * made at once for a key in memory, asked of the signer for an external
 * key (hs_hostkey_new_external) and answered when it answers. The key
 * exchange signs its exchange hashes this way, and the agent server
 * (hostsd/agent.h) the hashes a worker sends it.
 */
#ifndef HS_KEYS_SIGN_REQUEST_H
#define HS_KEYS_SIGN_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/key.h"

/* The answer: err 0 and sig (a view valid during the call only), the
 * signature blob in the framing of the algorithm asked for, checked
 * against the host key's public half; or err an HS_ERR_* (then sig NULL).
 * An external signer's own error is passed on; a signature that does not
 * verify is HS_ERR_SIGNATURE. */
typedef void (*hs__sign_done_fn)(void *ctx, int err, const uint8_t *sig, size_t siglen);

/* Have key sign data under alg (see hs__hostkey_sign). For a key in memory
 * the signature is made and done called before this returns. For an
 * external key the signer is asked (data and alg are copied); done is
 * called when it answers, from inside hs_sign_request_done, which may
 * happen before this returns too. Either way done is called exactly once
 * unless the request is cancelled.
 *
 * pending (may be NULL when the caller never cancels) gets the request
 * while it is out: NULL once done has been called inside this call, else
 * the request until done is called. Returns 0, or HS_ERR_INVALID_ARG /
 * HS_ERR_ALLOC without calling done. */
int hs__hostkey_sign_async(const struct hs_hostkey *key, const char *alg, const uint8_t *data, size_t len,
                           hs__sign_done_fn done, void *ctx, struct hs_sign_request **pending) HS_MUST_CHECK;

/* Never call the request's done: the signer's answer, when it comes, only
 * frees the request. req is the *pending of hs__hostkey_sign_async, before
 * its done was called; NULL is fine. */
void hs__sign_request_cancel(struct hs_sign_request *req);

#endif
