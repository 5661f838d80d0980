/*
 * The ring arithmetic of ML-KEM (FIPS 203 §4.3): polynomials of
 * Z_q[X]/(X^256 + 1), q = 3329, the number-theoretic transform, and the
 * encodings, compression and sampling of §4.2.1 and §4.2.2 that turn them
 * into bytes and back. No hashing happens here: the callers in mlkem768.c
 * feed the samplers bytes that came from libcrypto's SHA-3 functions.
 *
 * Every function runs in time independent of the coefficients it is given
 * (no branch, table index or division depends on them), except
 * hs__mlkem_sample_ntt and hs__mlkem_poly_check12, which handle public data
 * only. Coefficients are kept fully reduced, in [0, q).
 */
#ifndef HS_CRYPTO_MLKEM_POLY_H
#define HS_CRYPTO_MLKEM_POLY_H

#include <stddef.h>
#include <stdint.h>

#define HS_MLKEM_N 256
#define HS_MLKEM_Q 3329

/* A polynomial, or its NTT representation; the type does not say which. */
struct hs_mlkem_poly {
	uint16_t c[HS_MLKEM_N];
};

/* x mod q for any 32-bit x, in constant time. */
uint16_t hs__mlkem_reduce(uint32_t x);

/* Compress_d and Decompress_d of FIPS 203 (4.7), (4.8) for one value, d < 12;
 * Compress takes x in [0, q). Exposed for the exhaustive test. */
uint16_t hs__mlkem_compress(uint16_t x, unsigned d);
uint16_t hs__mlkem_decompress(uint16_t y, unsigned d);

/* NTT (Algorithm 9) and NTT^-1 (Algorithm 10), in place. */
void hs__mlkem_poly_ntt(struct hs_mlkem_poly *f);
void hs__mlkem_poly_invntt(struct hs_mlkem_poly *f);

/* acc += f * g in the NTT domain (MultiplyNTTs, Algorithm 11). */
void hs__mlkem_poly_mul_acc(struct hs_mlkem_poly *acc, const struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g);

/* f += g and f -= g, coefficient-wise mod q. */
void hs__mlkem_poly_add(struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g);
void hs__mlkem_poly_sub(struct hs_mlkem_poly *f, const struct hs_mlkem_poly *g);

/* ByteEncode_12 (Algorithm 5) into 384 bytes, and ByteDecode_12
 * (Algorithm 6) from them, which reduces each 12-bit value mod q. */
void hs__mlkem_poly_encode12(uint8_t out[384], const struct hs_mlkem_poly *f);
void hs__mlkem_poly_decode12(struct hs_mlkem_poly *f, const uint8_t in[384]);

/* 1 if all 256 12-bit values of in are below q, that is, if in survives
 * ByteDecode_12 then ByteEncode_12 unchanged (the modulus check of FIPS 203
 * §7.2); 0 otherwise. For public data: it may return early. */
int hs__mlkem_poly_check12(const uint8_t in[384]);

/* ByteEncode_d(Compress_d(f)) into 32 * d bytes, and
 * Decompress_d(ByteDecode_d(in)), for d in {1, 4, 10}. */
void hs__mlkem_poly_compress(uint8_t *out, const struct hs_mlkem_poly *f, unsigned d);
void hs__mlkem_poly_decompress(struct hs_mlkem_poly *f, const uint8_t *in, unsigned d);

/* SamplePolyCBD_2 (Algorithm 8 with eta = 2) from 128 bytes of PRF output. */
void hs__mlkem_poly_cbd2(struct hs_mlkem_poly *f, const uint8_t in[128]);

/* SampleNTT (Algorithm 7) over len bytes of XOF output already squeezed:
 * 0 when they were enough for all 256 coefficients, -1 when the caller must
 * squeeze more and call again (f is then incomplete). For public data. */
int hs__mlkem_sample_ntt(struct hs_mlkem_poly *f, const uint8_t *xof, size_t len);

#endif
