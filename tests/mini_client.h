/*
 * A minimal SSH client for in-memory tests of the server's connection core.
 *
 * It is built from the engine's own pieces (struct hs_packet_io for framing
 * and packet protection, the KEXINIT codec, X25519, the exchange hash and key
 * derivation, hs__key_verify for the server's signature over H, and an
 * struct hs_hostkey as the user key) and talks to a struct hs_conn in the
 * same process: the core's output becomes the client's input, and the
 * client's output goes into the core's input buffer as the I/O layer's
 * reads do. Nothing here touches a socket or a clock, so a test drives both ends step by step (mc_pump) and looks at
 * what a real peer would see: the messages and their contents.
 *
 * What the client does by itself: the identification line, KEXINIT,
 * curve25519-sha256, NEWKEYS (with strict sequence-number reset), EXT_INFO,
 * answering a server-initiated KEXINIT, holding its own non-kex messages
 * while its key exchange runs, and, for channels registered with auto set,
 * data, window, EOF, CLOSE and exit-status bookkeeping. Every other message
 * is queued for the test to take with mc_take / mc_expect.
 *
 * Deliberately tolerant: it is also used to send what a real client never
 * would (mc_send_raw bypasses holding), to test refusals.
 */
#ifndef HS_TESTS_MINI_CLIENT_H
#define HS_TESTS_MINI_CLIENT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/limits.h"
#include "core/conn_priv.h"
#include "crypto/cipher.h"
#include "crypto/mlkem768.h"
#include "crypto/sntrup761.h"
#include "crypto/x25519.h"
#include "hostsd/key.h"
#include "keys/sig.h"
#include "transport/kexhash.h"
#include "transport/kexinit.h"
#include "transport/msgfilter.h"
#include "transport/packet.h"
#include "wire/buf.h"

#define MC_MAX_CHANS 8
#define MC_STRICT_C "kex-strict-c-v00@openssh.com"
#define MC_STRICT_S "kex-strict-s-v00@openssh.com"
#define MC_IN_MAX (64u * 1024u * 1024u)

struct mc_opts {
	const char *cipher;  /* NULL: chacha20-poly1305@openssh.com */
	const char *mac;     /* NULL: hmac-sha2-256-etm@openssh.com */
	const char *kex;     /* NULL: curve25519-sha256 */
	int strict;          /* offer kex-strict-c-v00@openssh.com */
	int ext_info;        /* offer ext-info-c */
	const char *version; /* NULL: SSH-2.0-mini_client */
	int guess;           /* first KEXINIT: first_kex_packet_follows with a guessed ECDH_INIT */
	int manual_ecdh;     /* do not send KEX_ECDH_INIT: the test sends its own */
};

/* A queued message: payload with its message number first. */
struct mc_msg {
	uint8_t type;
	uint32_t seqnr;
	size_t len;
	uint8_t *data;
};

/* The client's view of one channel. */
struct mc_chan {
	uint32_t local_id, remote_id;
	uint32_t init_window;   /* what we advertised */
	uint32_t local_window;  /* what the server may still send us */
	uint32_t local_maxpkt;  /* largest data we accept in one packet */
	uint32_t consumed;      /* received, not yet re-advertised */
	uint32_t remote_window; /* what we may still send */
	uint32_t remote_maxpkt;
	int auto_handle; /* the pump handles this channel's traffic */
	int auto_adjust; /* re-open the window at half-consumed */
	int auto_close;  /* answer CLOSE with CLOSE */
	int confirmed;
	struct hs_buf rx, ext; /* data received on each stream */
	char events[256];      /* D data, E extended, e EOF, x exit-status, s exit-signal, r request, C close */
	size_t nevents;
	int got_eof, got_close, sent_eof, sent_close;
	long exit_status; /* -1 until received */
	uint32_t data_packets;
	size_t largest_data;
	int window_violations, maxpkt_violations, after_eof_violations, overflow_adjusts;
};

struct mc {
	struct hs_conn *conn; /* the server core under test (not owned) */
	struct mc_opts opt;
	struct hs_packet_io pkt; /* rx: from the server, tx: to the server */
	char v_c[256], v_s[256];
	int version_done;
	const struct hs_key *expect_hostkey; /* if set, K_S must be this key */

	/* key exchange */
	struct hs_buf i_c, i_s; /* KEXINIT payloads of this round */
	int sent_kexinit;       /* ours sent in this round */
	int got_kexinit;        /* the server's received in this round */
	int kex_active;         /* our KEXINIT sent, our NEWKEYS not yet */
	int guessed;            /* a guessed ECDH_INIT was sent in this round */
	int guess_right;        /* ... and the RFC 4253 §7 rule says it was right */
	uint8_t x_priv[32], x_pub[32];
	int dh;               /* diffie-hellman-group14-sha256 agreed, not curve25519 */
	int hybrid;           /* 1: mlkem768x25519-sha256, 2: sntrup761x25519-sha512 (either name) */
	uint8_t *kem_sk;      /* the hybrid's KEM secret key (malloc'd) */
	struct hs_buf c_init; /* the hybrid's C_INIT as sent, for H */
	BIGNUM *dh_x;         /* its private exponent */
	struct hs_buf dh_e;   /* and public value */
	char enc_c2s[64], enc_s2c[64], mac_c2s[64], mac_s2c[64];
	struct hs_cipher_ctx next_rx;
	int next_rx_ready;
	uint8_t session_id[HS_MAX_HASH];
	size_t session_id_len;
	int strict;              /* negotiated */
	int server_strict_first; /* server offered kex-strict-s in its first KEXINIT */
	int server_strict_later; /* ... and (wrongly) in a later one */
	int kex_done;            /* server NEWKEYS received */
	int server_kexinits;
	int hostkey_verified;
	int in_server_kex;  /* between the server's KEXINIT and its NEWKEYS */
	int nonkex_in_kex;  /* non-kex messages seen in that window */
	struct hs_buf held; /* our messages held during our key exchange */

	/* EXT_INFO */
	int ext_info_count;
	char server_sig_algs[512];
	int ext_info_has_sig_algs;

	/* received messages for the test */
	struct mc_msg *q;
	size_t qhead, qlen, qcap;
	struct mc_msg cur; /* the last one taken; freed on the next take */
	uint8_t log[8192]; /* every message number received, in order */
	size_t nlog;

	struct mc_chan *chans[MC_MAX_CHANS];

	uint32_t last_tx_seqnr; /* sequence number of our last packet */
	int server_rc;          /* first non-zero hs__conn_feed result */
	int server_closed;
	uint64_t bytes_to_server, bytes_from_server;
	int failed;
	int quiet; /* failures expected: do not print them */
	char err[256];
};

void mc_fail(struct mc *mc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mc_init(struct mc *mc, struct hs_conn *conn, const struct mc_opts *opt);

void mc_chan_init(struct mc_chan *ch, uint32_t local_id, uint32_t window, uint32_t maxpkt);

void mc_chan_cleanup(struct mc_chan *ch);

/* Free the client's state, and the data buffers of registered channels
 * (the channel structs themselves belong to the test). */
void mc_cleanup(struct mc *mc);

/* Send one packet now, whatever the state (for refusal tests too). */
int mc_send_raw(struct mc *mc, uint8_t msg, const void *body, size_t len);

/* Send a packet as a well-behaved client: while our key exchange runs,
 * everything but transport and kex messages waits (RFC 4253 §7.1). */
int mc_send(struct mc *mc, uint8_t msg, const void *body, size_t len);

int mc_send_buf(struct mc *mc, uint8_t msg, const struct hs_buf *b);

/* A scratch buffer for building a message body. Caller frees with
 * hs__buf_cleanup. */
void mc_body(struct hs_buf *b);

/* Start a key exchange (the first one, or a client-initiated rekey). */
int mc_send_kexinit(struct mc *mc);

/* Queue our identification line and first KEXINIT. */
int mc_start(struct mc *mc);

/* --- channels, handled by the pump --- */
void mc_chan_register(struct mc *mc, struct mc_chan *ch);

int mc_window_adjust(struct mc *mc, struct mc_chan *ch, uint32_t add);

int mc_chan_simple(struct mc *mc, struct mc_chan *ch, uint8_t msg);

/* Process every complete packet the server sent (for tests that feed
 * mc->pkt themselves, from a socket). */
void mc_read_all(struct mc *mc);

/* Move bytes both ways until nothing moves. Does not answer pending
 * callbacks: the test does that with hs_conn_answer + hs__conn_resume. */
void mc_pump(struct mc *mc);

/* Connect: identification, first key exchange, EXT_INFO. */
int mc_connect(struct mc *mc);

/* Take the next queued message (NULL if none). The payload view starts
 * after the message number and is valid until the next take. */
const struct mc_msg *mc_take(struct mc *mc, struct hs_view *body);

/* Type of the next queued message, -1 if none. */
int mc_peek(const struct mc *mc);

size_t mc_queued(const struct mc *mc);

/* Take the next message and require its type; 0 if it matches. */
int mc_expect(struct mc *mc, uint8_t type, struct hs_view *body);

/* Drop everything queued. */
void mc_drain(struct mc *mc);

/* --- messages a test sends --- */
int mc_ignore(struct mc *mc, int raw);

int mc_disconnect(struct mc *mc, uint32_t reason, const char *text);

int mc_service_request(struct mc *mc, const char *service);

/* USERAUTH_REQUEST with any method-specific tail. */
int mc_userauth_raw(struct mc *mc, const char *user, const char *service, const char *method, const uint8_t *tail,
                    size_t taillen);

int mc_userauth_none(struct mc *mc, const char *user);

/* publickey without a signature: "would this key do?" (RFC 4252 §7). */
int mc_userauth_pk_query(struct mc *mc, const char *user, const char *alg, const uint8_t *blob, size_t bloblen);

/* publickey with a signature made by signer over the RFC 4252 §7 data for
 * (user, alg, blob). blob NULL: the signer's own public key. */
int mc_userauth_pk_signed(struct mc *mc, const char *user, const struct hs_hostkey *signer, const char *alg,
                          const uint8_t *blob, size_t bloblen);

/* CHANNEL_OPEN of type with our id, window and maximum packet; extra is
 * the type-specific tail. Registers ch with the pump. */
int mc_channel_open(struct mc *mc, struct mc_chan *ch, const char *type, const uint8_t *extra, size_t extralen);

/* Take OPEN_CONFIRMATION for ch from the queue and record the server's
 * side. 0 on success. */
int mc_channel_confirmed(struct mc *mc, struct mc_chan *ch);

/* CHANNEL_REQUEST type with want_reply and a type-specific tail. */
int mc_channel_request(struct mc *mc, struct mc_chan *ch, const char *type, int want_reply, const uint8_t *tail,
                       size_t taillen);

/* One DATA / EXTENDED_DATA packet, window and maximum packet ignored. */
int mc_channel_data_raw(struct mc *mc, struct mc_chan *ch, const void *data, size_t len, enum hs_stream stream);

/* Send what the server's window and maximum packet allow now (nothing
 * while our key exchange runs); returns the bytes sent. */
size_t mc_channel_send(struct mc *mc, struct mc_chan *ch, const void *data, size_t len, enum hs_stream stream);

int mc_global_request(struct mc *mc, const char *name, int want_reply, const uint8_t *tail, size_t taillen);

/* Parse a DISCONNECT body: reason code (0 when malformed). */
uint32_t mc_disconnect_reason(struct hs_view *v, char *text, size_t textlen);

#endif
