/*
 * The ssh-userauth service (RFC 4252) with the publickey method (§7).
 *
 * The application decides through begin_auth and validate_public_key,
 * which may answer later (HS_PENDING): the request is then copied into
 * conn->auth.pending, input processing pauses, and hs__userauth_resume
 * finishes it. The engine verifies every signature itself, and the key it
 * records as authenticated is exactly the key whose signature verified.
 * Unknown users get the same replies as known ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/userauth.h"
#include "core/conn_priv.h"
#include "keys/sig.h"

#define SERVICE_USERAUTH "ssh-userauth"
#define SERVICE_CONNECTION "ssh-connection"

/* RFC 4253 §10: a service we do not have ends the connection. */
static int service_not_available(struct hs_conn *conn)
{
	hs__conn_set_failure(conn, HS_DISCONNECT_SERVICE_NOT_AVAILABLE, "service not available");
	return HS_ERR_PROTOCOL;
}

int hs__service_handle(struct hs_conn *conn, struct hs_view *v)
{
	char name[HS_MAX_NAME + 1];
	struct hs_buf *b;
	int r;
	if ((r = hs__view_get_cstring(v, name, sizeof name)) != 0 || (r = hs__view_end(v)) != 0)
		return r;
	if (strcmp(name, SERVICE_USERAUTH) != 0)
		return service_not_available(conn);
	if ((r = hs__conn_begin(conn, HS_MSG_SERVICE_ACCEPT, &b)) != 0 ||
	    (r = hs__conn_end(conn, hs__buf_put_cstring(b, SERVICE_USERAUTH))) != 0)
		return r;
	return hs__conn_set_phase(conn, HS_PHASE_USERAUTH);
}

static void clear_pending(struct hs_auth_pending *p)
{
	p->kind = HS_AUTH_WAIT_NONE;
	p->has_sig = 0;
	p->alg[0] = '\0';
	p->method[0] = '\0';
	hs__buf_reset(&p->blob);
	hs__buf_reset(&p->sig);
	hs_key_free(p->key);
	p->key = NULL;
}

void hs__userauth_init(struct hs_auth_state *a)
{
	memset(a, 0, sizeof(*a));
	a->need = -1;
	hs__buf_init(&a->pending.blob, HS_MAX_KEY_BLOB, 0);
	hs__buf_init(&a->pending.sig, HS_MAX_SIG_BLOB, 0);
}

void hs__userauth_cleanup(struct hs_auth_state *a)
{
	clear_pending(&a->pending);
	hs__buf_cleanup(&a->pending.blob);
	hs__buf_cleanup(&a->pending.sig);
	hs_key_free(a->key);
	a->key = NULL;
}

static int methods_offered(struct hs_conn *conn)
{
	return conn->cb->public_key_auth_supported == NULL || conn->cb->public_key_auth_supported(conn);
}

static int send_banner(struct hs_conn *conn)
{
	int r;
	if (conn->auth.banner_sent || conn->cfg->banner == NULL)
		return 0;
	conn->auth.banner_sent = 1;
	struct hs_buf *b;
	if ((r = hs__conn_begin(conn, HS_MSG_USERAUTH_BANNER, &b)) != 0)
		return r;
	if ((r = hs__buf_put_cstring(b, conn->cfg->banner)) == 0)
		r = hs__buf_put_cstring(b, "");
	return hs__conn_end(conn, r);
}

/* USERAUTH_FAILURE; counted failures end the connection at the limit. */
static int send_failure(struct hs_conn *conn, int counted)
{
	struct hs_buf *b;
	int r;
	if (counted && ++conn->auth.failures >= conn->cfg->max_auth_tries) {
		hs__conn_set_failure(conn, HS_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
		                     "too many authentication failures");
		return HS_ERR_AUTH;
	}
	const char *methods = methods_offered(conn) ? "publickey" : "";
	if (conn->closing) /* the application disconnected from a callback */
		return 0;
	if ((r = hs__conn_begin(conn, HS_MSG_USERAUTH_FAILURE, &b)) != 0)
		return r;
	if ((r = hs__buf_put_cstring(b, methods)) == 0)
		r = hs__buf_put_bool(b, 0);
	return hs__conn_end(conn, r);
}

static int send_success(struct hs_conn *conn)
{
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_USERAUTH_SUCCESS, &b)) != 0 || (r = hs__conn_end(conn, 0)) != 0)
		return r;
	clear_pending(&conn->auth.pending);
	return hs__conn_set_phase(conn, HS_PHASE_CONNECTION);
}

static int send_pk_ok(struct hs_conn *conn)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	struct hs_buf *b;
	int r;
	if ((r = hs__conn_begin(conn, HS_MSG_USERAUTH_PK_OK, &b)) != 0)
		return r;
	if ((r = hs__buf_put_cstring(b, p->alg)) == 0)
		r = hs__buf_put_string(b, hs__buf_ptr(&p->blob), hs__buf_len(&p->blob));
	return hs__conn_end(conn, r);
}

/* An algorithm name off the wire, fit for a log: name characters only,
 * at most 64 of them, "(none)" when empty. */
static const char *shown_alg(const char *alg, char out[HS_MAX_NAME + 1])
{
	size_t i = 0;
	for (; alg != NULL && alg[i] != '\0' && i < HS_MAX_NAME; i++) {
		char c = alg[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		         c == '@' || c == '.' || c == '_';
		if (!ok)
			c = '?';
		out[i] = c;
	}
	out[i] = '\0';
	return i > 0 ? out : "(none)";
}

/* Remember why the engine refused a key (for hs_conn_auth_refusal). */
static void refuse(struct hs_conn *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct hs_conn *conn, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(conn->auth.refusal, sizeof conn->auth.refusal, fmt, ap);
	va_end(ap);
}

/* The data a publickey signature covers (RFC 4252 §7). */
static int signed_data(struct hs_conn *conn, struct hs_buf *out)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	int r;
	if ((r = hs__buf_put_string(out, conn->session_id, conn->session_id_len)) != 0 ||
	    (r = hs__buf_put_u8(out, HS_MSG_USERAUTH_REQUEST)) != 0 ||
	    (r = hs__buf_put_cstring(out, conn->auth.username)) != 0 ||
	    (r = hs__buf_put_cstring(out, SERVICE_CONNECTION)) != 0 ||
	    (r = hs__buf_put_cstring(out, "publickey")) != 0 || (r = hs__buf_put_bool(out, 1)) != 0 ||
	    (r = hs__buf_put_cstring(out, p->alg)) != 0 ||
	    (r = hs__buf_put_string(out, hs__buf_ptr(&p->blob), hs__buf_len(&p->blob))) != 0)
		return r;
	return 0;
}

/* The application said the key is (not) acceptable: finish the request. */
static int finish_publickey(struct hs_conn *conn, int accepted)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	char shown[HS_MAX_NAME + 1];
	int r;
	if (accepted != HS_YES) {
		clear_pending(p);
		return send_failure(conn, 1);
	}
	if (!p->has_sig) {
		r = send_pk_ok(conn);
		clear_pending(p);
		return r;
	}
	struct hs_buf data;
	hs__buf_init(&data, HS_MAX_SIGNED_DATA, 0);
	r = signed_data(conn, &data);
	if (r == 0)
		r = hs__key_verify(p->key, p->alg, hs__buf_ptr(&p->sig), hs__buf_len(&p->sig), hs__buf_ptr(&data),
		                   hs__buf_len(&data));
	hs__buf_cleanup(&data);
#ifdef HS_FUZZING_UNSAFE
	r = 0; /* fuzzing builds only: let arbitrary input reach the channels */
#endif
	if (r != 0) {
		refuse(conn, "%s signature did not verify", shown_alg(p->alg, shown));
		clear_pending(p);
		return send_failure(conn, 1);
	}
	/* Exactly the key whose signature verified is the one recorded. */
	hs_key_free(conn->auth.key);
	conn->auth.key = p->key;
	p->key = NULL;
	return send_success(conn);
}

static int ask_validate(struct hs_conn *conn)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	int answer = HS_NO;
	if (conn->cb->validate_public_key != NULL)
		answer = conn->cb->validate_public_key(conn, conn->auth.username, p->key);
	if (answer == HS_PENDING) {
		p->kind = HS_AUTH_WAIT_VALIDATE;
		hs__conn_wait_answer(conn, HS_WAIT_AUTH);
		return 0;
	}
	return finish_publickey(conn, answer == HS_YES ? HS_YES : HS_NO);
}

/* Handle the request kept in pending once begin_auth has answered. */
static int continue_request(struct hs_conn *conn, const char *method)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	if (conn->auth.need == HS_AUTH_NOT_NEEDED) {
		clear_pending(p);
		return send_success(conn);
	}
	if (strcmp(method, "publickey") != 0 || !methods_offered(conn)) {
		int counted = strcmp(method, "none") != 0;
		clear_pending(p);
		return send_failure(conn, counted);
	}
	if (p->key == NULL) { /* unusable key or algorithm: a plain failure */
		clear_pending(p);
		return send_failure(conn, 1);
	}
	return ask_validate(conn);
}

/* Parse the publickey method's fields into pending. A key we cannot use
 * leaves pending->key NULL: the answer is then USERAUTH_FAILURE, never a
 * dropped connection. */
static int parse_publickey(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_auth_pending *p = &conn->auth.pending;
	struct hs_bytes blob, sig = { NULL, 0 };
	char shown[HS_MAX_NAME + 1];
	int r;
	if ((r = hs__view_get_bool(v, &p->has_sig)) != 0)
		return r;
	if ((r = hs__view_get_cstring(v, p->alg, sizeof p->alg)) == HS_ERR_LIMIT) {
		p->alg[0] = '\0'; /* too long to be an algorithm we know */
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0)
			return r;
	} else if (r != 0) {
		return r;
	}
	if ((r = hs__view_get_string(v, &blob)) != 0)
		return r;
	if (p->has_sig) {
		if ((r = hs__view_get_string(v, &sig)) != 0)
			return r;
	}
	if ((r = hs__view_end(v)) != 0)
		return r;
	if (hs__buf_put(&p->blob, blob.ptr, blob.len) != 0 ||
	    (p->has_sig && hs__buf_put(&p->sig, sig.ptr, sig.len) != 0)) {
		refuse(conn, "oversized key or signature (%s)", shown_alg(p->alg, shown));
		return 0; /* refused as unusable */
	}
	struct hs_key *key = NULL;
	if (hs_key_from_blob(blob.ptr, blob.len, &key) != 0) {
		refuse(conn, "unsupported or malformed %s key", shown_alg(p->alg, shown));
		return 0;
	}
	/* an algorithm the configuration does not offer (ssh-rsa never is) is
	 * refused like an unusable key */
	if (!hs__namelist_has(hs__bytes_of(conn->cfg->pubkey_algs), p->alg)) {
		refuse(conn, "key algorithm %s is not offered (public key algorithms)", shown_alg(p->alg, shown));
		hs_key_free(key);
		return 0;
	}
	if (!hs__key_alg_allowed(key, p->alg)) {
		refuse(conn, "signature algorithm %s does not fit the key", shown_alg(p->alg, shown));
		hs_key_free(key);
		return 0;
	}
	p->key = key;
	return 0;
}

static int handle_request(struct hs_conn *conn, struct hs_view *v)
{
	struct hs_auth_state *a = &conn->auth;
	char user[HS_MAX_USERNAME + 1], service[HS_MAX_NAME + 1], method[HS_MAX_NAME + 1];
	int r;
	if (conn->phase == HS_PHASE_CONNECTION)
		return 0; /* RFC 4252 §5.1: ignore requests after success */
	if ((r = hs__view_get_cstring(v, user, sizeof user)) != 0 ||
	    (r = hs__view_get_cstring(v, service, sizeof service)) != 0)
		return r;
	r = hs__view_get_cstring(v, method, sizeof method);
	if (r == HS_ERR_LIMIT) { /* longer than any method name: unknown */
		struct hs_bytes skip;
		if ((r = hs__view_get_string(v, &skip)) != 0)
			return r;
		snprintf(method, sizeof method, "unknown");
	} else if (r != 0) {
		return r;
	}
	if (strcmp(service, SERVICE_CONNECTION) != 0)
		return service_not_available(conn);
	/* One user name per connection, as OpenSSH does: begin_auth decided
	 * for that name. */
	if (a->have_username && strcmp(a->username, user) != 0) {
		hs__conn_set_failure(conn, HS_DISCONNECT_PROTOCOL_ERROR, "change of user name not allowed");
		return HS_ERR_PROTOCOL;
	}
	clear_pending(&a->pending);
	if (strcmp(method, "publickey") == 0) {
		if ((r = parse_publickey(conn, v)) != 0)
			return r;
	}
	if ((r = send_banner(conn)) != 0)
		return r;
	if (!a->have_username) {
		memcpy(a->username, user, strlen(user) + 1);
		a->have_username = 1;
		int need = HS_AUTH_REQUIRED;
		if (conn->cb->begin_auth != NULL)
			need = conn->cb->begin_auth(conn, a->username);
		if (need == HS_AUTH_PENDING) {
			a->pending.kind = HS_AUTH_WAIT_BEGIN;
			snprintf(a->pending.method, sizeof a->pending.method, "%s", method);
			hs__conn_wait_answer(conn, HS_WAIT_AUTH);
			return 0;
		}
		a->need = need == HS_AUTH_NOT_NEEDED ? HS_AUTH_NOT_NEEDED : HS_AUTH_REQUIRED;
	}
	return continue_request(conn, method);
}

int hs__userauth_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v)
{
	if (msg != HS_MSG_USERAUTH_REQUEST)
		return HS_ERR_UNEXPECTED_MSG;
	return handle_request(conn, v);
}

int hs__userauth_resume(struct hs_conn *conn, int answer)
{
	struct hs_auth_state *a = &conn->auth;
	char method[HS_MAX_NAME + 1];
	switch (a->pending.kind) {
	case HS_AUTH_WAIT_BEGIN:
		a->need = answer == HS_AUTH_NOT_NEEDED ? HS_AUTH_NOT_NEEDED : HS_AUTH_REQUIRED;
		snprintf(method, sizeof method, "%s", a->pending.method);
		a->pending.kind = HS_AUTH_WAIT_NONE;
		return continue_request(conn, method);
	case HS_AUTH_WAIT_VALIDATE:
		a->pending.kind = HS_AUTH_WAIT_NONE;
		return finish_publickey(conn, answer == HS_YES ? HS_YES : HS_NO);
	default:
		return HS_ERR_INTERNAL;
	}
}
