/*
 * hostsd — the range and default of every numeric setting of struct
 * hs_config. hs_config_init() fills the defaults; hs_config_check() and
 * hs_listener_new() refuse a value outside its range. A program that lets
 * its users set these (the hostsd program's configuration file and command
 * line) takes the ranges from here, so that each exists once.
 */
#ifndef HOSTSD_LIMITS_H
#define HOSTSD_LIMITS_H

/* max_packet_size: the largest incoming packet_length (RFC 4253 §6.1
 * requires at least 35000). */
#define HS_MAX_PACKET_SIZE_DEFAULT 262144u
#define HS_MAX_PACKET_SIZE_MIN 35000u
#define HS_MAX_PACKET_SIZE_MAX (1024u * 1024u)

/* max_channels: channels open at once on one connection. */
#define HS_MAX_CHANNELS_DEFAULT 64u
#define HS_MAX_CHANNELS_MIN 1u
#define HS_MAX_CHANNELS_MAX 1024u

/* max_auth_tries: failed publickey attempts before the connection ends. */
#define HS_MAX_AUTH_TRIES_DEFAULT 6u
#define HS_MAX_AUTH_TRIES_MIN 1u
#define HS_MAX_AUTH_TRIES_MAX 100u

/* login_grace_seconds: time from accept to authenticated. */
#define HS_LOGIN_GRACE_DEFAULT 120u
#define HS_LOGIN_GRACE_MIN 1u
#define HS_LOGIN_GRACE_MAX 3600u

/* kex_timeout_seconds: time to finish a key exchange, the first (from
 * accept) and every rekey (from its first KEXINIT), apart from the login
 * grace time, so that a peer cannot hold an exchange open. */
#define HS_KEX_TIMEOUT_DEFAULT 20u
#define HS_KEX_TIMEOUT_MIN 1u
#define HS_KEX_TIMEOUT_MAX 600u

/* rekey_bytes / rekey_seconds: a new key exchange after this much data
 * in either direction, or this much time. */
#define HS_REKEY_BYTES_DEFAULT (1024ull * 1024ull * 1024ull)
#define HS_REKEY_BYTES_MIN 16384ull
#define HS_REKEY_BYTES_MAX (64ull * 1024ull * 1024ull * 1024ull)
#define HS_REKEY_SECONDS_DEFAULT 3600u
#define HS_REKEY_SECONDS_MIN 1u
#define HS_REKEY_SECONDS_MAX 86400u

/* max_unauthenticated / max_unauthenticated_per_source: connections that
 * have not authenticated yet, on the listener and from one source. */
#define HS_MAX_UNAUTH_DEFAULT 64u
#define HS_MAX_UNAUTH_PER_SOURCE_DEFAULT 16u
#define HS_MAX_UNAUTH_MIN 1u
#define HS_MAX_UNAUTH_MAX 100000u

/* max_dh_computations: finite-field key exchanges computing at once per
 * listener (a group18 exchange costs about 20 ms of CPU, and libuv's
 * thread pool is shared with the application's work). */
#define HS_MAX_DH_DEFAULT 2u
#define HS_MAX_DH_MIN 1u
#define HS_MAX_DH_MAX 64u

/* keepalive_seconds (0: off) / keepalive_max_missed: ask a silent
 * authenticated peer for a reply; give up after this many unanswered. */
#define HS_KEEPALIVE_DEFAULT 0u
#define HS_KEEPALIVE_MAX 86400u
#define HS_KEEPALIVE_MAX_MISSED_DEFAULT 3u
#define HS_KEEPALIVE_MAX_MISSED_MIN 1u
#define HS_KEEPALIVE_MAX_MISSED_MAX 100u

#endif
