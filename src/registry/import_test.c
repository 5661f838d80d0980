/* Tests of the `hostsd trust import` line parser: the host naming option,
 * grants, expiry, harmless and refused OpenSSH options, quoting, and
 * every malformed shape with its message. */
#include "registry/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_test.h"

static char keyline[256]; /* "ssh-ed25519 AAAA..." */
static char fingerprint[HS_FINGERPRINT_SIZE];

/* The test line: fmt with its "%s" (if any) replaced by the key line. */
static void expand(const char *fmt, char *line, size_t linelen)
{
	const char *at = strstr(fmt, "%s");
	if (at == NULL)
		snprintf(line, linelen, "%s", fmt);
	else
		snprintf(line, linelen, "%.*s%s%s", (int)(at - fmt), fmt, keyline, at + 2);
}

static int parse(const char *fmt, struct hsd_import_entry *e, char *err, size_t errlen)
{
	char line[1024];
	expand(fmt, line, sizeof line);
	err[0] = '\0';
	return hsd_import_parse_line(line, strlen(line), e, err, errlen);
}

static void expect_entry(const char *fmt, const char *host, const char *comment)
{
	struct hsd_import_entry e;
	char err[512], fp[HS_FINGERPRINT_SIZE];
	int r = parse(fmt, &e, err, sizeof err);
	CHECK_EQ_INT(r, 1);
	if (r != 1) {
		fprintf(stderr, "  line \"%s\": %s\n", fmt, err);
		return;
	}
	CHECK(strcmp(e.host_id, host) == 0);
	CHECK(strcmp(e.comment, comment) == 0);
	hs_key_fingerprint(e.key, fp);
	CHECK(strcmp(fp, fingerprint) == 0);
	hsd_import_entry_clear(&e);
}

static void expect_error(const char *fmt, const char *want)
{
	struct hsd_import_entry e;
	char err[512];
	CHECK_EQ_INT(parse(fmt, &e, err, sizeof err), -1);
	CHECK(e.key == NULL);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "  line \"%s\": error \"%s\" lacks \"%s\"\n", fmt, err, want);
		CHECK(0);
	}
}

static void test_entries(void)
{
	struct hsd_import_entry e;
	char err[512];
	expect_entry("hostsd-id=peer1 %s", "peer1", "");
	expect_entry("hostsd-id=peer1 %s peer one  ", "peer1", "peer one  ");
	expect_entry("  \thostsd-id=\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"   %s c",
	             "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "c");
	expect_entry("HOSTSD-ID=Up %s", "Up", "");
	expect_entry(
		"restrict,no-pty,No-Port-Forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc,hostsd-id=h %s",
		"h", "");
	expect_entry("hostsd-id=h %s \x1b[2Jevil", "h", "?[2Jevil");
	expect_entry("hostsd-id=h %s\r", "h", "");

	/* Grants and expiry. */
	CHECK_EQ_INT(parse("hostsd-id=h,hostsd-subsystems=\"replicator,backup\",expiry-time=\"20300101\" %s", &e, err,
	                   sizeof err),
	             1);
	CHECK_EQ_INT(e.grants_given, 1);
	CHECK_EQ_INT(e.ngrants, 2);
	CHECK(strcmp(e.grants[0], "replicator") == 0 && strcmp(e.grants[1], "backup") == 0);
	int64_t day;
	CHECK_EQ_INT(hsd_date_parse("2030-01-01", &day), 0);
	CHECK_EQ_INT(e.expires, day);
	hsd_import_entry_clear(&e);
	CHECK_EQ_INT(parse("hostsd-id=h,expiry-time=20300101Z,hostsd-subsystems=* %s", &e, err, sizeof err), 1);
	CHECK_EQ_INT(e.expires, day);
	CHECK(e.ngrants == 1 && strcmp(e.grants[0], "*") == 0);
	hsd_import_entry_clear(&e);
	CHECK_EQ_INT(parse("hostsd-id=h,hostsd-subsystems=\"\" %s", &e, err, sizeof err), 1);
	CHECK_EQ_INT(e.grants_given, 1);
	CHECK_EQ_INT(e.ngrants, 0);
	hsd_import_entry_clear(&e);
	CHECK_EQ_INT(parse("hostsd-id=h %s", &e, err, sizeof err), 1);
	CHECK_EQ_INT(e.grants_given, 0);
	CHECK_EQ_INT(e.expires, 0);
	hsd_import_entry_clear(&e);
	/* A quoted value may hold \" (here in a refused value, to see it). */
	expect_error("hostsd-id=\"a\\\"b\" %s", "invalid host identity \"a\"b\"");

	/* Lines without an entry. */
	CHECK_EQ_INT(hsd_import_parse_line("", 0, &e, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_import_parse_line("   \t", 4, &e, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_import_parse_line("# hostsd-id=x", 13, &e, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_import_parse_line("  # c", 5, &e, err, sizeof err), 0);
	CHECK_EQ_INT(hsd_import_parse_line("\r", 1, &e, err, sizeof err), 0);
	/* Only len bytes are read: the rest of the buffer is not the line. */
	char buf[600];
	snprintf(buf, sizeof buf, "hostsd-id=h %s trailing", keyline);
	CHECK_EQ_INT(hsd_import_parse_line(buf, strlen(buf) - 9, &e, err, sizeof err), 1);
	CHECK(strcmp(e.comment, "") == 0);
	hsd_import_entry_clear(&e);
}

static void test_errors(void)
{
	expect_error("%s", "no hostsd-id=HOST option");
	expect_error("%s comment", "no hostsd-id=HOST option");
	expect_error("no-pty %s", "no hostsd-id=HOST option");
	expect_error("hostsd-id=../x %s", "invalid host identity \"../x\"");
	expect_error("hostsd-id=a/b %s", "invalid host identity");
	expect_error("hostsd-id=\"a b\" %s", "invalid host identity \"a b\"");
	expect_error("hostsd-id=\"\" %s", "invalid host identity \"\"");
	expect_error("hostsd-id=-a %s", "invalid host identity");
	expect_error("hostsd-id %s", "hostsd-id needs a value");
	expect_error("hostsd-id=a,hostsd-id=b %s", "hostsd-id is given twice");
	expect_error("hostsd-id=\"a %s", "the value of hostsd-id has no closing quote");
	expect_error("hostsd-id=a,command=\"ls\" %s", "option \"command\" is not supported");
	expect_error("from=\"10.0.0.1\",hostsd-id=a %s", "option \"from\" is not supported");
	expect_error("hostsd-id=a,cert-authority %s", "option \"cert-authority\" is not supported");
	expect_error("cert-authority %s", "option \"cert-authority\" is not supported");
	expect_error("hostsd-id=a,pty %s", "option \"pty\" is not supported");
	expect_error("hostsd-id=a,no-pty=yes %s", "option \"no-pty\" is not supported");
	expect_error("hostsd-id=a,,b %s", "expected an option name");
	expect_error("hostsd-id=a, %s", "expected an option name");
	expect_error("hostsd-id=a\"b\" %s", "invalid host identity \"a\"b\"\"");
	expect_error("hostsd-id=\"a\"b %s", "bad option list after hostsd-id");
	expect_error("hostsd-id=a,hostsd-subsystems=\"a b\" %s", "invalid subsystem name \"a b\"");
	expect_error("hostsd-id=a,hostsd-subsystems=\"a,,b\" %s", "empty or too long name");
	expect_error("hostsd-id=a,hostsd-subsystems=\"a,\" %s", "empty or too long name");
	expect_error("hostsd-id=a,hostsd-subsystems=x,hostsd-subsystems=y %s", "hostsd-subsystems is given twice");
	expect_error("hostsd-id=a,expiry-time=\"2030-01-01\" %s", "expiry-time=\"2030-01-01\" is not a date YYYYMMDD");
	expect_error("hostsd-id=a,expiry-time=\"203001011200\" %s", "times of day are not supported");
	expect_error("hostsd-id=a,expiry-time=\"20300230\" %s", "is not a date");
	expect_error("hostsd-id=a", "no key after the options");
	expect_error("hostsd-id=a   ", "no key after the options");
	expect_error("hostsd-id=a ssh-ed25519 AAAA", "not a valid public key");
	expect_error("hostsd-id=a ssh-dss AAAAB3NzaC1kc3MAAACBAP", "not a valid public key");
	/* A type word that does not match the blob. */
	char line[600];
	const char *blob = strchr(keyline, ' ') + 1;
	snprintf(line, sizeof line, "hostsd-id=a ssh-rsa %s", blob);
	struct hsd_import_entry e;
	char err[512];
	CHECK_EQ_INT(hsd_import_parse_line(line, strlen(line), &e, err, sizeof err), -1);
	CHECK(strstr(err, "not supported") != NULL || strstr(err, "not a valid") != NULL);

	/* NUL bytes and size. */
	char nul[] = "hostsd-id=a\0b ssh-ed25519 AAAA";
	CHECK_EQ_INT(hsd_import_parse_line(nul, sizeof nul - 1, &e, err, sizeof err), -1);
	CHECK(strstr(err, "NUL") != NULL);
	char *big = malloc(HSD_IMPORT_MAX_LINE + 2);
	memset(big, 'a', HSD_IMPORT_MAX_LINE + 1);
	big[HSD_IMPORT_MAX_LINE + 1] = '\0';
	CHECK_EQ_INT(hsd_import_parse_line(big, HSD_IMPORT_MAX_LINE + 1, &e, err, sizeof err), -1);
	CHECK(strstr(err, "too long") != NULL);
	/* A value longer than any buffer. */
	memcpy(big, "hostsd-id=", 10);
	CHECK_EQ_INT(hsd_import_parse_line(big, 2000, &e, err, sizeof err), -1);
	CHECK(strstr(err, "too long") != NULL);
	free(big);
}

int main(void)
{
	struct hs_hostkey *hk = NULL;
	char *line = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0 ||
	    hs_key_format_line(hs_hostkey_public(hk), NULL, &line) != 0)
		return 1;
	snprintf(keyline, sizeof keyline, "%s", line);
	hs_key_fingerprint(hs_hostkey_public(hk), fingerprint);
	free(line);
	hs_hostkey_free(hk);
	test_entries();
	test_errors();
	return hs_test_done();
}
