/*
 * A listener's configuration after defaults are applied and algorithm
 * lists are checked: what every connection core reads.
 */
#ifndef HS_CORE_CONFIG_H
#define HS_CORE_CONFIG_H

#include <stdint.h>

#include "hostsd/server.h"
#include "io/netblock.h"

struct hs_core_config {
	char *kex; /* without the strict/ext-info pseudo-algorithms */
	char *hostkey_algs;
	char *ciphers;
	char *macs;
	char *compression;
	char *pubkey_algs; /* user key signature algorithms (server-sig-algs) */
	char *banner;      /* NULL: none */
	char *software_version;
	uint32_t max_packet;
	uint32_t max_channels;
	uint32_t max_auth_tries;
	uint64_t login_grace_ms;
	uint64_t kex_timeout_ms;
	uint64_t rekey_bytes;
	uint64_t rekey_ms;
	uint32_t max_unauth;
	uint32_t max_unauth_per_source;
	uint32_t max_dh;
	uint64_t keepalive_ms;
	uint32_t keepalive_max_missed;
	uint32_t tcp_keepalive_s; /* 0: off */
	uint64_t idle_timeout_ms; /* 0: off */
	/* before authentication (io/preauth.h) */
	uint32_t netblock_ipv4, netblock_ipv6;
	uint32_t early_drop_start; /* at most max_unauth */
	uint32_t early_drop_rate;
	uint64_t penalty_authfail_ms, penalty_grace_ms, penalty_malformed_ms; /* 0: none */
	uint64_t penalty_min_ms, penalty_max_ms;                              /* min < max */
	struct hs_netblock *penalty_exempt;                                   /* NULL when none */
	size_t penalty_exempt_n;
};

/* Resolve cfg (NULL: all defaults) into out. On error err names the
 * setting. Free with hs__core_config_cleanup. */
int hs__core_config_resolve(const struct hs_config *cfg, struct hs_core_config *out, char *err,
                            size_t errlen) HS_MUST_CHECK;
void hs__core_config_cleanup(struct hs_core_config *c);

#endif
