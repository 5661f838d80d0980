/*
 * Every hard limit of the engine, in one place. Values that a configuration
 * may change have their default here and their ceiling beside it.
 */
#ifndef HS_COMMON_LIMITS_H
#define HS_COMMON_LIMITS_H

/* Identification line: RFC 4253 §4.2 allows 255 bytes including CR LF. */
#define HS_MAX_IDENT_LINE 255

/* Incoming packet_length (RFC 4253 §6.1 requires at least 35000). */
#define HS_DEFAULT_MAX_PACKET 262144u
#define HS_MIN_MAX_PACKET 35000u
#define HS_CEIL_MAX_PACKET (1024u * 1024u)

/* Largest tag/MAC we append (hmac-sha2-512). */
#define HS_MAX_TAG 64

/* Pending packets we keep while a callback answer is awaited: the input
 * buffer may hold this many bytes beyond one maximum packet. */
#define HS_INPUT_SLACK 65536u

/* Output queue: writes stop being accepted above HIGH; write_ready fires
 * once it drains below LOW. The hard cap ends the connection. */
#define HS_OUTPUT_HIGH (1024u * 1024u)
#define HS_OUTPUT_LOW (256u * 1024u)
#define HS_OUTPUT_CAP (8u * 1024u * 1024u)

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

/* KEXINIT: name-lists and the whole message. */
#define HS_MAX_NAMELIST 4096u

/* Authentication. */
#define HS_DEFAULT_MAX_AUTH_TRIES 6u
#define HS_MAX_USERNAME 256u
#define HS_DEFAULT_LOGIN_GRACE 120u

/* Channels. */
#define HS_DEFAULT_MAX_CHANNELS 64u
#define HS_CEIL_MAX_CHANNELS 1024u
#define HS_CHANNEL_WINDOW (2u * 1024u * 1024u)   /* our receive window */
#define HS_CHANNEL_MAX_PACKET 32768u             /* largest data we accept */
#define HS_PEER_MAX_PACKET_CAP 32768u            /* largest data we send */
#define HS_PEER_MAX_PACKET_MIN 64u               /* smaller is refused */
#define HS_MAX_REQUEST_STRING 4096u              /* command, env value ... */

/* Rekeying. */
#define HS_DEFAULT_REKEY_BYTES (1024ull * 1024ull * 1024ull)
#define HS_DEFAULT_REKEY_SECONDS 3600u
#define HS_REKEY_PACKETS (1u << 31)

/* Listener-wide pre-authentication caps. */
#define HS_DEFAULT_MAX_UNAUTH 64u
#define HS_DEFAULT_MAX_UNAUTH_PER_SOURCE 16u
/* Finite-field DH exchanges computing at once per listener (the rest wait
 * in order): a group18 exchange costs about 20 ms of CPU, and
 * libuv's thread pool (4 threads by default) is shared with the
 * application's work. */
#define HS_DEFAULT_MAX_DH 2u
#define HS_MAX_MAX_DH 64u

#endif
