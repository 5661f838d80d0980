/*
 * hostsd program — the table of `hostsd serve`'s settings (see
 * settings.h) and what every reader of it shares: look-ups, defaults, and
 * the parsing of numbers against their range with one message per type.
 */
#include "daemon/settings.h"

#include <stdio.h>
#include <string.h>

#include <hostsd/limits.h>
#include <hostsd/server.h>

#include "daemon/config.h"
#include "daemon/log.h"

#define ENGINE(field) offsetof(struct hs_config, field)
#define CONFIG(field) offsetof(struct hsd_config, field)

/* The daemon's own defaults and ranges. */
#define LISTEN_DEFAULT "0.0.0.0:2222"
#define SHUTDOWN_TIMEOUT_DEFAULT 30u
#define SHUTDOWN_TIMEOUT_MIN 1u
#define SHUTDOWN_TIMEOUT_MAX 3600u
/* Connections of one peer host (OpenSSH has no such limit; a host that
 * opens many is broken or taken over) and sessions of one connection
 * (OpenSSH's MaxSessions default). */
#define MAX_CONNECTIONS_PER_HOST_DEFAULT 16u
#define MAX_CONNECTIONS_PER_HOST_MAX 10000u
#define MAX_SESSIONS_DEFAULT 10u
/* The account of the network workers when the server starts as root
 * (the package creates it; useradd --system hostsd). */
#define USER_DEFAULT "hostsd"
/* Subsystems: the system's default directory and a private umask (files a
 * subsystem makes are its account's alone unless it says otherwise). The
 * limits count per child (open files, CPU, address space) or per account
 * (processes: every process of the account, all its sessions together);
 * 0 leaves the limit the server has. 512 processes let 16 connections of
 * 10 sessions each run a few processes each and stop a fork bomb; 1024 open
 * files is the usual soft limit, which the server raises for itself. */
#define SUBSYSTEM_DIRECTORY_DEFAULT "/"
#define SUBSYSTEM_UMASK_DEFAULT 077u
#define SUBSYSTEM_MAX_PROCESSES_DEFAULT 512u
#define SUBSYSTEM_MAX_PROCESSES_MAX 1000000u
#define SUBSYSTEM_MAX_OPEN_FILES_DEFAULT 1024u
#define SUBSYSTEM_MAX_OPEN_FILES_MAX 1048576u /* the kernel's fs.nr_open by default */
#define SUBSYSTEM_MAX_CPU_MAX (366u * 24 * 3600)
#define SUBSYSTEM_MAX_MEMORY_MAX (1024ull * 1024 * 1024 * 1024)
/* hs_config_init() leaves profiles NULL: every profile, strongest first. */
#define PROFILES_DEFAULT "modern,angelos,classic"

const struct hsd_setting hsd_settings[HSD_SETTING_COUNT] = {
	{ .id = HSD_SETTING_LISTEN,
	  .name = "listen",
	  .type = HSD_TYPE_LISTEN,
	  .engine_off = HSD_NOT_ENGINE,
	  .def_text = LISTEN_DEFAULT,
	  .option = "listen",
	  .metavar = "ADDR:PORT",
	  .help = "listen there (repeatable); [::1]:2222 for IPv6;\n"
	          "port 0 picks a free port (logged when ready)",
	  .comment = "\n"
	             "# Address and port to listen on: IPV4:PORT or [IPV6]:PORT.\n" },
	{ .id = HSD_SETTING_SUBSYSTEM,
	  .name = "subsystem",
	  .type = HSD_TYPE_SUBSYSTEM,
	  .engine_off = HSD_NOT_ENGINE,
	  .option = "subsystem",
	  .metavar = "NAME=COMMAND",
	  .help = "run COMMAND for subsystem NAME (repeatable)",
	  .comment = "\n"
	             "# A subsystem peers may run when the registry grants it to them:\n"
	             "# subsystem NAME=COMMAND (COMMAND runs with /bin/sh -c, the channel on its\n"
	             "# stdin and stdout). None by default, for example:\n"
	             "# subsystem replicator=/usr/lib/angelos/replicator\n" },
	{ .id = HSD_SETTING_LOGIN_GRACE_TIME,
	  .name = "login_grace_time",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_LOGIN_GRACE_MIN,
	  .max = HS_LOGIN_GRACE_MAX,
	  .unit = "seconds",
	  .engine_off = ENGINE(login_grace_seconds),
	  .config_off = CONFIG(login_grace_time),
	  .option = "login-grace-time",
	  .metavar = "SECONDS",
	  .help = "time a connection has to authenticate",
	  .comment = "\n"
	             "# Seconds a connection may take to authenticate.\n" },
	{ .id = HSD_SETTING_KEX_TIMEOUT,
	  .name = "kex_timeout",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_KEX_TIMEOUT_MIN,
	  .max = HS_KEX_TIMEOUT_MAX,
	  .unit = "seconds",
	  .engine_off = ENGINE(kex_timeout_seconds),
	  .config_off = CONFIG(kex_timeout),
	  .comment = "# Seconds a peer may take over one key exchange (the first one and\n"
	             "# every rekey), apart from login_grace_time.\n" },
	{ .id = HSD_SETTING_MAX_UNAUTHENTICATED,
	  .name = "max_unauthenticated",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_MAX_UNAUTH_MIN,
	  .max = HS_MAX_UNAUTH_MAX,
	  .unit = "connections",
	  .engine_off = ENGINE(max_unauthenticated),
	  .config_off = CONFIG(max_unauthenticated),
	  .comment = "\n"
	             "# Connections not yet authenticated, in all and from one address.\n" },
	{ .id = HSD_SETTING_MAX_UNAUTHENTICATED_PER_SOURCE,
	  .name = "max_unauthenticated_per_source",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_MAX_UNAUTH_MIN,
	  .max = HS_MAX_UNAUTH_MAX,
	  .unit = "connections",
	  .engine_off = ENGINE(max_unauthenticated_per_source),
	  .config_off = CONFIG(max_unauthenticated_per_source) },
	{ .id = HSD_SETTING_MAX_STARTUPS,
	  .name = "max_startups",
	  .type = HSD_TYPE_STARTUPS,
	  .engine_off = ENGINE(early_drop_start),
	  .config_off = CONFIG(early_drop_start),
	  .comment = "\n"
	             "# Random early drop (OpenSSH's MaxStartups START:RATE:FULL): from START\n"
	             "# unauthenticated connections on, refuse a new one with probability RATE%,\n"
	             "# rising to 100% at FULL. FULL is max_unauthenticated (give either, or both\n"
	             "# with the same number); START equal to FULL drops nothing at random.\n"
	             "# Addresses that logged in lately are spared the random drop.\n" },
	{ .id = HSD_SETTING_PER_SOURCE_NETBLOCK,
	  .name = "per_source_netblock",
	  .type = HSD_TYPE_NETBLOCK,
	  .engine_off = ENGINE(source_netblock_ipv4),
	  .config_off = CONFIG(netblock_ipv4),
	  .comment = "\n"
	             "# Prefix lengths under which addresses count as one for the limits and\n"
	             "# penalties, IPV4:IPV6 (an IPv4 peer on an IPv6 socket counts as IPv4).\n" },
	{ .id = HSD_SETTING_PENALTY_AUTHFAIL,
	  .name = "penalty_authfail",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_PENALTY_SECONDS_MAX,
	  .unit = "seconds (0: none)",
	  .engine_off = ENGINE(penalty_authfail_seconds),
	  .config_off = CONFIG(penalty_authfail),
	  .comment = "\n"
	             "# Penalties: seconds added to an address's penalty when its connection ends\n"
	             "# unauthenticated after a failed login, at login_grace_time, or on a\n"
	             "# protocol error (0: none). The penalty runs out in real time; while more\n"
	             "# than penalty_min seconds are outstanding the address is refused, for at\n"
	             "# most penalty_max seconds, and each time that happens again its later\n"
	             "# offences cost double.\n" },
	{ .id = HSD_SETTING_PENALTY_GRACE,
	  .name = "penalty_grace",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_PENALTY_SECONDS_MAX,
	  .unit = "seconds (0: none)",
	  .engine_off = ENGINE(penalty_grace_seconds),
	  .config_off = CONFIG(penalty_grace) },
	{ .id = HSD_SETTING_PENALTY_MALFORMED,
	  .name = "penalty_malformed",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_PENALTY_SECONDS_MAX,
	  .unit = "seconds (0: none)",
	  .engine_off = ENGINE(penalty_malformed_seconds),
	  .config_off = CONFIG(penalty_malformed) },
	{ .id = HSD_SETTING_PENALTY_MIN,
	  .name = "penalty_min",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_PENALTY_MIN_MIN,
	  .max = HS_PENALTY_MIN_MAX,
	  .unit = "seconds",
	  .engine_off = ENGINE(penalty_min_seconds),
	  .config_off = CONFIG(penalty_min) },
	{ .id = HSD_SETTING_PENALTY_MAX,
	  .name = "penalty_max",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_PENALTY_MAX_MIN,
	  .max = HS_PENALTY_MAX_MAX,
	  .unit = "seconds",
	  .engine_off = ENGINE(penalty_max_seconds),
	  .config_off = CONFIG(penalty_max) },
	{ .id = HSD_SETTING_PENALTY_EXEMPT,
	  .name = "penalty_exempt",
	  .type = HSD_TYPE_NETWORKS,
	  .engine_off = ENGINE(penalty_exempt),
	  .config_off = CONFIG(penalty_exempt),
	  .comment = "# Addresses and networks never penalised, separated by commas; none by\n"
	             "# default, for example:\n"
	             "# penalty_exempt 192.0.2.0/24,2001:db8::/32\n" },
	{ .id = HSD_SETTING_HOST_KEY_AGENT,
	  .name = "host_key_agent",
	  .type = HSD_TYPE_SOCKET,
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(host_key_agent),
	  .comment = "\n"
	             "# The socket of an ssh-agent holding the host key (OpenSSH's HostKeyAgent):\n"
	             "# the server then asks it for every signature and never reads the private\n"
	             "# key; DIR/host_ed25519.pub names the key. None by default, for example:\n"
	             "# host_key_agent /run/hostsd/agent.sock\n" },
	{ .id = HSD_SETTING_MAX_DH_COMPUTATIONS,
	  .name = "max_dh_computations",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_MAX_DH_MIN,
	  .max = HS_MAX_DH_MAX,
	  .unit = "computations",
	  .engine_off = ENGINE(max_dh_computations),
	  .config_off = CONFIG(max_dh_computations),
	  .comment = "\n"
	             "# Finite-field (diffie-hellman-group*) key exchanges computing at once,\n"
	             "# on threads beside the network loop; more wait their turn.\n" },
	{ .id = HSD_SETTING_MAX_AUTH_TRIES,
	  .name = "max_auth_tries",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_MAX_AUTH_TRIES_MIN,
	  .max = HS_MAX_AUTH_TRIES_MAX,
	  .unit = "attempts",
	  .engine_off = ENGINE(max_auth_tries),
	  .config_off = CONFIG(max_auth_tries),
	  .comment = "\n"
	             "# Authentication attempts per connection.\n" },
	{ .id = HSD_SETTING_MAX_CHANNELS,
	  .name = "max_channels",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_MAX_CHANNELS_MIN,
	  .max = HS_MAX_CHANNELS_MAX,
	  .unit = "channels",
	  .engine_off = ENGINE(max_channels),
	  .config_off = CONFIG(max_channels),
	  .comment = "\n"
	             "# Open channels per connection.\n" },
	{ .id = HSD_SETTING_REKEY_BYTES,
	  .name = "rekey_bytes",
	  .type = HSD_TYPE_BYTES,
	  .min = HS_REKEY_BYTES_MIN,
	  .max = HS_REKEY_BYTES_MAX,
	  .engine_off = ENGINE(rekey_bytes),
	  .config_off = CONFIG(rekey_bytes),
	  .comment = "\n"
	             "# Renew the session keys after this much data (K, M, G suffixes) or time.\n" },
	{ .id = HSD_SETTING_REKEY_SECONDS,
	  .name = "rekey_seconds",
	  .type = HSD_TYPE_NUMBER,
	  .min = HS_REKEY_SECONDS_MIN,
	  .max = HS_REKEY_SECONDS_MAX,
	  .unit = "seconds",
	  .engine_off = ENGINE(rekey_seconds),
	  .config_off = CONFIG(rekey_seconds) },
	{ .id = HSD_SETTING_KEEPALIVE,
	  .name = "keepalive",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_KEEPALIVE_MAX,
	  .unit = "seconds (0: off)",
	  .engine_off = ENGINE(keepalive_seconds),
	  .config_off = CONFIG(keepalive),
	  .comment = "\n"
	             "# Seconds of silence before the server checks that the peer is alive;\n"
	             "# 0 turns keepalives off.\n" },
	{ .id = HSD_SETTING_TCP_KEEPALIVE,
	  .name = "tcp_keepalive",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_TCP_KEEPALIVE_MAX,
	  .unit = "seconds (0: off)",
	  .engine_off = ENGINE(tcp_keepalive_seconds),
	  .config_off = CONFIG(tcp_keepalive),
	  .comment = "\n"
	             "# Seconds of TCP silence before the system probes the peer (TCP keepalive),\n"
	             "# so that a peer gone without a word is noticed; 0 turns it off.\n" },
	{ .id = HSD_SETTING_IDLE_TIMEOUT,
	  .name = "idle_timeout",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = HS_IDLE_TIMEOUT_MAX,
	  .unit = "seconds (0: off)",
	  .engine_off = ENGINE(idle_timeout_seconds),
	  .config_off = CONFIG(idle_timeout),
	  .comment = "\n"
	             "# Seconds without channel data either way after which an authenticated\n"
	             "# connection is closed; 0 (the default) never closes one for that.\n" },
	{ .id = HSD_SETTING_SHUTDOWN_TIMEOUT,
	  .name = "shutdown_timeout",
	  .type = HSD_TYPE_NUMBER,
	  .min = SHUTDOWN_TIMEOUT_MIN,
	  .max = SHUTDOWN_TIMEOUT_MAX,
	  .def = SHUTDOWN_TIMEOUT_DEFAULT,
	  .unit = "seconds",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(shutdown_timeout),
	  .comment = "\n"
	             "# Seconds a stopping server waits for sessions to end before closing them.\n" },
	{ .id = HSD_SETTING_LOG_LEVEL,
	  .name = "log_level",
	  .type = HSD_TYPE_LOG_LEVEL,
	  .def = HSD_LOG_INFO,
	  .engine_off = HSD_NOT_ENGINE,
	  .comment = "\n"
	             "# Log detail: err, warning, notice, info or debug.\n" },
	{ .id = HSD_SETTING_PROFILE,
	  .name = "profile",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(profiles),
	  .def_text = PROFILES_DEFAULT,
	  .comment = "\n"
	             "# Algorithms (docs/algorithms.md). profile picks named sets, separated by\n"
	             "# commas: modern (what OpenSSH offers by default), angelos (an Angelos\n"
	             "# host's client), classic (older clients such as Paramiko 2.12).\n" },
	{ .id = HSD_SETTING_KEX_ALGORITHMS,
	  .name = "kex_algorithms",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(kex_algorithms),
	  .engine_list = hs_default_kex_algorithms,
	  .comment = "\n"
	             "# A list given below replaces what the profiles offer for it; names are\n"
	             "# separated by commas, strongest first. Weak algorithms are refused. The\n"
	             "# non-etm MACs hmac-sha2-256 and hmac-sha2-512 (for old clients; ssh-audit\n"
	             "# warns about them) are offered only when macs names them.\n" },
	{ .id = HSD_SETTING_CIPHERS,
	  .name = "ciphers",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(ciphers),
	  .engine_list = hs_default_ciphers },
	{ .id = HSD_SETTING_MACS,
	  .name = "macs",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(macs),
	  .engine_list = hs_default_macs },
	{ .id = HSD_SETTING_HOST_KEY_ALGORITHMS,
	  .name = "host_key_algorithms",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(host_key_algorithms),
	  .engine_list = hs_default_host_key_algorithms },
	{ .id = HSD_SETTING_PUBKEY_ALGORITHMS,
	  .name = "pubkey_algorithms",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(public_key_algorithms),
	  .engine_list = hs_default_public_key_algorithms,
	  .comment = "# The signature algorithms of the keys peers log in with:\n" },
	{ .id = HSD_SETTING_COMPRESSION,
	  .name = "compression",
	  .type = HSD_TYPE_ALGORITHMS,
	  .engine_off = ENGINE(compression),
	  .engine_list = hs_default_compression },
	{ .id = HSD_SETTING_MAX_CONNECTIONS_PER_HOST,
	  .name = "max_connections_per_host",
	  .type = HSD_TYPE_NUMBER,
	  .min = 1,
	  .max = MAX_CONNECTIONS_PER_HOST_MAX,
	  .def = MAX_CONNECTIONS_PER_HOST_DEFAULT,
	  .unit = "connections",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(max_connections_per_host),
	  .comment = "\n"
	             "# Connections one peer host may have open at once, and sessions (running\n"
	             "# subsystems) on one connection; more are refused.\n" },
	{ .id = HSD_SETTING_MAX_SESSIONS,
	  .name = "max_sessions",
	  .type = HSD_TYPE_NUMBER,
	  .min = 1,
	  .max = HS_MAX_CHANNELS_MAX,
	  .def = MAX_SESSIONS_DEFAULT,
	  .unit = "sessions",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(max_sessions) },
	{ .id = HSD_SETTING_USER,
	  .name = "user",
	  .type = HSD_TYPE_ACCOUNT,
	  .engine_off = HSD_NOT_ENGINE,
	  .def_text = USER_DEFAULT,
	  .option = "user",
	  .metavar = "USER[:GROUP]",
	  .help = "started as root: run the network workers as USER\n"
	          "(default: " USER_DEFAULT "; ignored when not root)",
	  .comment = "\n"
	             "# Accounts. Started as root, hostsd serve keeps the host key and the registry\n"
	             "# in a process of its own and runs the network workers as user (USER or\n"
	             "# USER:GROUP, names or numbers), which must exist: useradd --system\n"
	             "# --no-create-home --shell /usr/sbin/nologin hostsd. Not started as root,\n"
	             "# everything runs as the user that started it and user is ignored.\n" },
	{ .id = HSD_SETTING_SUBSYSTEM_USER,
	  .name = "subsystem_user",
	  .type = HSD_TYPE_SUBSYSTEM_USER,
	  .engine_off = HSD_NOT_ENGINE,
	  .comment = "# The account a subsystem runs as when started as root: subsystem_user\n"
	             "# NAME=USER[:GROUP], one line per subsystem; NAME * is the default of every\n"
	             "# subsystem without its own line, and without a * line that default is\n"
	             "# nobody. A subsystem runs as root or as user only when its own line names\n"
	             "# that account. Not started as root, subsystems run as the server's user and\n"
	             "# a line naming another account is an error. None by default, for example:\n"
	             "# subsystem_user replicator=angelos:angelos\n" },
	{ .id = HSD_SETTING_SUBSYSTEM_DIRECTORY,
	  .name = "subsystem_directory",
	  .type = HSD_TYPE_DIRECTORY,
	  .engine_off = HSD_NOT_ENGINE,
	  .def_text = SUBSYSTEM_DIRECTORY_DEFAULT,
	  .comment = "\n"
	             "# Subsystem processes: the directory they start in (entered as their\n"
	             "# account), their umask (octal; 077: the files they make are their\n"
	             "# account's alone), and their limits; 0 leaves a limit as the server has it.\n" },
	{ .id = HSD_SETTING_SUBSYSTEM_UMASK,
	  .name = "subsystem_umask",
	  .type = HSD_TYPE_UMASK,
	  .min = 0,
	  .max = 0777,
	  .def = SUBSYSTEM_UMASK_DEFAULT,
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(subsystem_umask) },
	{ .id = HSD_SETTING_SUBSYSTEM_MAX_PROCESSES,
	  .name = "subsystem_max_processes",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = SUBSYSTEM_MAX_PROCESSES_MAX,
	  .def = SUBSYSTEM_MAX_PROCESSES_DEFAULT,
	  .unit = "processes (0: no limit of ours)",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(subsystem_max_processes),
	  .comment = "# Processes of a subsystem's account, all its sessions together (the\n"
	             "# kernel's RLIMIT_NPROC counts them per account); open files, seconds of CPU\n"
	             "# and bytes of address space (K, M, G suffixes) of each process.\n" },
	{ .id = HSD_SETTING_SUBSYSTEM_MAX_OPEN_FILES,
	  .name = "subsystem_max_open_files",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = SUBSYSTEM_MAX_OPEN_FILES_MAX,
	  .def = SUBSYSTEM_MAX_OPEN_FILES_DEFAULT,
	  .unit = "files (0: no limit of ours)",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(subsystem_max_open_files) },
	{ .id = HSD_SETTING_SUBSYSTEM_MAX_CPU,
	  .name = "subsystem_max_cpu",
	  .type = HSD_TYPE_NUMBER,
	  .min = 0,
	  .max = SUBSYSTEM_MAX_CPU_MAX,
	  .def = 0,
	  .unit = "seconds (0: no limit of ours)",
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(subsystem_max_cpu) },
	{ .id = HSD_SETTING_SUBSYSTEM_MAX_MEMORY,
	  .name = "subsystem_max_memory",
	  .type = HSD_TYPE_BYTES,
	  .min = 0,
	  .max = SUBSYSTEM_MAX_MEMORY_MAX,
	  .def = 0,
	  .engine_off = HSD_NOT_ENGINE,
	  .config_off = CONFIG(subsystem_max_memory) },
};

const struct hsd_setting *hsd_setting_by_id(enum hsd_setting_id id)
{
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++)
		if (hsd_settings[i].id == id)
			return &hsd_settings[i];
	return NULL;
}

const struct hsd_setting *hsd_setting_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++)
		if (strlen(hsd_settings[i].name) == len && memcmp(hsd_settings[i].name, name, len) == 0)
			return &hsd_settings[i];
	return NULL;
}

const struct hsd_setting *hsd_setting_by_option(const char *option)
{
	for (size_t i = 0; i < HSD_SETTING_COUNT; i++)
		if (hsd_settings[i].option != NULL && strcmp(hsd_settings[i].option, option) == 0)
			return &hsd_settings[i];
	return NULL;
}

uint64_t hsd_setting_default(const struct hsd_setting *s)
{
	if (s->engine_off == HSD_NOT_ENGINE || (s->type != HSD_TYPE_NUMBER && s->type != HSD_TYPE_BYTES))
		return s->def;
	struct hs_config e;
	hs_config_init(&e);
	const char *field = (const char *)&e + s->engine_off;
	if (s->type == HSD_TYPE_BYTES) {
		uint64_t v;
		memcpy(&v, field, sizeof v);
		return v;
	}
	uint32_t v;
	memcpy(&v, field, sizeof v);
	return v;
}

void hsd_format_bytes(uint64_t bytes, char *out, size_t outlen)
{
	static const char suffix[] = "GMK";
	for (int i = 0; i < 3; i++) {
		uint64_t unit = 1ull << (10 * (3 - i));
		if (bytes != 0 && bytes % unit == 0) {
			snprintf(out, outlen, "%llu%c", (unsigned long long)(bytes / unit), suffix[i]);
			return;
		}
	}
	snprintf(out, outlen, "%llu", (unsigned long long)bytes);
}

const char *hsd_setting_default_text(const struct hsd_setting *s, char *buf, size_t buflen)
{
	switch (s->type) {
	case HSD_TYPE_NUMBER:
		snprintf(buf, buflen, "%llu", (unsigned long long)hsd_setting_default(s));
		return buf;
	case HSD_TYPE_BYTES:
		hsd_format_bytes(hsd_setting_default(s), buf, buflen);
		return buf;
	case HSD_TYPE_LOG_LEVEL:
		return hsd_log_level_name((int)s->def);
	case HSD_TYPE_ALGORITHMS:
		return s->def_text != NULL ? s->def_text : s->engine_list();
	case HSD_TYPE_STARTUPS: {
		struct hs_config e;
		hs_config_init(&e);
		unsigned full = e.max_unauthenticated;
		snprintf(buf, buflen, "%u:%u:%u", e.early_drop_start ? e.early_drop_start : full, e.early_drop_rate,
		         full);
		return buf;
	}
	case HSD_TYPE_NETBLOCK: {
		struct hs_config e;
		hs_config_init(&e);
		snprintf(buf, buflen, "%u:%u", e.source_netblock_ipv4, e.source_netblock_ipv6);
		return buf;
	}
	case HSD_TYPE_UMASK:
		snprintf(buf, buflen, "%03llo", (unsigned long long)s->def);
		return buf;
	case HSD_TYPE_LISTEN:
	case HSD_TYPE_SUBSYSTEM:
	case HSD_TYPE_NETWORKS:
	case HSD_TYPE_SOCKET:
	case HSD_TYPE_ACCOUNT:
	case HSD_TYPE_SUBSYSTEM_USER:
	case HSD_TYPE_DIRECTORY:
		break;
	}
	return s->def_text;
}

/* Up to n numbers separated by ':' (plain decimal, none empty, each at
 * most UINT32_MAX); how many, or -1. */
static int parse_fields(const char *text, unsigned *v, int n)
{
	int k = 0;
	const char *p = text;
	for (;;) {
		uint64_t x = 0;
		const char *start = p;
		for (; *p >= '0' && *p <= '9'; p++) {
			x = x * 10 + (uint64_t)(*p - '0');
			if (x > UINT32_MAX)
				return -1;
		}
		if (p == start || k == n)
			return -1;
		v[k++] = (unsigned)x;
		if (*p == '\0')
			return k;
		if (*p++ != ':')
			return -1;
	}
}

int hsd_parse_startups(const char *label, const char *text, unsigned *start, unsigned *rate, unsigned *full, char *err,
                       size_t errlen)
{
	unsigned v[3];
	struct hs_config e;
	hs_config_init(&e);
	int k = parse_fields(text, v, 3);
	if (k == 1) {
		v[1] = e.early_drop_rate;
		v[2] = v[0];
	}
	if ((k == 1 || k == 3) && v[2] >= HS_MAX_UNAUTH_MIN && v[2] <= HS_MAX_UNAUTH_MAX && v[0] >= HS_MAX_UNAUTH_MIN &&
	    v[0] <= v[2] && v[1] >= HS_EARLY_DROP_RATE_MIN && v[1] <= HS_EARLY_DROP_RATE_MAX) {
		*start = v[0];
		*rate = v[1];
		*full = v[2];
		return 0;
	}
	snprintf(err, errlen,
	         "%s \"%s\" must be START:RATE:FULL (connections from %u to %u, START at most FULL; RATE a "
	         "percentage from %u to %u) or one number of connections",
	         label, text, HS_MAX_UNAUTH_MIN, HS_MAX_UNAUTH_MAX, HS_EARLY_DROP_RATE_MIN, HS_EARLY_DROP_RATE_MAX);
	return -1;
}

int hsd_parse_netblock(const char *label, const char *text, unsigned *bits4, unsigned *bits6, char *err, size_t errlen)
{
	unsigned v[2];
	struct hs_config e;
	hs_config_init(&e);
	int k = parse_fields(text, v, 2);
	if (k == 1)
		v[1] = e.source_netblock_ipv6;
	if (k >= 1 && v[0] >= HS_SOURCE_NETBLOCK_MIN && v[0] <= HS_SOURCE_NETBLOCK_IPV4_MAX &&
	    v[1] >= HS_SOURCE_NETBLOCK_MIN && v[1] <= HS_SOURCE_NETBLOCK_IPV6_MAX) {
		*bits4 = v[0];
		*bits6 = v[1];
		return 0;
	}
	snprintf(err, errlen, "%s \"%s\" must be IPV4:IPV6 prefix lengths (IPV4 from %u to %u, IPV6 from %u to %u)",
	         label, text, HS_SOURCE_NETBLOCK_MIN, HS_SOURCE_NETBLOCK_IPV4_MAX, HS_SOURCE_NETBLOCK_MIN,
	         HS_SOURCE_NETBLOCK_IPV6_MAX);
	return -1;
}

/* A decimal number, with an optional K/M/G suffix when suffixes is set;
 * no sign, no blanks, no overflow. */
static int parse_decimal(const char *v, int suffixes, uint64_t *out)
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
		case 'K':
		case 'k':
			mult = 1024ull;
			break;
		case 'M':
		case 'm':
			mult = 1024ull * 1024;
			break;
		case 'G':
		case 'g':
			mult = 1024ull * 1024 * 1024;
			break;
		default:
			return -1;
		}
		i++;
	}
	if (v[i] != '\0' || n > UINT64_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

int hsd_setting_parse_scalar(const struct hsd_setting *s, const char *label, const char *text, uint64_t *out, char *err,
                             size_t errlen)
{
	uint64_t n;
	char lo[24], hi[24];
	switch (s->type) {
	case HSD_TYPE_NUMBER:
		if (parse_decimal(text, 0, &n) == 0 && n >= s->min && n <= s->max)
			break;
		snprintf(err, errlen, "%s \"%s\" must be a whole number from %llu to %llu (%s)", label, text,
		         (unsigned long long)s->min, (unsigned long long)s->max, s->unit);
		return -1;
	case HSD_TYPE_BYTES:
		if (parse_decimal(text, 1, &n) == 0 && n >= s->min && n <= s->max)
			break;
		hsd_format_bytes(s->min, lo, sizeof lo);
		hsd_format_bytes(s->max, hi, sizeof hi);
		snprintf(err, errlen, "%s \"%s\" must be a number of bytes from %s to %s (suffix K, M or G)", label,
		         text, lo, hi);
		return -1;
	case HSD_TYPE_LOG_LEVEL: {
		int level = hsd_log_level_parse(text);
		if (level >= 0) {
			n = (uint64_t)level;
			break;
		}
		char names[64] = "";
		for (int l = HSD_LOG_ERR; l <= HSD_LOG_DEBUG; l++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			         l > HSD_LOG_ERR ? ", " : "", hsd_log_level_name(l));
		snprintf(err, errlen, "%s \"%s\" must be one of %s", label, text, names);
		return -1;
	}
	case HSD_TYPE_UMASK: {
		/* octal digits only, as umask(1) takes them */
		size_t i = 0;
		n = 0;
		for (; i < 4 && text[i] >= '0' && text[i] <= '7'; i++)
			n = n * 8 + (uint64_t)(text[i] - '0');
		if (i > 0 && text[i] == '\0' && n <= s->max)
			break;
		snprintf(err, errlen, "%s \"%s\" must be an octal mode from 000 to %03llo, such as 077", label, text,
		         (unsigned long long)s->max);
		return -1;
	}
	case HSD_TYPE_LISTEN:
	case HSD_TYPE_SUBSYSTEM:
	case HSD_TYPE_ALGORITHMS:
	case HSD_TYPE_STARTUPS:
	case HSD_TYPE_NETBLOCK:
	case HSD_TYPE_NETWORKS:
	case HSD_TYPE_SOCKET:
	case HSD_TYPE_ACCOUNT:
	case HSD_TYPE_SUBSYSTEM_USER:
	case HSD_TYPE_DIRECTORY:
	default:
		snprintf(err, errlen, "internal error: %s is not a number", label);
		return -1;
	}
	*out = n;
	return 0;
}
