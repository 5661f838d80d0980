/*
 * hostsd — the SSH server engine's public API, shaped like AsyncSSH's
 * SSHServer / SSHServerSession.
 *
 * A listener accepts TCP connections on a libuv loop. For each connection
 * the engine calls the struct hs_server_cb callbacks (AsyncSSH makes one
 * SSHServer object per connection; here each connection carries a user data
 * pointer, initially the listener's). For each accepted channel it calls
 * that channel's struct hs_session_cb callbacks. Every callback is optional:
 * a NULL callback gives the safe default, which is to refuse.
 *
 * Threading: everything runs on the loop thread. API functions must be
 * called from the loop thread; they never call a user callback before they
 * return (work that would do so is deferred to the next loop iteration).
 */
#ifndef HOSTSD_SERVER_H
#define HOSTSD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "hostsd/error.h"
#include "hostsd/key.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hs_listener;
struct hs_conn;
struct hs_channel;

/* Answers a callback may give. */
enum hs_answer {
	HS_NO = 0,     /* refuse / not accepted */
	HS_YES = 1,    /* accept */
	HS_PENDING = 2 /* answered later with hs_conn_answer() or hs_channel_answer() */
};

/* begin_auth answers (AsyncSSH: return False = no auth needed). */
enum hs_auth_need {
	HS_AUTH_NOT_NEEDED = 0,
	HS_AUTH_REQUIRED = 1,
	HS_AUTH_PENDING = 2
};

/* RFC 4253 §11.1 disconnect reason codes. */
enum hs_disconnect_reason {
	HS_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT = 1,
	HS_DISCONNECT_PROTOCOL_ERROR = 2,
	HS_DISCONNECT_KEY_EXCHANGE_FAILED = 3,
	HS_DISCONNECT_RESERVED = 4,
	HS_DISCONNECT_MAC_ERROR = 5,
	HS_DISCONNECT_COMPRESSION_ERROR = 6,
	HS_DISCONNECT_SERVICE_NOT_AVAILABLE = 7,
	HS_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED = 8,
	HS_DISCONNECT_HOST_KEY_NOT_VERIFIABLE = 9,
	HS_DISCONNECT_CONNECTION_LOST = 10,
	HS_DISCONNECT_BY_APPLICATION = 11,
	HS_DISCONNECT_TOO_MANY_CONNECTIONS = 12,
	HS_DISCONNECT_AUTH_CANCELLED_BY_USER = 13,
	HS_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE = 14,
	HS_DISCONNECT_ILLEGAL_USER_NAME = 15
};

/* RFC 4254 §5.1 channel open failure reason codes. */
enum hs_open_failure {
	HS_OPEN_ADMINISTRATIVELY_PROHIBITED = 1,
	HS_OPEN_CONNECT_FAILED = 2,
	HS_OPEN_UNKNOWN_CHANNEL_TYPE = 3,
	HS_OPEN_RESOURCE_SHORTAGE = 4
};

/* Data streams of a channel: ordinary data, and extended data type 1. */
enum hs_stream {
	HS_STREAM_DATA = 0,
	HS_STREAM_STDERR = 1
};

/* A pty-req (RFC 4254 §6.2); strings are views valid during the callback. */
struct hs_pty_request {
	const char *term;
	uint32_t cols, rows, width_px, height_px;
	const uint8_t *modes;
	size_t modes_len;
};

/* Per-channel callbacks (AsyncSSH's SSHServerSession). Each returns HS_YES to
 * accept a request or HS_NO to refuse it; NULL refuses.
 *
 * shell_requested, exec_requested and subsystem_requested may also return
 * HS_PENDING, to answer later with hs_channel_answer() (for example once
 * another process has said yes). Until then the engine reads nothing more
 * from that connection, as for a pending validate_public_key: the peer's
 * next messages, such as the channel data that follows its request, are
 * delivered after the answer, in order. The connection's timers run on
 * meanwhile, as for a pending authentication answer: keepalive requests
 * are sent but the peer's replies are read only after the answer, so an
 * answer slower than about keepalive_seconds * keepalive_max_missed (or
 * than kex_timeout_seconds, when a rekey falls due, or the idle timeout)
 * ends the connection. The application may still write to its channels
 * and close them. The answer takes effect as a synchronous one
 * would have: on HS_YES the channel is started (a second shell, exec or
 * subsystem request on it is refused), and CHANNEL_SUCCESS or
 * CHANNEL_FAILURE goes to the peer if it asked for a reply (nothing if the
 * application closed the channel meanwhile); the connection's input is
 * processed again from the next loop iteration. One answer at a time per
 * connection. If the connection is lost while the answer is pending, the
 * channel's connection_lost (and the connection's) is called as usual and
 * the channel is gone: the application must not answer it afterwards.
 * HS_PENDING from any other session callback is a refusal. */
struct hs_session_cb {
	int (*pty_requested)(struct hs_channel *ch, const struct hs_pty_request *pty);
	int (*env_requested)(struct hs_channel *ch, const char *name, const char *value);
	int (*shell_requested)(struct hs_channel *ch);
	int (*exec_requested)(struct hs_channel *ch, const char *command);
	int (*subsystem_requested)(struct hs_channel *ch, const char *name);
	/* Data from the peer; the view is valid during the call only. The
	 * engine re-opens the peer's window as data is delivered, unless the
	 * application called hs_channel_pause_reading(). */
	void (*data_received)(struct hs_channel *ch, const uint8_t *data, size_t len, enum hs_stream stream);
	void (*eof_received)(struct hs_channel *ch);
	int (*break_received)(struct hs_channel *ch, uint32_t msec);
	void (*signal_received)(struct hs_channel *ch, const char *signal);
	void (*terminal_size_changed)(struct hs_channel *ch, uint32_t cols, uint32_t rows, uint32_t width_px,
	                              uint32_t height_px);
	/* The peer's window re-opened after hs_channel_write() accepted less
	 * than asked (AsyncSSH's resume_writing). */
	void (*write_ready)(struct hs_channel *ch);
	/* The channel is closed (both sides sent CLOSE, or the connection was
	 * lost). Last callback for this channel: the handle is freed after it
	 * returns. */
	void (*connection_lost)(struct hs_channel *ch, int err);
};

/* A channel open request, given to session_requested/connection_requested.
 * Strings are views valid during the callback only. To accept, the callback
 * fills callbacks (and optionally data) and returns HS_YES; to refuse, it
 * returns HS_NO and may set reason and description (a string that must
 * outlive the call: static, or owned by the application). */
struct hs_channel_open {
	const char *type; /* "session", "direct-tcpip", ... */
	const char *host; /* direct-tcpip: host to connect to */
	uint32_t port;
	const char *originator; /* direct-tcpip: originator address */
	uint32_t originator_port;
	const struct hs_session_cb *callbacks; /* out, on accept */
	void *data;                            /* out, on accept */
	uint32_t reason;                       /* out, on refusal */
	const char *description;               /* out, on refusal */
};

/* What a listener does before any protocol runs, reported through
 * hs_server_cb.listener_event. */
enum hs_listener_event_type {
	HS_EVENT_REFUSED = 1,  /* a connection was closed as soon as it was accepted */
	HS_EVENT_PENALISED = 2 /* a source is refused from now on, for a while */
};

/* Why a connection was refused (HS_EVENT_REFUSED). */
enum hs_refusal {
	HS_REFUSED_PENALTY = 1,    /* its source is penalised */
	HS_REFUSED_MAX_UNAUTH = 2, /* max_unauthenticated connections are logging in */
	HS_REFUSED_PER_SOURCE = 3, /* max_unauthenticated_per_source from its source are */
	HS_REFUSED_EARLY_DROP = 4  /* random early drop (early_drop_start, early_drop_rate) */
};

/* What a source did (HS_EVENT_PENALISED): the offence that took its
 * outstanding penalty over penalty_min_seconds. */
enum hs_penalty {
	HS_PENALTY_AUTHFAIL = 1, /* ended unauthenticated after a failed authentication attempt */
	HS_PENALTY_GRACE = 2,    /* did not authenticate within the login grace time */
	HS_PENALTY_MALFORMED = 3 /* broke the protocol: identification line, packet, MAC or message */
};

/* One event; strings are views valid during the callback only. */
struct hs_listener_event {
	int type;           /* enum hs_listener_event_type */
	int refusal;        /* HS_EVENT_REFUSED: enum hs_refusal; else 0 */
	int penalty;        /* HS_EVENT_PENALISED: enum hs_penalty; else 0 */
	const char *peer;   /* HS_EVENT_REFUSED: "ADDR:PORT" as hs_conn_peer() writes it; else NULL */
	const char *source; /* the source as counted: its address, with "/BITS" when the netblock is
	                       wider than one address ("192.0.2.7", "2001:db8:1:2::/64") */
	uint32_t seconds;   /* HS_EVENT_PENALISED: how long the source will be refused */
};

/* Per-connection callbacks (AsyncSSH's SSHServer). */
struct hs_server_cb {
	/* A connection was accepted; hs_conn_set_data() may attach state. */
	void (*connection_made)(struct hs_conn *conn);
	/* The connection ended. err is 0 when the peer said goodbye in good
	 * order (DISCONNECT "by application"), else an HS_ERR_* (for example
	 * HS_ERR_IO when the TCP connection dropped, HS_ERR_DISCONNECTED for
	 * another DISCONNECT reason, HS_ERR_BY_APPLICATION when we closed it);
	 * reason is human-readable text. Last callback for this connection. */
	void (*connection_lost)(struct hs_conn *conn, int err, const char *reason);
	/* A peer asks to authenticate as username: return HS_AUTH_REQUIRED,
	 * HS_AUTH_NOT_NEEDED, or HS_AUTH_PENDING and later call
	 * hs_conn_answer(). NULL means HS_AUTH_REQUIRED. */
	int (*begin_auth)(struct hs_conn *conn, const char *username);
	/* Is publickey authentication offered? NULL means yes. */
	int (*public_key_auth_supported)(struct hs_conn *conn);
	/* Is key authorized for username? HS_YES, HS_NO or HS_PENDING. The
	 * engine verifies the peer's signature itself; it asks again before
	 * verifying a signed request. NULL means HS_NO. The key is a view valid
	 * until the answer is given (or the connection is lost); hs_key_dup()
	 * it to keep it longer. */
	int (*validate_public_key)(struct hs_conn *conn, const char *username, const struct hs_key *key);
	/* Authentication succeeded (called once). */
	void (*auth_completed)(struct hs_conn *conn);
	/* A session channel is requested. NULL refuses. */
	int (*session_requested)(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open);
	/* A direct-tcpip (or other non-session) channel is requested. NULL
	 * refuses. */
	int (*connection_requested)(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open);
	/* tcpip-forward global request: HS_YES (and optionally set *bound_port
	 * when port was 0) or HS_NO. NULL refuses. */
	int (*server_requested)(struct hs_conn *conn, const char *address, uint32_t port, uint32_t *bound_port);
	/* The listener refused a connection before any protocol ran (its caps,
	 * random early drop, a penalised source: the peer gets no byte), or a
	 * source's penalty took effect. Not a connection's callback: data is
	 * the listener's (hs_listener_new's data). Called on the loop thread
	 * from the listener's own libuv callbacks, never from inside an API
	 * call and never re-entrantly; it may stop or close the listener. A
	 * flood makes one call per refused connection: an application that
	 * logs them should summarise (the hostsd program writes at most one
	 * line per interval). NULL: not reported. */
	void (*listener_event)(void *data, const struct hs_listener_event *ev);
};

/* Configuration of a listener. Start from hs_config_init(); zero or NULL
 * fields mean the documented default. Strings are copied.
 *
 * Algorithms: profiles names the protocol profiles to offer, "modern",
 * "angelos" and "classic" separated by commas (NULL: all three, which is
 * every default list below). An algorithm list that is set replaces what
 * the profiles offer for that list; its names must be implemented and not
 * weak (docs/algorithms.md). */
struct hs_config {
	const char *profiles;
	const char *kex_algorithms; /* comma-separated, strongest first */
	const char *ciphers;
	const char *macs; /* the non-etm hmac-sha2-256/512 only here */
	const char *host_key_algorithms;
	const char *compression;                 /* none, zlib@openssh.com, zlib */
	const char *public_key_algorithms;       /* user keys' signature algorithms */
	uint32_t max_packet_size;                /* incoming packet_length limit; default 262144 */
	uint32_t max_channels;                   /* per connection; default 64 */
	uint32_t max_auth_tries;                 /* per connection; default 6 */
	uint32_t login_grace_seconds;            /* default 120 */
	uint32_t kex_timeout_seconds;            /* each key exchange; default 20 */
	uint64_t rekey_bytes;                    /* default 1 GiB */
	uint32_t rekey_seconds;                  /* default 3600 */
	uint32_t max_unauthenticated;            /* listener-wide cap; default 64 */
	uint32_t max_unauthenticated_per_source; /* default 16 */
	uint32_t max_dh_computations;            /* finite-field kex computing at once on libuv's
	                                            thread pool, per listener; default 2, at most 64 */
	uint32_t keepalive_seconds;              /* 0: off */
	uint32_t keepalive_max_missed;           /* default 3 */
	uint32_t tcp_keepalive_seconds;          /* SO_KEEPALIVE idle time; 0: off; default 60 */
	uint32_t idle_timeout_seconds;           /* authenticated, no channel data either way: closed;
	                                            0: off (the default) */
	/* Before authentication (hostsd/limits.h has the details). */
	uint32_t source_netblock_ipv4;      /* prefix bits counted as one source; default 32 */
	uint32_t source_netblock_ipv6;      /* default 64 */
	uint32_t early_drop_start;          /* random early drop from this many unauthenticated
	                                       connections on; default max_unauthenticated: none */
	uint32_t early_drop_rate;           /* percent refused at early_drop_start; default 30 */
	uint32_t penalty_authfail_seconds;  /* a failed login's penalty; 0: none; default 4 */
	uint32_t penalty_grace_seconds;     /* login grace time exceeded; 0: none; default 10 */
	uint32_t penalty_malformed_seconds; /* a protocol error of the peer; 0: none; default 4 */
	uint32_t penalty_min_seconds;       /* outstanding before a source is refused; default 30 */
	uint32_t penalty_max_seconds;       /* longest refusal; default 600 */
	const char *penalty_exempt;         /* never penalised: CIDRs ("192.0.2.0/24,2001:db8::/32",
	                                       a bare address is a /32 or /128) separated by
	                                       commas; NULL: none */
	const char *banner;                 /* USERAUTH_BANNER text, or NULL */
	const char *software_version;       /* in the identification line */
};

/* Fill cfg with the defaults. */
HS_API void hs_config_init(struct hs_config *cfg);

/* Default algorithm lists, for documentation and narrowing. */
HS_API const char *hs_default_kex_algorithms(void);
HS_API const char *hs_default_ciphers(void);
HS_API const char *hs_default_macs(void);
HS_API const char *hs_default_host_key_algorithms(void);
HS_API const char *hs_default_compression(void);
HS_API const char *hs_default_public_key_algorithms(void);

/* Check a configuration: every algorithm name known and not weak. On error
 * writes a sentence naming the setting into err. */
HS_API int hs_config_check(const struct hs_config *cfg, char *err, size_t errlen) HS_MUST_CHECK;

/* Create a listener on loop. hostkey is borrowed: it must outlive the
 * listener. cb is copied. data is the initial user data of each
 * connection. Caller closes with hs_listener_close().
 *
 * Finite-field key exchanges run on libuv's thread pool (uv_queue_work),
 * up to cfg->max_dh_computations at once, the rest waiting in order: the
 * rekeys of authenticated peers, and the first exchanges of peers from
 * sources that authenticated on this listener lately (it remembers 256
 * for a week), before everyone else's. The pool
 * has 4 threads unless UV_THREADPOOL_SIZE says more before its first use;
 * a program with its own pool work and several listeners should size it.
 *
 * Each listener keeps its own penalties, of at most 3072 sources (when
 * full, the penalty closest to being forgotten makes room), and its own
 * memory of sources; hs_listener_set_config keeps both. */
HS_API int hs_listener_new(uv_loop_t *loop, const struct hs_config *cfg, const struct hs_hostkey *hostkey,
                           const struct hs_server_cb *cb, void *data, struct hs_listener **out) HS_MUST_CHECK;

/* Bind and listen on address (IPv4 or IPv6 literal) and port (0: any free
 * port). reuseport lets several loops share one port (SO_REUSEPORT).
 * Returns HS_ERR_IO with the libuv error in *uv_err if the bind fails. */
HS_API int hs_listener_listen(struct hs_listener *l, const char *address, int port, int reuseport,
                              int *uv_err) HS_MUST_CHECK;

/* Listen on fd, a TCP socket (IPv4 or IPv6) that someone else bound, such
 * as a privileged process that passed it on; listen() may have been called
 * on it already. From then on the listener accepts on it as after
 * hs_listener_listen (same caps, accounting and callbacks), and
 * hs_listener_port gives the port it is bound to.
 *
 * Takes ownership of fd whatever the result: on success the listener
 * closes it when it is stopped or closed; on failure fd is closed before
 * this returns. A descriptor refused for what it is leaves the listener as
 * it was; after libuv or listen() failed on it, the listener can only be
 * closed. Returns HS_ERR_INVALID_ARG
 * for a listener that is closing or already listening, HS_ERR_IO for a
 * descriptor that is not a TCP stream socket (or is negative) or when
 * listen() fails on it. */
HS_API int hs_listener_open(struct hs_listener *l, int fd) HS_MUST_CHECK;

/* Give the connections accepted from now on cfg (copied, and checked as
 * hs_listener_new does); those already open keep the configuration they
 * started with, and the listening socket stays open. The listener-wide
 * limits apply at once to everything: max_unauthenticated and
 * max_unauthenticated_per_source count the open connections too, and
 * max_dh_computations also governs their rekeys. On error nothing changes
 * and err (may be NULL) names the setting: HS_ERR_INVALID_ARG for a bad
 * setting or a closing listener, HS_ERR_ALLOC. */
HS_API int hs_listener_set_config(struct hs_listener *l, const struct hs_config *cfg, char *err,
                                  size_t errlen) HS_MUST_CHECK;

/* The bound port, or -1. */
HS_API int hs_listener_port(const struct hs_listener *l);

/* Stop accepting new connections; existing ones go on. */
HS_API void hs_listener_stop(struct hs_listener *l);

/* Number of connections open on this listener. */
HS_API size_t hs_listener_connection_count(const struct hs_listener *l);

/* Disconnect every connection (BY_APPLICATION), stop listening, and free
 * the listener once every handle is closed and every key exchange
 * computation it started has ended; closed_cb (may be NULL) then runs. */
HS_API void hs_listener_close(struct hs_listener *l, void (*closed_cb)(void *data), void *data);

/* --- connections --- */

HS_API void hs_conn_set_data(struct hs_conn *conn, void *data);
HS_API void *hs_conn_get_data(const struct hs_conn *conn);
/* The peer's address as "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
HS_API const char *hs_conn_peer(const struct hs_conn *conn);
/* The user name being authenticated or authenticated, or NULL. */
HS_API const char *hs_conn_username(const struct hs_conn *conn);
/* The key that authenticated this connection (its signature verified), or
 * NULL. View valid as long as the connection. */
HS_API const struct hs_key *hs_conn_auth_key(const struct hs_conn *conn);
/* Why the engine itself last refused a public key on this connection
 * (before asking validate_public_key, or after it, for a signature that
 * did not verify): a short sentence such as "key algorithm rsa-sha2-512 is
 * not offered (public key algorithms)", or NULL when it refused none. For
 * logs: a peer is told nothing but USERAUTH_FAILURE. */
HS_API const char *hs_conn_auth_refusal(const struct hs_conn *conn);
/* The client's identification line (without CR LF), or NULL. */
HS_API const char *hs_conn_client_version(const struct hs_conn *conn);

/* Complete a pending begin_auth (with an hs_auth_need value) or
 * validate_public_key (HS_YES / HS_NO). Returns HS_ERR_INVALID_ARG if
 * neither is pending (a pending channel request is answered with
 * hs_channel_answer), if it was answered already, or if the connection is
 * closing. Processing resumes on the next loop iteration. */
HS_API int hs_conn_answer(struct hs_conn *conn, int answer) HS_MUST_CHECK;

/* Send DISCONNECT with reason and text, then close the connection. */
HS_API void hs_conn_disconnect(struct hs_conn *conn, uint32_t reason, const char *description);

/* --- channels --- */

HS_API void hs_channel_set_data(struct hs_channel *ch, void *data);
HS_API void *hs_channel_get_data(const struct hs_channel *ch);
HS_API struct hs_conn *hs_channel_conn(const struct hs_channel *ch);

/* Complete the shell, exec or subsystem request for which ch's callback
 * returned HS_PENDING, with HS_YES or HS_NO (struct hs_session_cb says what
 * follows). Processing of the connection's input resumes on the next loop
 * iteration. Returns HS_ERR_INVALID_ARG if no request of ch is pending
 * (none was, or it was answered already), if the connection is closing,
 * or for another answer. Never call it after the channel's
 * connection_lost: the handle is gone. */
HS_API int hs_channel_answer(struct hs_channel *ch, int answer) HS_MUST_CHECK;

/* Bytes hs_channel_write() would accept now (peer window, packet and
 * output-queue limits). */
HS_API size_t hs_channel_write_space(const struct hs_channel *ch);

/* Send up to len bytes on stream. *written receives how many were taken
 * (possibly 0); when less than len, write_ready will fire when more can be
 * sent. Returns HS_ERR_CLOSED after EOF/close. */
HS_API int hs_channel_write(struct hs_channel *ch, const void *data, size_t len, enum hs_stream stream,
                            size_t *written) HS_MUST_CHECK;

/* Send EOF (no more data from us). */
HS_API int hs_channel_write_eof(struct hs_channel *ch) HS_MUST_CHECK;

/* Send exit-status (RFC 4254 §6.10). */
HS_API int hs_channel_exit_status(struct hs_channel *ch, uint32_t status) HS_MUST_CHECK;

/* Send exit-signal; signal without "SIG" ("TERM"). */
HS_API int hs_channel_exit_signal(struct hs_channel *ch, const char *signal, int core_dumped,
                                  const char *message) HS_MUST_CHECK;

/* Send CLOSE; connection_lost follows when the peer's CLOSE arrives. */
HS_API int hs_channel_close(struct hs_channel *ch);

/* Stop / resume re-opening the peer's window (AsyncSSH pause_reading /
 * resume_reading): while paused the peer can send at most one window. */
HS_API void hs_channel_pause_reading(struct hs_channel *ch);
HS_API void hs_channel_resume_reading(struct hs_channel *ch);

#ifdef __cplusplus
}
#endif
#endif
