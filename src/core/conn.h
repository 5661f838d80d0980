/*
 * The I/O-free connection core: one SSH server connection as a state
 * machine that takes bytes in (hs__conn_feed), gives bytes out
 * (conn->pkt.out) and calls the application's callbacks. It never sees a
 * socket or a clock: the I/O layer (src/io) moves the bytes, tells it the
 * time, and is asked through struct hs_io_ops to flush output or to call
 * back on the next loop iteration.
 */
#ifndef HS_CORE_CONN_H
#define HS_CORE_CONN_H

#include <stdint.h>

#include "common/limits.h"
#include "core/config.h"
#include "crypto/dh.h"
#include "hostsd/server.h"
#include "transport/kex.h"
#include "transport/msgfilter.h"
#include "transport/packet.h"
#include "wire/buf.h"

struct hs_io_ops {
	/* Output is waiting, or deferred work is due: arrange, soon and not
	 * from inside this call, for hs__conn_flush / hs__conn_resume. */
	void (*kick)(void *io);
	/* Authentication succeeded (the listener stops counting the
	 * connection as unauthenticated). */
	void (*authenticated)(void *io);
	/* A finite-field key exchange is ready to compute (CPU-heavy): the I/O
	 * layer owns job now, runs hs__dh_job_run off the loop and hands the
	 * job back with hs__conn_compute_done (or frees it if the connection
	 * is gone). NULL: the core computes it inline. */
	void (*compute)(void *io, struct hs_dh_job *job);
};

/* A userauth request kept while the application answers a callback. */
struct hs_auth_pending {
	int kind;                 /* AUTH_WAIT_* in userauth.c, 0 if none */
	int has_sig;
	char alg[65];
	char method[65];          /* the method of a request held for begin_auth */
	struct hs_buf blob;       /* public key blob */
	struct hs_buf sig;        /* signature blob */
	struct hs_key *key;
};

struct hs_auth_state {
	char username[HS_MAX_USERNAME + 1];
	int have_username;
	int need;                 /* enum hs_auth_need once begin_auth answered; -1 before */
	uint32_t failures;
	int banner_sent;
	int completed;
	struct hs_key *key;       /* the key whose signature verified */
	char refusal[128];        /* why the engine itself last refused a key; "" if never */
	struct hs_auth_pending pending;
};

struct hs_channel;

struct hs_conn {
	const struct hs_core_config *cfg;
	const struct hs_hostkey *hostkey;
	const struct hs_server_cb *cb;
	void *data;
	const struct hs_io_ops *io;
	void *io_ctx;
	char peer[64];

	struct hs_packet_io pkt;
	enum hs_phase phase;
	int version_done;
	char client_version[HS_MAX_IDENT_LINE + 1];
	char server_version[HS_MAX_IDENT_LINE + 1];

	/* key exchange */
	struct hs_kex kex;
	uint8_t session_id[HS_MAX_HASH];
	size_t session_id_len;
	int strict_kex;
	int ext_info_c;
	int delayed_compression;  /* zlib@openssh.com negotiated, not yet started */
	int kex_count;
	uint64_t now_ms;
	uint64_t last_kex_ms;
	uint64_t started_ms;
	struct hs_buf held;       /* non-kex packets built during a key exchange */
	uint32_t preauth_packets;
	uint64_t last_rx_ms;      /* when the peer last sent a packet */
	uint32_t keepalives_missed;

	struct hs_auth_state auth;

	/* channels, indexed by our channel number */
	struct hs_channel **channels;
	uint32_t channels_cap;
	uint32_t channels_open;
	int want_write_ready;     /* some channel was refused write space */

	/* lifecycle */
	int waiting;              /* an application answer is awaited */
	int answer;               /* the answer, once given */
	int building_held;        /* the packet being built goes to held */
	size_t held_mark;
	int resume_due;           /* input processing should continue */
	int closing;              /* no more input is processed */
	int close_err;
	char close_reason[160];
	int lost_reported;
	int in_callback;
};

/* Create a connection core (caller frees with hs__conn_free). now_ms is the
 * loop time. */
struct hs_conn *hs__conn_new(const struct hs_core_config *cfg, const struct hs_hostkey *hostkey,
                             const struct hs_server_cb *cb, void *data, const struct hs_io_ops *io,
                             void *io_ctx, const char *peer, uint64_t now_ms);
/* Free everything (channels' connection_lost and the connection's
 * connection_lost are called first if they have not been). */
void hs__conn_free(struct hs_conn *conn);

/* Queue the identification line and our first KEXINIT; calls
 * connection_made. */
int hs__conn_start(struct hs_conn *conn) HS_MUST_CHECK;

/* Hand received bytes to the core and process what is complete. A non-zero
 * return means the connection is over: flush output, then close. */
int hs__conn_feed(struct hs_conn *conn, const uint8_t *data, size_t len) HS_MUST_CHECK;

/* Continue processing buffered input after an application answer. */
int hs__conn_resume(struct hs_conn *conn) HS_MUST_CHECK;

/* Tell the core the loop time before handing it input. */
static inline void hs__conn_set_now(struct hs_conn *conn, uint64_t now_ms) { conn->now_ms = now_ms; }

/* The loop time moved on: handles login grace, time-based rekey. */
int hs__conn_tick(struct hs_conn *conn, uint64_t now_ms) HS_MUST_CHECK;
/* The time at which hs__conn_tick next needs to run (UINT64_MAX: never). */
uint64_t hs__conn_next_deadline(const struct hs_conn *conn);

/* The output queue drained to the given length: lets channels write again. */
void hs__conn_output_drained(struct hs_conn *conn);

/* A job given to io->compute has run: finish the key exchange and go on
 * with buffered input. Takes the job. Non-zero: the connection is over. */
int hs__conn_compute_done(struct hs_conn *conn, struct hs_dh_job *job) HS_MUST_CHECK;

/* Should the I/O layer read more? (No while an answer is awaited and the
 * input buffer is full enough.) */
int hs__conn_wants_input(const struct hs_conn *conn);

/* End the connection: queue DISCONNECT (reason) unless err came from the
 * peer, record why, stop processing input. */
void hs__conn_fail(struct hs_conn *conn, int err, uint32_t reason, const char *text);

/* Report connection_lost to the application (once). */
void hs__conn_report_lost(struct hs_conn *conn);

/* Tell the I/O layer there is output or deferred work. */
void hs__conn_kick(struct hs_conn *conn);

/* Send a packet whose body the caller builds between begin and end. While
 * a key exchange is running, non-kex messages are held and sent after it. */
int hs__conn_begin(struct hs_conn *conn, uint8_t msg) HS_MUST_CHECK;
int hs__conn_end(struct hs_conn *conn) HS_MUST_CHECK;
/* Drop a message begun but not ended (on an error path). */
void hs__conn_abort(struct hs_conn *conn);
/* The buffer a packet body is appended to between begin and end. */
struct hs_buf *hs__conn_body(struct hs_conn *conn);

/* Send the packets held back during a key exchange. */
int hs__conn_flush_held(struct hs_conn *conn) HS_MUST_CHECK;

/* Direct reads into the input buffer: reserve room for up to want bytes,
 * then commit how many arrived (which processes them). */
int hs__conn_input_reserve(struct hs_conn *conn, size_t want, uint8_t **p, size_t *n) HS_MUST_CHECK;
int hs__conn_input_commit(struct hs_conn *conn, size_t n) HS_MUST_CHECK;

/* Is the output queue too full to accept more channel data? */
int hs__conn_output_full(const struct hs_conn *conn);

#ifdef HS_FUZZING_UNSAFE
/* Fuzzing builds only: jump past the first key exchange with no cipher and
 * a fixed session identifier, so arbitrary input reaches authentication
 * and channels. Never compiled into a library a program links. */
void hs__conn_fuzz_skip_kex(struct hs_conn *conn);
#endif

/* Handlers of the protocol layers, given a view positioned after the
 * message number. */
int hs__kex_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
int hs__kex_start(struct hs_conn *conn) HS_MUST_CHECK;
int hs__kex_wanted(const struct hs_conn *conn);
/* Finish a finite-field exchange with its computed job (freed here). */
int hs__kex_dh_done(struct hs_conn *conn, struct hs_dh_job *job) HS_MUST_CHECK;
/* Authentication succeeded: lift pre-auth caps, start delayed compression
 * (after USERAUTH_SUCCESS was queued). */
int hs__kex_auth_done(struct hs_conn *conn) HS_MUST_CHECK;
int hs__userauth_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
int hs__userauth_resume(struct hs_conn *conn, int answer) HS_MUST_CHECK;
void hs__userauth_cleanup(struct hs_conn *conn);
int hs__service_handle(struct hs_conn *conn, struct hs_view *v) HS_MUST_CHECK;
int hs__connproto_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
void hs__channels_lost(struct hs_conn *conn, int err);
void hs__channels_write_ready(struct hs_conn *conn);

#endif
