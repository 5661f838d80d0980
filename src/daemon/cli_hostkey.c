/*
 * hostsd program — `hostsd hostkey`: show the host's public key (for a
 * peer's known_hosts) or its fingerprint. The key file is checked as the
 * server checks it: a key others may read is refused. --angelos prints the
 * bare Ed25519 key the way an Angelos host pins a peer's verify key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <hostsd/key.h>
#include <openssl/evp.h>

#include "daemon/cli.h"
#include "daemon/statedir.h"

const char hsd_help_hostkey[] =
	"Usage: hostsd hostkey [--dir DIR] [--fingerprint | --angelos]\n"
	"\n"
	"Print the host's public key line (\"ssh-ed25519 AAAA...\"). A peer trusts\n"
	"this server by adding it to its known_hosts file as\n"
	"  [HOST]:PORT ssh-ed25519 AAAA...\n"
	"\n"
	"Options:\n"
	"  --dir DIR       the state directory; default: " HSD_STATE_DIR_DEFAULT_TEXT
	"\n"
	"  --fingerprint   print the key's SHA256 fingerprint instead\n"
	"                  (as ssh-keygen -l and ssh show it)\n"
	"  --angelos       print the 32-byte Ed25519 key as an Angelos host pins\n"
	"                  it (its \"verify\" key): 64 hex digits, then the same\n"
	"                  key in base64 on a second line\n"
	"  -h, --help      show this help\n";

static const char usage[] =
	"Usage: hostsd hostkey [--dir DIR] [--fingerprint | --angelos]\n"
	"Try 'hostsd hostkey --help' for more information.\n";

/* Hex then padded standard base64 of the raw key: the two forms Angelos
 * tools show a verify key in. */
static void print_angelos(const uint8_t raw[32])
{
	unsigned char text[45]; /* 4 * ceil(32 / 3) + NUL */
	for (size_t i = 0; i < 32; i++)
		printf("%02x", raw[i]);
	EVP_EncodeBlock(text, raw, 32);
	printf("\n%s\n", (const char *)text);
}

int hsd_cmd_hostkey(int argc, char **argv)
{
	const char *dir_opt;
	int fingerprint, angelos, help, r;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt },
		                  { .name = "fingerprint", .flag = &fingerprint },
		                  { .name = "angelos", .flag = &angelos } };
	char *pos[1];
	size_t npos;
	char dir[HSD_PATH_MAX], keypath[HSD_PATH_MAX], err[1024];
	struct hs_hostkey *key = NULL;

	if ((r = hsd_cli_parse(argc, argv, opts, 3, pos, 0, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(hsd_help_hostkey);
	if (fingerprint && angelos)
		return hsd_cli_usage(usage, "--fingerprint and --angelos cannot be given together");
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0)
		return r;
	if (hsd_state_path(dir, HSD_HOSTKEY_FILE, keypath, sizeof keypath, err, sizeof err) != 0 ||
	    hsd_hostkey_load_checked(keypath, &key, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	const struct hs_key *pub = hs_hostkey_public(key);
	if (angelos) {
		uint8_t raw[32];
		if (hs_hostkey_ed25519_public(key, raw) != 0) {
			hs_hostkey_free(key);
			return hsd_cli_fail("the host key is not an Ed25519 key: an Angelos peer cannot pin it");
		}
		print_angelos(raw);
	} else if (fingerprint) {
		char fp[HS_FINGERPRINT_SIZE];
		hs_key_fingerprint(pub, fp);
		printf("%s\n", fp);
	} else {
		char *line = NULL;
		if ((r = hs_key_format_line(pub, NULL, &line)) != 0) {
			hs_hostkey_free(key);
			return hsd_cli_fail("cannot format the public key: %s", hs_strerror(r));
		}
		printf("%s\n", line);
		free(line);
	}
	hs_hostkey_free(key);
	return hsd_cli_finish(HSD_EXIT_OK);
}
