/*
 * hostsd program — a session channel whose subsystem runs as a child
 * process (`/bin/sh -c COMMAND`, as OpenSSH runs subsystems), started by a
 * launcher (in `hostsd serve`, the monitor process, under the
 * subsystem's account): channel data goes to the child's stdin, its
 * stdout comes back as channel data and its stderr as extended data, and
 * its exit code (or signal) ends the channel with exit-status
 * (exit-signal). Flow control holds end to end: a slow child slows the
 * peer and a slow peer slows the child, so nothing is buffered without
 * bound.
 *
 * Every other kind of session request (shell, exec, pty, ...) is refused.
 * Everything runs on the loop thread.
 */
#ifndef HSD_SUBSYSTEM_H
#define HSD_SUBSYSTEM_H

#include <stdint.h>

#include <uv.h>

#include <hostsd/server.h>

struct hsd_session;

/* What a session asks its launcher to start; views valid during the call. */
struct hsd_launch {
	const char *subsystem; /* configured and granted */
	const char *host;      /* the authenticated host identity */
	const char *key_fp;    /* SHA256:... of its key */
	const char *peer;      /* "ADDR:PORT" */
};

/* Who starts the children. start answers later, never from inside the
 * call, with hsd_session_started or hsd_session_start_failed, and then
 * reports the child's end with hsd_session_exited (also when the child's
 * end cannot be known any more: exit_status -1, signal 0); or it returns
 * non-zero at once with a reason in why. signal sends sig (SIGTERM or
 * SIGKILL) to the child's process group. */
struct hsd_launcher {
	int (*start)(void *ctx, struct hsd_session *s, const struct hsd_launch *what, char *why, size_t whylen);
	void (*signal)(void *ctx, struct hsd_session *s, int sig);
};

/* The launcher's answers. started: the child runs as pid; fds are its
 * stdin, stdout and stderr (taken over). */
void hsd_session_started(struct hsd_session *s, int pid, const int fds[3]);
void hsd_session_start_failed(struct hsd_session *s, const char *reason);
void hsd_session_exited(struct hsd_session *s, int64_t exit_status, int term_signal);

/* Decide a subsystem request (called during subsystem_requested). Return 0
 * with *command a malloc'd shell command (the session frees it), or
 * non-zero with *why a static reason for the log. */
typedef int (*hsd_session_resolve_fn)(void *ctx, const char *subsystem, char **command, const char **why);

/* The channel is gone: called exactly once, from the channel's
 * connection_lost, while the connection still exists. ctx is not used
 * after it (the child may still be winding down). */
typedef void (*hsd_session_closed_fn)(void *ctx);

struct hsd_session_config {
	uv_loop_t *loop;
	hsd_session_resolve_fn resolve;
	hsd_session_closed_fn closed;
	void *ctx;
	/* Who the peer is, for the child's environment and the log; copied. */
	const char *host;      /* HOSTSD_PEER: the authenticated host identity */
	const char *key_fp;    /* HOSTSD_PEER_KEY: SHA256:... of its key */
	const char *peer_addr; /* HOSTSD_PEER_ADDR: "ADDR:PORT" */
	const struct hsd_launcher *launcher;
	void *launcher_ctx;
	uint32_t kill_grace_ms; /* SIGTERM to SIGKILL when the channel closes
	                         * first; 0: the default (5000) */
};

/* Bytes the session queues towards the child's stdin before it stops
 * re-opening the peer's window (the peer may still send what is left of
 * one window, HS_CHANNEL_WINDOW). */
#define HSD_STDIN_HIGH (256u * 1024u)
#define HSD_STDIN_LOW (64u * 1024u)
/* One read from the child's stdout or stderr. */
#define HSD_OUTPUT_CHUNK (64u * 1024u)
#define HSD_DEFAULT_KILL_GRACE_MS 5000u

/* Create a session for the channel ch being opened (in session_requested);
 * give hsd_session_callbacks and the session as the channel's callbacks and
 * data. Returns 0 or
 * HS_ERR_ALLOC. If the channel is then not accepted, free it with
 * hsd_session_discard(). Once accepted, the session frees itself after the
 * channel is gone and its child has been reaped. */
int hsd_session_new(const struct hsd_session_config *cfg, struct hs_channel *ch, struct hsd_session **out);

/* Free a session whose channel was never accepted; NULL is allowed. */
void hsd_session_discard(struct hsd_session *s);

/* Number of sessions (of every connection) whose child is still running
 * or whose handles are still closing: the loop must run until it is 0. */
unsigned hsd_session_live_count(void);

extern const struct hs_session_cb hsd_session_callbacks;

/* The RFC 4254 §6.10 name of a signal ("TERM" for SIGTERM), or NULL for a
 * signal without a standard name. */
const char *hsd_signal_name(int signum);

#endif
