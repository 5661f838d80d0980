/*
 * hostsd program — a network worker enters its sandbox once its sockets,
 * handles and timers are made and before its first thread-pool job
 * (sandbox.h): nothing it does later needs a file, a new descriptor of its
 * own making or a process.
 *
 * In test builds (HS_TEST_HOOKS), SIGUSR2 makes the worker try what the
 * sandbox forbids, named by HOSTSD_TEST_PROBE ("exec:PATH" or
 * "open:PATH"), so that a test sees it refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/sandbox.h"
#include "daemon/serve_priv.h"

int hsd__worker_sandbox(struct server *srv, char *err, size_t errlen)
{
	struct hsd_sandbox_opts opts;
	struct hsd_sandbox_status st;
	char status[256];
	memset(&opts, 0, sizeof opts);
	/* HOSTSD_SANDBOX_TRAP=1 names a refused call before the worker dies
	 * (sandbox.h): for finding what the allow-list lacks */
	const char *trap = getenv("HOSTSD_SANDBOX_TRAP");
	opts.trap = trap != NULL && strcmp(trap, "1") == 0;
	if (hsd_sandbox_enter(&opts, &st, err, errlen) != 0)
		return -1;
	hsd_log(HSD_LOG_INFO, "worker %u: %s", srv->worker_id, hsd_sandbox_describe(&st, status, sizeof status));
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
