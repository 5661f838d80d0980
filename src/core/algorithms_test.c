/* Tests of the algorithm table and the profiles: the default lists are
 * every profile together and equal what the public hs_default_*() say;
 * every name is implemented by its module and none is weak; each profile
 * offers what docs/algorithms.md says; configured lists replace a
 * profile's, and bad names or profiles are refused with the name. */
#include "core/algorithms.h"

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "crypto/cipher.h"
#include "hs_test.h"
#include "transport/compress.h"
#include "transport/kex.h"

static const char *list_of(enum hs_alg_list l, unsigned mask)
{
	static char buf[HS_ALGS_LIST_MAX];
	hs__algs_profile_list(l, mask, buf, sizeof buf);
	return buf;
}

static void test_defaults(void)
{
	CHECK_STR(list_of(HS_ALGS_KEX, HS_PROFILE_ALL), hs_default_kex_algorithms());
	CHECK_STR(list_of(HS_ALGS_CIPHER, HS_PROFILE_ALL), hs_default_ciphers());
	CHECK_STR(list_of(HS_ALGS_MAC, HS_PROFILE_ALL), hs_default_macs());
	CHECK_STR(list_of(HS_ALGS_HOSTKEY, HS_PROFILE_ALL), hs_default_host_key_algorithms());
	CHECK_STR(list_of(HS_ALGS_COMPRESSION, HS_PROFILE_ALL), hs_default_compression());
	CHECK_STR(list_of(HS_ALGS_PUBKEY, HS_PROFILE_ALL), hs_default_public_key_algorithms());
	/* the non-etm MACs are known but never in a default list */
	CHECK(hs__algs_known(HS_ALGS_MAC, "hmac-sha2-256") && hs__algs_known(HS_ALGS_MAC, "hmac-sha2-512"));
	CHECK(strstr(hs_default_macs(), "hmac-sha2-256,") == NULL && strstr(hs_default_macs(), "-etm") != NULL);
}

/* Every name of every list is implemented and not weak. */
static void test_implemented(void)
{
	char all[HS_ALGS_LIST_MAX];
	for (int l = 0; l < HS_ALGS_COUNT; l++) {
		hs__algs_all_names((enum hs_alg_list)l, all, sizeof all);
		CHECK(all[0] != '\0');
		for (char *save = NULL, *name = strtok_r(all, ",", &save); name != NULL;
		     name = strtok_r(NULL, ",", &save)) {
			int ok = 1;
			switch (l) {
			case HS_ALGS_KEX:
				ok = hs__kex_known(name);
				break;
			case HS_ALGS_CIPHER:
				ok = hs__cipher_by_name(name) != NULL;
				break;
			case HS_ALGS_MAC:
				ok = hs__mac_by_name(name) != NULL;
				break;
			case HS_ALGS_COMPRESSION:
				ok = hs__comp_by_name(name) >= 0;
				break;
			default:
				break; /* key algorithms: keys/sig_test.c and tongues_test.c */
			}
			if (!ok)
				fprintf(stderr, "not implemented: %s\n", name);
			CHECK(ok);
			CHECK(!hs__algs_weak(name) || (l == HS_ALGS_COMPRESSION && strcmp(name, "none") == 0));
		}
	}
	CHECK(hs__algs_weak("ssh-rsa") && hs__algs_weak("hmac-sha1") && hs__algs_weak("aes256-cbc") &&
	      hs__algs_weak("diffie-hellman-group14-sha1") && hs__algs_weak("ssh-dss"));
}

static void test_profiles(void)
{
	unsigned m = 0;
	char bad[16];
	CHECK_STR(list_of(HS_ALGS_KEX, HS_PROFILE_MODERN),
	          "mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
	          "curve25519-sha256@libssh.org");
	CHECK_STR(list_of(HS_ALGS_CIPHER, HS_PROFILE_MODERN),
	          "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com");
	CHECK_STR(list_of(HS_ALGS_PUBKEY, HS_PROFILE_MODERN), "ssh-ed25519");
	CHECK_STR(list_of(HS_ALGS_HOSTKEY, HS_PROFILE_MODERN), "ssh-ed25519");
	CHECK_STR(list_of(HS_ALGS_KEX, HS_PROFILE_ANGELOS),
	          "diffie-hellman-group18-sha512,diffie-hellman-group16-sha512");
	CHECK_STR(list_of(HS_ALGS_CIPHER, HS_PROFILE_ANGELOS), "chacha20-poly1305@openssh.com");
	CHECK_STR(list_of(HS_ALGS_MAC, HS_PROFILE_ANGELOS),
	          "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com");
	CHECK_STR(list_of(HS_ALGS_COMPRESSION, HS_PROFILE_ANGELOS), "none,zlib@openssh.com,zlib");
	/* plain zlib starts before authentication: only for Angelos peers */
	CHECK_STR(list_of(HS_ALGS_COMPRESSION, HS_PROFILE_MODERN | HS_PROFILE_CLASSIC), "none,zlib@openssh.com");
	CHECK_STR(list_of(HS_ALGS_PUBKEY, HS_PROFILE_ANGELOS), "angelos-tongues");
	CHECK_STR(list_of(HS_ALGS_HOSTKEY, HS_PROFILE_ANGELOS), "ssh-ed25519,angelos-tongues");
	CHECK_STR(list_of(HS_ALGS_KEX, HS_PROFILE_CLASSIC),
	          "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256");
	CHECK_STR(list_of(HS_ALGS_CIPHER, HS_PROFILE_CLASSIC), "aes256-ctr,aes128-ctr");
	CHECK_STR(list_of(HS_ALGS_PUBKEY, HS_PROFILE_CLASSIC),
	          "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256");
	/* two profiles: the union, in the table's order */
	CHECK_STR(list_of(HS_ALGS_KEX, HS_PROFILE_MODERN | HS_PROFILE_CLASSIC),
	          "mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
	          "curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group14-sha256");
	/* every profile offers something in every list */
	for (unsigned p = 1; p <= HS_PROFILE_ALL; p++)
		for (int l = 0; l < HS_ALGS_COUNT; l++)
			CHECK(list_of((enum hs_alg_list)l, p)[0] != '\0');

	CHECK_EQ_INT(hs__algs_parse_profiles("modern,classic", &m, bad, sizeof bad), 0);
	CHECK_EQ_INT(m, HS_PROFILE_MODERN | HS_PROFILE_CLASSIC);
	CHECK_EQ_INT(hs__algs_parse_profiles("angelos", &m, bad, sizeof bad), 0);
	CHECK_EQ_INT(m, HS_PROFILE_ANGELOS);
	CHECK_EQ_INT(hs__algs_parse_profiles("modern,Classic", &m, bad, sizeof bad), -1);
	CHECK_STR(bad, "Classic");
	CHECK_EQ_INT(hs__algs_parse_profiles("modern,", &m, bad, sizeof bad), -1);
	CHECK_STR(bad, "");
	CHECK_EQ_INT(hs__algs_parse_profiles("", &m, bad, sizeof bad), -1);
	CHECK_EQ_INT(hs__algs_parse_profiles("modernx", &m, bad, sizeof bad), -1);
	CHECK_STR(bad, "modernx");
}

static void test_resolve(void)
{
	struct hs_config cfg;
	struct hs_core_config c;
	char err[512];
	hs_config_init(&cfg);
	CHECK_EQ_INT(hs__core_config_resolve(&cfg, &c, err, sizeof err), 0);
	CHECK_STR(c.kex, hs_default_kex_algorithms());
	CHECK_STR(c.pubkey_algs, hs_default_public_key_algorithms());
	CHECK_STR(c.compression, hs_default_compression());
	hs__core_config_cleanup(&c);
	/* a profile, with one list replaced (opt-in MACs included) */
	cfg.profiles = "classic";
	cfg.macs = "hmac-sha2-512,hmac-sha2-256-etm@openssh.com";
	CHECK_EQ_INT(hs__core_config_resolve(&cfg, &c, err, sizeof err), 0);
	CHECK_STR(c.kex, "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256");
	CHECK_STR(c.ciphers, "aes256-ctr,aes128-ctr");
	CHECK_STR(c.macs, "hmac-sha2-512,hmac-sha2-256-etm@openssh.com");
	CHECK_STR(c.hostkey_algs, "ssh-ed25519");
	hs__core_config_cleanup(&c);
	/* refusals name the setting and the name */
	cfg.profiles = "modern,old";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK_STR(err, "profile \"old\" is unknown; known: modern, angelos, classic");
	cfg.profiles = NULL;
	cfg.macs = NULL;
	cfg.public_key_algorithms = "ssh-ed25519,ssh-rsa";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK_STR(err, "public key algorithms: \"ssh-rsa\" is a weak algorithm and is never offered; remove it");
	cfg.public_key_algorithms = NULL;
	cfg.compression = "zlib,none";
	CHECK_EQ_INT(hs_config_check(&cfg, err, sizeof err), 0);
	cfg.compression = "";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK_STR(err, "compression is empty: name at least one algorithm");
	cfg.compression = NULL;
	cfg.ciphers = "none";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "\"none\" is a weak algorithm") != NULL);
	cfg.ciphers = "aes256-ctr,zlib";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "ciphers: unknown algorithm \"zlib\"; known: chacha20-poly1305@openssh.com,") != NULL);
}

int main(void)
{
	test_defaults();
	test_implemented();
	test_profiles();
	test_resolve();
	return hs_test_done();
}
