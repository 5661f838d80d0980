/*
 * The fixture of the connection core's tests (conn_fixture.c): a server
 * application whose callbacks count what they see, a server core and the
 * in-memory client (mini_client.h) joined, and shared steps.
 */
#ifndef HS_TESTS_CONN_FIXTURE_H
#define HS_TESTS_CONN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/conn_priv.h"
#include "mini_client.h"

#define USER "peer1"
#define MIB (1024u * 1024u)

/* The host key of the server, the user's key it accepts for USER, and a
 * key it does not know. */
extern struct hs_hostkey *g_hostkey, *g_userkey, *g_otherkey;
/* When set, the core serves this key (with g_hostkey's public half, say,
 * held elsewhere) instead of g_hostkey. */
extern const struct hs_hostkey *g_served_hostkey;
int fx_keys_init(void);
void fx_keys_free(void);

/* What a session channel does with data: echo it back, or only count. */
enum {
	MODE_ECHO,
	MODE_SINK
};

struct srv_chan {
	struct hs_channel *ch;
	struct hs_buf pend[2]; /* echo not yet accepted by hs_channel_write */
	int paused, got_eof, finished;
	int write_ready_calls, lost_calls, lost_err, write_errors, partial_writes;
	size_t received[2];
	int subsystem_calls;
	char subsystem[64];
};

struct app {
	int kicks, authenticated_calls, made_calls, lost_calls, lost_err;
	char lost_reason[160];
	int begin_calls, begin_answer;
	char begin_user[300];
	int validate_calls, validate_answer; /* -1: by key and user */
	int auth_completed_calls;
	int session_calls, refuse_sessions, mode, pause_on_open;
	int subsystem_pending; /* subsystem_requested answers HS_PENDING */
	struct srv_chan chans[8];
	int nchans;
	int write_in_open; /* the application writes from session_requested */
	int write_in_open_rc;
	size_t write_in_open_written;
	int bad_streams; /* data_received with a stream not in enum hs_stream */
	int compute_calls;
	struct hs_dh_job *job; /* handed out by the core, not yet handed back */
};

/* The I/O operations with compute (the core hands finite-field jobs to
 * app.job); which of the two the next fixture gets. */
extern const struct hs_io_ops io_ops_compute;
extern int g_io_compute;

/* The defaults: every optional callback NULL. */
extern const struct hs_server_cb bare_cb;

struct fx {
	struct app app;
	struct hs_core_config cfg;
	struct hs_conn *conn;
	struct mc mc;
	uint64_t now;
};

/* A fresh core (cfg and cb may be NULL: defaults, the counting
 * application) and client; fx_open also runs the first key exchange. */
void fx_open_nostart(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb,
                     const struct mc_opts *opt);
void fx_open(struct fx *f, const struct hs_config *cfg, const struct hs_server_cb *cb, const struct mc_opts *opt);
/* Free the core (connection_lost runs) and, with fx_close, everything. */
void fx_free_conn(struct fx *f);
void fx_close(struct fx *f);
/* Take the next message and check it is DISCONNECT with reason. */
void expect_disconnect(struct fx *f, uint32_t reason);
/* CHANNEL_OPEN_FAILURE for recipient with reason. */
void expect_open_failure(struct fx *f, uint32_t recipient, uint32_t reason);
/* A reply of type (CHANNEL_SUCCESS or FAILURE) for recipient. */
void expect_chan_reply(struct fx *f, uint8_t type, uint32_t recipient);
/* USERAUTH_FAILURE "publickey", partial success false. */
void expect_auth_failure(struct fx *f);
/* SERVICE_REQUEST ssh-userauth, accepted. */
void service(struct fx *f);
/* service() and a signed publickey request for USER, accepted. */
void fx_auth(struct fx *f);
/* Open a session channel and start the replicator subsystem on it. */
void fx_session(struct fx *f, struct mc_chan *ch, uint32_t id, uint32_t window, uint32_t maxpkt);
/* n bytes of a pattern from seed (caller frees). */
uint8_t *pattern(size_t n, uint32_t seed);
typedef void (*transfer_hook)(struct fx *f, size_t sent);
/* Send n bytes on stream and pump until the echo is back (or stuck). */
size_t transfer(struct fx *f, struct mc_chan *ch, const uint8_t *data, size_t n, enum hs_stream stream,
                transfer_hook hook);

#endif
