/*
 * hostsd program — `hostsd serve`'s settings from DIR/hostsd.conf (see
 * serve_settings.h): the configuration file as daemon/config.c parses it,
 * turned into what the server uses (an engine struct hs_config, the
 * subsystem table, the listening addresses).
 */
#include "daemon/serve_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/statedir.h"

int hsd_serve_settings_load(const char *dir, struct hsd_serve_settings *out, char *err, size_t errlen)
{
	struct hsd_config c;
	char path[HSD_PATH_MAX];
	int r = -1;
	memset(out, 0, sizeof(*out));
	out->log_level = -1;
	hsd_config_init(&c);
	if (hsd_state_path(dir, HSD_CONFIG_FILE, path, sizeof path, err, errlen) != 0)
		goto out;
	if ((out->config_path = strdup(path)) == NULL)
		goto oom;
	if (hsd_state_path(dir, HSD_HOSTKEY_FILE, path, sizeof path, err, errlen) != 0)
		goto out;
	if ((out->host_key_path = strdup(path)) == NULL)
		goto oom;
	/* a state directory without a configuration file runs on defaults */
	if (hsd_config_load(&c, out->config_path, 1, err, errlen) != 0)
		goto out;
	size_t n = c.nlisten < HSD_MAX_LISTEN ? c.nlisten : HSD_MAX_LISTEN;
	memcpy(out->listen, c.listen, n * sizeof c.listen[0]);
	out->nlisten = n;
	if (hsd_subsystems_copy(&out->subsystems, &c.subsystems) != 0)
		goto oom;
	hs_config_init(&out->engine);
	out->engine.login_grace_seconds = c.login_grace_time;
	out->engine.max_unauthenticated = c.max_unauthenticated;
	out->engine.max_unauthenticated_per_source = c.max_unauthenticated_per_source;
	out->engine.max_dh_computations = c.max_dh_computations;
	out->engine.max_auth_tries = c.max_auth_tries;
	out->engine.max_channels = c.max_channels;
	out->engine.rekey_bytes = c.rekey_bytes;
	out->engine.rekey_seconds = c.rekey_seconds;
	out->engine.keepalive_seconds = c.keepalive;
	/* algorithm settings: the engine keeps pointers, the settings own them */
	const char **alg_field[HSD_ALG_COUNT] = {
		[HSD_ALG_PROFILE] = &out->engine.profiles,
		[HSD_ALG_KEX] = &out->engine.kex_algorithms,
		[HSD_ALG_CIPHERS] = &out->engine.ciphers,
		[HSD_ALG_MACS] = &out->engine.macs,
		[HSD_ALG_HOST_KEY] = &out->engine.host_key_algorithms,
		[HSD_ALG_PUBKEY] = &out->engine.public_key_algorithms,
		[HSD_ALG_COMPRESSION] = &out->engine.compression,
	};
	for (size_t i = 0; i < HSD_ALG_COUNT; i++) {
		*alg_field[i] = out->owned[i] = c.algs[i];
		c.algs[i] = NULL;
	}
	out->shutdown_timeout = c.shutdown_timeout;
	out->log_level = (c.set & HSD_CFG_LOG_LEVEL) ? c.log_level : -1;
	r = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	hsd_config_cleanup(&c);
	if (r != 0)
		hsd_serve_settings_clear(out);
	return r;
}

void hsd_serve_settings_clear(struct hsd_serve_settings *s)
{
	hsd_subsystems_clear(&s->subsystems);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
	free(s->host_key_path);
	free(s->config_path);
	memset(s, 0, sizeof(*s));
	s->log_level = -1;
}

static int same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int hsd_engine_config_equal(const struct hs_config *a, const struct hs_config *b)
{
	return same_text(a->profiles, b->profiles) && same_text(a->kex_algorithms, b->kex_algorithms) &&
	       same_text(a->ciphers, b->ciphers) && same_text(a->macs, b->macs) &&
	       same_text(a->host_key_algorithms, b->host_key_algorithms) && same_text(a->compression, b->compression) &&
	       same_text(a->public_key_algorithms, b->public_key_algorithms) &&
	       a->max_packet_size == b->max_packet_size && a->max_channels == b->max_channels &&
	       a->max_auth_tries == b->max_auth_tries && a->login_grace_seconds == b->login_grace_seconds &&
	       a->rekey_bytes == b->rekey_bytes && a->rekey_seconds == b->rekey_seconds &&
	       a->max_unauthenticated == b->max_unauthenticated &&
	       a->max_unauthenticated_per_source == b->max_unauthenticated_per_source &&
	       a->max_dh_computations == b->max_dh_computations &&
	       a->keepalive_seconds == b->keepalive_seconds && a->keepalive_max_missed == b->keepalive_max_missed &&
	       same_text(a->banner, b->banner) && same_text(a->software_version, b->software_version);
}
