/*
 * hostsd program — a network worker enters its sandbox once it serves
 * (sandbox.h): everything it opens it has opened by then, and everything
 * it loads lazily is loaded first (OpenSSL's configuration and its random
 * generator's seed), so that nothing it does later needs a file.
 *
 * In test builds (HS_TEST_HOOKS), SIGUSR2 makes the worker try what the
 * sandbox forbids, named by HOSTSD_TEST_PROBE ("exec:PATH" or
 * "open:PATH"), so that a test sees it refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "daemon/log.h"
#include "daemon/sandbox.h"
#include "daemon/serve_priv.h"

int hsd__worker_sandbox(struct server *srv, char *err, size_t errlen)
{
	struct hsd_sandbox_opts opts;
	unsigned char seed;
	char status[256];
	memset(&opts, 0, sizeof opts);
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 || RAND_bytes(&seed, 1) != 1) {
		snprintf(err, errlen, "cannot initialise OpenSSL before the sandbox");
		return -1;
	}
	if (hsd_sandbox_enter(&opts, err, errlen) != 0)
		return -1;
	hsd_sandbox_describe(status, sizeof status);
	hsd_log(HSD_LOG_INFO, "worker %u: sandbox on: %s", srv->worker_id, status);
	return 0;
}

void hsd__worker_probe(struct server *srv)
{
#ifdef HS_TEST_HOOKS
	const char *probe = getenv("HOSTSD_TEST_PROBE");
	if (probe == NULL || strchr(probe, ':') == NULL)
		return;
	char what[16];
	size_t n = (size_t)(strchr(probe, ':') - probe);
	snprintf(what, sizeof what, "%.*s", (int)(n < sizeof what ? n : sizeof what - 1), probe);
	hsd_log(HSD_LOG_NOTICE, "worker %u: test probe: %s", srv->worker_id, probe);
	if (hsd_sandbox_probe(what, probe + n + 1) != 0)
		hsd_log(HSD_LOG_NOTICE, "worker %u: test probe %s refused: %s", srv->worker_id, probe, strerror(errno));
	else
		hsd_log(HSD_LOG_ERR, "worker %u: test probe %s was allowed", srv->worker_id, probe);
#else
	(void)srv;
#endif
}
