/*
 * Configuration defaults and checks. Algorithm lists may only narrow or
 * reorder what we implement; an unknown name or a weak algorithm is an
 * error that names the setting, never silently dropped.
 */
#include "core/config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "core/algorithms.h"

/* The defaults: every profile (core/algorithms.c), spelled out for the
 * public hs_default_*() functions; algorithms_test checks they agree. */
#define DEFAULT_KEX                                                                                          \
	"mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256," \
	"curve25519-sha256@libssh.org,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512,"          \
	"diffie-hellman-group14-sha256"
#define DEFAULT_CIPHERS                                                                           \
	"chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr," \
	"aes128-ctr"
#define DEFAULT_MACS "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"
#define DEFAULT_HOSTKEY "ssh-ed25519,angelos-tongues"
#define DEFAULT_COMPRESSION "none,zlib@openssh.com,zlib"
#define DEFAULT_PUBKEY                                                                          \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512," \
	"rsa-sha2-256,angelos-tongues"

void hs_config_init(struct hs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_packet_size = HS_MAX_PACKET_SIZE_DEFAULT;
	cfg->max_channels = HS_MAX_CHANNELS_DEFAULT;
	cfg->max_auth_tries = HS_MAX_AUTH_TRIES_DEFAULT;
	cfg->login_grace_seconds = HS_LOGIN_GRACE_DEFAULT;
	cfg->kex_timeout_seconds = HS_KEX_TIMEOUT_DEFAULT;
	cfg->rekey_bytes = HS_REKEY_BYTES_DEFAULT;
	cfg->rekey_seconds = HS_REKEY_SECONDS_DEFAULT;
	cfg->max_unauthenticated = HS_MAX_UNAUTH_DEFAULT;
	cfg->max_unauthenticated_per_source = HS_MAX_UNAUTH_PER_SOURCE_DEFAULT;
	cfg->max_dh_computations = HS_MAX_DH_DEFAULT;
	cfg->keepalive_seconds = HS_KEEPALIVE_DEFAULT;
	cfg->keepalive_max_missed = HS_KEEPALIVE_MAX_MISSED_DEFAULT;
	cfg->tcp_keepalive_seconds = HS_TCP_KEEPALIVE_DEFAULT;
	cfg->idle_timeout_seconds = HS_IDLE_TIMEOUT_DEFAULT;
	cfg->source_netblock_ipv4 = HS_SOURCE_NETBLOCK_IPV4_DEFAULT;
	cfg->source_netblock_ipv6 = HS_SOURCE_NETBLOCK_IPV6_DEFAULT;
	cfg->early_drop_start = 0; /* max_unauthenticated: no random drop */
	cfg->early_drop_rate = HS_EARLY_DROP_RATE_DEFAULT;
	cfg->penalty_authfail_seconds = HS_PENALTY_AUTHFAIL_DEFAULT;
	cfg->penalty_grace_seconds = HS_PENALTY_GRACE_DEFAULT;
	cfg->penalty_malformed_seconds = HS_PENALTY_MALFORMED_DEFAULT;
	cfg->penalty_min_seconds = HS_PENALTY_MIN_DEFAULT;
	cfg->penalty_max_seconds = HS_PENALTY_MAX_DEFAULT;
}

const char *hs_default_kex_algorithms(void)
{
	return DEFAULT_KEX;
}
const char *hs_default_ciphers(void)
{
	return DEFAULT_CIPHERS;
}
const char *hs_default_macs(void)
{
	return DEFAULT_MACS;
}
const char *hs_default_host_key_algorithms(void)
{
	return DEFAULT_HOSTKEY;
}
const char *hs_default_compression(void)
{
	return DEFAULT_COMPRESSION;
}
const char *hs_default_public_key_algorithms(void)
{
	return DEFAULT_PUBKEY;
}

/* A configured list: every name known for the list and not weak, no empty
 * names. Returns a malloc'd copy. */
static int check_list(enum hs_alg_list list, const char *v, char **out, char *err, size_t errlen)
{
	const char *setting = hs__algs_setting(list);
	char known[HS_ALGS_LIST_MAX];
	if (*v == '\0') {
		snprintf(err, errlen, "%s is empty: name at least one algorithm", setting);
		return HS_ERR_INVALID_ARG;
	}
	if (strstr(v, ",,") != NULL || v[0] == ',' || v[strlen(v) - 1] == ',') {
		snprintf(err, errlen, "%s: empty name in the list \"%s\"", setting, v);
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
		if (hs__algs_known(list, name))
			continue;
		if (hs__algs_weak(name))
			snprintf(err, errlen, "%s: \"%s\" is a weak algorithm and is never offered; remove it", setting,
			         name);
		else {
			hs__algs_all_names(list, known, sizeof known);
			snprintf(err, errlen, "%s: unknown algorithm \"%s\"; known: %s", setting, name, known);
		}
		free(work);
		free(copy);
		return HS_ERR_INVALID_ARG;
	}
	free(work);
	*out = copy;
	return 0;
}

/* One list: the configured one when given, else what the profiles offer. */
static int resolve_list(enum hs_alg_list list, const char *given, unsigned profiles, char **out, char *err,
                        size_t errlen)
{
	char offered[HS_ALGS_LIST_MAX];
	if (given != NULL)
		return check_list(list, given, out, err, errlen);
	if (hs__algs_profile_list(list, profiles, offered, sizeof offered) == 0) {
		/* not with the table as it is (algorithms_test checks that every
		 * profile offers something in every list) */
		snprintf(err, errlen, "the chosen profiles offer no %s: name them in the configuration",
		         hs__algs_setting(list));
		return HS_ERR_INVALID_ARG;
	}
	*out = strdup(offered);
	return *out != NULL ? 0 : HS_ERR_ALLOC;
}

/* The numeric settings and their ranges (hostsd/limits.h). Zero means
 * the default for every one of them except those whose minimum here is 0
 * (keepalive, TCP keepalive, idle timeout, the penalties of offences),
 * where it is "off". */
struct number_range {
	const char *name;
	size_t offset;
	int is_u64;
	uint64_t min, max;
};

#define RANGE(field, u64, lo, hi)                                      \
	{                                                              \
#field, offsetof(struct hs_config, field), u64, lo, hi \
	}
static const struct number_range number_ranges[] = {
	RANGE(max_packet_size, 0, HS_MAX_PACKET_SIZE_MIN, HS_MAX_PACKET_SIZE_MAX),
	RANGE(max_channels, 0, HS_MAX_CHANNELS_MIN, HS_MAX_CHANNELS_MAX),
	RANGE(max_auth_tries, 0, HS_MAX_AUTH_TRIES_MIN, HS_MAX_AUTH_TRIES_MAX),
	RANGE(login_grace_seconds, 0, HS_LOGIN_GRACE_MIN, HS_LOGIN_GRACE_MAX),
	RANGE(kex_timeout_seconds, 0, HS_KEX_TIMEOUT_MIN, HS_KEX_TIMEOUT_MAX),
	RANGE(rekey_bytes, 1, HS_REKEY_BYTES_MIN, HS_REKEY_BYTES_MAX),
	RANGE(rekey_seconds, 0, HS_REKEY_SECONDS_MIN, HS_REKEY_SECONDS_MAX),
	RANGE(max_unauthenticated, 0, HS_MAX_UNAUTH_MIN, HS_MAX_UNAUTH_MAX),
	RANGE(max_unauthenticated_per_source, 0, HS_MAX_UNAUTH_MIN, HS_MAX_UNAUTH_MAX),
	RANGE(max_dh_computations, 0, HS_MAX_DH_MIN, HS_MAX_DH_MAX),
	RANGE(keepalive_seconds, 0, 0, HS_KEEPALIVE_MAX),
	RANGE(keepalive_max_missed, 0, HS_KEEPALIVE_MAX_MISSED_MIN, HS_KEEPALIVE_MAX_MISSED_MAX),
	RANGE(tcp_keepalive_seconds, 0, 0, HS_TCP_KEEPALIVE_MAX),
	RANGE(idle_timeout_seconds, 0, 0, HS_IDLE_TIMEOUT_MAX),
	RANGE(source_netblock_ipv4, 0, HS_SOURCE_NETBLOCK_MIN, HS_SOURCE_NETBLOCK_IPV4_MAX),
	RANGE(source_netblock_ipv6, 0, HS_SOURCE_NETBLOCK_MIN, HS_SOURCE_NETBLOCK_IPV6_MAX),
	RANGE(early_drop_start, 0, HS_MAX_UNAUTH_MIN, HS_MAX_UNAUTH_MAX),
	RANGE(early_drop_rate, 0, HS_EARLY_DROP_RATE_MIN, HS_EARLY_DROP_RATE_MAX),
	RANGE(penalty_authfail_seconds, 0, 0, HS_PENALTY_SECONDS_MAX),
	RANGE(penalty_grace_seconds, 0, 0, HS_PENALTY_SECONDS_MAX),
	RANGE(penalty_malformed_seconds, 0, 0, HS_PENALTY_SECONDS_MAX),
	RANGE(penalty_min_seconds, 0, HS_PENALTY_MIN_MIN, HS_PENALTY_MIN_MAX),
	RANGE(penalty_max_seconds, 0, HS_PENALTY_MAX_MIN, HS_PENALTY_MAX_MAX),
};
#undef RANGE

static int check_numbers(const struct hs_config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof number_ranges / sizeof number_ranges[0]; i++) {
		const struct number_range *n = &number_ranges[i];
		const char *field = (const char *)cfg + n->offset;
		uint64_t v;
		if (n->is_u64) {
			memcpy(&v, field, sizeof v);
		} else {
			uint32_t v32;
			memcpy(&v32, field, sizeof v32);
			v = v32;
		}
		if (v != 0 && (v < n->min || v > n->max)) {
			snprintf(err, errlen, "%s %llu is outside %llu..%llu", n->name, (unsigned long long)v,
			         (unsigned long long)n->min, (unsigned long long)n->max);
			return HS_ERR_INVALID_ARG;
		}
	}
	return 0;
}

static uint64_t or_default(uint64_t v, uint64_t def)
{
	return v != 0 ? v : def;
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
	unsigned profiles = HS_PROFILE_ALL;
	if (cfg->profiles != NULL) {
		char bad[72];
		if (hs__algs_parse_profiles(cfg->profiles, &profiles, bad, sizeof bad) != 0) {
			snprintf(err, errlen, "profile \"%s\" is unknown; known: modern, angelos, classic", bad);
			r = HS_ERR_INVALID_ARG;
			goto fail;
		}
	}
	if ((r = resolve_list(HS_ALGS_KEX, cfg->kex_algorithms, profiles, &out->kex, err, errlen)) != 0 ||
	    (r = resolve_list(HS_ALGS_HOSTKEY, cfg->host_key_algorithms, profiles, &out->hostkey_algs, err, errlen)) !=
	            0 ||
	    (r = resolve_list(HS_ALGS_CIPHER, cfg->ciphers, profiles, &out->ciphers, err, errlen)) != 0 ||
	    (r = resolve_list(HS_ALGS_MAC, cfg->macs, profiles, &out->macs, err, errlen)) != 0 ||
	    (r = resolve_list(HS_ALGS_COMPRESSION, cfg->compression, profiles, &out->compression, err, errlen)) != 0 ||
	    (r = resolve_list(HS_ALGS_PUBKEY, cfg->public_key_algorithms, profiles, &out->pubkey_algs, err, errlen)) !=
	            0)
		goto fail;
	if ((r = check_numbers(cfg, err, errlen)) != 0)
		goto fail;
	out->max_packet = or_default(cfg->max_packet_size, HS_MAX_PACKET_SIZE_DEFAULT);
	out->max_channels = or_default(cfg->max_channels, HS_MAX_CHANNELS_DEFAULT);
	out->max_auth_tries = or_default(cfg->max_auth_tries, HS_MAX_AUTH_TRIES_DEFAULT);
	out->login_grace_ms = 1000ull * or_default(cfg->login_grace_seconds, HS_LOGIN_GRACE_DEFAULT);
	out->kex_timeout_ms = 1000ull * or_default(cfg->kex_timeout_seconds, HS_KEX_TIMEOUT_DEFAULT);
	out->rekey_bytes = or_default(cfg->rekey_bytes, HS_REKEY_BYTES_DEFAULT);
	out->rekey_ms = 1000ull * or_default(cfg->rekey_seconds, HS_REKEY_SECONDS_DEFAULT);
	out->max_unauth = or_default(cfg->max_unauthenticated, HS_MAX_UNAUTH_DEFAULT);
	out->max_unauth_per_source = or_default(cfg->max_unauthenticated_per_source, HS_MAX_UNAUTH_PER_SOURCE_DEFAULT);
	out->max_dh = or_default(cfg->max_dh_computations, HS_MAX_DH_DEFAULT);
	out->keepalive_ms = 1000ull * cfg->keepalive_seconds;
	out->keepalive_max_missed = or_default(cfg->keepalive_max_missed, HS_KEEPALIVE_MAX_MISSED_DEFAULT);
	out->tcp_keepalive_s = cfg->tcp_keepalive_seconds;
	out->idle_timeout_ms = 1000ull * cfg->idle_timeout_seconds;
	out->netblock_ipv4 = or_default(cfg->source_netblock_ipv4, HS_SOURCE_NETBLOCK_IPV4_DEFAULT);
	out->netblock_ipv6 = or_default(cfg->source_netblock_ipv6, HS_SOURCE_NETBLOCK_IPV6_DEFAULT);
	out->early_drop_start = or_default(cfg->early_drop_start, out->max_unauth);
	out->early_drop_rate = or_default(cfg->early_drop_rate, HS_EARLY_DROP_RATE_DEFAULT);
	out->penalty_authfail_ms = 1000ull * cfg->penalty_authfail_seconds;
	out->penalty_grace_ms = 1000ull * cfg->penalty_grace_seconds;
	out->penalty_malformed_ms = 1000ull * cfg->penalty_malformed_seconds;
	out->penalty_min_ms = 1000ull * or_default(cfg->penalty_min_seconds, HS_PENALTY_MIN_DEFAULT);
	out->penalty_max_ms = 1000ull * or_default(cfg->penalty_max_seconds, HS_PENALTY_MAX_DEFAULT);
	if (out->early_drop_start > out->max_unauth) {
		snprintf(err, errlen, "early_drop_start %u is above max_unauthenticated %u", out->early_drop_start,
		         out->max_unauth);
		r = HS_ERR_INVALID_ARG;
		goto fail;
	}
	if (out->penalty_max_ms <= out->penalty_min_ms) {
		snprintf(err, errlen, "penalty_max_seconds %llu must be above penalty_min_seconds %llu",
		         (unsigned long long)(out->penalty_max_ms / 1000),
		         (unsigned long long)(out->penalty_min_ms / 1000));
		r = HS_ERR_INVALID_ARG;
		goto fail;
	}
	if (cfg->penalty_exempt != NULL &&
	    (r = hs__netblock_parse_list("penalty_exempt", cfg->penalty_exempt, &out->penalty_exempt,
	                                 &out->penalty_exempt_n, err, errlen)) != 0)
		goto fail;
	out->banner = cfg->banner ? strdup(cfg->banner) : NULL;
	out->software_version = strdup(cfg->software_version ? cfg->software_version : HS_SOFTWARE_VERSION);
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
	free(c->compression);
	free(c->pubkey_algs);
	free(c->banner);
	free(c->software_version);
	free(c->penalty_exempt);
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
