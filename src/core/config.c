/*
 * Configuration defaults and checks. Algorithm lists may only narrow or
 * reorder what we implement; an unknown name or a weak algorithm is an
 * error that names the setting, never silently dropped.
 */
#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "crypto/cipher.h"
#include "transport/kex.h"

#define DEFAULT_KEX                                                                              \
	"curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group18-sha512,"            \
	"diffie-hellman-group16-sha512,diffie-hellman-group14-sha256"
/* One Ed25519 host key serves both; ssh-ed25519 first for OpenSSH. */
#define DEFAULT_HOSTKEY "ssh-ed25519,angelos-tongues"
#define DEFAULT_CIPHERS                                                                          \
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr," \
	"aes128-ctr"
/* Always listed, even with AEAD ciphers only: some clients insist on
 * agreeing a MAC. */
#define DEFAULT_MACS "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"

/* Names we know to be weak: refused with a specific message. */
static const char *const weak_names[] = {
	"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
	"ssh-rsa", "ssh-dss", "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "blowfish-cbc",
	"arcfour", "arcfour128", "arcfour256", "cast128-cbc", "hmac-sha1", "hmac-sha1-96", "hmac-md5",
	"hmac-md5-96", "hmac-sha1-etm@openssh.com", "hmac-md5-etm@openssh.com", "umac-64@openssh.com",
	"umac-64-etm@openssh.com", "none", NULL
};

static const char *const known_hostkey[] = { "ssh-ed25519", "angelos-tongues", NULL };

void hs_config_init(struct hs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_packet_size = HS_DEFAULT_MAX_PACKET;
	cfg->max_channels = HS_DEFAULT_MAX_CHANNELS;
	cfg->max_auth_tries = HS_DEFAULT_MAX_AUTH_TRIES;
	cfg->login_grace_seconds = HS_DEFAULT_LOGIN_GRACE;
	cfg->rekey_bytes = HS_DEFAULT_REKEY_BYTES;
	cfg->rekey_seconds = HS_DEFAULT_REKEY_SECONDS;
	cfg->max_unauthenticated = HS_DEFAULT_MAX_UNAUTH;
	cfg->max_unauthenticated_per_source = HS_DEFAULT_MAX_UNAUTH_PER_SOURCE;
	cfg->keepalive_max_missed = 3;
}

const char *hs_default_kex_algorithms(void) { return DEFAULT_KEX; }
const char *hs_default_ciphers(void) { return DEFAULT_CIPHERS; }
const char *hs_default_macs(void) { return DEFAULT_MACS; }

static int in_table(const char *const *t, const char *name)
{
	for (; *t != NULL; t++)
		if (strcmp(*t, name) == 0)
			return 1;
	return 0;
}

enum list_kind { LIST_KEX, LIST_HOSTKEY, LIST_CIPHER, LIST_MAC };

static int name_known(enum list_kind kind, const char *name)
{
	switch (kind) {
	case LIST_KEX:
		return hs__kex_known(name);
	case LIST_HOSTKEY:
		return in_table(known_hostkey, name);
	case LIST_CIPHER:
		return hs__cipher_by_name(name) != NULL;
	case LIST_MAC:
		/* etm and encrypt-and-MAC alike; the non-etm names are opt-in:
		 * DEFAULT_MACS does not list them. */
		return hs__mac_by_name(name) != NULL;
	}
	return 0;
}

/* Validate a comma-separated list and return a malloc'd copy. */
static int check_list(const char *setting, const char *value, const char *def, enum list_kind kind,
                      char **out, char *err, size_t errlen)
{
	const char *v = value != NULL ? value : def;
	if (*v == '\0') {
		snprintf(err, errlen, "%s is empty: name at least one algorithm", setting);
		return HS_ERR_INVALID_ARG;
	}
	char *copy = strdup(v);
	char *work = strdup(v);
	if (copy == NULL || work == NULL) {
		free(copy);
		free(work);
		return HS_ERR_ALLOC;
	}
	char *save = NULL;
	for (char *name = strtok_r(work, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
		if (in_table(weak_names, name)) {
			snprintf(err, errlen, "%s: \"%s\" is a weak algorithm and is never offered; remove it",
			         setting, name);
			goto bad;
		}
		if (!name_known(kind, name)) {
			snprintf(err, errlen, "%s: unknown algorithm \"%s\"; known: %s", setting, name, def);
			goto bad;
		}
	}
	if (strstr(v, ",,") != NULL || v[0] == ',' || v[strlen(v) - 1] == ',') {
		snprintf(err, errlen, "%s: empty name in list \"%s\"", setting, v);
		goto bad;
	}
	free(work);
	*out = copy;
	return 0;
bad:
	free(work);
	free(copy);
	return HS_ERR_INVALID_ARG;
}

int hs__core_config_resolve(const struct hs_config *cfg, struct hs_core_config *out, char *err, size_t errlen)
{
	struct hs_config def;
	int r;
	char dummy[1];
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (cfg == NULL) {
		hs_config_init(&def);
		cfg = &def;
	}
	memset(out, 0, sizeof(*out));
	if ((r = check_list("kex algorithms", cfg->kex_algorithms, DEFAULT_KEX, LIST_KEX, &out->kex, err, errlen)) != 0 ||
	    (r = check_list("host key algorithms", cfg->host_key_algorithms, DEFAULT_HOSTKEY, LIST_HOSTKEY,
	                    &out->hostkey_algs, err, errlen)) != 0 ||
	    (r = check_list("ciphers", cfg->ciphers, DEFAULT_CIPHERS, LIST_CIPHER, &out->ciphers, err, errlen)) != 0 ||
	    (r = check_list("MACs", cfg->macs, DEFAULT_MACS, LIST_MAC, &out->macs, err, errlen)) != 0)
		goto fail;
	out->max_packet = cfg->max_packet_size ? cfg->max_packet_size : HS_DEFAULT_MAX_PACKET;
	if (out->max_packet < HS_MIN_MAX_PACKET || out->max_packet > HS_CEIL_MAX_PACKET) {
		snprintf(err, errlen, "max packet size %u is outside %u..%u", out->max_packet, HS_MIN_MAX_PACKET,
		         HS_CEIL_MAX_PACKET);
		r = HS_ERR_INVALID_ARG;
		goto fail;
	}
	out->max_channels = cfg->max_channels ? cfg->max_channels : HS_DEFAULT_MAX_CHANNELS;
	if (out->max_channels > HS_CEIL_MAX_CHANNELS) {
		snprintf(err, errlen, "max channels %u is above the ceiling %u", out->max_channels,
		         HS_CEIL_MAX_CHANNELS);
		r = HS_ERR_INVALID_ARG;
		goto fail;
	}
	out->max_auth_tries = cfg->max_auth_tries ? cfg->max_auth_tries : HS_DEFAULT_MAX_AUTH_TRIES;
	out->login_grace_ms = 1000ull * (cfg->login_grace_seconds ? cfg->login_grace_seconds : HS_DEFAULT_LOGIN_GRACE);
	out->rekey_bytes = cfg->rekey_bytes ? cfg->rekey_bytes : HS_DEFAULT_REKEY_BYTES;
	if (out->rekey_bytes < 16384) {
		snprintf(err, errlen, "rekey bytes %llu is too small (at least 16384)",
		         (unsigned long long)out->rekey_bytes);
		r = HS_ERR_INVALID_ARG;
		goto fail;
	}
	out->rekey_ms = 1000ull * (cfg->rekey_seconds ? cfg->rekey_seconds : HS_DEFAULT_REKEY_SECONDS);
	out->max_unauth = cfg->max_unauthenticated ? cfg->max_unauthenticated : HS_DEFAULT_MAX_UNAUTH;
	out->max_unauth_per_source =
	        cfg->max_unauthenticated_per_source ? cfg->max_unauthenticated_per_source : HS_DEFAULT_MAX_UNAUTH_PER_SOURCE;
	out->keepalive_ms = 1000ull * cfg->keepalive_seconds;
	out->keepalive_max_missed = cfg->keepalive_max_missed ? cfg->keepalive_max_missed : 3;
	out->banner = cfg->banner ? strdup(cfg->banner) : NULL;
	out->software_version = strdup(cfg->software_version ? cfg->software_version : "hostsd_0.1");
	if ((cfg->banner && out->banner == NULL) || out->software_version == NULL) {
		r = HS_ERR_ALLOC;
		goto fail;
	}
	for (const char *p = out->software_version; *p; p++) {
		if (*p <= ' ' || *p > '~' || *p == '-') {
			snprintf(err, errlen, "software version \"%s\" must be printable ASCII without spaces or '-'",
			         out->software_version);
			r = HS_ERR_INVALID_ARG;
			goto fail;
		}
	}
	return 0;
fail:
	hs__core_config_cleanup(out);
	return r;
}

void hs__core_config_cleanup(struct hs_core_config *c)
{
	free(c->kex);
	free(c->hostkey_algs);
	free(c->ciphers);
	free(c->macs);
	free(c->banner);
	free(c->software_version);
	memset(c, 0, sizeof(*c));
}

int hs_config_check(const struct hs_config *cfg, char *err, size_t errlen)
{
	struct hs_core_config c;
	int r = hs__core_config_resolve(cfg, &c, err, errlen);
	if (r == 0)
		hs__core_config_cleanup(&c);
	return r;
}
