/*
 * hostsd program — `hostsd serve`'s settings from DIR/hostsd.conf (see
 * serve_settings.h): the configuration file as daemon/config.c parses it,
 * with the command line's settings laid over it, turned into what the
 * server uses (an engine struct hs_config, the subsystem table, the
 * listening addresses).
 */
#include "daemon/serve_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/settings.h"
#include "daemon/statedir.h"

/* The engine's settings, from their fields in c to theirs in e (the
 * table knows both); the strings (algorithm lists, penalty_exempt) are
 * those that out owns. */
static void engine_from_config(struct hs_config *e, const struct hsd_config *c, const struct hsd_serve_settings *out)
{
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++) {
		const struct hsd_setting *s = &hsd_settings[i];
		if (s->engine_off == HSD_NOT_ENGINE)
			continue;
		const char *from = (const char *)c + s->config_off;
		char *to = (char *)e + s->engine_off;
		if (s->type == HSD_TYPE_BYTES) {
			memcpy(to, from, sizeof(uint64_t));
		} else if (s->type == HSD_TYPE_NUMBER) {
			unsigned v;
			memcpy(&v, from, sizeof v);
			uint32_t v32 = v;
			memcpy(to, &v32, sizeof v32);
		} else if (s->type == HSD_TYPE_ALGORITHMS) {
			const char *list = out->owned[s->id - HSD_SETTING_PROFILE];
			memcpy(to, &list, sizeof list);
		} else if (s->type == HSD_TYPE_STARTUPS) {
			e->early_drop_start = c->early_drop_start;
			e->early_drop_rate = c->early_drop_rate;
		} else if (s->type == HSD_TYPE_NETBLOCK) {
			e->source_netblock_ipv4 = c->netblock_ipv4;
			e->source_netblock_ipv6 = c->netblock_ipv6;
		} else if (s->type == HSD_TYPE_NETWORKS) {
			e->penalty_exempt = out->penalty_exempt;
		}
	}
}

int hsd_serve_settings_load(const char *dir, struct hsd_serve_settings *out, char *err, size_t errlen)
{
	return hsd_serve_settings_load_over(dir, NULL, out, err, errlen);
}

int hsd_serve_settings_load_over(const char *dir, const struct hsd_config *over, struct hsd_serve_settings *out,
                                 char *err, size_t errlen)
{
	return hsd_serve_settings_load_text(dir, NULL, 0, over, out, err, errlen);
}

/* The file's text, read from the file or copied from text, into out. */
static int take_text(const char *text, size_t len, struct hsd_serve_settings *out, char *err, size_t errlen)
{
	if (text == NULL) /* a state directory without a configuration file runs on defaults */
		return hsd_config_read(out->config_path, 1, &out->config_text, &out->config_len, err, errlen);
	if ((out->config_text = malloc(len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(out->config_text, text, len);
	out->config_text[len] = '\0';
	out->config_len = len;
	return 0;
}

int hsd_serve_settings_load_text(const char *dir, const char *text, size_t len, const struct hsd_config *over,
                                 struct hsd_serve_settings *out, char *err, size_t errlen)
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
	if (take_text(text, len, out, err, errlen) != 0 ||
	    (out->config_text != NULL &&
	     hsd_config_parse(&c, out->config_text, out->config_len, out->config_path, err, errlen) != 0))
		goto out;
	if (over != NULL && hsd_config_overlay(&c, over, err, errlen) != 0)
		goto out;
	memcpy(out->listen, c.listen, c.nlisten * sizeof c.listen[0]);
	out->nlisten = c.nlisten;
	if (hsd_subsystems_copy(&out->subsystems, &c.subsystems) != 0 ||
	    hsd_subsystem_users_copy(&out->subsystem_users, &c.subsystem_users) != 0)
		goto oom;
	/* the engine keeps pointers to the algorithm lists: the settings own them */
	for (size_t i = 0; i < HSD_ALG_COUNT; i++) {
		out->owned[i] = c.algs[i];
		c.algs[i] = NULL;
	}
	out->penalty_exempt = c.penalty_exempt;
	c.penalty_exempt = NULL;
	out->host_key_agent = c.host_key_agent;
	c.host_key_agent = NULL;
	hs_config_init(&out->engine);
	engine_from_config(&out->engine, &c, out);
	out->shutdown_timeout = c.shutdown_timeout;
	out->max_connections_per_host = c.max_connections_per_host;
	out->max_sessions = c.max_sessions;
	memcpy(out->user, c.user, sizeof out->user);
	memcpy(out->subsystem_directory, c.subsystem_directory, sizeof out->subsystem_directory);
	out->subsystem_umask = (mode_t)c.subsystem_umask;
	out->subsystem_limits.processes = c.subsystem_max_processes;
	out->subsystem_limits.open_files = c.subsystem_max_open_files;
	out->subsystem_limits.cpu_seconds = c.subsystem_max_cpu;
	out->subsystem_limits.memory_bytes = c.subsystem_max_memory;
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
	hsd_subsystem_users_clear(&s->subsystem_users);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
	free(s->penalty_exempt);
	free(s->host_key_agent);
	free(s->host_key_path);
	free(s->config_path);
	free(s->config_text);
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
	       a->max_dh_computations == b->max_dh_computations && a->keepalive_seconds == b->keepalive_seconds &&
	       a->keepalive_max_missed == b->keepalive_max_missed &&
	       a->tcp_keepalive_seconds == b->tcp_keepalive_seconds &&
	       a->idle_timeout_seconds == b->idle_timeout_seconds &&
	       a->source_netblock_ipv4 == b->source_netblock_ipv4 &&
	       a->source_netblock_ipv6 == b->source_netblock_ipv6 && a->early_drop_start == b->early_drop_start &&
	       a->early_drop_rate == b->early_drop_rate && a->penalty_authfail_seconds == b->penalty_authfail_seconds &&
	       a->penalty_grace_seconds == b->penalty_grace_seconds &&
	       a->penalty_malformed_seconds == b->penalty_malformed_seconds &&
	       a->penalty_min_seconds == b->penalty_min_seconds && a->penalty_max_seconds == b->penalty_max_seconds &&
	       same_text(a->penalty_exempt, b->penalty_exempt) && same_text(a->banner, b->banner) &&
	       same_text(a->software_version, b->software_version);
}
