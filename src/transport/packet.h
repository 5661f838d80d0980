/*
 * The SSH binary packet protocol (RFC 4253 §6): framing, padding, sequence
 * numbers and packet protection, for both directions of one connection.
 * Incoming bytes are decrypted in place in the input buffer; outgoing
 * packets are built in place in the output buffer and sealed there, so the
 * data path allocates nothing per packet.
 */
#ifndef HS_TRANSPORT_PACKET_H
#define HS_TRANSPORT_PACKET_H

#include <stdint.h>

#include "crypto/cipher.h"
#include "transport/compress.h"
#include "wire/buf.h"

struct hs_packet_dir {
	struct hs_cipher_ctx cipher;
	int active; /* cipher set (after NEWKEYS) */
	uint32_t seqnr;
	uint64_t bytes;        /* since the last key exchange */
	uint64_t packets;      /* since the last key exchange */
	struct hs_zstream *z;  /* compression, once active */
	uint64_t inflate_left; /* bytes we may still inflate; UINT64_MAX: no cap */
};

struct hs_packet_io {
	struct hs_packet_dir rx, tx;
	struct hs_buf in;    /* raw bytes from the peer */
	struct hs_buf out;   /* sealed bytes for the peer */
	uint32_t max_packet; /* largest packet_length accepted */
	uint32_t rx_len;     /* packet_length of the packet being read, 0 if unknown */
	size_t rx_total;     /* bytes of that packet incl. length field and tag */
	int rx_ready;        /* a decrypted packet awaits hs__packet_done */
	size_t tx_mark;      /* start of the packet being built */
	int tx_building;
	int (*random)(uint8_t *p, size_t n); /* padding source */
	struct hs_buf ztx;                   /* compressed payload being framed */
	struct hs_buf zrx;                   /* inflated payload of the packet being read */
};

/* max_packet: largest incoming packet_length; out_max: output queue cap. */
void hs__packet_init(struct hs_packet_io *io, uint32_t max_packet, size_t out_max);
void hs__packet_cleanup(struct hs_packet_io *io);

/* Append received bytes (bounded by the input buffer's maximum). */
int hs__packet_feed(struct hs_packet_io *io, const uint8_t *data, size_t len) HS_MUST_CHECK;

/* If a whole packet is buffered, verify and decrypt it and give a view of
 * its payload (message number first) and its sequence number. The view is
 * valid until hs__packet_done(). HS_ERR_NEED_MORE when incomplete;
 * HS_ERR_MAC, HS_ERR_FORMAT or HS_ERR_LIMIT when the connection must end. */
int hs__packet_read(struct hs_packet_io *io, struct hs_view *payload, uint32_t *seqnr) HS_MUST_CHECK;
/* Drop the packet returned by hs__packet_read. */
void hs__packet_done(struct hs_packet_io *io);

/* Start building a packet with message number msg: the payload is then
 * appended to io->out with the hs__buf_put_* functions. */
int hs__packet_begin(struct hs_packet_io *io, uint8_t msg) HS_MUST_CHECK;
/* Pad, number and seal the packet being built. */
int hs__packet_finish(struct hs_packet_io *io) HS_MUST_CHECK;
/* Abandon the packet being built. */
void hs__packet_abort(struct hs_packet_io *io);

/* Start compressing (deflate=1, our output) or decompressing this
 * direction with a fresh stream (a running one is replaced: peers restart
 * their streams at every NEWKEYS, as OpenSSH does). */
int hs__packet_start_compression(struct hs_packet_io *io, struct hs_packet_dir *dir, int deflate) HS_MUST_CHECK;

/* Install new keys for one direction (takes ownership of ctx's state);
 * reset_seqnr for strict key exchange. */
void hs__packet_set_cipher(struct hs_packet_dir *dir, struct hs_cipher_ctx *ctx, int reset_seqnr);

#endif
