/*
 * Tests of agent/agent.c: a host key held by an agent on the other end of
 * a socket (a test agent in a thread, holding the fixture's host key)
 * serves a whole connection: the identities check, signatures for the
 * first exchange and a rekey, an agent that does not hold the key, one
 * that goes away, and closing with a request out.
 */
#include "hostsd/agent.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent_msg.h"
#include "conn_fixture.h"
#include "hs_test.h"
#include "keys/sig.h"

/* The test agent: answers identities and sign requests on fd until it
 * closes; holds key (its identity list is empty when key is NULL), and
 * stops after max_answers answers (0: no limit). */
struct test_agent {
	int fd;
	const struct hs_hostkey *key;
	int max_answers;
	int answers;
	pthread_t thread;
};

static void *agent_main(void *arg)
{
	struct test_agent *ta = arg;
	struct hs_buf in, out;
	hs__buf_init(&in, HS_AGENT_MAX_FRAME + 4, 0);
	hs__buf_init(&out, HS_AGENT_MAX_FRAME, 0);
	for (;;) {
		uint8_t chunk[4096];
		ssize_t n = read(ta->fd, chunk, sizeof chunk);
		if (n <= 0 || hs__buf_put(&in, chunk, (size_t)n) != 0)
			break;
		struct hs_view msg;
		size_t used;
		while (hs__agent_frame(hs__buf_ptr(&in), hs__buf_len(&in), &msg, &used) == 0) {
			struct hs_agent_sign_request req;
			hs__buf_reset(&out);
			int r;
			if (hs__agent_type(msg) == HS_AGENTC_REQUEST_IDENTITIES) {
				size_t len = 0;
				const uint8_t *blob = ta->key ? hs_key_blob(hs_hostkey_public(ta->key), &len) : NULL;
				r = hs__agent_put_identities(&out, blob, len, "test");
			} else if (hs__agent_get_sign_request(msg, &req) == 0 && ta->key != NULL) {
				struct hs_buf sig;
				hs__buf_init(&sig, 1024, 0);
				r = hs__hostkey_sign(ta->key, "ssh-ed25519", req.data.ptr, req.data.len, &sig);
				if (r == 0)
					r = hs__agent_put_sign_response(&out, hs__buf_ptr(&sig), hs__buf_len(&sig));
				hs__buf_cleanup(&sig);
			} else {
				r = hs__agent_put_failure(&out);
			}
			if (r != 0 || write(ta->fd, hs__buf_ptr(&out), hs__buf_len(&out)) != (ssize_t)hs__buf_len(&out))
				goto out;
			if (hs__buf_consume(&in, used) != 0)
				goto out;
			if (ta->max_answers > 0 && ++ta->answers >= ta->max_answers)
				goto out;
		}
	}
out:
	close(ta->fd);
	hs__buf_cleanup(&in);
	hs__buf_cleanup(&out);
	return NULL;
}

/* A connected pair: our end returned, the agent's end served by a thread. */
static int start_agent(struct test_agent *ta, const struct hs_hostkey *key, int max_answers)
{
	int sv[2];
	memset(ta, 0, sizeof *ta);
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	ta->fd = sv[1];
	ta->key = key;
	ta->max_answers = max_answers;
	REQUIRE(pthread_create(&ta->thread, NULL, agent_main, ta) == 0);
	return sv[0];
}

/* Run the loop until the signature is back, then let the core go on. */
static void await_signature(uv_loop_t *loop, struct fx *f)
{
	for (int i = 0; i < 2000 && !hs__conn_resume_due(f->conn); i++)
		uv_run(loop, UV_RUN_ONCE);
	CHECK(hs__conn_resume_due(f->conn));
	hs__conn_resume(f->conn);
	mc_pump(&f->mc);
}

static void test_signs_exchanges(void)
{
	uv_loop_t loop;
	struct test_agent ta;
	struct hs_agent *agent = NULL;
	struct fx f;
	char err[256] = "";
	REQUIRE(uv_loop_init(&loop) == 0);
	int fd = start_agent(&ta, g_hostkey, 0);
	CHECK_EQ_INT(hs_agent_open(&loop, NULL, fd, hs_hostkey_public(g_hostkey), &agent, err, sizeof err), 0);
	REQUIRE(agent != NULL);
	const struct hs_hostkey *served = hs_agent_hostkey(agent);
	CHECK(hs_key_equal(hs_hostkey_public(served), hs_hostkey_public(g_hostkey)));

	g_served_hostkey = served;
	fx_open_nostart(&f, NULL, NULL, NULL);
	g_served_hostkey = NULL;
	CHECK(mc_connect(&f.mc) != 0); /* waits for the agent */
	await_signature(&loop, &f);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	fx_auth(&f);
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0);
	mc_pump(&f.mc);
	await_signature(&loop, &f);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(hs_agent_signatures(agent), 2);
	struct mc_chan ch;
	fx_session(&f, &ch, 0, MIB, 32768);
	mc_chan_cleanup(&ch);
	fx_close(&f);

	/* the agent goes away: the next exchange fails, the server does not */
	hs_agent_close(agent);
	uv_run(&loop, UV_RUN_DEFAULT);
	pthread_join(ta.thread, NULL);

	fd = start_agent(&ta, g_hostkey, 1); /* answers the identities, then hangs up */
	CHECK_EQ_INT(hs_agent_open(&loop, NULL, fd, hs_hostkey_public(g_hostkey), &agent, err, sizeof err), 0);
	pthread_join(ta.thread, NULL);
	g_served_hostkey = hs_agent_hostkey(agent);
	fx_open_nostart(&f, NULL, NULL, NULL);
	g_served_hostkey = NULL;
	f.mc.quiet = 1;
	CHECK(mc_connect(&f.mc) != 0);
	await_signature(&loop, &f);
	expect_disconnect(&f, HS_DISCONNECT_KEY_EXCHANGE_FAILED);
	CHECK_STR(f.conn->close_reason, "host key signature failed");
	f.mc.failed = 0;
	fx_close(&f);
	hs_agent_close(agent);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

static void test_refusals(void)
{
	uv_loop_t loop;
	struct test_agent ta;
	struct hs_agent *agent = NULL;
	char err[256] = "";
	REQUIRE(uv_loop_init(&loop) == 0);

	/* an agent without the host key */
	int fd = start_agent(&ta, g_otherkey, 0);
	CHECK_EQ_INT(hs_agent_open(&loop, NULL, fd, hs_hostkey_public(g_hostkey), &agent, err, sizeof err),
	             HS_ERR_NOT_FOUND);
	CHECK(agent == NULL);
	CHECK(strstr(err, "does not hold the host key SHA256:") != NULL && strstr(err, "ssh-add") != NULL);
	pthread_join(ta.thread, NULL);

	/* nothing listening at the path */
	CHECK_EQ_INT(hs_agent_open(&loop, "/nonexistent/agent.sock", -1, hs_hostkey_public(g_hostkey), &agent, err,
	                           sizeof err),
	             HS_ERR_IO);
	CHECK(strstr(err, "cannot reach the agent at /nonexistent/agent.sock") != NULL);
	CHECK_EQ_INT(hs_agent_open(&loop, NULL, -1, hs_hostkey_public(g_hostkey), &agent, err, sizeof err),
	             HS_ERR_INVALID_ARG);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as every libuv program: a peer gone is an error, not a signal */
	if (fx_keys_init() != 0)
		return 1;
	test_signs_exchanges();
	test_refusals();
	fx_keys_free();
	return hs_test_done();
}
