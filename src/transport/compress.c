/* zlib streams for SSH packet compression (see compress.h). */
#include "transport/compress.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct hs_zstream {
	z_stream s;
	int deflate;
};

int hs__comp_by_name(const char *name)
{
	if (strcmp(name, "none") == 0)
		return HS_COMP_NONE;
	if (strcmp(name, "zlib") == 0)
		return HS_COMP_ZLIB;
	if (strcmp(name, "zlib@openssh.com") == 0)
		return HS_COMP_ZLIB_OPENSSH;
	return -1;
}

struct hs_zstream *hs__z_new(int deflate)
{
	struct hs_zstream *z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->deflate = deflate;
	int r = deflate ? deflateInit(&z->s, Z_DEFAULT_COMPRESSION) : inflateInit(&z->s);
	if (r != Z_OK) {
		free(z);
		return NULL;
	}
	return z;
}

void hs__z_free(struct hs_zstream *z)
{
	if (z == NULL)
		return;
	if (z->deflate)
		deflateEnd(&z->s);
	else
		inflateEnd(&z->s);
	free(z);
}

#define CHUNK 4096

int hs__z_deflate(struct hs_zstream *z, const uint8_t *in, size_t n, struct hs_buf *out)
{
	int r;
	if (n > UINT_MAX)
		return HS_ERR_LIMIT;
	z->s.next_in = (Bytef *)(uintptr_t)in;
	z->s.avail_in = (uInt)n;
	do {
		uint8_t *p;
		if ((r = hs__buf_reserve(out, CHUNK, &p)) != 0)
			return r;
		z->s.next_out = p;
		z->s.avail_out = CHUNK;
		int zr = deflate(&z->s, Z_PARTIAL_FLUSH);
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return HS_ERR_COMPRESSION;
		if ((r = hs__buf_extend(out, CHUNK - z->s.avail_out, NULL)) != 0)
			return r;
	} while (z->s.avail_out == 0);
	return z->s.avail_in == 0 ? 0 : HS_ERR_COMPRESSION;
}

int hs__z_inflate(struct hs_zstream *z, const uint8_t *in, size_t n, struct hs_buf *out, size_t max_out)
{
	size_t produced = 0;
	int r;
	if (n > UINT_MAX)
		return HS_ERR_LIMIT;
	z->s.next_in = (Bytef *)(uintptr_t)in;
	z->s.avail_in = (uInt)n;
	for (;;) {
		uint8_t *p;
		size_t room = max_out - produced < CHUNK ? max_out - produced : CHUNK;
		if (room == 0) {
			/* full: only acceptable if nothing more would come out */
			uint8_t probe;
			z->s.next_out = &probe;
			z->s.avail_out = 1;
			int zr = inflate(&z->s, Z_SYNC_FLUSH);
			if ((zr == Z_OK || zr == Z_STREAM_END) && z->s.avail_out == 0)
				return HS_ERR_COMPRESSION; /* more than max_out: a bomb */
			return z->s.avail_in == 0 ? 0 : HS_ERR_COMPRESSION;
		}
		if ((r = hs__buf_reserve(out, room, &p)) != 0)
			return r == HS_ERR_LIMIT ? HS_ERR_COMPRESSION : r;
		z->s.next_out = p;
		z->s.avail_out = (uInt)room;
		int zr = inflate(&z->s, Z_SYNC_FLUSH);
		size_t got = room - z->s.avail_out;
		if ((r = hs__buf_extend(out, got, NULL)) != 0)
			return r;
		produced += got;
		if (zr == Z_BUF_ERROR && z->s.avail_in == 0)
			return 0; /* all input used, nothing pending */
		if (zr != Z_OK)
			return HS_ERR_COMPRESSION; /* includes Z_STREAM_END: SSH never ends it */
		if (z->s.avail_in == 0 && z->s.avail_out != 0)
			return 0;
	}
}
