/*
 * hostsd program — `hostsd trust`: the subcommands that change the trust
 * registry one host at a time (add, revoke, remove, grant, deny) and the
 * dispatch to every trust subcommand. Arguments are checked before the
 * registry is opened: a malformed host identity, fingerprint, subsystem
 * name or date is a usage error (exit code 2) and touches nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cli.h"
#include "daemon/cli_pubkey.h"
#include "daemon/cli_trust.h"
#include "daemon/config.h"

struct trust_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const char help_add[] =
	"Usage: hostsd trust add [--dir DIR] HOST-ID PUBKEY [--subsystems A,B]\n"
	"                        [--expires YYYY-MM-DD] [--comment TEXT] [--type TYPE]\n"
	"\n"
	"Trust the public key PUBKEY for the peer host HOST-ID: the host logs in\n"
	"with HOST-ID as its user name and proves it holds this key.\n"
	"\n"
	"  HOST-ID  1 to 64 characters of A-Z a-z 0-9 . _ -, not starting with . or -\n"
	"           (an Angelos host UUID fits)\n"
	"  PUBKEY   an OpenSSH public key line, in quotes (\"ssh-ed25519 AAAA... NOTE\"),\n"
	"           - to read it from standard input, or the path of a public key\n"
	"           file (.pub); with --type, the bare key instead (see below)\n"
	"\n"
	"A host that is not in the registry is created with this key. Adding a key\n"
	"to a host that exists keeps its other keys (key rotation: add the new key,\n"
	"later revoke or remove the old one) and leaves its grants as they are.\n"
	"Adding a key the host already has changes nothing.\n"
	"Refused: a revoked host (remove it first), a key the host had and\n"
	"revoked, a key that belongs to another host.\n"
	"\n"
	"Options:\n"
	"  --subsystems A,B      what a new host may run: subsystem names separated\n"
	"                        by commas, '*' for all, '' for none; default: none\n"
	"                        (grant them later with hostsd trust grant)\n"
	"  --expires YYYY-MM-DD  refuse the key from 00:00 UTC that day on\n"
	"  --comment TEXT        a note kept with the key; default: the comment of\n"
	"                        the key line\n"
	"  --type TYPE           PUBKEY is a bare 32-byte Ed25519 key, as 64 hex\n"
	"                        digits or 44 characters of base64, of this type:\n"
	"                        angelos-tongues (an Angelos host's verify key) or\n"
	"                        ssh-ed25519\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

static const char help_revoke[] =
	"Usage: hostsd trust revoke [--dir DIR] HOST-ID [FINGERPRINT]\n"
	"\n"
	"Revoke the host HOST-ID: it can no longer log in, with any key. With\n"
	"FINGERPRINT (SHA256:..., as hostsd trust list shows it), revoke only that\n"
	"key of the host. A running server sees the change without a restart.\n"
	"\n"
	"Revoked hosts and keys stay in the registry, marked revoked, and cannot\n"
	"be trusted again until removed (hostsd trust remove).\n"
	"\n"
	"Options:\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

static const char help_remove[] =
	"Usage: hostsd trust remove [--dir DIR] HOST-ID [FINGERPRINT]\n"
	"\n"
	"Delete the host HOST-ID from the registry with its keys and grants (its\n"
	"past authentication attempts stay in the log). With FINGERPRINT, delete\n"
	"only that key of the host.\n"
	"\n"
	"Options:\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

static const char help_grant[] =
	"Usage: hostsd trust grant [--dir DIR] HOST-ID SUBSYSTEM\n"
	"\n"
	"Let the host HOST-ID run SUBSYSTEM (a name defined by a subsystem line of\n"
	"hostsd.conf), or every subsystem with '*' (quoted, for the shell). A name\n"
	"that hostsd.conf does not define is granted with a warning: it takes\n"
	"effect once a subsystem line (or hostsd serve --subsystem) defines it.\n"
	"\n"
	"Options:\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

static const char help_deny[] =
	"Usage: hostsd trust deny [--dir DIR] HOST-ID SUBSYSTEM\n"
	"\n"
	"Take SUBSYSTEM back from the host HOST-ID. deny '*' takes back the grant\n"
	"of every subsystem (grants of single subsystems stay). A host granted '*'\n"
	"cannot be denied a single subsystem: deny '*' first, then grant what it\n"
	"needs.\n"
	"\n"
	"Options:\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

const char hsd_help_trust[] =
	"Usage: hostsd trust COMMAND [ARGUMENTS] [--dir DIR]\n"
	"\n"
	"Manage the trust registry: the peer hosts that may log in, their public\n"
	"keys, and the subsystems each may run. Every change is saved at once and\n"
	"seen by a running server without a restart.\n"
	"\n"
	"Commands:\n"
	"  add HOST-ID PUBKEY    trust a key for a host (a new host, or one more key)\n"
	"  revoke HOST-ID [FINGERPRINT]\n"
	"                        revoke a host, or one of its keys\n"
	"  remove HOST-ID [FINGERPRINT]\n"
	"                        delete a host, or one of its keys\n"
	"  grant HOST-ID SUBSYSTEM\n"
	"                        let a host run a subsystem ('*': all)\n"
	"  deny HOST-ID SUBSYSTEM\n"
	"                        take a subsystem back\n"
	"  list [--json]         show every host, its keys, grants and last login\n"
	"  import FILE           add the hosts of an authorized_keys-style file\n"
	"  log [HOST-ID]         show the newest authentication attempts\n"
	"\n"
	"Every command takes --dir DIR (default: " HSD_STATE_DIR_DEFAULT_TEXT
	")\n"
	"and --help. See 'hostsd trust COMMAND --help'.\n";

static const char usage_trust[] =
	"Usage: hostsd trust COMMAND [ARGUMENTS] [--dir DIR]\n"
	"Try 'hostsd trust --help' for more information.\n";

/* The short usage of a subcommand: its help's first lines up to the
 * blank line, and where to read more. */
static void short_usage(const char *help, const char *name, char *out, size_t outlen)
{
	const char *end = strstr(help, "\n\n");
	int n = end != NULL ? (int)(end - help) + 1 : (int)strlen(help);
	snprintf(out, outlen, "%.*sTry 'hostsd trust %s --help' for more information.\n", n, help, name);
}

/* Checks shared by the subcommands: each prints a usage error. */
static int check_host_id(const char *usage, const char *id)
{
	char shown[96];
	if (hsd_host_id_valid(id))
		return 0;
	return hsd_cli_usage(usage, "invalid host identity \"%s\": use %s", hsd_cli_shown(id, shown, sizeof shown),
	                     HSD_HOST_ID_RULE);
}

static int check_subsystem(const char *usage, const char *name)
{
	char shown[96];
	if (hsd_grant_name_valid(name))
		return 0;
	return hsd_cli_usage(usage, "invalid subsystem name \"%s\": use %s", hsd_cli_shown(name, shown, sizeof shown),
	                     HSD_GRANT_RULE);
}

static int check_fingerprint(const char *usage, const char *in, char out[HSD_FINGERPRINT_SIZE])
{
	char shown[96];
	if (hsd_fingerprint_parse(in, out) == 0)
		return 0;
	return hsd_cli_usage(usage,
	                     "\"%s\" is not a key fingerprint: give it as hostsd trust list shows it "
	                     "(SHA256: and 43 characters)",
	                     hsd_cli_shown(in, shown, sizeof shown));
}

/* Split --subsystems: names separated by commas; "" is none. The
 * strings point into copy (caller frees it). */
static int split_subsystems(const char *usage, const char *value, char **copy, const char **names, size_t max,
                            size_t *n)
{
	*n = 0;
	*copy = NULL;
	if (value[0] == '\0')
		return 0;
	if ((*copy = strdup(value)) == NULL)
		return hsd_cli_fail("out of memory");
	char *p = *copy;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		int r = check_subsystem(usage, p);
		if (r != 0)
			return r;
		if (*n >= max)
			return hsd_cli_usage(usage, "too many subsystems (at most %zu)", max);
		names[(*n)++] = p;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* --expires: a date YYYY-MM-DD, as the time it starts in *expiry. */
static int parse_expires(const char *usage, const char *expires, int64_t *expiry)
{
	char shown[96];
	if (hsd_date_parse(expires, expiry) == 0)
		return 0;
	return hsd_cli_usage(usage, "--expires \"%s\" is not a date YYYY-MM-DD (from 1970 on)",
	                     hsd_cli_shown(expires, shown, sizeof shown));
}

/* --comment is stored as given, so it must already be fit to print. */
static int check_comment(const char *usage, const char *comment)
{
	size_t len = strlen(comment);
	if (len <= HSD_COMMENT_MAX && hsd_text_valid(comment, len))
		return 0;
	return hsd_cli_usage(usage,
	                     "--comment must be printable text (no control characters, UTF-8) of at "
	                     "most %d bytes",
	                     HSD_COMMENT_MAX);
}

/* Warn about each name (but '*') that DIR/hostsd.conf defines no
 * subsystem for: a typo in a grant would otherwise go unnoticed. */
static void warn_unconfigured(const char *dir, const char *const *names, size_t n)
{
	char path[HSD_PATH_MAX], err[1024];
	struct hsd_config c;
	size_t i = 0;
	while (i < n && strcmp(names[i], "*") == 0)
		i++;
	if (i == n || hsd_state_path(dir, HSD_CONFIG_FILE, path, sizeof path, err, sizeof err) != 0)
		return;
	if (hsd_config_load(&c, path, 1, err, sizeof err) != 0) {
		hsd_cli_warn("cannot check the subsystem names against the configuration: %s", err);
		return;
	}
	for (; i < n; i++)
		if (strcmp(names[i], "*") != 0 && hsd_subsystems_get(&c.subsystems, names[i]) == NULL)
			hsd_cli_warn(
				"subsystem %s is not configured in %s: the grant takes effect once a subsystem "
				"line (or hostsd serve --subsystem %s=COMMAND) defines it",
				names[i], path, names[i]);
	hsd_config_cleanup(&c);
}

/* The result of add on stdout: a new host also shows what it may run
 * (subsystems is the --subsystems given, NULL for the default of none). */
static void print_added(const char *host_id, const char *fp, enum hsd_add_result result, const char *subsystems,
                        const char *const *grants, size_t ngrants)
{
	if (result == HSD_ADD_UNCHANGED) {
		printf("host %s already has key %s: nothing changed\n", host_id, fp);
		return;
	}
	if (result == HSD_ADD_NEW_KEY) {
		printf("added key %s to host %s\n", fp, host_id);
		return;
	}
	char list[HSD_MAX_GRANTS * (HSD_GRANT_MAX + 1) + 8] = "";
	for (size_t i = 0; i < ngrants; i++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", grants[i]);
	}
	printf("added host %s with key %s (subsystems: %s)\n", host_id, fp, ngrants == 0 ? "none" : list);
	/* least privilege: nothing unless asked for */
	if (subsystems == NULL)
		printf("grant what it may run with: hostsd trust grant %s SUBSYSTEM\n", host_id);
}

static int cmd_add(int argc, char **argv)
{
	const char *dir_opt, *subsystems, *expires, *comment_opt, *type;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt },
		                  { .name = "subsystems", .value = &subsystems },
		                  { .name = "expires", .value = &expires },
		                  { .name = "comment", .value = &comment_opt },
		                  { .name = "type", .value = &type } };
	char usage[512], *pos[2], dir[HSD_PATH_MAX], *grants_copy = NULL, *line_comment = NULL;
	char comment[HSD_COMMENT_MAX + 1], fp[HS_FINGERPRINT_SIZE];
	const char *grants[HSD_MAX_GRANTS];
	size_t npos, ngrants = 0;
	int help, r;
	int64_t now = (int64_t)time(NULL), expiry = 0;
	struct hs_key *key = NULL;
	struct hsd_registry *reg = NULL;
	enum hsd_add_result result;

	short_usage(help_add, "add", usage, sizeof usage);
	if ((r = hsd_cli_parse(argc, argv, opts, 5, pos, 2, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(help_add);
	if (npos != 2)
		return hsd_cli_usage(usage, npos == 0 ? "HOST-ID and PUBKEY are missing" : "PUBKEY is missing");
	if ((r = check_host_id(usage, pos[0])) != 0)
		return r;
	if (expires != NULL && (r = parse_expires(usage, expires, &expiry)) != 0)
		return r;
	if (comment_opt != NULL && (r = check_comment(usage, comment_opt)) != 0)
		return r;
	if (subsystems != NULL &&
	    (r = split_subsystems(usage, subsystems, &grants_copy, grants, HSD_MAX_GRANTS, &ngrants)) != 0)
		goto out;
	if (type != NULL)
		r = hsd_cli_read_raw_pubkey(type, pos[1], &key, usage);
	else
		r = hsd_cli_read_pubkey(pos[1], &key, &line_comment);
	if (r != 0)
		goto out;
	if (comment_opt != NULL)
		snprintf(comment, sizeof comment, "%s", comment_opt);
	else
		hsd_text_sanitize(comment, sizeof comment, line_comment != NULL ? line_comment : "");
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0 || (r = hsd_cli_open_registry(dir, &reg)) != 0)
		goto out;
	/* without --subsystems a new host may run nothing (least privilege),
	 * and an existing one keeps its grants */
	struct hsd_key_spec spec = {
		.host_id = pos[0],
		.key = key,
		.expires = expiry,
		.comment = comment,
		.grants_given = subsystems != NULL,
		.grants = grants,
		.ngrants = ngrants,
	};
	if (hsd_registry_add_key(reg, &spec, now, &result) != 0) {
		r = hsd_cli_fail("%s", hsd_registry_error(reg));
		goto out;
	}
	hs_key_fingerprint(key, fp);
	print_added(pos[0], fp, result, subsystems, grants, ngrants);
	if (result == HSD_ADD_NEW_HOST)
		warn_unconfigured(dir, grants, ngrants);
	if (result != HSD_ADD_UNCHANGED && expiry != 0 && expiry <= now)
		hsd_cli_warn("the key expires on %s, which is not in the future: it will not be accepted", expires);
	r = hsd_cli_finish(HSD_EXIT_OK);
out:
	hsd_registry_close(reg);
	hs_key_free(key);
	free(line_comment);
	free(grants_copy);
	return r;
}

/* revoke and remove share their shape: HOST-ID [FINGERPRINT]. */
static int host_or_key(int argc, char **argv, const char *help, const char *name, int remove)
{
	const char *dir_opt;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt } };
	char usage[512], *pos[2], dir[HSD_PATH_MAX], fp[HSD_FINGERPRINT_SIZE];
	size_t npos;
	int help_asked, r, changed = 1;
	struct hsd_registry *reg = NULL;
	int64_t now = (int64_t)time(NULL);

	short_usage(help, name, usage, sizeof usage);
	if ((r = hsd_cli_parse(argc, argv, opts, 1, pos, 2, &npos, &help_asked, usage)) != 0)
		return r;
	if (help_asked)
		return hsd_cli_help(help);
	if (npos == 0)
		return hsd_cli_usage(usage, "HOST-ID is missing");
	if ((r = check_host_id(usage, pos[0])) != 0)
		return r;
	if (npos == 2 && (r = check_fingerprint(usage, pos[1], fp)) != 0)
		return r;
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0 || (r = hsd_cli_open_registry(dir, &reg)) != 0)
		return r;
	if (remove)
		r = npos == 2 ? hsd_registry_remove_key(reg, pos[0], fp) : hsd_registry_remove_host(reg, pos[0]);
	else
		r = npos == 2 ? hsd_registry_revoke_key(reg, pos[0], fp, now, &changed)
		              : hsd_registry_revoke_host(reg, pos[0], now, &changed);
	if (r != 0) {
		r = hsd_cli_fail("%s", hsd_registry_error(reg));
	} else {
		if (npos == 2 && remove)
			printf("removed key %s of host %s\n", fp, pos[0]);
		else if (remove)
			printf("removed host %s\n", pos[0]);
		else if (npos == 2)
			printf(changed ? "revoked key %s of host %s\n" : "key %s of host %s was already revoked\n", fp,
			       pos[0]);
		else
			printf(changed ? "revoked host %s\n" : "host %s was already revoked\n", pos[0]);
		r = hsd_cli_finish(HSD_EXIT_OK);
	}
	hsd_registry_close(reg);
	return r;
}

static int cmd_revoke(int argc, char **argv)
{
	return host_or_key(argc, argv, help_revoke, "revoke", 0);
}

static int cmd_remove(int argc, char **argv)
{
	return host_or_key(argc, argv, help_remove, "remove", 1);
}

/* grant and deny: HOST-ID SUBSYSTEM. */
static int grant_or_deny(int argc, char **argv, const char *help, const char *name, int grant)
{
	const char *dir_opt;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt } };
	char usage[512], *pos[2], dir[HSD_PATH_MAX];
	size_t npos;
	int help_asked, r, changed = 0;
	struct hsd_registry *reg = NULL;

	short_usage(help, name, usage, sizeof usage);
	if ((r = hsd_cli_parse(argc, argv, opts, 1, pos, 2, &npos, &help_asked, usage)) != 0)
		return r;
	if (help_asked)
		return hsd_cli_help(help);
	if (npos != 2)
		return hsd_cli_usage(usage, npos == 0 ? "HOST-ID and SUBSYSTEM are missing" : "SUBSYSTEM is missing");
	if ((r = check_host_id(usage, pos[0])) != 0 || (r = check_subsystem(usage, pos[1])) != 0)
		return r;
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0 || (r = hsd_cli_open_registry(dir, &reg)) != 0)
		return r;
	r = grant ? hsd_registry_grant(reg, pos[0], pos[1], &changed)
	          : hsd_registry_deny(reg, pos[0], pos[1], &changed);
	if (r != 0) {
		r = hsd_cli_fail("%s", hsd_registry_error(reg));
	} else {
		if (grant) {
			const char *granted = pos[1];
			warn_unconfigured(dir, &granted, 1);
			printf(changed ? "granted %s to host %s\n"
			               : "subsystem %s was already granted to host %s: nothing "
			                 "changed\n",
			       pos[1], pos[0]);
		} else {
			printf(changed ? "denied %s to host %s\n"
			               : "subsystem %s was not granted to host %s: nothing "
			                 "changed\n",
			       pos[1], pos[0]);
		}
		r = hsd_cli_finish(HSD_EXIT_OK);
	}
	hsd_registry_close(reg);
	return r;
}

static int cmd_grant(int argc, char **argv)
{
	return grant_or_deny(argc, argv, help_grant, "grant", 1);
}

static int cmd_deny(int argc, char **argv)
{
	return grant_or_deny(argc, argv, help_deny, "deny", 0);
}

static const struct trust_cmd commands[] = {
	{ "add", cmd_add, help_add },
	{ "revoke", cmd_revoke, help_revoke },
	{ "remove", cmd_remove, help_remove },
	{ "grant", cmd_grant, help_grant },
	{ "deny", cmd_deny, help_deny },
	{ "list", hsd__trust_list, hsd__help_trust_list },
	{ "import", hsd__trust_import, hsd__help_trust_import },
	{ "log", hsd__trust_log, hsd__help_trust_log },
};

int hsd_cmd_trust(int argc, char **argv)
{
	char shown[96];
	if (argc < 2)
		return hsd_cli_usage(usage_trust,
		                     "a trust command is missing (add, revoke, remove, grant, deny, list, "
		                     "import, log)");
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		if (strcmp(name, "help") == 0 && argc > 2) {
			for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
				if (strcmp(commands[i].name, argv[2]) == 0)
					return hsd_cli_help(commands[i].help);
			return hsd_cli_usage(usage_trust, "unknown trust command \"%s\"",
			                     hsd_cli_shown(argv[2], shown, sizeof shown));
		}
		return hsd_cli_help(hsd_help_trust);
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return hsd_cli_usage(usage_trust,
	                     "unknown trust command \"%s\" (add, revoke, remove, grant, deny, list, "
	                     "import, log)",
	                     hsd_cli_shown(name, shown, sizeof shown));
}

/* For `hostsd help trust add`: the help of one trust subcommand, or NULL. */
const char *hsd__trust_help(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].help;
	return NULL;
}
