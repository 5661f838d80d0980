/*
 * mlkem_tool: ML-KEM-768 (src/crypto/mlkem768.c) driven line by line from
 * stdin, for tests/integration/test_mlkem.py to check it against another
 * implementation, and a small benchmark.
 *
 * One command a line, arguments in hex, one answer line each:
 *   keygen                  -> EK DK
 *   keygen_derand D Z       -> EK DK
 *   encaps EK               -> CT SS     (or "error N", N the HS_ERR_* code)
 *   encaps_derand EK M      -> CT SS
 *   decaps DK CT            -> SS
 * Answers are flushed at once, so a peer can drive it interactively.
 *
 * mlkem_tool bench [N]  prints the mean time of keygen, encaps and decaps
 * over N rounds (default 1000).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/mlkem768.h"

#define MAX_ARG (2 * HS_MLKEM768_DK_LEN)

static int unhex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

static void put_hex(const uint8_t *p, size_t n, const char *end)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	fputs(end, stdout);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bench(int rounds)
{
	static uint8_t ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], ss[32], ss2[32];
	double t0, t_keygen = 0, t_encaps = 0, t_decaps = 0;

	for (int i = 0; i < rounds; i++) {
		t0 = now_us();
		if (hs__mlkem768_keygen(ek, dk) != 0)
			return 1;
		t_keygen += now_us() - t0;
		t0 = now_us();
		if (hs__mlkem768_encaps(ek, ct, ss) != 0)
			return 1;
		t_encaps += now_us() - t0;
		t0 = now_us();
		if (hs__mlkem768_decaps(dk, ct, ss2) != 0 || memcmp(ss, ss2, 32) != 0)
			return 1;
		t_decaps += now_us() - t0;
	}
	printf("ML-KEM-768 over %d rounds: keygen %.1f us, encaps %.1f us, decaps %.1f us\n", rounds, t_keygen / rounds,
	       t_encaps / rounds, t_decaps / rounds);
	return 0;
}

/* One command; 0 when it was understood (even if it failed). */
static int command(char *line)
{
	static uint8_t a[MAX_ARG], b[MAX_ARG], ek[HS_MLKEM768_EK_LEN], dk[HS_MLKEM768_DK_LEN];
	uint8_t ct[HS_MLKEM768_CT_LEN], ss[32];
	char *save = NULL, *cmd = strtok_r(line, " \t\r\n", &save);
	char *arg1 = strtok_r(NULL, " \t\r\n", &save), *arg2 = strtok_r(NULL, " \t\r\n", &save);
	size_t alen = 0, blen = 0;
	int r;

	if (cmd == NULL)
		return -1;
	if ((arg1 != NULL && unhex(arg1, a, sizeof(a), &alen) != 0) ||
	    (arg2 != NULL && unhex(arg2, b, sizeof(b), &blen) != 0))
		return -1;
	if (strcmp(cmd, "keygen") == 0) {
		r = hs__mlkem768_keygen(ek, dk);
	} else if (strcmp(cmd, "keygen_derand") == 0 && alen == 32 && blen == 32) {
		r = hs__mlkem768_keygen_derand(a, b, ek, dk);
	} else if (strcmp(cmd, "encaps") == 0 && arg1 != NULL) {
		r = hs__mlkem768_check_ek(a, alen);
		if (r == 0)
			r = hs__mlkem768_encaps(a, ct, ss);
	} else if (strcmp(cmd, "encaps_derand") == 0 && alen == HS_MLKEM768_EK_LEN && blen == 32) {
		r = hs__mlkem768_encaps_derand(a, b, ct, ss);
	} else if (strcmp(cmd, "decaps") == 0 && alen == HS_MLKEM768_DK_LEN && blen == HS_MLKEM768_CT_LEN) {
		r = hs__mlkem768_decaps(a, b, ss);
	} else {
		return -1;
	}
	if (r != 0) {
		printf("error %d\n", r);
	} else if (strncmp(cmd, "keygen", 6) == 0) {
		put_hex(ek, sizeof(ek), " ");
		put_hex(dk, sizeof(dk), "\n");
	} else if (strncmp(cmd, "encaps", 6) == 0) {
		put_hex(ct, sizeof(ct), " ");
		put_hex(ss, sizeof(ss), "\n");
	} else {
		put_hex(ss, sizeof(ss), "\n");
	}
	OPENSSL_cleanse(ss, sizeof(ss));
	OPENSSL_cleanse(dk, sizeof(dk));
	return 0;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;

	if (argc >= 2 && strcmp(argv[1], "bench") == 0)
		return bench(argc >= 3 ? atoi(argv[2]) : 1000);
	if (argc != 1) {
		fprintf(stderr, "usage: mlkem_tool [bench [N]]  (commands on stdin)\n");
		return 2;
	}
	while (getline(&line, &cap, stdin) >= 0) {
		if (command(line) != 0)
			printf("error usage\n");
		fflush(stdout);
	}
	free(line);
	return 0;
}
