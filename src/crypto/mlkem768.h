/*
 * ML-KEM-768 (FIPS 203), the post-quantum half of the
 * mlkem768x25519-sha256 key exchange. In an SSH server only encapsulation
 * runs (the client sends its encapsulation key); key generation and
 * decapsulation are here for the client side and for the tests.
 *
 * Every buffer is the caller's; the functions write only the outputs
 * named, and on failure leave none of a secret in them (they are wiped).
 * dk, m, d, z and ss are secrets: the caller wipes its own copies.
 */
#ifndef HS_CRYPTO_MLKEM768_H
#define HS_CRYPTO_MLKEM768_H

#include <stddef.h>
#include <stdint.h>

#include "hostsd/error.h"

#define HS_MLKEM768_EK_LEN 1184 /* encapsulation key: ByteEncode12(t) || rho */
#define HS_MLKEM768_DK_LEN 2400 /* decapsulation key: dk_PKE || ek || H(ek) || z */
#define HS_MLKEM768_CT_LEN 1088 /* ciphertext: c1 (du = 10) || c2 (dv = 4) */
#define HS_MLKEM768_SS_LEN 32   /* shared secret */
#define HS_MLKEM768_SEED_LEN 32 /* each of d, z and m */

/* ML-KEM.KeyGen (Algorithm 19): a fresh key pair from RAND_bytes.
 * HS_ERR_CRYPTO if libcrypto fails. */
int hs__mlkem768_keygen(uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN]) HS_MUST_CHECK;

/* ML-KEM.KeyGen_internal (Algorithm 16): the key pair of the seeds d and z
 * (tests, and known answers). HS_ERR_CRYPTO if libcrypto fails. */
int hs__mlkem768_keygen_derand(const uint8_t d[HS_MLKEM768_SEED_LEN], const uint8_t z[HS_MLKEM768_SEED_LEN],
                               uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t dk[HS_MLKEM768_DK_LEN]) HS_MUST_CHECK;

/* ML-KEM.Encaps (Algorithm 20) to the peer's key ek, with a fresh m from
 * RAND_bytes: the ciphertext to send and the shared secret. HS_ERR_FORMAT
 * if ek fails the input check of FIPS 203 §7.2 (see hs__mlkem768_check_ek),
 * HS_ERR_CRYPTO if libcrypto fails. */
int hs__mlkem768_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN]) HS_MUST_CHECK;

/* ML-KEM.Encaps_internal (Algorithm 17) with the message m given (tests,
 * and known answers); ek is checked as by hs__mlkem768_encaps. */
int hs__mlkem768_encaps_derand(const uint8_t ek[HS_MLKEM768_EK_LEN], const uint8_t m[HS_MLKEM768_SEED_LEN],
                               uint8_t ct[HS_MLKEM768_CT_LEN], uint8_t ss[HS_MLKEM768_SS_LEN]) HS_MUST_CHECK;

/* ML-KEM.Decaps (Algorithm 21): the shared secret of ct under dk. A ct that
 * does not re-encrypt to itself yields the implicit-rejection secret
 * J(z || ct), in constant time, and still returns 0: the caller cannot
 * tell, which is the point. HS_ERR_FORMAT if dk fails the hash check of
 * §7.3 (see hs__mlkem768_check_dk), HS_ERR_CRYPTO if libcrypto fails. */
int hs__mlkem768_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                        uint8_t ss[HS_MLKEM768_SS_LEN]) HS_MUST_CHECK;

/* The encapsulation key input check of FIPS 203 §7.2: len is
 * HS_MLKEM768_EK_LEN (type check) and every 12-bit coefficient of t is
 * below q (modulus check). 0 or HS_ERR_FORMAT. For a key read off the
 * wire, before it is passed on as a fixed-size array. */
int hs__mlkem768_check_ek(const uint8_t *ek, size_t len) HS_MUST_CHECK;

/* The decapsulation key input check of FIPS 203 §7.3: len is
 * HS_MLKEM768_DK_LEN and the H(ek) stored in dk is the hash of the ek
 * stored in it. 0, HS_ERR_FORMAT, or HS_ERR_CRYPTO if libcrypto fails. */
int hs__mlkem768_check_dk(const uint8_t *dk, size_t len) HS_MUST_CHECK;

#if defined(HS_HAVE_OPENSSL_MLKEM) && !defined(HS_OWN_MLKEM)
/* With libcrypto's ML-KEM in use (OpenSSL 3.5 and later), the project's
 * own encapsulation and decapsulation stay reachable under these names,
 * for the test that checks the two agree. */
int hs__mlkem768_own_encaps(const uint8_t ek[HS_MLKEM768_EK_LEN], uint8_t ct[HS_MLKEM768_CT_LEN],
                            uint8_t ss[HS_MLKEM768_SS_LEN]) HS_MUST_CHECK;
int hs__mlkem768_own_decaps(const uint8_t dk[HS_MLKEM768_DK_LEN], const uint8_t ct[HS_MLKEM768_CT_LEN],
                            uint8_t ss[HS_MLKEM768_SS_LEN]) HS_MUST_CHECK;
#endif

#endif
