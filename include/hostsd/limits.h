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

/* source_netblock_ipv4 / source_netblock_ipv6: the prefix length under
 * which addresses count as one source, for max_unauthenticated_per_source,
 * penalties and the memory of known sources (OpenSSH's
 * PerSourceNetBlockSize). An IPv4 peer on an IPv6 socket (::ffff:a.b.c.d)
 * counts by its IPv4 address. One IPv6 host usually owns a whole /64. */
#define HS_SOURCE_NETBLOCK_IPV4_DEFAULT 32u
#define HS_SOURCE_NETBLOCK_IPV4_MAX 32u
#define HS_SOURCE_NETBLOCK_IPV6_DEFAULT 64u
#define HS_SOURCE_NETBLOCK_IPV6_MAX 128u
#define HS_SOURCE_NETBLOCK_MIN 1u

/* early_drop_start / early_drop_rate (OpenSSH's MaxStartups
 * START:RATE:FULL, FULL being max_unauthenticated): from early_drop_start
 * unauthenticated connections on, a new one is refused with probability
 * early_drop_rate percent, rising linearly to 100 at max_unauthenticated.
 * The default start is max_unauthenticated itself: no random drop, only the
 * cap. */
#define HS_EARLY_DROP_RATE_DEFAULT 30u
#define HS_EARLY_DROP_RATE_MIN 1u
#define HS_EARLY_DROP_RATE_MAX 100u

/* Per-source penalties (OpenSSH 9.8's PerSourcePenalties): a connection
 * that ends unauthenticated after a failed authentication attempt
 * (authfail), at the login grace time (grace), or on a protocol error of
 * the peer (malformed: a bad identification line, packet, MAC or message)
 * adds that many seconds to its source's penalty (0: nothing). Once more
 * than penalty_min_seconds are outstanding, the source's connections are
 * refused until the penalty has run out; it never exceeds
 * penalty_max_seconds. Outstanding seconds run out in real time, so a
 * source that offends more slowly than its penalties run out is never
 * refused: the defaults let a host fail 7 logins (or break the protocol 7
 * times) in quick succession; the 8th has it refused for about 30 s. Each
 * time a source comes to be refused, its later offences count double
 * (until it is forgotten, penalty_max_seconds after its last penalty ran
 * out). */
#define HS_PENALTY_AUTHFAIL_DEFAULT 4u
#define HS_PENALTY_GRACE_DEFAULT 10u
#define HS_PENALTY_MALFORMED_DEFAULT 4u
#define HS_PENALTY_SECONDS_MAX 86400u
#define HS_PENALTY_MIN_DEFAULT 30u
#define HS_PENALTY_MIN_MIN 1u
#define HS_PENALTY_MIN_MAX 86399u /* below the largest maximum */
#define HS_PENALTY_MAX_DEFAULT 600u
#define HS_PENALTY_MAX_MIN 2u /* above the smallest minimum */
#define HS_PENALTY_MAX_MAX 86400u

/* tcp_keepalive_seconds (0: off): idle seconds before the kernel probes a
 * silent peer (SO_KEEPALIVE; Linux allows at most 32767). */
#define HS_TCP_KEEPALIVE_DEFAULT 60u
#define HS_TCP_KEEPALIVE_MAX 32767u

/* idle_timeout_seconds (0: off): an authenticated connection with no
 * channel data in either direction for this long is closed. */
#define HS_IDLE_TIMEOUT_DEFAULT 0u
#define HS_IDLE_TIMEOUT_MAX 604800u

#endif
