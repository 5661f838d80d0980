/*
 * The I/O-free connection core, as the I/O layer (src/io) sees it: one SSH
 * server connection as a state machine that takes bytes in
 * (hs__conn_input_reserve/commit, hs__conn_feed), gives bytes out (the
 * output accessors below) and calls the application's callbacks. It never
 * sees a socket or a clock: the I/O layer moves the bytes, tells it the
 * time, and is asked through struct hs_io_ops to flush output, to call
 * back on the next loop iteration, or to run a computation off the loop.
 *
 * The calls that process input or time return non-zero once the
 * connection is over; hs__conn_closing says the same at any time, so an
 * I/O layer may ignore those results and look there after every event.
 *
 * struct hs_conn itself is private to the core and its protocol layers
 * (core/conn_priv.h).
 */
#ifndef HS_CORE_CONN_H
#define HS_CORE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "crypto/dh.h"
#include "hostsd/server.h"
#include "wire/buf.h"

struct hs_io_ops {
	/* Output is waiting, or deferred work is due: arrange, soon and not
	 * from inside this call, for the output to be written and for
	 * hs__conn_resume when hs__conn_resume_due says so. */
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

/* Create a connection core (caller frees with hs__conn_free). now_ms is the
 * loop time; peer is the peer's address as text (copied). */
struct hs_conn *hs__conn_new(const struct hs_core_config *cfg, const struct hs_hostkey *hostkey,
                             const struct hs_server_cb *cb, void *data, const struct hs_io_ops *io, void *io_ctx,
                             const char *peer, uint64_t now_ms);
/* Free everything (channels' connection_lost and the connection's
 * connection_lost are called first if they have not been). NULL is fine. */
void hs__conn_free(struct hs_conn *conn);

/* Queue the identification line and our first KEXINIT; calls
 * connection_made. */
int hs__conn_start(struct hs_conn *conn) HS_MUST_CHECK;

/* Tell the core the loop time before handing it input. */
void hs__conn_set_now(struct hs_conn *conn, uint64_t now_ms);

/* Hand received bytes to the core and process what is complete. A non-zero
 * return means the connection is over: write what is queued, then close. */
int hs__conn_feed(struct hs_conn *conn, const uint8_t *data, size_t len);

/* Reads straight into the input buffer: reserve room for up to want
 * bytes (*n receives how many fit), then commit how many arrived, which
 * processes them. Non-zero from commit: the connection is over. */
int hs__conn_input_reserve(struct hs_conn *conn, size_t want, uint8_t **p, size_t *n) HS_MUST_CHECK;
int hs__conn_input_commit(struct hs_conn *conn, size_t n);

/* Should the I/O layer read more? No once the connection is closing,
 * while an application answer is awaited, and while a key exchange
 * computation or signature is out (the peer's next packets wait in the
 * socket). */
int hs__conn_wants_input(const struct hs_conn *conn);

/* An application answer arrived (hs_conn_answer), or an external signer's
 * (hs_sign_request_done): call hs__conn_resume. */
int hs__conn_resume_due(const struct hs_conn *conn);
/* Continue processing buffered input after an application answer.
 * Non-zero: the connection is over. */
int hs__conn_resume(struct hs_conn *conn);

/* A job given to io->compute has run: finish the key exchange and go on
 * with buffered input. Takes the job. Non-zero: the connection is over. */
int hs__conn_compute_done(struct hs_conn *conn, struct hs_dh_job *job);

/* The loop time moved on: login grace, time-based rekey, keepalives.
 * Non-zero: the connection is over. */
int hs__conn_tick(struct hs_conn *conn, uint64_t now_ms);
/* The time at which hs__conn_tick next needs to run (UINT64_MAX: never). */
uint64_t hs__conn_next_deadline(const struct hs_conn *conn);

/* --- output --- */

/* Bytes of whole packets ready for the peer (none while one is being
 * built). */
size_t hs__conn_output_len(const struct hs_conn *conn);
/* Hand the ready output to the I/O layer without copying: the output
 * buffer and *idle (empty, same maximum) change places. Does nothing
 * while a packet is being built. */
void hs__conn_output_swap(struct hs_conn *conn, struct hs_buf *idle);
/* A view of the ready output, and dropping n bytes of it once written
 * (for tests and for I/O layers that copy). */
struct hs_bytes hs__conn_output_peek(const struct hs_conn *conn);
int hs__conn_output_consume(struct hs_conn *conn, size_t n) HS_MUST_CHECK;
/* The I/O layer wrote some output: lets channels write again once the
 * queue is below its low mark. */
void hs__conn_output_drained(struct hs_conn *conn);
/* Give back the storage of empty buffers (an idle connection keeps
 * kilobytes, not the high-water mark of its traffic). */
void hs__conn_shrink_idle(struct hs_conn *conn);

/* --- ending --- */

/* Is the connection ending (no input is processed; the output left is
 * its last)? */
int hs__conn_closing(const struct hs_conn *conn);
/* End the connection: queue DISCONNECT with reason (0: the one mapped
 * from err) and text (NULL: from err) unless err says the peer is gone
 * (HS_ERR_IO, HS_ERR_DISCONNECTED), record why, stop processing input. */
void hs__conn_fail(struct hs_conn *conn, int err, uint32_t reason, const char *text);
/* What a connection that never authenticated did to end (core/conn_offence.c):
 * an enum hs_penalty (a failed authentication attempt, the login grace
 * time, a protocol error of the peer), or 0 for nothing held against it. */
int hs__conn_offence(const struct hs_conn *conn);

#endif
