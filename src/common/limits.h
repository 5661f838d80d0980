/*
 * Every hard limit of the engine, in one place. The ranges and defaults of
 * what a configuration may change are public (hostsd/limits.h); the rest
 * are here. Where one limit bounds another, a static assertion ties them.
 */
#ifndef HS_COMMON_LIMITS_H
#define HS_COMMON_LIMITS_H

#include "hostsd/limits.h"

/* Identification line: RFC 4253 §4.2 allows 255 bytes including CR LF. */
#define HS_MAX_IDENT_LINE 255

/* What we put after "SSH-2.0-" (the build sets it from the project
 * version). */
#ifndef HS_SOFTWARE_VERSION
#error "HS_SOFTWARE_VERSION must come from the build"
#endif

/* Largest tag/MAC we append (hmac-sha2-512). */
#define HS_MAX_TAG 64

/* Largest hash output (SHA-512): exchange hashes, session identifiers. */
#define HS_MAX_HASH 64

/* Pending packets we keep while a callback answer is awaited: the input
 * buffer may hold this many bytes beyond one maximum packet. */
#define HS_INPUT_SLACK 65536u

/* Bytes read from a socket at once (straight into the input buffer). */
#define HS_READ_CHUNK 65536u

/* Output queue: writes stop being accepted above HIGH; write_ready fires
 * once it drains below LOW. The hard cap ends the connection. */
#define HS_OUTPUT_HIGH (1024u * 1024u)
#define HS_OUTPUT_LOW (256u * 1024u)
#define HS_OUTPUT_CAP (8u * 1024u * 1024u)
_Static_assert(HS_OUTPUT_LOW < HS_OUTPUT_HIGH && HS_OUTPUT_HIGH < HS_OUTPUT_CAP, "output queue marks out of order");

/* Messages held back while a key exchange is in progress. */
#define HS_HELD_MAX (256u * 1024u)

/* Packets allowed before authentication completes (beyond this, the peer
 * is stalling us). */
#define HS_MAX_PREAUTH_PACKETS 1024u

/* Key exchanges a peer may run before authenticating (the first one and
 * one rekey): each may be an 8192-bit DH computation. */
#define HS_MAX_PREAUTH_KEX 2

/* Bytes a peer may make us inflate before it has authenticated. */
#define HS_MAX_PREAUTH_INFLATE (1024u * 1024u)

/* KEXINIT: one name-list, and the whole payload (kept for the exchange
 * hash): ten name-lists, the cookie and the fixed fields. */
#define HS_MAX_NAMELIST 4096u
#define HS_MAX_KEXINIT (10u * (4u + HS_MAX_NAMELIST) + 64u)

/* Protocol names (algorithms, services, methods, channel and request
 * types): RFC 4251 §6 allows at most 64 characters. */
#define HS_MAX_NAME 64u

/* Authentication. */
#define HS_MAX_USERNAME 256u
/* A public key blob or a signature blob in a userauth request: the largest
 * key we accept (RSA 16384 bits) is about 2 KiB; this leaves room. */
#define HS_MAX_KEY_BLOB 16384u
#define HS_MAX_SIG_BLOB 16384u
/* The data a publickey signature covers (RFC 4252 §7): session id, names
 * and the key blob. */
#define HS_MAX_SIGNED_DATA (HS_MAX_HASH + HS_MAX_USERNAME + 4u * HS_MAX_NAME + HS_MAX_KEY_BLOB + 64u)
/* Why the engine refused a key (hs_conn_auth_refusal). */
#define HS_MAX_REFUSAL 128u

/* Text we keep of a DISCONNECT: the peer's description, and ours. */
#define HS_MAX_PEER_DESCRIPTION 128u
#define HS_MAX_CLOSE_REASON 160u
/* A peer address as text: "[IPv6]:port". */
#define HS_MAX_PEER_TEXT 64u

/* Channels. */
#define HS_CHANNEL_WINDOW (2u * 1024u * 1024u) /* our receive window */
#define HS_CHANNEL_MAX_PACKET 32768u           /* largest data we accept */
#define HS_PEER_MAX_PACKET_CAP 32768u          /* largest data we send */
#define HS_PEER_MAX_PACKET_MIN 64u             /* smaller is refused */
#define HS_MAX_REQUEST_STRING 4096u            /* command, env value ... */
#define HS_MAX_TERM_NAME 256u                  /* pty-req TERM */
#define HS_MAX_ENV_NAME 256u                   /* env name */
#define HS_MAX_SIGNAL_NAME 64u                 /* signal name, without "SIG" */
#define HS_MAX_HOST_NAME 256u                  /* direct-tcpip, tcpip-forward addresses */
_Static_assert(HS_CHANNEL_MAX_PACKET + 64u <= HS_MAX_PACKET_SIZE_MIN,
               "channel data must fit the smallest packet limit");
_Static_assert(HS_CHANNEL_MAX_PACKET <= HS_CHANNEL_WINDOW, "one packet must fit the window");

/* Rekeying: packets in one direction under one set of keys. */
#define HS_REKEY_PACKETS (1u << 31)

/* Key exchange scratch: the method's fields of the exchange hash and its
 * reply value (an 8192-bit mpint is 1025 bytes), and a host key blob or
 * signature (Ed25519: under 100 bytes). */
#define HS_MAX_KEX_HASHPART 4096u
#define HS_MAX_KEX_REPLY 2048u
#define HS_MAX_KEX_SECRET 2048u
#define HS_MAX_HOSTKEY_BLOB 1024u

/* Listener: the backlog of accepted-but-not-taken connections, and how
 * long a closing connection may take to send its last bytes. */
#define HS_LISTEN_BACKLOG 128
#define HS_CLOSE_FLUSH_MS 5000u

/* TCP keepalive probes, once tcp_keepalive_seconds of silence have
 * passed: this many, this far apart, before the kernel gives up. */
#define HS_TCP_KEEPALIVE_INTERVAL 15
#define HS_TCP_KEEPALIVE_PROBES 4

/* Per-source penalties (io/preauth.h): an open-addressed table of
 * HS_PENALTY_SLOTS, at most HS_PENALTY_SOURCES of them in use. */
#define HS_PENALTY_SLOTS 4096u
#define HS_PENALTY_SOURCES 3072u
_Static_assert((HS_PENALTY_SLOTS & (HS_PENALTY_SLOTS - 1)) == 0, "the penalty table's size is a power of two");
_Static_assert(HS_PENALTY_SOURCES < HS_PENALTY_SLOTS, "the penalty table needs empty slots");
/* A penalty's offences count double each time it comes into force again,
 * at most 2^HS_PENALTY_MAX_DOUBLINGS times as much. */
#define HS_PENALTY_MAX_DOUBLINGS 10

/* The sources that authenticated lately (io/preauth.h): their first key
 * exchanges queue with authenticated peers', and random early drop spares
 * them. */
#define HS_KNOWN_SOURCES 256u
#define HS_KNOWN_SOURCE_MS (7ull * 24 * 3600 * 1000)

/* The agent server (hostsd/agent.h): requests of one connection waiting
 * for their signature or for their answer to be written. Beyond this it
 * reads nothing more until the oldest answers are out, so a peer that
 * pipelines requests and reads no answers holds this many at most. */
#define HS_AGENT_SERVER_MAX_QUEUE 64u

#endif
