/*
 * struct hs_conn, and the core's services to its protocol layers
 * (transport/kex, auth/userauth, conn/channel). Only the core and those
 * layers include this header; the I/O layer uses core/conn.h.
 *
 * What the layers may do with a connection, and only through here:
 *   - build and send packets (hs__conn_begin / hs__conn_end), which the
 *     core holds back during a key exchange;
 *   - move the connection to its next phase (hs__conn_set_phase), which
 *     runs the side effects of that change in one place;
 *   - report that new keys are in use (hs__conn_keys_changed);
 *   - hand a computation to the I/O layer (hs__conn_compute);
 *   - wait for an application answer (hs__conn_wait_answer);
 *   - fail: return an HS_ERR_* code, after hs__conn_set_failure when the
 *     peer should read something more precise than the code's own text.
 *     Only the core sends DISCONNECT.
 */
#ifndef HS_CORE_CONN_PRIV_H
#define HS_CORE_CONN_PRIV_H

#include <stdint.h>

#include "auth/userauth.h"
#include "common/limits.h"
#include "conn/channel.h"
#include "core/config.h"
#include "core/conn.h"
#include "hostsd/server.h"
#include "transport/kex.h"
#include "transport/msgfilter.h"
#include "transport/packet.h"
#include "transport/sendq.h"
#include "wire/buf.h"

/* Which application answer a connection waits for, so that each answer
 * function takes only its own kind. */
enum hs_wait {
	HS_WAIT_NONE = 0,
	HS_WAIT_AUTH,   /* begin_auth or validate_public_key: hs_conn_answer */
	HS_WAIT_CHANNEL /* shell, exec or subsystem: hs_channel_answer */
};

struct hs_conn {
	const struct hs_core_config *cfg;
	const struct hs_hostkey *hostkey;
	const struct hs_server_cb *cb;
	void *data;
	const struct hs_io_ops *io;
	void *io_ctx;
	char peer[HS_MAX_PEER_TEXT];

	struct hs_packet_io pkt;
	struct hs_sendq sendq;
	enum hs_phase phase; /* written only by hs__conn_set_phase */
	int version_done;
	char client_version[HS_MAX_IDENT_LINE + 1];
	char server_version[HS_MAX_IDENT_LINE + 1];

	/* key exchange */
	struct hs_kex kex;
	uint8_t session_id[HS_MAX_HASH];
	size_t session_id_len;
	int strict_kex;
	int ext_info_c;
	int delayed_compression; /* zlib@openssh.com negotiated, not yet started */
	int kex_count;
	uint64_t now_ms;
	uint64_t last_kex_ms;
	uint64_t started_ms;
	uint32_t preauth_packets;
	uint64_t last_rx_ms;   /* when the peer last sent a packet */
	uint64_t last_data_ms; /* channel data either way, or authentication (idle timeout) */
	uint32_t keepalives_missed;

	struct hs_auth_state auth;
	struct hs_channels channels;

	/* lifecycle */
	enum hs_wait waiting; /* an application answer is awaited, of this kind */
	int answer;           /* the answer, once given */
	int resume_due;       /* the answer came: processing continues */
	int closing;          /* no more input is processed */
	int close_err;
	char close_reason[HS_MAX_CLOSE_REASON];
	int disconnect_queued; /* our DISCONNECT is in the output */
	int lost_reported;
	/* what a failing layer wants the peer to read (hs__conn_set_failure) */
	uint32_t failure_code;
	char failure_text[HS_MAX_CLOSE_REASON];
};

/* --- sending --- */

/* Begin message msg; *body is where its fields go. Then hs__conn_end with
 * the status of building the body (transport/sendq.h has the rule). */
int hs__conn_begin(struct hs_conn *conn, uint8_t msg, struct hs_buf **body) HS_MUST_CHECK;
int hs__conn_end(struct hs_conn *conn, int status) HS_MUST_CHECK;
/* Is a key exchange holding back non-kex messages? */
int hs__conn_holding(const struct hs_conn *conn);
/* Bytes of channel data the output queue takes before it is full. */
size_t hs__conn_output_room(const struct hs_conn *conn);
/* Tell the I/O layer there is output or deferred work. */
void hs__conn_kick(struct hs_conn *conn);

/* --- phases and events --- */

/* Move to phase next (forward only) and run its side effects:
 * HS_PHASE_CONNECTION (authenticated) lifts the pre-authentication caps,
 * starts delayed compression, tells the I/O layer and then the
 * application (auth_completed). */
int hs__conn_set_phase(struct hs_conn *conn, enum hs_phase next) HS_MUST_CHECK;
/* The peer's NEWKEYS arrived: the first one ends HS_PHASE_FIRST_KEX; every
 * one lets channels write again. */
int hs__conn_keys_changed(struct hs_conn *conn) HS_MUST_CHECK;
/* Run a finite-field computation: on the I/O layer's threads when it has
 * them (the connection reads nothing until hs__conn_compute_done), else
 * at once. Takes the job. */
int hs__conn_compute(struct hs_conn *conn, struct hs_dh_job *job) HS_MUST_CHECK;
/* Stop processing input until the application answers, with
 * hs_conn_answer (HS_WAIT_AUTH) or hs_channel_answer (HS_WAIT_CHANNEL). */
void hs__conn_wait_answer(struct hs_conn *conn, enum hs_wait kind);
/* The application's answer of kind: kept for hs__conn_resume, which the
 * I/O layer is kicked to run. HS_ERR_INVALID_ARG when the connection does
 * not wait for an answer of that kind, has one already, or is closing. */
int hs__conn_give_answer(struct hs_conn *conn, enum hs_wait kind, int answer) HS_MUST_CHECK;
/* Start a rekey if one is due (data, packets or time). */
int hs__conn_rekey_if_due(struct hs_conn *conn) HS_MUST_CHECK;

/* Report connection_lost to the channels and the application, once
 * (hs__conn_free does it when it has not been done). */
void hs__conn_report_lost(struct hs_conn *conn);

/* --- failing --- */

/* The DISCONNECT the layer's next error return should send: reason (0:
 * the one mapped from the error) and a sentence for the peer and the log
 * (like OpenSSH's failed_choice). Kept until the connection fails. */
void hs__conn_set_failure(struct hs_conn *conn, uint32_t reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error from work the application started (an API call): if r is not
 * 0, the connection fails with it. Returns r. */
int hs__conn_check(struct hs_conn *conn, int r);

#ifdef HS_FUZZING_UNSAFE
/* Fuzzing builds only: jump past the first key exchange with no cipher and
 * a fixed session identifier, so arbitrary input reaches authentication
 * and channels. Never compiled into a library a program links. */
void hs__conn_fuzz_skip_kex(struct hs_conn *conn);
#endif

#endif
