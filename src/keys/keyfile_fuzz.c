/*
 * Fuzz target: OpenSSH private key files (hs_hostkey_load_mem). A file that
 * loads must give a key that signs, verifies, and saves to a file that
 * loads to the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hostsd/key.h"
#include "keys/sig.h"
#include "wire/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "keyfile fuzz";
	struct hs_hostkey *hk = NULL, *back = NULL;
	struct hs_buf sig;
	char *text = NULL;
	size_t len = 0;
	if (hs_hostkey_load_mem(data, size, &hk) != 0)
		return 0;
	hs__buf_init(&sig, 1024, 0);
	if (hs__hostkey_sign(hk, "ssh-ed25519", msg, sizeof msg, &sig) != 0 ||
	    hs__key_verify(hs_hostkey_public(hk), "ssh-ed25519", hs__buf_ptr(&sig), hs__buf_len(&sig), msg,
	                   sizeof msg) != 0)
		abort();
	if (hs_hostkey_save_mem(hk, "fuzz", &text, &len) != 0 ||
	    hs_hostkey_load_mem((const uint8_t *)text, len, &back) != 0 ||
	    !hs_key_equal(hs_hostkey_public(hk), hs_hostkey_public(back)))
		abort();
	OPENSSL_cleanse(text, len);
	free(text);
	hs__buf_cleanup(&sig);
	hs_hostkey_free(back);
	hs_hostkey_free(hk);
	return 0;
}
