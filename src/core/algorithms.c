/*
 * The algorithm table (see algorithms.h). Order within a list is the
 * order of preference: strongest first. An entry with no profile bits is
 * implemented but opt-in: only an explicit list offers it (the non-etm
 * MACs, which ssh-audit rightly warns about).
 */
#include "core/algorithms.h"

#include <stdio.h>
#include <string.h>

#define M HS_PROFILE_MODERN
#define A HS_PROFILE_ANGELOS
#define C HS_PROFILE_CLASSIC

static const struct alg {
	enum hs_alg_list list;
	const char *name;
	unsigned profiles;
} table[] = {
	/* Post-quantum hybrids first (draft-ietf-sshm-mlkem-hybrid-kex,
	 * draft-ietf-sshm-ntruprime-ssh): recorded traffic stays safe from a
	 * future quantum computer; X25519 inside each keeps today's strength. */
	{ HS_ALGS_KEX, "mlkem768x25519-sha256", M },
	{ HS_ALGS_KEX, "sntrup761x25519-sha512", M },
	{ HS_ALGS_KEX, "sntrup761x25519-sha512@openssh.com", M },
	{ HS_ALGS_KEX, "curve25519-sha256", M },
	{ HS_ALGS_KEX, "curve25519-sha256@libssh.org", M },
	{ HS_ALGS_KEX, "diffie-hellman-group18-sha512", A },
	{ HS_ALGS_KEX, "diffie-hellman-group16-sha512", A | C },
	{ HS_ALGS_KEX, "diffie-hellman-group14-sha256", C },
	/* One Ed25519 host key serves both; ssh-ed25519 first for OpenSSH. */
	{ HS_ALGS_HOSTKEY, "ssh-ed25519", M | A | C },
	{ HS_ALGS_HOSTKEY, "angelos-tongues", A },
	{ HS_ALGS_CIPHER, "chacha20-poly1305@openssh.com", M | A },
	{ HS_ALGS_CIPHER, "aes256-gcm@openssh.com", M },
	{ HS_ALGS_CIPHER, "aes128-gcm@openssh.com", M },
	{ HS_ALGS_CIPHER, "aes256-ctr", C },
	{ HS_ALGS_CIPHER, "aes128-ctr", C },
	/* Listed even with AEAD ciphers only: some clients (AsyncSSH up to
	 * 2.22) insist on agreeing a MAC. */
	{ HS_ALGS_MAC, "hmac-sha2-256-etm@openssh.com", M | A | C },
	{ HS_ALGS_MAC, "hmac-sha2-512-etm@openssh.com", M | A | C },
	{ HS_ALGS_MAC, "hmac-sha2-256", 0 },
	{ HS_ALGS_MAC, "hmac-sha2-512", 0 },
	{ HS_ALGS_COMPRESSION, "none", M | A | C },
	{ HS_ALGS_COMPRESSION, "zlib@openssh.com", M | A | C },
	/* Plain zlib inflates before authentication (OpenSSH dropped it in
	 * 7.4); only the Angelos Starter needs it (it offers nothing else). */
	{ HS_ALGS_COMPRESSION, "zlib", A },
	{ HS_ALGS_PUBKEY, "ssh-ed25519", M | C },
	{ HS_ALGS_PUBKEY, "ecdsa-sha2-nistp256", C },
	{ HS_ALGS_PUBKEY, "ecdsa-sha2-nistp384", C },
	{ HS_ALGS_PUBKEY, "ecdsa-sha2-nistp521", C },
	{ HS_ALGS_PUBKEY, "rsa-sha2-512", C },
	{ HS_ALGS_PUBKEY, "rsa-sha2-256", C },
	{ HS_ALGS_PUBKEY, "angelos-tongues", A },
};

/* Names refused with a specific message rather than "unknown". "none" is
 * weak as a cipher or MAC, fine as compression (checked by the caller). */
static const char *const weak_names[] = { "diffie-hellman-group1-sha1",
	                                  "diffie-hellman-group14-sha1",
	                                  "diffie-hellman-group-exchange-sha1",
	                                  "ssh-rsa",
	                                  "ssh-dss",
	                                  "ssh-rsa-cert-v01@openssh.com",
	                                  "ssh-dss-cert-v01@openssh.com",
	                                  "3des-cbc",
	                                  "aes128-cbc",
	                                  "aes192-cbc",
	                                  "aes256-cbc",
	                                  "rijndael-cbc@lysator.liu.se",
	                                  "blowfish-cbc",
	                                  "arcfour",
	                                  "arcfour128",
	                                  "arcfour256",
	                                  "cast128-cbc",
	                                  "hmac-sha1",
	                                  "hmac-sha1-96",
	                                  "hmac-md5",
	                                  "hmac-md5-96",
	                                  "hmac-sha1-etm@openssh.com",
	                                  "hmac-sha1-96-etm@openssh.com",
	                                  "hmac-md5-etm@openssh.com",
	                                  "hmac-md5-96-etm@openssh.com",
	                                  "umac-64@openssh.com",
	                                  "umac-64-etm@openssh.com",
	                                  "none",
	                                  NULL };

static const char *const settings[HS_ALGS_COUNT] = {
	[HS_ALGS_KEX] = "kex algorithms",      [HS_ALGS_HOSTKEY] = "host key algorithms",
	[HS_ALGS_CIPHER] = "ciphers",          [HS_ALGS_MAC] = "MACs",
	[HS_ALGS_COMPRESSION] = "compression", [HS_ALGS_PUBKEY] = "public key algorithms",
};

static const struct profile_name {
	const char *name;
	unsigned bit;
} profile_names[] = { { "modern", M }, { "angelos", A }, { "classic", C } };

const char *hs__algs_setting(enum hs_alg_list list)
{
	return (unsigned)list < HS_ALGS_COUNT ? settings[list] : "?";
}

int hs__algs_known(enum hs_alg_list list, const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].list == list && strcmp(table[i].name, name) == 0)
			return 1;
	return 0;
}

int hs__algs_weak(const char *name)
{
	for (const char *const *p = weak_names; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

/* Join the names of list whose profile bits meet mask (or every name when
 * all is set). */
static size_t join(enum hs_alg_list list, unsigned mask, int all, char *out, size_t outsz)
{
	size_t len = 0;
	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].list != list || (!all && (table[i].profiles & mask) == 0))
			continue;
		int n = snprintf(out + len, outsz - len, "%s%s", len ? "," : "", table[i].name);
		if (n < 0 || (size_t)n >= outsz - len) {
			out[len] = '\0'; /* cannot happen with HS_ALGS_LIST_MAX */
			break;
		}
		len += (size_t)n;
	}
	return len;
}

size_t hs__algs_profile_list(enum hs_alg_list list, unsigned mask, char *out, size_t outsz)
{
	return join(list, mask, 0, out, outsz);
}

size_t hs__algs_all_names(enum hs_alg_list list, char *out, size_t outsz)
{
	return join(list, 0, 1, out, outsz);
}

int hs__algs_parse_profiles(const char *text, unsigned *mask, char *bad, size_t badsz)
{
	unsigned m = 0;
	const char *p = text;
	if (badsz > 0)
		bad[0] = '\0';
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t i = 0;
		for (; i < sizeof profile_names / sizeof profile_names[0]; i++)
			if (strlen(profile_names[i].name) == n && strncmp(profile_names[i].name, p, n) == 0)
				break;
		if (i == sizeof profile_names / sizeof profile_names[0]) {
			if (badsz > 0)
				snprintf(bad, badsz, "%.*s", (int)(n < 64 ? n : 64), p);
			return -1;
		}
		m |= profile_names[i].bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}
