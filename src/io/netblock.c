/*
 * Netblocks (io/netblock.h): masking, comparing, hashing, text both ways.
 */
#include "io/netblock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An IPv4 peer on an IPv6 socket: ::ffff:a.b.c.d (RFC 4291 §2.5.5.2). */
static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static unsigned width(unsigned family)
{
	return family == 4 ? 32u : 128u;
}

int hs__netblock_from_sockaddr(const struct sockaddr *sa, struct hs_netblock *addr, int *port)
{
	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		addr->family = 4;
		memcpy(addr->addr, &a->sin_addr, 4);
		*port = ntohs(a->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = a->sin6_addr.s6_addr;
		if (memcmp(b, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
			addr->family = 4;
			memcpy(addr->addr, b + 12, 4);
		} else {
			addr->family = 6;
			memcpy(addr->addr, b, 16);
		}
		*port = ntohs(a->sin6_port);
	} else {
		return HS_ERR_INVALID_ARG;
	}
	addr->bits = (uint8_t)width(addr->family);
	return 0;
}

/* Zero every bit of a past the first bits. */
static void clear_host_bits(uint8_t a[16], unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned start = i * 8;
		if (start >= bits)
			a[i] = 0;
		else if (bits - start < 8)
			a[i] &= (uint8_t)(0xffu << (8 - (bits - start)));
	}
}

struct hs_netblock hs__netblock_mask(const struct hs_netblock *addr, unsigned bits4, unsigned bits6)
{
	struct hs_netblock n = *addr;
	unsigned bits = addr->family == 4 ? bits4 : bits6;
	if (bits > width(addr->family))
		bits = width(addr->family);
	if (bits < n.bits) {
		n.bits = (uint8_t)bits;
		clear_host_bits(n.addr, bits);
	}
	return n;
}

int hs__netblock_equal(const struct hs_netblock *a, const struct hs_netblock *b)
{
	return a->family == b->family && a->bits == b->bits && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

int hs__netblock_contains(const struct hs_netblock *net, const struct hs_netblock *addr)
{
	if (net->family != addr->family || addr->bits < net->bits)
		return 0;
	struct hs_netblock m = hs__netblock_mask(addr, net->bits, net->bits);
	return memcmp(m.addr, net->addr, sizeof m.addr) == 0;
}

/* SplitMix64's finaliser (Steele, Lea, Flood 2014): every input bit moves
 * every output bit. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

uint64_t hs__netblock_hash(const struct hs_netblock *n, uint64_t key)
{
	uint64_t lo, hi;
	memcpy(&lo, n->addr, 8);
	memcpy(&hi, n->addr + 8, 8);
	uint64_t h = mix(key ^ ((uint64_t)n->family << 8 | n->bits));
	h = mix(h ^ lo);
	return mix(h ^ hi);
}

static void address_text(const struct hs_netblock *n, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, a, sizeof a) == NULL)
		snprintf(a, sizeof a, "?");
	snprintf(out, outlen, "%s", a);
}

void hs__netblock_format(const struct hs_netblock *n, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	address_text(n, a, sizeof a);
	if (n->bits == width(n->family))
		snprintf(out, outlen, "%s", a);
	else
		snprintf(out, outlen, "%s/%u", a, (unsigned)n->bits);
}

void hs__netblock_peer_text(const struct hs_netblock *addr, int port, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	address_text(addr, a, sizeof a);
	if (addr->family == 4)
		snprintf(out, outlen, "%s:%d", a, port);
	else
		snprintf(out, outlen, "[%s]:%d", a, port);
}

int hs__netblock_parse(const char *text, size_t len, struct hs_netblock *out)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(text, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - text) : len;
	unsigned bits = 0;
	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return HS_ERR_INVALID_ARG;
	memcpy(a, text, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, a, out->addr) == 1)
		out->family = 6;
	else
		return HS_ERR_INVALID_ARG;
	if (slash == NULL) {
		bits = width(out->family);
	} else {
		size_t i = (size_t)(slash - text) + 1;
		if (i >= len || len - i > 3)
			return HS_ERR_INVALID_ARG;
		for (; i < len; i++) {
			if (text[i] < '0' || text[i] > '9')
				return HS_ERR_INVALID_ARG;
			bits = bits * 10 + (unsigned)(text[i] - '0');
		}
		if (bits > width(out->family))
			return HS_ERR_INVALID_ARG;
	}
	/* the address as written must be the network's */
	out->bits = (uint8_t)width(out->family);
	struct hs_netblock m = hs__netblock_mask(out, bits, bits);
	if (memcmp(m.addr, out->addr, sizeof m.addr) != 0)
		return HS_ERR_INVALID_ARG;
	out->bits = (uint8_t)bits;
	return 0;
}

int hs__netblock_parse_list(const char *setting, const char *text, struct hs_netblock **out, size_t *n, char *err,
                            size_t errlen)
{
	struct hs_netblock *v = NULL;
	size_t count = 0, cap = 0;
	const char *p = text;
	*out = NULL;
	*n = 0;
	if (*text == '\0') {
		snprintf(err, errlen, "%s is empty: name at least one address or network", setting);
		return HS_ERR_INVALID_ARG;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		struct hs_netblock nb;
		if (len == 0) {
			snprintf(err, errlen, "%s: empty item in the list \"%s\"", setting, text);
			goto fail;
		}
		if (hs__netblock_parse(p, len, &nb) != 0) {
			snprintf(err, errlen,
			         "%s: \"%.*s\" is not an address or a network (ADDR or ADDR/BITS, host bits zero)",
			         setting, (int)(len > 64 ? 64 : len), p);
			goto fail;
		}
		if (count == HS_NETBLOCK_LIST_MAX) {
			snprintf(err, errlen, "%s: more than %u networks", setting, HS_NETBLOCK_LIST_MAX);
			goto fail;
		}
		if (count == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			struct hs_netblock *nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL) {
				free(v);
				return HS_ERR_ALLOC;
			}
			v = nv;
			cap = ncap;
		}
		v[count++] = nb;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = v;
	*n = count;
	return 0;
fail:
	free(v);
	return HS_ERR_INVALID_ARG;
}

int hs__netblock_list_contains(const struct hs_netblock *list, size_t n, const struct hs_netblock *addr)
{
	for (size_t i = 0; i < n; i++)
		if (hs__netblock_contains(&list[i], addr))
			return 1;
	return 0;
}
