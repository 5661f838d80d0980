/*
 * Peer addresses as the listener counts them: a netblock is an IPv4 or
 * IPv6 address masked to a prefix, and a source is the netblock a peer's
 * address falls in (source_netblock_ipv4 / _ipv6). A peer that reaches an
 * IPv6 socket from IPv4 (::ffff:a.b.c.d) is an IPv4 address here, so that
 * on a dual-stack listener every IPv4 host is its own source and not one
 * IPv6 /64. Also lists of netblocks as text ("192.0.2.0/24,2001:db8::/32"),
 * for penalty_exempt. Plain data: no socket, no loop, no allocation but
 * the list's.
 */
#ifndef HS_IO_NETBLOCK_H
#define HS_IO_NETBLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "hostsd/error.h"

struct hs_netblock {
	uint8_t family;   /* 4 or 6 */
	uint8_t bits;     /* prefix length: 32 or 128 for one address */
	uint8_t addr[16]; /* the address with every bit past the prefix zero;
	                     IPv4 in the first 4 bytes, the rest zero */
};

/* "ADDR" for one address, else "ADDR/BITS": the longest is an IPv6
 * address with "/128". */
#define HS_NETBLOCK_TEXT 52u

/* The peer's address in sa as one address (an IPv4-mapped IPv6 address
 * as IPv4), and its port. HS_ERR_INVALID_ARG for another family. */
int hs__netblock_from_sockaddr(const struct sockaddr *sa, struct hs_netblock *addr, int *port) HS_MUST_CHECK;

/* The netblock of addr with bits4 (IPv4) or bits6 (IPv6) prefix bits,
 * each at most the family's width. */
struct hs_netblock hs__netblock_mask(const struct hs_netblock *addr, unsigned bits4, unsigned bits6);

/* The same netblock? Does net hold addr (a netblock no wider than it, of
 * the same family)? */
int hs__netblock_equal(const struct hs_netblock *a, const struct hs_netblock *b);
int hs__netblock_contains(const struct hs_netblock *net, const struct hs_netblock *addr);

/* A hash of n under key (a secret of the table, so that peers cannot
 * choose addresses that collide). */
uint64_t hs__netblock_hash(const struct hs_netblock *n, uint64_t key);

/* n as text: "ADDR" for one address, else "ADDR/BITS" (out: at least
 * HS_NETBLOCK_TEXT bytes). */
void hs__netblock_format(const struct hs_netblock *n, char *out, size_t outlen);

/* addr (one address) with its port, as the core shows a peer:
 * "ADDR:PORT", or "[ADDR]:PORT" for IPv6. */
void hs__netblock_peer_text(const struct hs_netblock *addr, int port, char *out, size_t outlen);

/* One netblock from text: an IPv4 or IPv6 address, optionally "/BITS"
 * (without it: that one address). Bits set past the prefix are an error
 * ("192.0.2.1/24" is a mistake for "192.0.2.0/24"). 0 or
 * HS_ERR_INVALID_ARG. */
int hs__netblock_parse(const char *text, size_t len, struct hs_netblock *out) HS_MUST_CHECK;

/* A list of netblocks separated by commas (no blanks, no empty item, at
 * most HS_NETBLOCK_LIST_MAX). On success *out (malloc'd; NULL when n is
 * 0) and *n; on error a sentence naming setting in err. */
#define HS_NETBLOCK_LIST_MAX 256u
int hs__netblock_parse_list(const char *setting, const char *text, struct hs_netblock **out, size_t *n, char *err,
                            size_t errlen) HS_MUST_CHECK;

/* Does any netblock of the list hold addr? */
int hs__netblock_list_contains(const struct hs_netblock *list, size_t n, const struct hs_netblock *addr);

#endif
