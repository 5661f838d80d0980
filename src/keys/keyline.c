/*
 * OpenSSH public key lines, "TYPE BASE64 [COMMENT]", as in .pub files and
 * (without options) authorized_keys. The type word must name the same
 * algorithm as the blob it precedes, so that a line cannot claim to be one
 * kind of key while carrying another.
 */
#include "keys/key_priv.h"

#include <stdlib.h>
#include <string.h>

#include "wire/base64.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && is_blank(s[i]))
		i++;
	return i;
}

static size_t skip_word(const char *s, size_t i, size_t n)
{
	while (i < n && !is_blank(s[i]))
		i++;
	return i;
}

int hs_key_parse_line(const char *line, struct hs_key **out, char **comment)
{
	struct hs_key *key = NULL;
	uint8_t *blob = NULL;
	char *com = NULL;
	size_t bloblen = 0;
	int r = HS_ERR_FORMAT;
	if (line == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (comment != NULL)
		*comment = NULL;
	size_t n = strlen(line);
	/* One line: its own terminator is allowed, no other. */
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (memchr(line, '\n', n) != NULL || memchr(line, '\r', n) != NULL)
		goto out;
	size_t type_at = skip_blanks(line, 0, n);
	size_t type_end = skip_word(line, type_at, n);
	size_t b64_at = skip_blanks(line, type_end, n);
	size_t b64_end = skip_word(line, b64_at, n);
	size_t com_at = skip_blanks(line, b64_end, n);
	if (type_end == type_at || b64_end == b64_at)
		goto out;
	size_t b64_len = b64_end - b64_at;
	if (b64_len > hs__base64_encoded_len(HS_KEY_MAX_BLOB, 1))
		goto out;
	if ((blob = malloc(hs__base64_decoded_max(b64_len) + 1)) == NULL) {
		r = HS_ERR_ALLOC;
		goto out;
	}
	if ((r = hs__base64_decode(line + b64_at, b64_len, blob, hs__base64_decoded_max(b64_len), &bloblen)) != 0) {
		r = HS_ERR_FORMAT;
		goto out;
	}
	if ((r = hs_key_from_blob(blob, bloblen, &key)) != 0)
		goto out;
	size_t tlen = type_end - type_at;
	if (tlen != strlen(key->name) || memcmp(line + type_at, key->name, tlen) != 0) {
		r = HS_ERR_KEY_TYPE;
		goto out;
	}
	if (comment != NULL) {
		if ((com = malloc(n - com_at + 1)) == NULL) {
			r = HS_ERR_ALLOC;
			goto out;
		}
		memcpy(com, line + com_at, n - com_at);
		com[n - com_at] = '\0';
		*comment = com;
		com = NULL;
	}
	*out = key;
	key = NULL;
	r = 0;
out:
	hs_key_free(key);
	free(blob);
	free(com);
	return r;
}

int hs_key_format_line(const struct hs_key *key, const char *comment, char **out)
{
	if (key == NULL || out == NULL)
		return HS_ERR_INVALID_ARG;
	*out = NULL;
	if (comment == NULL)
		comment = "";
	/* A comment may not end the line early or start another. */
	if (strchr(comment, '\n') != NULL || strchr(comment, '\r') != NULL)
		return HS_ERR_INVALID_ARG;
	size_t nlen = strlen(key->name), clen = strlen(comment);
	size_t blen = hs__base64_encoded_len(key->bloblen, 1);
	/* bloblen <= HS_KEY_MAX_BLOB, so only the comment could overflow. */
	if (clen > SIZE_MAX / 2 - blen - nlen)
		return HS_ERR_LIMIT;
	size_t total = nlen + 1 + blen + (clen > 0 ? 1 + clen : 0) + 1;
	char *s = malloc(total);
	if (s == NULL)
		return HS_ERR_ALLOC;
	memcpy(s, key->name, nlen);
	s[nlen] = ' ';
	int r = hs__base64_encode(key->blob, key->bloblen, s + nlen + 1, total - nlen - 1, 1);
	if (r != 0) {
		free(s);
		return r;
	}
	if (clen > 0) {
		size_t at = nlen + 1 + blen;
		s[at] = ' ';
		memcpy(s + at + 1, comment, clen + 1);
	}
	*out = s;
	return 0;
}
