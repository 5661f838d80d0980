/*
 * hostsd program — `hostsd init`: make a state directory (host key, empty
 * registry, commented configuration file).
 *
 * Order matters for a run that is interrupted: the registry and the
 * configuration come first and are kept if they exist; the host key comes
 * last and is the sign that a directory is initialised. Every file is
 * written under a temporary name and linked into place, so a killed init
 * leaves either no file or a whole one, and link() never replaces an
 * existing file (two inits racing cannot both win).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostsd/key.h>

#include "daemon/cli.h"
#include "daemon/config.h"
#include "daemon/statedir.h"

const char hsd_help_init[] =
	"Usage: hostsd init [--dir DIR]\n"
	"\n"
	"Create the state directory DIR (mode 0700) holding:\n"
	"  DIR/host_ed25519  a new ed25519 host key (OpenSSH format, mode 0600)\n"
	"  DIR/registry.db   an empty trust registry (SQLite, WAL mode)\n"
	"  DIR/hostsd.conf   a configuration file listing every setting with its\n"
	"                    default, commented out\n"
	"and print the host's public key line and its SHA256 fingerprint on\n"
	"standard output.\n"
	"\n"
	"init never overwrites a host key: if DIR/host_ed25519 exists, it fails.\n"
	"An existing registry or configuration file is kept.\n"
	"\n"
	"Options:\n"
	"  --dir DIR   the state directory; default: " HSD_STATE_DIR_DEFAULT_TEXT
	"\n"
	"  -h, --help  show this help\n";

static const char usage[] =
	"Usage: hostsd init [--dir DIR]\n"
	"Try 'hostsd init --help' for more information.\n";

/* mkdir -p for the parents of dir (mode 0700, as XDG asks for its base
 * directories), then dir itself with mode 0700. *created tells whether
 * dir was made now. */
static int make_dirs(const char *dir, int *created)
{
	char path[HSD_PATH_MAX];
	size_t n = strlen(dir);
	*created = 0;
	if (n >= sizeof path)
		return hsd_cli_fail("the path %s is too long", dir);
	memcpy(path, dir, n + 1);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			*p = '/';
			return hsd_cli_fail("cannot create the directory %.*s: %s", (int)(p - path), path, strerror(e));
		}
		*p = '/';
	}
	if (mkdir(path, 0700) == 0) {
		*created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return hsd_cli_fail("cannot create the state directory %s: %s", dir, strerror(errno));
	return 0;
}

/* An existing directory must be ours and private before secrets go in. */
static int check_existing_dir(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) != 0)
		return hsd_cli_fail("cannot use the state directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return hsd_cli_fail("%s exists and is not a directory: choose another --dir", dir);
	if (st.st_uid != geteuid())
		return hsd_cli_fail(
			"the directory %s belongs to another user (uid %u): run hostsd init as that user, "
			"or choose another --dir",
			dir, (unsigned)st.st_uid);
	if ((st.st_mode & 077) != 0)
		return hsd_cli_fail(
			"the directory %s can be used by group or others (mode %04o): the state directory "
			"must be private; run chmod 700 %s, or choose a new --dir",
			dir, (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* Put the finished temporary file tmp in place as path, never replacing
 * an existing file. Returns 0, or -1 with errno (EEXIST: path exists). */
static int publish(const char *tmp, const char *path)
{
	int r = link(tmp, path), e = errno;
	unlink(tmp);
	errno = e;
	return r;
}

static int write_config(const char *dir, const char *path)
{
	char tmp[HSD_PATH_MAX], err[512];
	const char *text = hsd_config_template();
	size_t len = strlen(text), done = 0;
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "hostsd: keeping the existing configuration file %s\n", path);
		return 0;
	}
	if (hsd_state_path(dir, "." HSD_CONFIG_FILE ".tmp", tmp, sizeof tmp, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	unlink(tmp); /* left by an interrupted init */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return hsd_cli_fail("cannot create %s: %s", tmp, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			unlink(tmp);
			return hsd_cli_fail("cannot write %s: %s", tmp, strerror(e));
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(tmp);
		return hsd_cli_fail("cannot write %s: %s", tmp, strerror(errno));
	}
	if (publish(tmp, path) != 0 && errno != EEXIST)
		return hsd_cli_fail("cannot create the configuration file %s: %s", path, strerror(errno));
	return 0;
}

static int already_initialised(const char *dir, const char *keypath)
{
	return hsd_cli_fail(
		"the host key %s exists: %s is already initialised, and hostsd init never overwrites "
		"a host key (show it with: hostsd hostkey --dir %s)",
		keypath, dir, dir);
}

static int make_host_key(const char *dir, const char *keypath, struct hs_hostkey **out)
{
	char tmp[HSD_PATH_MAX], err[512];
	struct hs_hostkey *key = NULL;
	int r;
	*out = NULL;
	if (hsd_state_path(dir, "." HSD_HOSTKEY_FILE ".tmp", tmp, sizeof tmp, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	if ((r = hs_hostkey_generate(HS_KEY_ED25519, &key)) != 0)
		return hsd_cli_fail("cannot generate a host key: %s", hs_strerror(r));
	unlink(tmp); /* a partial key left by an interrupted init */
	errno = 0;
	/* Written with mode 0600 from the start, and flushed to disk. */
	if ((r = hs_hostkey_save_file(key, tmp, "hostsd host key")) != 0) {
		int e = errno;
		hs_hostkey_free(key);
		return hsd_cli_fail("cannot write the host key %s: %s", tmp,
		                    r == HS_ERR_IO && e != 0 ? strerror(e) : hs_strerror(r));
	}
	if (publish(tmp, keypath) != 0) {
		int e = errno;
		hs_hostkey_free(key);
		if (e == EEXIST)
			return already_initialised(dir, keypath);
		return hsd_cli_fail("cannot create the host key %s: %s", keypath, strerror(e));
	}
	*out = key;
	return 0;
}

int hsd_cmd_init(int argc, char **argv)
{
	const char *dir_opt;
	struct hsd_opt opts[] = { { .name = "dir", .value = &dir_opt } };
	char *pos[1];
	size_t npos;
	int help, r, created;
	char dir[HSD_PATH_MAX], keypath[HSD_PATH_MAX], regpath[HSD_PATH_MAX], confpath[HSD_PATH_MAX], err[1024];
	struct hsd_registry *reg = NULL;
	struct hs_hostkey *key = NULL;
	char *line = NULL;
	char fp[HS_FINGERPRINT_SIZE];

	if ((r = hsd_cli_parse(argc, argv, opts, 1, pos, 0, &npos, &help, usage)) != 0)
		return r;
	if (help)
		return hsd_cli_help(hsd_help_init);
	if (hsd_state_dir_resolve(dir_opt, dir, sizeof dir, err, sizeof err) != 0 ||
	    hsd_state_path(dir, HSD_HOSTKEY_FILE, keypath, sizeof keypath, err, sizeof err) != 0 ||
	    hsd_state_path(dir, HSD_REGISTRY_FILE, regpath, sizeof regpath, err, sizeof err) != 0 ||
	    hsd_state_path(dir, HSD_CONFIG_FILE, confpath, sizeof confpath, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	/* Everything init creates is private, whatever the caller's umask. */
	umask(077);
	if ((r = make_dirs(dir, &created)) != 0)
		return r;
	if (!created && (r = check_existing_dir(dir)) != 0)
		return r;
	struct stat st;
	if (lstat(keypath, &st) == 0)
		return already_initialised(dir, keypath);
	if (hsd_registry_open(regpath, HSD_REG_CREATE | HSD_REG_CHECK, &reg, err, sizeof err) != 0)
		return hsd_cli_fail("%s", err);
	hsd_registry_close(reg);
	if ((r = write_config(dir, confpath)) != 0)
		return r;
	if ((r = make_host_key(dir, keypath, &key)) != 0)
		return r;
	if (sync_dir(dir) != 0)
		hsd_cli_warn("cannot flush the directory %s to disk: %s", dir, strerror(errno));
	const struct hs_key *pub = hs_hostkey_public(key);
	if ((r = hs_key_format_line(pub, NULL, &line)) != 0) {
		hs_hostkey_free(key);
		return hsd_cli_fail("cannot format the host's public key: %s", hs_strerror(r));
	}
	hs_key_fingerprint(pub, fp);
	fprintf(stderr, "hostsd: initialised %s: host key %s, registry %s, configuration %s\n", dir, keypath, regpath,
	        confpath);
	printf("%s\n%s\n", line, fp);
	free(line);
	hs_hostkey_free(key);
	return hsd_cli_finish(HSD_EXIT_OK);
}
