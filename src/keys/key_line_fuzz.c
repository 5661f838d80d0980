/*
 * Fuzz target: OpenSSH public key lines (hs_key_parse_line). The input is
 * made a C string (it stops at the first NUL, as a line read from a file
 * would be handed over). A line that parses must print back to a line that
 * parses to the same key and comment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostsd/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct hs_key *key = NULL, *again = NULL;
	char *comment = NULL, *comment2 = NULL, *line = NULL;
	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	if (hs_key_parse_line(text, &key, &comment) == 0) {
		if (hs_key_format_line(key, comment, &line) != 0)
			abort();
		if (hs_key_parse_line(line, &again, &comment2) != 0 || !hs_key_equal(key, again) ||
		    strcmp(comment, comment2) != 0)
			abort();
	}
	hs_key_free(key);
	hs_key_free(again);
	free(comment);
	free(comment2);
	free(line);
	free(text);
	return 0;
}
