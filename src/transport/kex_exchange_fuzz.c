/*
 * Fuzz target: the client's init message of the inline key exchange
 * methods (transport/kex.c): the hybrids' C_INIT (an ML-KEM-768 or
 * sntrup761 public key with an X25519 one) and curve25519's Q_C. The
 * first byte picks the method, the rest is the message body. Whatever the
 * bytes, the method refuses them or answers with a reply of its exact size.
 */
#include <stdint.h>
#include <stdlib.h>

#include "crypto/mlkem768.h"
#include "crypto/sntrup761.h"
#include "transport/kex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		size_t reply; /* string S_REPLY / Q_S */
	} methods[] = {
		{ "mlkem768x25519-sha256", 4 + HS_MLKEM768_CT_LEN + 32 },
		{ "sntrup761x25519-sha512", 4 + HS_SNTRUP761_CT_LEN + 32 },
		{ "curve25519-sha256", 4 + 32 },
	};
	if (size < 1)
		return 0;
	size_t i = data[0] % (sizeof methods / sizeof methods[0]);
	struct hs_view v = hs__view_make(data + 1, size - 1);
	struct hs_buf hashpart, reply, k;
	hs__buf_init(&hashpart, HS_MAX_KEX_HASHPART, 0);
	hs__buf_init(&reply, HS_MAX_KEX_REPLY, 0);
	hs__buf_init(&k, HS_MAX_KEX_SECRET, 1);
	int r = hs__kex_exchange(methods[i].name, &v, &hashpart, &reply, &k);
	if (r == 0 && (hs__buf_len(&reply) != methods[i].reply || hs__buf_len(&k) == 0))
		abort();
	if (r != 0 && (hs__buf_len(&reply) != 0 || hs__buf_len(&k) != 0))
		abort(); /* nothing half-made leaves a refused exchange */
	hs__buf_cleanup(&hashpart);
	hs__buf_cleanup(&reply);
	hs__buf_cleanup(&k);
	return 0;
}
