/*
 * Tests of user authentication (auth/userauth.c) through a server core and
 * the in-memory client: begin_auth and validate_public_key answered later
 * (also across a rekey), the refusals a peer sees (all alike, whatever the
 * reason), and a configured list of public key algorithms.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "conn/channel.h"
#include "core/config.h"
#include "core/conn_priv.h"
#include "conn_fixture.h"
#include "hs_test.h"
#include "mini_client.h"

/* --- 2. pending callbacks --- */

static void test_pending_begin_auth(void)
{
	struct fx f;
	fx_open(&f, NULL, NULL, NULL);
	/* nothing pending yet */
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), HS_ERR_INVALID_ARG);
	f.app.begin_answer = HS_AUTH_PENDING;
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	/* more input behind the pending request: it must wait its turn */
	CHECK_EQ_INT(mc_ignore(&f.mc, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.begin_calls, 1);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK(!hs__conn_wants_input(f.conn));
	CHECK(hs_conn_username(f.conn) != NULL);
	/* a resume with no answer changes nothing */
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	int kicks = f.app.kicks;
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), 0);
	CHECK(f.app.kicks > kicks);
	/* answered already: a second answer is refused */
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_REQUIRED), HS_ERR_INVALID_ARG);
	/* the answer takes effect on resume, not before */
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK(hs__conn_wants_input(f.conn));
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	fx_close(&f);

	/* begin_auth pending, answered "not needed": success without a key */
	fx_open(&f, NULL, NULL, NULL);
	f.app.begin_answer = HS_AUTH_PENDING;
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_AUTH_NOT_NEEDED), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK(hs_conn_auth_key(f.conn) == NULL);
	fx_close(&f);
}

static void test_pending_validate(void)
{
	struct fx f;
	struct hs_view v;
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	/* a query first: PK_OK only after the answer */
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_PK_OK, &v), 0);
	char alg[64];
	struct hs_bytes b;
	CHECK_EQ_INT(hs__view_get_cstring(&v, alg, sizeof alg), 0);
	CHECK(strcmp(alg, "ssh-ed25519") == 0);
	CHECK_EQ_INT(hs__view_get_string(&v, &b), 0);
	CHECK(b.len == bloblen && memcmp(b.ptr, blob, bloblen) == 0);
	CHECK_EQ_INT(hs__view_end(&v), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);

	/* the signed request: asked again, pending again */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.app.validate_calls, 2);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), HS_ERR_INVALID_ARG);
	fx_close(&f);

	/* pending, answered no: a failure, and the connection goes on */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_NO), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	f.app.validate_answer = -1;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	fx_close(&f);
}

/* A server-initiated rekey starts while an answer is pending: the answer
 * is held until the exchange is over, and nothing else leaks through. */
static void test_pending_during_rekey(void)
{
	struct fx f;
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.rekey_seconds = 5; /* well inside the login grace */
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	f.app.validate_answer = HS_PENDING;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK(f.conn->waiting);
	f.now += f.cfg.rekey_ms;
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now), 0);
	mc_pump(&f.mc); /* no server rekey before authentication */
	CHECK_EQ_INT(f.mc.server_kexinits, 1);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(mc_queued(&f.mc), 0);
	CHECK_EQ_INT(hs_conn_answer(f.conn, HS_YES), 0);
	CHECK_EQ_INT(hs__conn_resume(f.conn), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	/* once authenticated, the due rekey runs */
	CHECK_EQ_INT(hs__conn_tick(f.conn, f.now), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(f.mc.nonkex_in_kex, 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 1);
	struct mc_chan ch;
	fx_session(&f, &ch, 0, MIB, 32768);
	fx_close(&f);
}

/* --- 3. authentication refusals --- */

/* Run one failing signed request as user signed by signer with the blob of
 * claimed, on a fresh connection; return the FAILURE payload. */
static size_t failure_bytes(const char *user, const struct hs_hostkey *signer, const struct hs_hostkey *claimed,
                            uint8_t *out, size_t outsz)
{
	struct fx f;
	size_t n = 0, bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(claimed), &bloblen);
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, user, signer, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	const struct mc_msg *m = mc_take(&f.mc, NULL);
	CHECK(m != NULL && m->type == HS_MSG_USERAUTH_FAILURE);
	if (m != NULL && m->len <= outsz) {
		memcpy(out, m->data, m->len);
		n = m->len;
	}
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(!f.conn->closing);
	fx_close(&f);
	return n;
}

static void test_auth_refusals(void)
{
	struct fx f;
	uint8_t a[256], b[256], c[256];
	size_t la, lb, lc;

	/* wrong key: validate says no */
	la = failure_bytes(USER, g_otherkey, g_otherkey, a, sizeof a);
	/* valid key, signature by another key */
	lb = failure_bytes(USER, g_otherkey, g_userkey, b, sizeof b);
	/* unknown user, good signature: indistinguishable */
	lc = failure_bytes("nobody", g_userkey, g_userkey, c, sizeof c);
	CHECK(la > 0 && la == lb && la == lc);
	CHECK(memcmp(a, b, la) == 0 && memcmp(a, c, la) == 0);

	/* the signature by another key is caught after validate said yes */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	CHECK(hs_conn_auth_refusal(f.conn) == NULL);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "ssh-ed25519 signature did not verify");
	CHECK_EQ_INT(f.app.validate_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(hs_conn_auth_key(f.conn) == NULL);
	/* none: a failure listing publickey */
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	/* query: PK_OK only for an acceptable key */
	const uint8_t *oblob;
	size_t obloblen;
	oblob = hs_key_blob(hs_hostkey_public(g_otherkey), &obloblen);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", oblob, obloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_PK_OK, NULL), 0);
	/* ssh-rsa (SHA-1) named with an ed25519 blob: a failure, not a disconnect */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-rsa", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "key algorithm ssh-rsa is not offered (public key algorithms)");
	/* an offered algorithm of another key type */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "rsa-sha2-256", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "signature algorithm rsa-sha2-256 does not fit the key");
	/* a malformed key blob: a failure */
	uint8_t bad[128];
	memcpy(bad, blob, bloblen < sizeof bad ? bloblen : sizeof bad);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", bad, bloblen - 5), 0);
	mc_pump(&f.mc);
	CHECK(mc_peek(&f.mc) == HS_MSG_USERAUTH_FAILURE);
	mc_drain(&f.mc);
	CHECK(!f.conn->closing);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* the same malformed blob in a signed request, with a fresh budget */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", bad, 20), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK(!f.conn->closing);
	/* and then a good request still works */
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	CHECK_EQ_INT(mc_expect(&f.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	fx_close(&f);

	/* max_auth_tries: the attempt that reaches it ends the connection (14) */
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.max_auth_tries = 3;
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", NULL, 0), 0);
		mc_pump(&f.mc);
		expect_auth_failure(&f);
		CHECK(!f.conn->closing);
	}
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_otherkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE);
	CHECK(f.mc.server_closed);
	fx_free_conn(&f);
	CHECK_EQ_INT(f.app.lost_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* none requests do not count */
	fx_open(&f, &cfg, NULL, NULL);
	service(&f);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
		mc_pump(&f.mc);
		expect_auth_failure(&f);
	}
	CHECK(!f.conn->closing);
	fx_close(&f);

	/* a change of user name mid-authentication ends the connection */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_none(&f.mc, USER), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, "peer2", g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_PROTOCOL_ERROR);
	CHECK_EQ_INT(f.app.begin_calls, 1);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	fx_close(&f);

	/* a service other than ssh-connection in the request */
	fx_open(&f, NULL, NULL, NULL);
	service(&f);
	CHECK_EQ_INT(mc_userauth_raw(&f.mc, USER, "ssh-nonsense", "none", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_disconnect(&f, HS_DISCONNECT_SERVICE_NOT_AVAILABLE);
	fx_close(&f);

	/* public_key_auth_supported NULL on a bare server means offered; a
	 * bare server with no validate says no to every key */
	fx_open(&f, NULL, &bare_cb, NULL);
	service(&f);
	f.app.validate_answer = HS_NO;
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	fx_close(&f);
}

/* A configured public key algorithm list: server-sig-algs says exactly
 * it, and a key outside it is refused as unusable (never asked about). */
static void test_configured_pubkey_algs(void)
{
	struct fx f;
	struct hs_config cfg;
	struct mc_opts o = { .ext_info = 1 };
	size_t bloblen;
	const uint8_t *blob = hs_key_blob(hs_hostkey_public(g_userkey), &bloblen);
	hs_config_init(&cfg);
	cfg.public_key_algorithms = "rsa-sha2-512,angelos-tongues";
	fx_open(&f, &cfg, NULL, &o);
	CHECK(strcmp(f.mc.server_sig_algs, "rsa-sha2-512,angelos-tongues") == 0);
	service(&f);
	CHECK_EQ_INT(mc_userauth_pk_query(&f.mc, USER, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(mc_userauth_pk_signed(&f.mc, USER, g_userkey, "ssh-ed25519", blob, bloblen), 0);
	mc_pump(&f.mc);
	expect_auth_failure(&f);
	CHECK_EQ_INT(f.app.validate_calls, 0);
	CHECK_EQ_INT(f.app.auth_completed_calls, 0);
	CHECK(!f.conn->closing);
	CHECK_STR(hs_conn_auth_refusal(f.conn), "key algorithm ssh-ed25519 is not offered (public key algorithms)");
	fx_close(&f);
	/* the same key with ssh-ed25519 listed: accepted */
	cfg.public_key_algorithms = "ssh-ed25519";
	fx_open(&f, &cfg, NULL, &o);
	CHECK(strcmp(f.mc.server_sig_algs, "ssh-ed25519") == 0);
	fx_auth(&f);
	CHECK_EQ_INT(f.app.authenticated_calls, 1);
	CHECK(hs_conn_auth_refusal(f.conn) == NULL);
	fx_close(&f);
}

int main(void)
{
	if (fx_keys_init() != 0)
		return 1;
	test_pending_begin_auth();
	test_pending_validate();
	test_pending_during_rekey();
	test_auth_refusals();
	test_configured_pubkey_algs();
	fx_keys_free();
	return hs_test_done();
}
