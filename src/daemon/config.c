/*
 * hostsd program — the configuration file (see config.h): a line-by-line
 * parser that checks every value's range and names the file and line of
 * any mistake, and the commented template `hostsd init` writes. Listening
 * addresses and subsystems are checked by the same functions as the
 * command line of `hostsd serve` (serve_args.h), so both accept the same
 * things.
 */
#include "daemon/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostsd/server.h>

#include "daemon/log.h"

const char *const hsd_config_names[] = {
	"listen", "subsystem", "login_grace_time", "max_unauthenticated", "max_unauthenticated_per_source",
	"max_auth_tries", "max_channels", "rekey_bytes", "rekey_seconds", "keepalive", "shutdown_timeout",
	"log_level", "profile", "kex_algorithms", "ciphers", "macs", "host_key_algorithms", "pubkey_algorithms",
	"compression", "max_dh_computations", NULL
};

/* Index of the first algorithm setting in hsd_config_names (HSD_ALG_COUNT
 * of them in a row). */
#define FIRST_ALG 12

/* hsd_config_names[i] has bit 1 << i. */
static unsigned bit_of(size_t i)
{
	return 1u << i;
}

static const char template_text[] =
	"# hostsd configuration (written by hostsd init).\n"
	"#\n"
	"# One setting per line: NAME VALUE. Lines starting with # are comments.\n"
	"# Every setting below is shown commented out with its default value:\n"
	"# remove the # and change the value to set it. `listen` and `subsystem`\n"
	"# may be given several times. See docs/hostsd.md for details.\n"
	"\n"
	"# Address and port to listen on: IPV4:PORT or [IPV6]:PORT.\n"
	"#listen 0.0.0.0:2222\n"
	"\n"
	"# A subsystem peers may run when the registry grants it to them:\n"
	"# subsystem NAME=COMMAND (COMMAND runs with /bin/sh -c, the channel on its\n"
	"# stdin and stdout). None by default, for example:\n"
	"# subsystem replicator=/usr/lib/angelos/replicator\n"
	"\n"
	"# Seconds a connection may take to authenticate.\n"
	"#login_grace_time 120\n"
	"\n"
	"# Connections not yet authenticated, in all and from one address.\n"
	"#max_unauthenticated 64\n"
	"#max_unauthenticated_per_source 16\n"
	"\n"
	"# Finite-field (diffie-hellman-group*) key exchanges computing at once,\n"
	"# on threads beside the network loop; more wait their turn.\n"
	"#max_dh_computations 2\n"
	"\n"
	"# Authentication attempts per connection.\n"
	"#max_auth_tries 6\n"
	"\n"
	"# Open channels per connection.\n"
	"#max_channels 64\n"
	"\n"
	"# Renew the session keys after this much data (K, M, G suffixes) or time.\n"
	"#rekey_bytes 1G\n"
	"#rekey_seconds 3600\n"
	"\n"
	"# Seconds of silence before the server checks that the peer is alive;\n"
	"# 0 turns keepalives off.\n"
	"#keepalive 0\n"
	"\n"
	"# Seconds a stopping server waits for sessions to end before closing them.\n"
	"#shutdown_timeout 30\n"
	"\n"
	"# Log detail: err, warning, notice, info or debug.\n"
	"#log_level info\n"
	"\n"
	"# Algorithms (docs/algorithms.md). profile picks named sets, separated by\n"
	"# commas: modern (what OpenSSH offers by default), angelos (an Angelos\n"
	"# host's client), classic (older clients such as Paramiko 2.12).\n"
	"#profile modern,angelos,classic\n"
	"\n"
	"# A list given below replaces what the profiles offer for it; names are\n"
	"# separated by commas, strongest first. Weak algorithms are refused. The\n"
	"# non-etm MACs hmac-sha2-256 and hmac-sha2-512 (for old clients; ssh-audit\n"
	"# warns about them) are offered only when macs names them.\n"
	"#kex_algorithms curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group18-sha512,"
	"diffie-hellman-group16-sha512,diffie-hellman-group14-sha256\n"
	"#ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,"
	"aes128-ctr\n"
	"#macs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com\n"
	"#host_key_algorithms ssh-ed25519,angelos-tongues\n"
	"# The signature algorithms of the keys peers log in with:\n"
	"#pubkey_algorithms ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
	"rsa-sha2-512,rsa-sha2-256,angelos-tongues\n"
	"#compression none,zlib@openssh.com,zlib\n";

const char *hsd_config_template(void)
{
	return template_text;
}

void hsd_config_init(struct hsd_config *c)
{
	char err[16];
	memset(c, 0, sizeof(*c));
	if (hsd_parse_listen(HSD_DEFAULT_LISTEN, &c->listen[0], err, sizeof err) == 0)
		c->nlisten = 1;
	c->login_grace_time = HSD_DEFAULT_LOGIN_GRACE_TIME;
	c->max_unauthenticated = HSD_DEFAULT_MAX_UNAUTHENTICATED;
	c->max_unauthenticated_per_source = HSD_DEFAULT_MAX_UNAUTHENTICATED_PER_SOURCE;
	c->max_dh_computations = HSD_DEFAULT_MAX_DH_COMPUTATIONS;
	c->max_auth_tries = HSD_DEFAULT_MAX_AUTH_TRIES;
	c->max_channels = HSD_DEFAULT_MAX_CHANNELS;
	c->rekey_bytes = HSD_DEFAULT_REKEY_BYTES;
	c->rekey_seconds = HSD_DEFAULT_REKEY_SECONDS;
	c->keepalive = HSD_DEFAULT_KEEPALIVE;
	c->shutdown_timeout = HSD_DEFAULT_SHUTDOWN_TIMEOUT_S;
	c->log_level = HSD_LOG_INFO;
}

void hsd_config_cleanup(struct hsd_config *c)
{
	hsd_subsystems_clear(&c->subsystems);
	for (size_t i = 0; i < HSD_ALG_COUNT; i++)
		free(c->algs[i]);
	hsd_config_init(c);
}

/* Parsing state for messages. */
struct ctx {
	const char *name;
	unsigned line;
	unsigned first_line[32]; /* where each single setting was given */
	char *err;
	size_t errlen;
};

static int fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s:%u: %s", x->name, x->line, msg);
	return -1;
}

/* A decimal number within lo..hi, with an optional K/M/G suffix when
 * suffixes is set. */
static int parse_number(const char *v, uint64_t lo, uint64_t hi, int suffixes, uint64_t *out)
{
	uint64_t n = 0, mult = 1;
	size_t i = 0;
	if (v[0] < '0' || v[0] > '9')
		return -1;
	for (; v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (suffixes && v[i] != '\0' && v[i + 1] == '\0') {
		switch (v[i]) {
		case 'K': case 'k': mult = 1024ull; break;
		case 'M': case 'm': mult = 1024ull * 1024; break;
		case 'G': case 'g': mult = 1024ull * 1024 * 1024; break;
		default: return -1;
		}
		i++;
	}
	if (v[i] != '\0' || n > UINT64_MAX / mult)
		return -1;
	n *= mult;
	if (n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

struct number_setting {
	const char *name;
	size_t offset; /* of an unsigned in struct hsd_config */
	unsigned lo, hi;
	const char *unit;
};

static const struct number_setting numbers[] = {
	{ "login_grace_time", offsetof(struct hsd_config, login_grace_time), 1, 3600, "seconds" },
	{ "max_unauthenticated", offsetof(struct hsd_config, max_unauthenticated), 1, 100000, "connections" },
	{ "max_unauthenticated_per_source", offsetof(struct hsd_config, max_unauthenticated_per_source), 1, 100000,
	  "connections" },
	{ "max_dh_computations", offsetof(struct hsd_config, max_dh_computations), 1, 64, "computations" },
	{ "max_auth_tries", offsetof(struct hsd_config, max_auth_tries), 1, 100, "attempts" },
	{ "max_channels", offsetof(struct hsd_config, max_channels), 1, 1024, "channels" },
	{ "rekey_seconds", offsetof(struct hsd_config, rekey_seconds), 1, 86400, "seconds" },
	{ "keepalive", offsetof(struct hsd_config, keepalive), 0, 86400, "seconds (0: off)" },
	{ "shutdown_timeout", offsetof(struct hsd_config, shutdown_timeout), 1, 3600, "seconds" },
};

#define REKEY_BYTES_MIN 16384ull
#define REKEY_BYTES_MAX (64ull * 1024 * 1024 * 1024)

/* An algorithm setting, checked now by the engine so that a mistake names
 * its line. */
static int set_algorithms(struct hsd_config *c, struct ctx *x, size_t alg, const char *v)
{
	const char *name = hsd_config_names[FIRST_ALG + alg];
	struct hs_config e;
	char msg[512];
	hs_config_init(&e);
	const char **field[HSD_ALG_COUNT] = {
		[HSD_ALG_PROFILE] = &e.profiles,           [HSD_ALG_KEX] = &e.kex_algorithms,
		[HSD_ALG_CIPHERS] = &e.ciphers,            [HSD_ALG_MACS] = &e.macs,
		[HSD_ALG_HOST_KEY] = &e.host_key_algorithms, [HSD_ALG_PUBKEY] = &e.public_key_algorithms,
		[HSD_ALG_COMPRESSION] = &e.compression,
	};
	*field[alg] = v;
	if (hs_config_check(&e, msg, sizeof msg) != 0) {
		/* the engine names its own setting ("kex algorithms: ..."): name ours */
		const char *why = strstr(msg, ": ");
		if (alg == HSD_ALG_PROFILE || why == NULL)
			return fail(x, "%s", msg); /* 'profile "x" is unknown; ...' */
		return fail(x, "%s: %s", name, why + 2);
	}
	if ((c->algs[alg] = strdup(v)) == NULL)
		return fail(x, "out of memory");
	return 0;
}

static int set_value(struct hsd_config *c, struct ctx *x, size_t idx, const char *v)
{
	const char *name = hsd_config_names[idx];
	char msg[384];
	uint64_t n;
	if (strcmp(name, "listen") == 0) {
		struct hsd_listen_addr a;
		if (hsd_parse_listen(v, &a, msg, sizeof msg) != 0)
			return fail(x, "%s", msg);
		/* The first listen line replaces the default address. */
		if (!(c->set & HSD_CFG_LISTEN))
			c->nlisten = 0;
		for (size_t i = 0; i < c->nlisten; i++)
			if (strcmp(c->listen[i].addr, a.addr) == 0 && c->listen[i].port == a.port)
				return fail(x, "listen %s is given twice", v);
		if (c->nlisten >= HSD_CONFIG_MAX_LISTEN)
			return fail(x, "too many listen lines (at most %d)", HSD_CONFIG_MAX_LISTEN);
		c->listen[c->nlisten++] = a;
		return 0;
	}
	if (strcmp(name, "subsystem") == 0) {
		char *sname = NULL, *command = NULL;
		if (hsd_parse_subsystem(v, &sname, &command, msg, sizeof msg) != 0)
			return fail(x, "%s", msg);
		int r = 0;
		if (hsd_subsystems_get(&c->subsystems, sname) != NULL)
			r = fail(x, "subsystem %s is given twice", sname);
		else if (c->subsystems.n >= HSD_CONFIG_MAX_SUBSYSTEMS)
			r = fail(x, "too many subsystems (at most %d)", HSD_CONFIG_MAX_SUBSYSTEMS);
		else if (hsd_subsystems_set(&c->subsystems, sname, command) != 0)
			r = fail(x, "out of memory");
		free(sname);
		free(command);
		return r;
	}
	if (strcmp(name, "rekey_bytes") == 0) {
		if (parse_number(v, REKEY_BYTES_MIN, REKEY_BYTES_MAX, 1, &n) != 0)
			return fail(x, "rekey_bytes \"%s\" must be a number of bytes from 16K to 64G (suffix K, M or G)", v);
		c->rekey_bytes = n;
		return 0;
	}
	if (idx >= FIRST_ALG && idx < FIRST_ALG + HSD_ALG_COUNT)
		return set_algorithms(c, x, idx - FIRST_ALG, v);
	if (strcmp(name, "log_level") == 0) {
		int level = hsd_log_level_parse(v);
		if (level < 0)
			return fail(x, "log_level \"%s\" must be one of err, warning, notice, info, debug", v);
		c->log_level = level;
		return 0;
	}
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		if (strcmp(numbers[i].name, name) != 0)
			continue;
		if (parse_number(v, numbers[i].lo, numbers[i].hi, 0, &n) != 0)
			return fail(x, "%s \"%s\" must be a whole number from %u to %u (%s)", name, v, numbers[i].lo,
			            numbers[i].hi, numbers[i].unit);
		*(unsigned *)(void *)((char *)c + numbers[i].offset) = (unsigned)n;
		return 0;
	}
	return fail(x, "internal error: setting %s has no parser", name);
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* One line (no newline, NUL-terminated). */
static int parse_line(struct hsd_config *c, struct ctx *x, char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return fail(x, "control character in the line");
	char *v = s;
	while (*v != '\0' && !is_blank(*v))
		v++;
	size_t namelen = (size_t)(v - s);
	while (is_blank(*v))
		v++;
	size_t idx = 0;
	for (; hsd_config_names[idx] != NULL; idx++)
		if (strlen(hsd_config_names[idx]) == namelen && memcmp(hsd_config_names[idx], s, namelen) == 0)
			break;
	if (hsd_config_names[idx] == NULL)
		return fail(x, "unknown setting \"%.*s\" (known: listen, subsystem, login_grace_time, "
		               "max_unauthenticated, max_unauthenticated_per_source, max_auth_tries, max_channels, "
		               "rekey_bytes, rekey_seconds, keepalive, shutdown_timeout, log_level, profile, "
		               "kex_algorithms, ciphers, macs, host_key_algorithms, pubkey_algorithms, compression, "
		               "max_dh_computations)",
		            (int)(namelen > 64 ? 64 : namelen), s);
	const char *name = hsd_config_names[idx];
	if (*v == '\0')
		return fail(x, "%s needs a value", name);
	unsigned bit = bit_of(idx);
	int repeatable = bit == HSD_CFG_LISTEN || bit == HSD_CFG_SUBSYSTEM;
	if (!repeatable && (c->set & bit))
		return fail(x, "%s is given twice (first on line %u)", name, x->first_line[idx]);
	if (set_value(c, x, idx, v) != 0)
		return -1;
	if (!(c->set & bit))
		x->first_line[idx] = x->line;
	c->set |= bit;
	return 0;
}

int hsd_config_parse(struct hsd_config *c, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct ctx x = { name != NULL ? name : "config", 0, { 0 }, err, errlen };
	char *line = malloc(HSD_CONFIG_MAX_LINE + 1);
	size_t pos = 0;
	int r = 0;
	if (line == NULL) {
		snprintf(err, errlen, "%s: out of memory", x.name);
		return -1;
	}
	if (len > HSD_CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: the file is too large (%zu bytes; at most %u)", x.name, len,
		         HSD_CONFIG_MAX_BYTES);
		r = -1;
	}
	while (r == 0 && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		x.line++;
		if (n > HSD_CONFIG_MAX_LINE) {
			r = fail(&x, "the line is too long (at most %u bytes)", HSD_CONFIG_MAX_LINE);
			break;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			r = fail(&x, "NUL byte in the line");
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		r = parse_line(c, &x, line);
		pos += n + (nl != NULL ? 1 : 0);
	}
	if (r == 0 && c->max_unauthenticated_per_source > c->max_unauthenticated) {
		snprintf(err, errlen, "%s:%u: max_unauthenticated_per_source (%u) is above max_unauthenticated (%u)",
		         x.name,
		         x.first_line[4] ? x.first_line[4] : x.first_line[3],
		         c->max_unauthenticated_per_source, c->max_unauthenticated);
		r = -1;
	}
	free(line);
	if (r != 0)
		hsd_config_cleanup(c);
	return r;
}

int hsd_config_load(struct hsd_config *c, const char *path, int missing_ok, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int r = -1;
	hsd_config_init(c);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "cannot read the configuration file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the configuration file %s is not a regular file", path);
		goto out;
	}
	if ((text = malloc(HSD_CONFIG_MAX_BYTES + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Read one byte more than allowed, to tell a too-large file. */
	while (len <= HSD_CONFIG_MAX_BYTES) {
		ssize_t n = read(fd, text + len, HSD_CONFIG_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read the configuration file %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	r = hsd_config_parse(c, text, len, path, err, errlen);
out:
	free(text);
	close(fd);
	return r;
}
