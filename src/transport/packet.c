/*
 * Binary packet protocol. A packet is
 *   uint32 packet_length, byte padding_length, payload, padding, [tag]
 * Before the first NEWKEYS nothing is encrypted and the padding multiple is
 * 8; afterwards the cipher context does the work. Lengths from the wire are
 * checked against max_packet before anything is waited for or allocated.
 */
#include "transport/packet.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/limits.h"

#define MIN_PADDING 4
#define PLAIN_BLOCK 8

static int default_random(uint8_t *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : HS_ERR_CRYPTO;
}

void hs__packet_init(struct hs_packet_io *io, uint32_t max_packet, size_t out_max)
{
	memset(io, 0, sizeof(*io));
	io->max_packet = max_packet;
	hs__buf_init(&io->in, (size_t)max_packet + 4 + HS_MAX_TAG + HS_INPUT_SLACK, 0);
	hs__buf_init(&io->out, out_max, 0);
	io->random = default_random;
	io->rx.inflate_left = UINT64_MAX;
	hs__buf_init(&io->ztx, out_max, 0);
	hs__buf_init(&io->zrx, max_packet, 1);
}

int hs__packet_start_compression(struct hs_packet_io *io, struct hs_packet_dir *dir, int deflate)
{
	hs__z_free(dir->z);
	dir->z = hs__z_new(deflate);
	return dir->z != NULL ? 0 : HS_ERR_ALLOC;
}

void hs__packet_cleanup(struct hs_packet_io *io)
{
	hs__cipher_cleanup(&io->rx.cipher);
	hs__cipher_cleanup(&io->tx.cipher);
	hs__z_free(io->rx.z);
	hs__z_free(io->tx.z);
	io->zrx.secret = 1;
	io->ztx.secret = 1;
	hs__buf_cleanup(&io->zrx);
	hs__buf_cleanup(&io->ztx);
	/* Decrypted plaintext may linger in the input buffer: wipe it. */
	io->in.secret = 1;
	hs__buf_cleanup(&io->in);
	hs__buf_cleanup(&io->out);
}

int hs__packet_feed(struct hs_packet_io *io, const uint8_t *data, size_t len)
{
	return hs__buf_put(&io->in, data, len);
}

static size_t dir_block(const struct hs_packet_dir *d)
{
	size_t b = d->active ? hs__cipher_block_size(&d->cipher) : PLAIN_BLOCK;
	return b < PLAIN_BLOCK ? PLAIN_BLOCK : b;
}

static size_t dir_tag(const struct hs_packet_dir *d)
{
	return d->active ? hs__cipher_tag_len(&d->cipher) : 0;
}

/* Whether the length field counts towards the padding multiple: for
 * unencrypted and encrypt-and-MAC packets (RFC 4253 §6); AEAD and
 * encrypt-then-MAC modes exclude it. */
static int length_in_block(const struct hs_packet_dir *d)
{
	return !d->active || hs__cipher_length_in_block(&d->cipher);
}

int hs__packet_read(struct hs_packet_io *io, struct hs_view *payload, uint32_t *seqnr)
{
	struct hs_packet_dir *d = &io->rx;
	int r;
	if (io->rx_ready)
		return HS_ERR_INTERNAL;
	if (io->rx_len == 0) {
		if (hs__buf_len(&io->in) < 4)
			return HS_ERR_NEED_MORE;
		uint32_t plen;
		if (d->active) {
			if ((r = hs__cipher_peek_length(&d->cipher, d->seqnr, hs__buf_ptr(&io->in), &plen)) != 0)
				return r;
		} else {
			struct hs_view v = hs__view_make(hs__buf_ptr(&io->in), 4);
			if ((r = hs__view_get_u32(&v, &plen)) != 0)
				return r;
		}
		/* RFC 4253 §6: padding_length byte + at least 4 bytes padding. */
		if (plen < 1 + MIN_PADDING || plen > io->max_packet)
			return HS_ERR_LIMIT;
		size_t block = dir_block(d);
		size_t covered = length_in_block(d) ? (size_t)plen + 4 : (size_t)plen;
		if (covered % block != 0)
			return HS_ERR_FORMAT;
		io->rx_len = plen;
		io->rx_total = 4 + (size_t)plen + dir_tag(d);
	}
	if (hs__buf_len(&io->in) < io->rx_total)
		return HS_ERR_NEED_MORE;
	uint8_t *pkt = hs__buf_ptr(&io->in);
	size_t plain_len = 4 + (size_t)io->rx_len;
	if (d->active) {
		if ((r = hs__cipher_open(&d->cipher, d->seqnr, pkt, plain_len, pkt + plain_len)) != 0)
			return r;
	}
	struct hs_view v = hs__view_make(pkt + 4, io->rx_len);
	uint8_t padlen;
	if ((r = hs__view_get_u8(&v, &padlen)) != 0)
		return r;
	if (padlen < MIN_PADDING || (size_t)padlen + 1 >= io->rx_len)
		return HS_ERR_FORMAT; /* also requires a payload of >= 1 byte */
	*payload = hs__view_make(pkt + 5, io->rx_len - 1 - padlen);
	if (d->z != NULL) {
		/* inflate into zrx, at most one maximum packet per packet, and
		 * no more than the connection's remaining allowance */
		size_t cap = io->max_packet;
		if (d->inflate_left < cap)
			cap = (size_t)d->inflate_left;
		hs__buf_reset(&io->zrx);
		if ((r = hs__z_inflate(d->z, payload->ptr, payload->len, &io->zrx, cap)) != 0)
			return r;
		if (hs__buf_len(&io->zrx) == 0)
			return HS_ERR_FORMAT;
		if (d->inflate_left != UINT64_MAX)
			d->inflate_left -= hs__buf_len(&io->zrx);
		*payload = hs__buf_view(&io->zrx);
	}
	*seqnr = d->seqnr;
	d->seqnr++;
	d->packets++;
	d->bytes += io->rx_total;
	io->rx_ready = 1;
	return 0;
}

void hs__packet_done(struct hs_packet_io *io)
{
	if (!io->rx_ready)
		return;
	/* The plaintext was only needed by the handler; wipe it now. */
	OPENSSL_cleanse(hs__buf_ptr(&io->in), io->rx_total);
	if (hs__buf_consume(&io->in, io->rx_total) != 0)
		hs__buf_reset(&io->in); /* cannot happen: rx_total bytes were there */
	io->rx_ready = 0;
	io->rx_len = 0;
	io->rx_total = 0;
}

int hs__packet_begin(struct hs_packet_io *io, uint8_t msg)
{
	if (io->tx_building)
		return HS_ERR_INTERNAL;
	io->tx_mark = hs__buf_len(&io->out);
	uint8_t *p;
	/* length and padding_length are filled in by finish */
	int r = hs__buf_extend(&io->out, 6, &p);
	if (r != 0)
		return r;
	p[5] = msg;
	io->tx_building = 1;
	return 0;
}

void hs__packet_abort(struct hs_packet_io *io)
{
	if (!io->tx_building)
		return;
	hs__buf_truncate(&io->out, io->tx_mark);
	io->tx_building = 0;
}

int hs__packet_finish(struct hs_packet_io *io)
{
	struct hs_packet_dir *d = &io->tx;
	int r;
	if (!io->tx_building)
		return HS_ERR_INTERNAL;
	if (d->z != NULL) {
		/* compress the payload in place of itself */
		const uint8_t *plain = hs__buf_ptr(&io->out) + io->tx_mark + 5;
		size_t plain_len = hs__buf_len(&io->out) - io->tx_mark - 5;
		hs__buf_reset(&io->ztx);
		if ((r = hs__z_deflate(d->z, plain, plain_len, &io->ztx)) != 0) {
			hs__packet_abort(io);
			return r;
		}
		hs__buf_truncate(&io->out, io->tx_mark + 5);
		if ((r = hs__buf_put(&io->out, hs__buf_ptr(&io->ztx), hs__buf_len(&io->ztx))) != 0) {
			hs__packet_abort(io);
			return r;
		}
	}
	size_t payload = hs__buf_len(&io->out) - io->tx_mark - 5;
	size_t block = dir_block(d);
	size_t covered = 1 + payload + (length_in_block(d) ? 4 : 0);
	size_t pad = block - covered % block;
	if (pad < MIN_PADDING)
		pad += block;
	size_t plen = 1 + payload + pad;
	if (plen > UINT32_MAX) {
		hs__packet_abort(io);
		return HS_ERR_LIMIT;
	}
	uint8_t *p;
	size_t tag = dir_tag(d);
	if ((r = hs__buf_extend(&io->out, pad + tag, &p)) != 0) {
		hs__packet_abort(io);
		return r;
	}
	if ((r = io->random(p, pad)) != 0) {
		hs__packet_abort(io);
		return r;
	}
	uint8_t *pkt = hs__buf_ptr(&io->out) + io->tx_mark;
	pkt[0] = (uint8_t)(plen >> 24);
	pkt[1] = (uint8_t)(plen >> 16);
	pkt[2] = (uint8_t)(plen >> 8);
	pkt[3] = (uint8_t)plen;
	pkt[4] = (uint8_t)pad;
	if (d->active) {
		if ((r = hs__cipher_seal(&d->cipher, d->seqnr, pkt, 4 + plen, pkt + 4 + plen)) != 0) {
			hs__packet_abort(io);
			return r;
		}
	}
	d->seqnr++;
	d->packets++;
	d->bytes += 4 + plen + tag;
	io->tx_building = 0;
	return 0;
}

void hs__packet_set_cipher(struct hs_packet_dir *dir, struct hs_cipher_ctx *ctx, int reset_seqnr)
{
	hs__cipher_cleanup(&dir->cipher);
	dir->cipher = *ctx;
	memset(ctx, 0, sizeof(*ctx));
	dir->active = 1;
	dir->bytes = 0;
	dir->packets = 0;
	if (reset_seqnr)
		dir->seqnr = 0;
}
