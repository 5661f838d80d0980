/*
 * Fuzz target: the configuration file parser (daemon/config.c), with its
 * listen, subsystem and algorithm settings. Whatever the text, a parse
 * either fails with a message naming the file, or gives settings within
 * their documented ranges whose algorithm lists the engine accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "hostsd/limits.h"
#include "hostsd/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hsd_config c;
	char err[1024];
	hsd_config_init(&c);
	if (hsd_config_parse(&c, (const char *)data, size, "f.conf", err, sizeof err) != 0) {
		if (strncmp(err, "f.conf:", 7) != 0)
			abort();
		for (size_t i = 0; i < HSD_ALG_COUNT; i++)
			if (c.algs[i] != NULL)
				abort(); /* a failed parse keeps nothing */
		hsd_config_cleanup(&c);
		return 0;
	}
	if (c.nlisten < 1 || c.nlisten > HSD_CONFIG_MAX_LISTEN || c.subsystems.n > HSD_CONFIG_MAX_SUBSYSTEMS ||
	    c.max_unauthenticated_per_source > c.max_unauthenticated || c.max_channels < 1 ||
	    c.max_channels > HS_MAX_CHANNELS_MAX || c.login_grace_time < 1 || c.rekey_bytes < HS_REKEY_BYTES_MIN ||
	    c.max_dh_computations < 1 || c.max_dh_computations > HS_MAX_DH_MAX)
		abort();
	struct hs_config e;
	hs_config_init(&e);
	e.profiles = c.algs[HSD_ALG_PROFILE];
	e.kex_algorithms = c.algs[HSD_ALG_KEX];
	e.ciphers = c.algs[HSD_ALG_CIPHERS];
	e.macs = c.algs[HSD_ALG_MACS];
	e.host_key_algorithms = c.algs[HSD_ALG_HOST_KEY];
	e.public_key_algorithms = c.algs[HSD_ALG_PUBKEY];
	e.compression = c.algs[HSD_ALG_COMPRESSION];
	if (hs_config_check(&e, err, sizeof err) != 0)
		abort();
	hsd_config_cleanup(&c);
	return 0;
}
