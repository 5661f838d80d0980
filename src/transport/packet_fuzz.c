/*
 * The packet decoder on arbitrary bytes: plaintext framing (as before the
 * first NEWKEYS); when bit 0 of the first byte is set, chacha20-poly1305
 * with a fixed key; when bit 1 is set, zlib decompression with a small
 * inflation allowance.
 */
#include <string.h>

#include "common/limits.h"
#include "transport/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_packet_io io;
	if (size < 1)
		return 0;
	hs__packet_init(&io, HS_MAX_PACKET_SIZE_MIN, HS_OUTPUT_CAP);
	if (data[0] & 1) {
		uint8_t key[64];
		memset(key, 0x42, sizeof key);
		struct hs_cipher_ctx ctx;
		memset(&ctx, 0, sizeof ctx);
		if (hs__cipher_init(&ctx, hs__cipher_by_name("chacha20-poly1305@openssh.com"), key, NULL, NULL, NULL,
		                    0) != 0)
			goto out;
		hs__packet_set_cipher(&io.rx, &ctx, 0);
	}
	if (data[0] & 2) {
		if (hs__packet_start_compression(&io, &io.rx, 0) != 0)
			goto out;
		io.rx.inflate_left = 1u << 20;
	}
	size_t pos = 1;
	while (pos < size) {
		size_t chunk = 1 + data[pos] % 97;
		if (chunk > size - pos)
			chunk = size - pos;
		if (hs__packet_feed(&io, data + pos, chunk) != 0)
			break;
		pos += chunk;
		for (;;) {
			struct hs_view v;
			uint32_t seq;
			int r = hs__packet_read(&io, &v, &seq);
			if (r != 0)
				break;
			/* touch every payload byte the decoder handed out */
			volatile uint8_t sink = 0;
			for (size_t i = 0; i < v.len; i++)
				sink ^= v.ptr[i];
			(void)sink;
			hs__packet_done(&io);
		}
		if (io.rx_ready)
			break;
	}
out:
	hs__packet_cleanup(&io);
	return 0;
}
