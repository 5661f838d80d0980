/*
 * hosts_server — an example of the hostsd engine that reads like the
 * Angelos HostsServer: peers log in with a user name whose authorized keys
 * are loaded in begin_auth (from DIR/<username>, off the loop thread),
 * validate_public_key is a membership test, and sessions are accepted only
 * for the subsystem "echo", which sends every byte back.
 *
 *   hosts_server --listen 127.0.0.1:0 --host-key FILE --authorized-keys DIR
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hostsd/hostsd.h>

#define MAX_KEYS 64

/* One per connection, like AsyncSSH's one SSHServer per connection. */
struct peer {
	struct hs_conn *conn;
	const char *keys_dir;
	char username[65];
	struct hs_key *keys[MAX_KEYS];
	int nkeys;
	uv_work_t work;
	int loading; /* a key load is running on the thread pool */
	int gone;    /* the connection ended while loading */
};

/* One per echo session: bytes not yet accepted by the peer's window. */
struct echo {
	uint8_t *pending;
	size_t off;  /* already sent from pending */
	size_t len;  /* bytes in pending, from off */
	int started; /* the echo subsystem was accepted */
	int eof;
};

static const char *keys_dir;

static void log_line(struct hs_conn *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(struct hs_conn *conn, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "[%s] ", hs_conn_peer(conn));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- sessions --- */

static void echo_finish(struct hs_channel *ch)
{
	if (hs_channel_exit_status(ch, 0) != 0 || hs_channel_write_eof(ch) != 0)
		return;
	hs_channel_close(ch);
}

/* Write as much as the peer's window allows; keep the rest and stop
 * reading until write_ready, so nothing is buffered without bound. */
static void echo_send(struct hs_channel *ch, const uint8_t *data, size_t len)
{
	struct echo *e = hs_channel_get_data(ch);
	size_t done = 0;
	if (hs_channel_write(ch, data, len, HS_STREAM_DATA, &done) != 0)
		return;
	if (done < len) {
		uint8_t *p = realloc(e->pending, e->len + (len - done));
		if (p == NULL) {
			hs_channel_close(ch);
			return;
		}
		memcpy(p + e->len, data + done, len - done);
		e->pending = p;
		e->len += len - done;
		hs_channel_pause_reading(ch);
	}
}

static void echo_data(struct hs_channel *ch, const uint8_t *data, size_t len, enum hs_stream stream)
{
	struct echo *e = hs_channel_get_data(ch);
	if (stream != HS_STREAM_DATA || !e->started)
		return;
	if (e->len > 0) { /* keep order: queue behind what is waiting */
		memmove(e->pending, e->pending + e->off, e->len);
		e->off = 0;
		uint8_t *p = realloc(e->pending, e->len + len);
		if (p == NULL) {
			hs_channel_close(ch);
			return;
		}
		memcpy(p + e->len, data, len);
		e->pending = p;
		e->len += len;
		return;
	}
	echo_send(ch, data, len);
}

static void echo_write_ready(struct hs_channel *ch)
{
	struct echo *e = hs_channel_get_data(ch);
	size_t done = 0;
	if (e->len == 0)
		return;
	if (hs_channel_write(ch, e->pending + e->off, e->len, HS_STREAM_DATA, &done) != 0)
		return;
	e->off += done; /* no copying: small window adjusts stay cheap */
	e->len -= done;
	if (e->len == 0) {
		free(e->pending);
		e->pending = NULL;
		e->off = 0;
		hs_channel_resume_reading(ch);
		if (e->eof)
			echo_finish(ch);
	}
}

static void echo_eof(struct hs_channel *ch)
{
	struct echo *e = hs_channel_get_data(ch);
	e->eof = 1;
	if (!e->started) /* nothing was run: no exit status to report */
		hs_channel_close(ch);
	else if (e->len == 0)
		echo_finish(ch);
}

static int echo_subsystem(struct hs_channel *ch, const char *name)
{
	struct echo *e = hs_channel_get_data(ch);
	if (strcmp(name, "echo") != 0)
		return HS_NO;
	e->started = 1;
	return HS_YES;
}

static void echo_lost(struct hs_channel *ch, int err)
{
	struct echo *e = hs_channel_get_data(ch);
	free(e->pending);
	free(e);
}

static const struct hs_session_cb echo_session = {
	.subsystem_requested = echo_subsystem,
	.data_received = echo_data,
	.eof_received = echo_eof,
	.write_ready = echo_write_ready,
	.connection_lost = echo_lost,
};

/* --- the server --- */

static int safe_username(const char *u)
{
	size_t n = strlen(u);
	if (n == 0 || n > 64 || u[0] == '.' || u[0] == '-')
		return 0;
	return strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Runs on the thread pool: reading the file may block. */
static void load_keys(uv_work_t *w)
{
	struct peer *p = w->data;
	char path[4096], line[16384];
	if (!safe_username(p->username))
		return; /* unknown: no keys, same replies as any other refusal */
	snprintf(path, sizeof path, "%s/%s", p->keys_dir, p->username);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	while (p->nkeys < MAX_KEYS && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		struct hs_key *k = NULL;
		if (hs_key_parse_line(line, &k, NULL) == 0)
			p->keys[p->nkeys++] = k;
	}
	fclose(f);
}

static void free_peer(struct peer *p)
{
	for (int i = 0; i < p->nkeys; i++)
		hs_key_free(p->keys[i]);
	free(p);
}

static void keys_loaded(uv_work_t *w, int status)
{
	struct peer *p = w->data;
	p->loading = 0;
	if (p->gone) {
		free_peer(p);
		return;
	}
	if (hs_conn_answer(p->conn, HS_AUTH_REQUIRED) != 0)
		log_line(p->conn, "%s", "could not resume authentication");
}

static void connection_made(struct hs_conn *conn)
{
	struct peer *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		hs_conn_disconnect(conn, HS_DISCONNECT_BY_APPLICATION, "out of memory");
		return;
	}
	p->conn = conn;
	p->keys_dir = keys_dir;
	hs_conn_set_data(conn, p);
	log_line(conn, "%s", "connection made");
}

static void connection_lost(struct hs_conn *conn, int err, const char *reason)
{
	struct peer *p = hs_conn_get_data(conn);
	log_line(conn, "connection lost: %s", reason);
	if (p == NULL)
		return;
	if (p->loading)
		p->gone = 1; /* keys_loaded frees it */
	else
		free_peer(p);
}

static int begin_auth(struct hs_conn *conn, const char *username)
{
	struct peer *p = hs_conn_get_data(conn);
	if (p == NULL)
		return HS_AUTH_REQUIRED;
	/* a name too long to be a file name here is unknown (no keys) */
	if (strlen(username) < sizeof p->username)
		snprintf(p->username, sizeof p->username, "%s", username);
	p->work.data = p;
	if (uv_queue_work(uv_default_loop(), &p->work, load_keys, keys_loaded) != 0)
		return HS_AUTH_REQUIRED;
	p->loading = 1;
	return HS_AUTH_PENDING;
}

static int validate_public_key(struct hs_conn *conn, const char *username, const struct hs_key *key)
{
	struct peer *p = hs_conn_get_data(conn);
	for (int i = 0; p != NULL && i < p->nkeys; i++)
		if (hs_key_equal(p->keys[i], key))
			return HS_YES;
	return HS_NO;
}

static void auth_completed(struct hs_conn *conn)
{
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(hs_conn_auth_key(conn), fp);
	fprintf(stderr, "[%s] authenticated as %s with %s\n", hs_conn_peer(conn), hs_conn_username(conn), fp);
}

static int session_requested(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open)
{
	struct echo *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		open->reason = HS_OPEN_RESOURCE_SHORTAGE;
		open->description = "out of memory";
		return HS_NO;
	}
	open->callbacks = &echo_session;
	open->data = e;
	return HS_YES;
}

static const struct hs_server_cb server = {
	.connection_made = connection_made,
	.connection_lost = connection_lost,
	.begin_auth = begin_auth,
	.validate_public_key = validate_public_key,
	.auth_completed = auth_completed,
	.session_requested = session_requested,
};

/* --- program --- */

static struct hs_listener *listener;

static void on_closed(void *data)
{
	uv_stop(uv_default_loop());
}

static void on_signal(uv_signal_t *s, int signum)
{
	fprintf(stderr, "signal %d: shutting down\n", signum);
	uv_close((uv_handle_t *)s, NULL);
	hs_listener_close(listener, on_closed, NULL);
}

static void close_handle(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: hosts_server --listen ADDR:PORT --host-key FILE --authorized-keys DIR\n"
	        "                    [--rekey-bytes N] [--rekey-seconds N] [--login-grace-time S]\n"
	        "                    [--max-channels N] [--max-auth-tries N] [--keepalive SECONDS]\n"
	        "                    [--banner TEXT] [--max-dh-computations N]\n");
}

static int split_listen(char *spec, char **addr, int *port)
{
	char *colon = strrchr(spec, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	*addr = spec;
	if ((*addr)[0] == '[') { /* [::1]:22 */
		(*addr)++;
		size_t n = strlen(*addr);
		if (n == 0 || (*addr)[n - 1] != ']')
			return -1;
		(*addr)[n - 1] = '\0';
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

static struct hs_hostkey *load_or_create_host_key(const char *path)
{
	struct hs_hostkey *hk = NULL;
	char err[512];
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0 ||
		    hs_hostkey_save_file(hk, path, "hosts_server") != 0) {
			fprintf(stderr, "hosts_server: cannot create host key %s\n", path);
			hs_hostkey_free(hk);
			return NULL;
		}
		return hk;
	}
	if (hs_hostkey_load_file(path, &hk, err, sizeof err) != 0) {
		fprintf(stderr, "hosts_server: %s\n", err);
		return NULL;
	}
	return hk;
}

int main(int argc, char **argv)
{
	char *listen_spec = NULL, *host_key = NULL;
	struct hs_config cfg;
	hs_config_init(&cfg);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			usage();
			return 2;
		}
		if (strcmp(a, "--listen") == 0)
			listen_spec = argv[++i];
		else if (strcmp(a, "--host-key") == 0)
			host_key = argv[++i];
		else if (strcmp(a, "--authorized-keys") == 0)
			keys_dir = argv[++i];
		else if (strcmp(a, "--rekey-bytes") == 0)
			cfg.rekey_bytes = strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "--rekey-seconds") == 0)
			cfg.rekey_seconds = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--login-grace-time") == 0)
			cfg.login_grace_seconds = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--max-channels") == 0)
			cfg.max_channels = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--max-auth-tries") == 0)
			cfg.max_auth_tries = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--keepalive") == 0)
			cfg.keepalive_seconds = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--banner") == 0)
			cfg.banner = argv[++i];
		else if (strcmp(a, "--max-dh-computations") == 0)
			cfg.max_dh_computations = (uint32_t)strtoul(argv[++i], NULL, 10);
		else {
			usage();
			return 2;
		}
	}
	char *addr;
	int port;
	if (listen_spec == NULL || host_key == NULL || keys_dir == NULL ||
	    split_listen(listen_spec, &addr, &port) != 0) {
		usage();
		return 2;
	}
	char err[512];
	if (hs_config_check(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "hosts_server: %s\n", err);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct hs_hostkey *hk = load_or_create_host_key(host_key);
	if (hk == NULL)
		return 1;
	uv_loop_t *loop = uv_default_loop();
	int uverr = 0;
	if (hs_listener_new(loop, &cfg, hk, &server, NULL, &listener) != 0) {
		fprintf(stderr, "hosts_server: cannot create listener\n");
		return 1;
	}
	if (hs_listener_listen(listener, addr, port, 0, &uverr) != 0) {
		fprintf(stderr, "hosts_server: cannot listen on %s:%d: %s\n", addr, port,
		        uverr ? uv_strerror(uverr) : "invalid address");
		return 1;
	}
	uv_signal_t sigint, sigterm;
	uv_signal_init(loop, &sigint);
	uv_signal_init(loop, &sigterm);
	uv_signal_start(&sigint, on_signal, SIGINT);
	uv_signal_start(&sigterm, on_signal, SIGTERM);
	char fp[HS_FINGERPRINT_SIZE];
	hs_key_fingerprint(hs_hostkey_public(hk), fp);
	int bound = hs_listener_port(listener);
	printf("listening on %s:%d\n", addr, bound);
	printf("host key %s\n", fp);
	printf("connect with: ssh -p %d -i YOUR_KEY USER@%s -s echo   (USER has a file in %s)\n", bound, addr,
	       keys_dir);
	fflush(stdout);
	uv_run(loop, UV_RUN_DEFAULT);
	/* close whatever is left (signal handles) before freeing the key */
	uv_walk(loop, close_handle, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	hs_hostkey_free(hk);
	return 0;
}
