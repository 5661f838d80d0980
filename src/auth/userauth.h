/*
 * The ssh-userauth service (RFC 4252) with the publickey method: its state
 * on a connection, and its entry points for the core.
 */
#ifndef HS_AUTH_USERAUTH_H
#define HS_AUTH_USERAUTH_H

#include <stdint.h>

#include "common/limits.h"
#include "hostsd/key.h"
#include "wire/buf.h"

struct hs_conn;

/* Which application answer a held request waits for. */
enum hs_auth_wait {
	HS_AUTH_WAIT_NONE = 0,
	HS_AUTH_WAIT_BEGIN,   /* begin_auth pending; the request follows */
	HS_AUTH_WAIT_VALIDATE /* validate_public_key pending */
};

/* A userauth request kept while the application answers a callback. */
struct hs_auth_pending {
	enum hs_auth_wait kind;
	int has_sig;
	char alg[HS_MAX_NAME + 1];
	char method[HS_MAX_NAME + 1]; /* the method of a request held for begin_auth */
	struct hs_buf blob;           /* public key blob */
	struct hs_buf sig;            /* signature blob */
	struct hs_key *key;
};

struct hs_auth_state {
	char username[HS_MAX_USERNAME + 1];
	int have_username;
	int need; /* enum hs_auth_need once begin_auth answered; -1 before */
	uint32_t failures;
	int banner_sent;
	int completed;                /* set with the move to HS_PHASE_CONNECTION */
	struct hs_key *key;           /* the key whose signature verified */
	char refusal[HS_MAX_REFUSAL]; /* why the engine itself last refused a key; "" if never */
	struct hs_auth_pending pending;
};

void hs__userauth_init(struct hs_auth_state *a);
/* Free the keys and buffers (wiped where secret). */
void hs__userauth_cleanup(struct hs_auth_state *a);

/* SERVICE_REQUEST (RFC 4253 §10), and USERAUTH_REQUEST (RFC 4252 §5): v
 * is positioned after the message number. */
int hs__service_handle(struct hs_conn *conn, struct hs_view *v) HS_MUST_CHECK;
int hs__userauth_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
/* Finish the request held for the application's answer. */
int hs__userauth_resume(struct hs_conn *conn, int answer) HS_MUST_CHECK;

#endif
