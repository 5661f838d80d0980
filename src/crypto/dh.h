/*
 * Finite-field Diffie-Hellman over the RFC 3526 MODP groups, for
 * diffie-hellman-group14-sha256, group16-sha512 and group18-sha512
 * (RFC 8268). Modular exponentiation is libcrypto's constant-time one.
 */
#ifndef HS_CRYPTO_DH_H
#define HS_CRYPTO_DH_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"
#include "wire/buf.h"

/* The groups, by prime size in bits: 2048 (14), 4096 (16), 8192 (18). */
enum hs_dh_group {
	HS_DH_GROUP14 = 2048,
	HS_DH_GROUP16 = 4096,
	HS_DH_GROUP18 = 8192
};

/* Server side of one exchange. e is the peer's public value (an mpint
 * magnitude), checked to lie in 1 < e < p-1 (RFC 4253 §8). Appends our
 * public value f to f_out and the shared secret K to k_out (both as
 * big-endian magnitudes; k_out should be a secret buffer). The private
 * exponent is fresh, twice the group's security strength in bits, and
 * wiped. HS_ERR_PROTOCOL for a bad e. */
int hs__dh_server(enum hs_dh_group group, const uint8_t *e, size_t elen, struct hs_buf *f_out,
                  struct hs_buf *k_out) HS_MUST_CHECK;

/* One server-side exchange packaged to run on another thread: the peer's
 * value in, our value and the shared secret out. A job owns copies of
 * everything it touches, so hs__dh_job_run needs nothing else and the
 * thread that made it may free the connection meanwhile. */
struct hs_dh_job {
	enum hs_dh_group group;
	struct hs_buf e; /* the peer's public value (mpint magnitude) */
	struct hs_buf f; /* our public value */
	struct hs_buf k; /* the shared secret (a secret buffer) */
	int result;      /* hs__dh_server's result once run */
};

/* A job for the peer's value e (copied). NULL if out of memory. */
struct hs_dh_job *hs__dh_job_new(enum hs_dh_group group, const uint8_t *e, size_t elen);
/* Compute f and K (any thread): sets job->result. */
void hs__dh_job_run(struct hs_dh_job *job);
/* Wipe and free (NULL is fine). */
void hs__dh_job_free(struct hs_dh_job *job);

/* The group's prime as big-endian bytes appended to out (for tests). */
int hs__dh_prime(enum hs_dh_group group, struct hs_buf *out) HS_MUST_CHECK;

#endif
