/*
 * hostsd program — the state directory: where it is by default, the files
 * it holds, and the checks made before using them, shared by every
 * subcommand (`hostsd serve` too). Every failure comes with a sentence
 * naming the path and what to do.
 *
 * Layout of DIR (created by `hostsd init`, mode 0700):
 *   DIR/host_ed25519   the host's private key (OpenSSH format, mode 0600)
 *   DIR/registry.db    the trust registry (SQLite, WAL: also -wal, -shm)
 *   DIR/hostsd.conf    the configuration file (daemon/config.h)
 */
#ifndef HSD_STATEDIR_H
#define HSD_STATEDIR_H

#include <stddef.h>

#include <hostsd/key.h>

#define HSD_HOSTKEY_FILE "host_ed25519"
#define HSD_CONFIG_FILE "hostsd.conf"

/* Longest path we build (state directory plus a file name). */
#define HSD_PATH_MAX 4096

/* Where the state directory is when --dir is not given. */
#define HSD_STATE_DIR_DEFAULT_TEXT                                          \
	"$HOSTSD_DIR if set; else /var/lib/hostsd when run as root; else\n" \
	"$XDG_STATE_HOME/hostsd, or ~/.local/state/hostsd when XDG_STATE_HOME is not set"

/* The state directory: opt when not NULL (--dir), else the default above.
 * Returns 0 or -1 with a sentence in err. */
int hsd_state_dir_resolve(const char *opt, char *out, size_t outlen, char *err, size_t errlen);

/* dir + "/" + name into out; -1 (with err) if too long. */
int hsd_state_path(const char *dir, const char *name, char *out, size_t outlen, char *err, size_t errlen);

/* Is dir an existing directory this user can use? Else -1 with a sentence
 * ("there is no state directory DIR: run hostsd init --dir DIR", "cannot
 * read ...: Permission denied ..."). */
int hsd_state_dir_check(const char *dir, char *err, size_t errlen);

/* StrictModes, as sshd has them, for `hostsd serve` at start and at each
 * reload: the state directory dir, and the files in it that decide who may
 * log in and what runs (config_path, registry_path, key_path; a missing
 * configuration file is fine), must belong to the user running hostsd or
 * to root, and no group or other user may write them; the host key no
 * group or other user may read either. A missing file passes (whoever
 * opens it says what to do). Returns 0, or -1 with a sentence naming the
 * path and the command that fixes it ("run chmod go-w DIR"). */
int hsd_state_check_modes(const char *dir, const char *config_path, const char *registry_path, const char *key_path,
                          char *err, size_t errlen);

/* Load the host key at path, refusing a file that group or others may
 * read or write ("... chmod 600 FILE"), a missing file ("run hostsd init
 * --dir DIR") or anything that is not a regular file. Returns 0 or an
 * HS_ERR_* with a sentence in err. Caller frees *out. */
int hsd_hostkey_load_checked(const char *path, struct hs_hostkey **out, char *err, size_t errlen);

#endif
