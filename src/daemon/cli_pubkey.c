/*
 * hostsd program — the PUBKEY argument of `hostsd trust add`: an OpenSSH
 * public key line given directly (it starts with a key type name), "-"
 * for standard input, or the path of a public key file. Files and input
 * must hold exactly one key line (comments and empty lines aside); the
 * usual mistakes (a private key, an authorized_keys file, a missing file)
 * get a message that says what to give instead. With --type, PUBKEY is
 * instead a bare 32-byte Ed25519 key in hex or base64 (how an Angelos host
 * shows its verify key).
 */
#include "daemon/cli_pubkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cli.h"
#include "daemon/statedir.h"

/* Public key files are one line; this leaves room for comments. */
#define PUBKEY_INPUT_MAX (64u * 1024u)

static const char *const type_prefixes[] = { "ssh-", "ecdsa-", "sk-", "rsa-", "angelos-", NULL };

int hsd_cli_looks_like_key_line(const char *arg)
{
	for (const char *const *p = type_prefixes; *p != NULL; p++) {
		size_t n = strlen(*p);
		if (strncmp(arg, *p, n) == 0) {
			size_t w = strcspn(arg, " \t");
			return arg[w] != '\0';
		}
	}
	return 0;
}

static int parse_one(const char *line, const char *source, struct hs_key **key, char **comment)
{
	int r = hs_key_parse_line(line, key, comment);
	char word[40], shown[40];
	if (r == 0)
		return 0;
	size_t w = strcspn(line, " \t");
	snprintf(word, sizeof word, "%.*s", (int)(w > 32 ? 32 : w), line);
	hsd_text_sanitize(shown, sizeof shown, word);
	if (r == HS_ERR_KEY_TYPE)
		return hsd_cli_fail(
			"%s: key type \"%s\" is not supported or does not match the key: hostsd accepts "
			"ssh-ed25519, angelos-tongues, ssh-rsa (2048 to 16384 bits; signed with "
			"rsa-sha2-256/512) and ecdsa-sha2-nistp256/384/521 keys",
			source, shown);
	return hsd_cli_fail(
		"%s is not a valid OpenSSH public key line (expected KEYTYPE BASE64 [COMMENT], as in a "
		".pub file)",
		source);
}

/* Read all of fd (at most PUBKEY_INPUT_MAX bytes) as a C string. */
static int read_all(int fd, const char *source, char **out)
{
	char *buf = malloc(PUBKEY_INPUT_MAX + 1);
	size_t len = 0;
	if (buf == NULL)
		return hsd_cli_fail("out of memory");
	while (len <= PUBKEY_INPUT_MAX) {
		ssize_t n = read(fd, buf + len, PUBKEY_INPUT_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return hsd_cli_fail("cannot read %s: %s", source, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > PUBKEY_INPUT_MAX) {
		free(buf);
		return hsd_cli_fail("%s is too large for a public key (more than %u bytes)", source, PUBKEY_INPUT_MAX);
	}
	if (memchr(buf, '\0', len) != NULL) {
		free(buf);
		return hsd_cli_fail("%s is not a text file: give an OpenSSH public key (.pub) file", source);
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* The one key line of a file's text. */
static int pick_line(char *text, const char *source, struct hs_key **key, char **comment)
{
	char *found = NULL;
	unsigned count = 0;
	if (strstr(text, "PRIVATE KEY-----") != NULL)
		return hsd_cli_fail(
			"%s is a private key: give the public key (the .pub file beside it); a private key "
			"never leaves its host",
			source);
	for (char *line = text, *next; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		char *s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if (count++ == 0)
			found = s;
	}
	if (count == 0)
		return hsd_cli_fail("%s holds no public key", source);
	if (count > 1)
		return hsd_cli_fail(
			"%s holds %u lines, not one public key: give one key (hostsd trust import reads "
			"files of many)",
			source, count);
	return parse_one(found, source, key, comment);
}

int hsd_cli_read_pubkey(const char *arg, struct hs_key **key, char **comment)
{
	char source[HSD_PATH_MAX + 16], shown[256];
	char *text = NULL;
	int r;
	*key = NULL;
	*comment = NULL;
	if (hsd_cli_looks_like_key_line(arg))
		return parse_one(arg, "the PUBKEY argument", key, comment);
	if (strcmp(arg, "-") == 0) {
		if ((r = read_all(STDIN_FILENO, "standard input", &text)) != 0)
			return r;
		r = pick_line(text, "standard input", key, comment);
		free(text);
		return r;
	}
	hsd_cli_shown(arg, shown, sizeof shown);
	snprintf(source, sizeof source, "%s", shown);
	int fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return hsd_cli_fail(
				"PUBKEY \"%s\": no such file; give an OpenSSH public key line "
				"(\"ssh-ed25519 AAAA... [COMMENT]\" in quotes), - for standard input, or the "
				"path of a .pub file",
				shown);
		return hsd_cli_fail("cannot read %s: %s", source, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hsd_cli_fail("%s is not a regular file: give the path of a .pub file", source);
	}
	r = read_all(fd, source, &text);
	close(fd);
	if (r != 0)
		return r;
	r = pick_line(text, source, key, comment);
	free(text);
	return r;
}

int hsd_cli_read_raw_pubkey(const char *type, const char *arg, struct hs_key **key, const char *usage)
{
	enum hs_key_type kt;
	char shown[96], *text = NULL;
	int r;
	*key = NULL;
	if (strcmp(type, "angelos-tongues") == 0)
		kt = HS_KEY_ANGELOS_TONGUES;
	else if (strcmp(type, "ssh-ed25519") == 0)
		kt = HS_KEY_ED25519;
	else
		return hsd_cli_usage(usage,
		                     "--type \"%s\" is not a raw key type: give angelos-tongues or ssh-ed25519 "
		                     "(other keys are given as key lines, without --type)",
		                     hsd_cli_shown(type, shown, sizeof shown));
	if (hsd_cli_looks_like_key_line(arg))
		return hsd_cli_fail(
			"with --type, PUBKEY is the bare 32-byte key in hex or base64, not a key line: "
			"give the key alone, or the key line without --type");
	if (strcmp(arg, "-") == 0 && (r = read_all(STDIN_FILENO, "standard input", &text)) != 0)
		return r;
	r = hs_key_from_text(kt, text != NULL ? text : arg, key);
	free(text);
	if (r == 0)
		return 0;
	return hsd_cli_fail(
		"PUBKEY \"%s\" is not a valid %s key: give the 32-byte Ed25519 public key (an Angelos "
		"host's verify key) as 64 hexadecimal digits or 44 characters of base64",
		strcmp(arg, "-") == 0 ? "-" : hsd_cli_shown(arg, shown, sizeof shown), type);
}
