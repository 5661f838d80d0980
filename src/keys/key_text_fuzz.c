/*
 * Fuzz target: hs_key_from_text, the bare 32-byte Ed25519 key in hex or
 * base64 that `hostsd trust add --type` reads. Whatever parses must be
 * exactly 64 hex digits or 44 base64 characters between blanks, give the
 * same key as both types' raw bytes, and parse again from its hex.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hostsd/key.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct hs_key *k = NULL, *again = NULL;
	uint8_t raw[32];
	char hex[65];
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hs_key_from_text(HS_KEY_ANGELOS_TONGUES, text, &k) == 0) {
		size_t a = 0, b = strlen(text);
		while (a < b && blank(text[a]))
			a++;
		while (b > a && blank(text[b - 1]))
			b--;
		if ((b - a != 64 && b - a != 44) || hs_key_type(k) != HS_KEY_ANGELOS_TONGUES ||
		    hs_key_ed25519_public(k, raw) != 0)
			abort();
		for (size_t i = 0; i < 32; i++) {
			static const char digits[] = "0123456789abcdef";
			hex[2 * i] = digits[raw[i] >> 4];
			hex[2 * i + 1] = digits[raw[i] & 15];
		}
		hex[64] = '\0';
		if (hs_key_from_text(HS_KEY_ANGELOS_TONGUES, hex, &again) != 0 || !hs_key_equal(k, again))
			abort();
		hs_key_free(again);
		again = NULL;
		if (hs_key_from_text(HS_KEY_ED25519, text, &again) != 0 || hs_key_type(again) != HS_KEY_ED25519)
			abort();
	}
	hs_key_free(k);
	hs_key_free(again);
	free(text);
	return 0;
}
