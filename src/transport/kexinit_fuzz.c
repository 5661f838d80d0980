/* KEXINIT parsing and negotiation on arbitrary bytes. */
#include <string.h>

#include "transport/kexinit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_view v = hs__view_make(data, size);
	struct hs_kexinit k;
	char out[64];
	if (hs__kexinit_parse(&v, &k) != 0)
		return 0;
	if (hs__kexinit_choose(k.lists[HS_KL_KEX], "curve25519-sha256,curve25519-sha256@libssh.org", out, sizeof out) ==
	            0 &&
	    strcmp(out, "curve25519-sha256") != 0 && strcmp(out, "curve25519-sha256@libssh.org") != 0)
		__builtin_trap();
	if (hs__kexinit_choose(k.lists[HS_KL_ENC_C2S], "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com", out,
	                       sizeof out) == 0 &&
	    out[0] == '\0')
		__builtin_trap();
	hs__kexinit_first(k.lists[HS_KL_HOSTKEY], out, sizeof out);
	(void)hs__namelist_has(k.lists[HS_KL_KEX], "kex-strict-c-v00@openssh.com");
	return 0;
}
