/*
 * SSH compression (RFC 4253 §6.2 "zlib", and OpenSSH's "zlib@openssh.com",
 * the same stream started after authentication): one zlib stream per
 * direction for the life of the connection, flushed at every packet.
 * Inflation is bounded per packet, and before authentication per
 * connection, so a zlib bomb ends only its own connection.
 */
#ifndef HS_TRANSPORT_COMPRESS_H
#define HS_TRANSPORT_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

enum hs_comp {
	HS_COMP_NONE = 0,
	HS_COMP_ZLIB,
	HS_COMP_ZLIB_OPENSSH
};

struct hs_zstream;

/* The method for a negotiated name, or -1. */
int hs__comp_by_name(const char *name);

/* A new stream (deflate: compressor, else decompressor); NULL on failure. */
struct hs_zstream *hs__z_new(int deflate);
void hs__z_free(struct hs_zstream *z);

/* Compress n bytes, appending them to out, flushed so the peer can
 * decompress this packet on its own (Z_PARTIAL_FLUSH, as OpenSSH). */
int hs__z_deflate(struct hs_zstream *z, const uint8_t *in, size_t n, struct hs_buf *out) HS_MUST_CHECK;

/* Decompress n bytes, appending at most max_out bytes to out;
 * HS_ERR_COMPRESSION for bad data or more than max_out. */
int hs__z_inflate(struct hs_zstream *z, const uint8_t *in, size_t n, struct hs_buf *out, size_t max_out) HS_MUST_CHECK;

#endif
