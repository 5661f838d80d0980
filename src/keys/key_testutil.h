/*
 * Helpers shared by the keys module's unit tests (not part of the engine):
 * reading fixture files and pulling the blob out of a .pub line.
 */
#ifndef HS_KEYS_KEY_TESTUTIL_H
#define HS_KEYS_KEY_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsd/key.h"
#include "wire/base64.h"
#include "wire/buf.h"

#define KEYDIR "tests/data/keys/"

/* The whole file, NUL-terminated (not counted in *len); NULL if unreadable. */
static inline uint8_t *kt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	if (f == NULL) {
		fprintf(stderr, "cannot open %s (run from the project root)\n", path);
		return NULL;
	}
	for (;;) {
		if (cap - n < 4097) {
			cap = cap ? cap * 2 : 8192;
			uint8_t *p = realloc(buf, cap);
			if (p == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, 4096, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Parse a fixture's .pub file; NULL on any failure. */
static inline struct hs_key *kt_load_pub(const char *name)
{
	char path[256];
	size_t len;
	struct hs_key *key = NULL;
	snprintf(path, sizeof path, KEYDIR "%s.pub", name);
	char *line = (char *)kt_read_file(path, &len);
	if (line == NULL)
		return NULL;
	int r = hs_key_parse_line(line, &key, NULL);
	if (r != 0)
		fprintf(stderr, "%s: %s\n", path, hs_strerror(r));
	free(line);
	return key;
}

/* The decoded blob (second field) of a fixture's .pub file, appended to
 * out; 0 or -1. */
static inline int kt_pub_blob(const char *name, struct hs_buf *out)
{
	char path[256];
	size_t len, dlen;
	uint8_t *dst;
	int rc = -1;
	snprintf(path, sizeof path, KEYDIR "%s.pub", name);
	char *line = (char *)kt_read_file(path, &len);
	if (line == NULL)
		return -1;
	char *b64 = strchr(line, ' ');
	char *end = b64 != NULL ? strchr(b64 + 1, ' ') : NULL;
	if (end != NULL) {
		b64++;
		size_t n = (size_t)(end - b64);
		if (hs__buf_extend(out, n, &dst) == 0 && hs__base64_decode(b64, n, dst, n, &dlen) == 0 &&
		    hs__buf_unwrite(out, n - dlen) == 0)
			rc = 0;
	}
	free(line);
	return rc;
}

#endif
