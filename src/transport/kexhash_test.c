/* Exchange hash and key derivation against a transcript computed
 * independently (testdata/gen_kexhash.py). */
#include "transport/kexhash.h"

#include "hs_test.h"

static const char H_HEX[] = "4a877caad1f3940e2056bb3e110f4cc100ab7dcf75512afaff3210ded5740f70";
static const char C64_HEX[] =
	"91a54bf8f69433402b9406594e3cf456793bfa3e05785d862c0bbebb267cf255"
	"3c8e93f45defc46f698b826bb5b8e64ff619b390af4860aaa1d13036572ed91c";
static const char A12_HEX[] = "b1afd886f00a1e71883a5d79";

int main(void)
{
	uint8_t ic[64], is[64], ks[64], method[128], k[32], qc[32], qs[32];
	size_t n = 0;
	ic[0] = 20;
	for (int i = 0; i < 16; i++)
		ic[1 + i] = (uint8_t)i;
	memcpy(ic + 17, "client-kexinit-rest", 19);
	is[0] = 20;
	for (int i = 0; i < 16; i++)
		is[1 + i] = (uint8_t)(16 + i);
	memcpy(is + 17, "server-kexinit-rest", 19);
	struct hs_buf b;
	hs__buf_init(&b, 4096, 0);
	CHECK_EQ_INT(hs__buf_put_cstring(&b, "ssh-ed25519"), 0);
	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	CHECK_EQ_INT(hs__buf_put_string(&b, k, 32), 0);
	memcpy(ks, hs__buf_ptr(&b), hs__buf_len(&b));
	size_t kslen = hs__buf_len(&b);
	hs__buf_reset(&b);
	for (int i = 0; i < 32; i++) {
		qc[i] = (uint8_t)(100 + i);
		qs[i] = (uint8_t)(200 + i);
	}
	CHECK_EQ_INT(hs__buf_put_string(&b, qc, 32), 0);
	CHECK_EQ_INT(hs__buf_put_string(&b, qs, 32), 0);
	memcpy(method, hs__buf_ptr(&b), hs__buf_len(&b));
	size_t mlen = hs__buf_len(&b);
	hs__buf_cleanup(&b);
	k[0] = 0x80;
	for (int i = 1; i < 32; i++)
		k[i] = (uint8_t)i;
	/* K as curve25519 encodes it: an mpint (the top bit set: a zero byte
	 * first) */
	uint8_t kenc[4 + 1 + 32];
	struct hs_buf kb;
	hs__buf_init(&kb, sizeof kenc, 0);
	REQUIRE(hs__buf_put_mpint_bytes(&kb, k, 32) == 0 && hs__buf_len(&kb) == sizeof kenc);
	memcpy(kenc, hs__buf_ptr(&kb), sizeof kenc);
	hs__buf_cleanup(&kb);
	const char *vc = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", *vs = "SSH-2.0-hostsd_0.1";
	struct hs_kex_transcript t = {
		.v_c = { (const uint8_t *)vc, strlen(vc) },
		.v_s = { (const uint8_t *)vs, strlen(vs) },
		.i_c = { ic, 36 },
		.i_s = { is, 36 },
		.k_s = { ks, kslen },
		.method = { method, mlen },
		.k = { kenc, sizeof kenc },
	};
	uint8_t h[HS_MAX_HASH], want[64], out[64];
	CHECK_EQ_INT(hs__kex_hash(EVP_sha256(), &t, h, &n), 0);
	CHECK_EQ_INT(n, 32);
	CHECK_EQ_INT(hs_test_unhex(H_HEX, want, sizeof want), 32);
	CHECK_MEM(h, want, 32);

	CHECK_EQ_INT(hs__kex_derive(EVP_sha256(), t.k, h, 32, h, 32, 'C', out, 64), 0);
	CHECK_EQ_INT(hs_test_unhex(C64_HEX, want, sizeof want), 64);
	CHECK_MEM(out, want, 64);
	CHECK_EQ_INT(hs__kex_derive(EVP_sha256(), t.k, h, 32, h, 32, 'A', out, 12), 0);
	CHECK_EQ_INT(hs_test_unhex(A12_HEX, want, sizeof want), 12);
	CHECK_MEM(out, want, 12);
	/* a different letter gives a different key */
	CHECK_EQ_INT(hs__kex_derive(EVP_sha256(), t.k, h, 32, h, 32, 'B', out, 12), 0);
	CHECK(memcmp(out, want, 12) != 0);
	/* a changed transcript byte changes H */
	ic[5] ^= 1;
	CHECK_EQ_INT(hs__kex_hash(EVP_sha256(), &t, out, &n), 0);
	CHECK(memcmp(out, h, 32) != 0);
	return hs_test_done();
}
