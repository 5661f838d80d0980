/*
 * hostsd program — `hostsd trust import`: add the hosts of an OpenSSH
 * authorized_keys-style file (format: registry/import.h). All or nothing:
 * every line is checked first, then every key is added inside one
 * transaction, and any bad line (reported with its number) means nothing
 * is imported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/cli.h"
#include "daemon/cli_trust.h"
#include "registry/import.h"

/* Large enough for thousands of hosts. */
#define IMPORT_MAX_BYTES (16u * 1024u * 1024u)
/* Bad lines reported one by one; beyond this, only counted. */
#define IMPORT_MAX_REPORTED 20

const char hsd__help_trust_import[] =
	"Usage: hostsd trust import [--dir DIR] FILE\n"
	"\n"
	"Add the peer hosts listed in FILE (- for standard input), an OpenSSH\n"
	"authorized_keys-style file with one key per line:\n"
	"\n"
	"  hostsd-id=HOST-ID[,OPTION...] KEYTYPE BASE64 [COMMENT]\n"
	"\n"
	"The option hostsd-id names the host (the comment stays free text).\n"
	"Other options:\n"
	"  hostsd-subsystems=\"A,B\"  the subsystems of a new host (default *: all;\n"
	"                           \"\" for none)\n"
	"  expiry-time=\"YYYYMMDD\"   refuse the key from 00:00 UTC that day on\n"
	"  restrict, no-pty, no-port-forwarding, no-agent-forwarding,\n"
	"  no-X11-forwarding, no-user-rc\n"
	"                           accepted; hostsd never allows these anyway\n"
	"Any other option (command=, from=, ...) is refused. Empty lines and\n"
	"lines starting with # are skipped. Several lines may name the same host\n"
	"(several keys); a key the host already has is skipped.\n"
	"\n"
	"All or nothing: if any line is bad, each bad line is reported with its\n"
	"number and nothing is imported.\n"
	"\n"
	"Options:\n" HSD_TRUST_DIR_HELP "  -h, --help            show this help\n";

static const char usage[] =
	"Usage: hostsd trust import [--dir DIR] FILE\n"
	"Try 'hostsd trust import --help' for more information.\n";

static int read_input(const char *path, const char *shown, char **out, size_t *outlen)
{
	int fd = STDIN_FILENO;
	size_t len = 0;
	char *buf;
	*out = NULL;
	if (strcmp(path, "-") != 0) {
		struct stat st;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
			return hsd_cli_fail("cannot read %s: %s", shown, strerror(errno));
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return hsd_cli_fail("%s is not a regular file", shown);
		}
	}
	if ((buf = malloc(IMPORT_MAX_BYTES + 1)) == NULL) {
		if (fd != STDIN_FILENO)
			close(fd);
		return hsd_cli_fail("out of memory");
	}
	while (len <= IMPORT_MAX_BYTES) {
		ssize_t n = read(fd, buf + len, IMPORT_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			if (fd != STDIN_FILENO)
				close(fd);
			return hsd_cli_fail("cannot read %s: %s", shown, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (len > IMPORT_MAX_BYTES) {
		free(buf);
		return hsd_cli_fail("%s is too large (more than %u bytes)", shown, IMPORT_MAX_BYTES);
	}
	*out = buf;
	*outlen = len;
	return 0;
}

struct parsed {
	struct hsd_import_entry e;
	unsigned line;
};

struct report {
	const char *file;
	unsigned bad;
};

static void bad_line(struct report *rep, unsigned line, const char *msg)
{
	if (rep->bad++ < IMPORT_MAX_REPORTED)
		fprintf(stderr, "hostsd: %s:%u: %s\n", rep->file, line, msg);
}

/* Every line of text into entries; bad lines are reported. */
static int parse_all(const char *text, size_t len, struct report *rep, struct parsed **out, size_t *nout)
{
	struct parsed *v = NULL;
	size_t n = 0, cap = 0, pos = 0;
	unsigned line = 0;
	char err[512];
	*out = NULL;
	*nout = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		line++;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct parsed *nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL) {
				for (size_t i = 0; i < n; i++)
					hsd_import_entry_clear(&v[i].e);
				free(v);
				return hsd_cli_fail("out of memory");
			}
			v = nv;
			cap = ncap;
		}
		int r = hsd_import_parse_line(text + pos, l, &v[n].e, err, sizeof err);
		if (r < 0)
			bad_line(rep, line, err);
		else if (r > 0)
			v[n++].line = line;
		pos += l + (nl != NULL ? 1 : 0);
	}
	*out = v;
	*nout = n;
	return 0;
}

/* What the import changed, for its summary. */
struct tally {
	unsigned new_hosts, new_keys, unchanged;
};

/* Failures of the registry itself, as opposed to refusing one entry (a
 * key of another host, a revoked host): no later entry can fare better. */
static int registry_broken(int r)
{
	return r == HS_ERR_TIMEOUT || r == HS_ERR_IO || r == HS_ERR_FORMAT || r == HS_ERR_ALLOC;
}

/* Add the key of one entry; returns what hsd_registry_add_key does. */
static int add_entry(struct hsd_registry *reg, const struct hsd_import_entry *e, int64_t now, enum hsd_add_result *res)
{
	const char *grants[HSD_MAX_GRANTS];
	for (size_t g = 0; g < e->ngrants; g++)
		grants[g] = e->grants[g];
	struct hsd_key_spec spec = {
		.host_id = e->host_id,
		.key = e->key,
		.expires = e->expires,
		.comment = e->comment,
		.grants_given = e->grants_given,
		.all_by_default = 1, /* without hostsd-subsystems=: "*", as documented */
		.grants = grants,
		.ngrants = e->ngrants,
	};
	return hsd_registry_add_key(reg, &spec, now, res);
}

/* Every entry added inside one transaction, committed only if none was
 * refused (each refusal is reported as a bad line in rep). Returns 0, also
 * when entries were refused and all rolled back, or prints why the
 * registry failed and returns HSD_EXIT_FAIL. */
static int add_all(struct hsd_registry *reg, const struct parsed *entries, size_t n, int64_t now, struct report *rep,
                   struct tally *t)
{
	if (hsd_registry_begin(reg) != 0)
		return hsd_cli_fail("%s", hsd_registry_error(reg));
	for (size_t i = 0; i < n; i++) {
		enum hsd_add_result res;
		int ar = add_entry(reg, &entries[i].e, now, &res);
		if (registry_broken(ar)) {
			hsd_registry_rollback(reg);
			return hsd_cli_fail("%s; nothing imported", hsd_registry_error(reg));
		}
		if (ar != 0) {
			bad_line(rep, entries[i].line, hsd_registry_error(reg));
			continue;
		}
		t->new_hosts += res == HSD_ADD_NEW_HOST;
		t->new_keys += res != HSD_ADD_UNCHANGED;
		t->unchanged += res == HSD_ADD_UNCHANGED;
	}
	if (rep->bad != 0) {
		hsd_registry_rollback(reg);
		return 0;
	}
	if (hsd_registry_commit(reg) != 0)
		return hsd_cli_fail("%s; nothing imported", hsd_registry_error(reg));
	return 0;
}

/* The end of a failed import: the count of bad lines not shown one by
 * one, and that nothing was imported. Returns HSD_EXIT_FAIL. */
static int fail_bad_lines(const struct report *rep)
{
	if (rep->bad > IMPORT_MAX_REPORTED)
		fprintf(stderr, "hostsd: ... and %u more bad lines\n", rep->bad - IMPORT_MAX_REPORTED);
	return hsd_cli_fail("nothing imported: %u bad line%s in %s", rep->bad, rep->bad == 1 ? "" : "s", rep->file);
}

int hsd__trust_import(int argc, char **argv)
{
	const char *dir_opt;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt } };
	char *pos[1], dir[HSD_PATH_MAX], shown[256], *text = NULL;
	size_t npos, len = 0, n = 0;
	int help, r;
	struct parsed *entries = NULL;
	struct hsd_registry *reg = NULL;
	struct tally t = { 0, 0, 0 };
	int64_t now = (int64_t)time(NULL);

	if ((r = hsd_cli_parse(argc, argv, opts, 1, pos, 1, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(hsd__help_trust_import);
	if (npos != 1)
		return hsd_cli_usage(usage, "FILE is missing");
	if (strcmp(pos[0], "-") == 0)
		snprintf(shown, sizeof shown, "standard input");
	else
		hsd_cli_shown(pos[0], shown, sizeof shown);
	struct report rep = { shown, 0 };
	/* The state directory first: no point in reading a file for nothing. */
	if ((r = hsd_cli_state_dir(dir_opt, dir, sizeof dir)) != 0)
		return r;
	if ((r = read_input(pos[0], shown, &text, &len)) != 0)
		return r;
	if ((r = parse_all(text, len, &rep, &entries, &n)) != 0)
		goto out;
	if (rep.bad == 0 && n == 0) {
		r = hsd_cli_fail("%s holds no keys (lines: hostsd-id=HOST-ID ssh-ed25519 AAAA... [COMMENT])", shown);
		goto out;
	}
	/* Bad lines found in parsing: the registry is not even opened. */
	if (rep.bad == 0 &&
	    ((r = hsd_cli_open_registry(dir, &reg)) != 0 || (r = add_all(reg, entries, n, now, &rep, &t)) != 0))
		goto out;
	if (rep.bad != 0) {
		r = fail_bad_lines(&rep);
		goto out;
	}
	printf("imported %s: %u key%s added (%u new host%s), %u already present\n", shown, t.new_keys,
	       t.new_keys == 1 ? "" : "s", t.new_hosts, t.new_hosts == 1 ? "" : "s", t.unchanged);
	r = hsd_cli_finish(HSD_EXIT_OK);
out:
	hsd_registry_close(reg);
	for (size_t i = 0; i < n; i++)
		hsd_import_entry_clear(&entries[i].e);
	free(entries);
	free(text);
	return r;
}
