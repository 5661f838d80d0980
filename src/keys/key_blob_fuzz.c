/*
 * Fuzz target: public key blobs (hs_key_from_blob), then everything done
 * with a parsed key: fingerprint, public key line and back, copy, equality.
 * A key that parses must survive its own round trip unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostsd/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_key *key = NULL, *again = NULL, *copy = NULL;
	char fp[HS_FINGERPRINT_SIZE], fp2[HS_FINGERPRINT_SIZE];
	char *line = NULL;
	if (hs_key_from_blob(data, size, &key) != 0)
		return 0;
	hs_key_fingerprint(key, fp);
	if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != HS_FINGERPRINT_SIZE - 1)
		abort();
	size_t blen;
	const uint8_t *blob = hs_key_blob(key, &blen);
	if (blen != size || memcmp(blob, data, size) != 0)
		abort();
	if (hs_key_format_line(key, "fuzz comment", &line) == 0) {
		if (hs_key_parse_line(line, &again, NULL) != 0 || !hs_key_equal(key, again))
			abort();
		hs_key_fingerprint(again, fp2);
		if (strcmp(fp, fp2) != 0 || hs_key_type(again) != hs_key_type(key) ||
		    strcmp(hs_key_type_name(again), hs_key_type_name(key)) != 0)
			abort();
	}
	copy = hs_key_dup(key);
	if (copy != NULL && !hs_key_equal(copy, key))
		abort();
	hs_key_free(copy);
	hs_key_free(again);
	free(line);
	hs_key_free(key);
	return 0;
}
