/*
 * pq_client: the test client (mini_client.c) on a real TCP connection, for
 * the key exchanges no client installed on Debian 12 offers
 * (mlkem768x25519-sha256). Integration tests run it against `hostsd
 * serve`:
 *
 *   pq_client HOST PORT KEX USER KEYFILE SUBSYSTEM [norekey]
 *
 * It agrees KEX (and nothing else), checks the server's signature over the
 * exchange hash, logs in as USER with the Ed25519 key in KEYFILE (OpenSSH
 * format), asks for a client rekey (not with norekey: the benchmark counts
 * one exchange per login), runs SUBSYSTEM with standard input's
 * bytes (up to 1 MiB) and writes what comes back to standard output. It
 * says "kex: NAME" and "rekeyed" on standard error; exit 0 when the
 * channel closed with exit-status 0, else 1 with the reason.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mini_client.h"

#define INPUT_MAX (1u << 20)
#define STEP_TIMEOUT_MS 20000

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res = NULL;
	int fd = -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* Move bytes both ways until until(mc, arg) holds, the server hangs up or
 * a step takes too long. 0 when it holds. */
static int net_pump(struct mc *mc, int fd, int (*until)(struct mc *, void *), void *arg)
{
	uint8_t buf[65536];
	int idle_ms = 0;
	while (!until(mc, arg)) {
		if (mc->failed)
			return -1;
		while (hs__buf_len(&mc->pkt.out) > 0) {
			ssize_t n = write(fd, hs__buf_ptr(&mc->pkt.out), hs__buf_len(&mc->pkt.out));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || hs__buf_consume(&mc->pkt.out, (size_t)n) != 0)
				return -1;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ready = poll(&p, 1, 100);
		if (ready <= 0) {
			if ((idle_ms += 100) >= STEP_TIMEOUT_MS)
				return -1;
			continue;
		}
		idle_ms = 0;
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return until(mc, arg) ? 0 : -1;
		if (hs__packet_feed(&mc->pkt, buf, (size_t)n) != 0)
			return -1;
		mc_read_all(mc);
	}
	return 0;
}

static int kex_count(struct mc *mc, void *arg)
{
	return mc->kex_done >= *(int *)arg;
}

static int has_msg(struct mc *mc, void *arg)
{
	(void)arg;
	return mc_peek(mc) >= 0;
}

static int window_open(struct mc *mc, void *arg)
{
	(void)mc;
	return ((struct mc_chan *)arg)->remote_window > 0;
}

static int chan_closed(struct mc *mc, void *arg)
{
	(void)mc;
	return ((struct mc_chan *)arg)->got_close;
}

/* Pump until a message of type is queued, skipping those a client may
 * let pass (IGNORE, DEBUG, EXT_INFO, a global request without reply). */
static int expect(struct mc *mc, int fd, uint8_t type, struct hs_view *body, const char *what)
{
	for (;;) {
		if (net_pump(mc, fd, has_msg, NULL) != 0) {
			fprintf(stderr, "pq_client: no %s\n", what);
			return -1;
		}
		int next = mc_peek(mc);
		if (next == HS_MSG_IGNORE || next == HS_MSG_DEBUG || next == HS_MSG_EXT_INFO ||
		    next == HS_MSG_GLOBAL_REQUEST) {
			(void)mc_take(mc, NULL);
			continue;
		}
		if (mc_expect(mc, type, body) != 0) {
			fprintf(stderr, "pq_client: no %s (message %d instead)\n", what, next);
			return -1;
		}
		return 0;
	}
}

static size_t read_input(uint8_t *buf)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = read(0, buf + n, INPUT_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) == INPUT_MAX)
			return n;
	}
}

/* ch lives as long as mc: mc registers it, and mc_cleanup cleans it up. */
static int session(struct mc *mc, int fd, struct mc_chan *ch, const char *subsystem, const uint8_t *in, size_t inlen)
{
	struct hs_buf t;
	size_t sent = 0;
	mc_chan_init(ch, 1, 1u << 20, 32768);
	ch->auto_handle = ch->auto_adjust = ch->auto_close = 1;
	if (mc_channel_open(mc, ch, "session", NULL, 0) != 0 || net_pump(mc, fd, has_msg, NULL) != 0 ||
	    mc_channel_confirmed(mc, ch) != 0) {
		fprintf(stderr, "pq_client: the session channel was not confirmed (message %d)\n", mc_peek(mc));
		return -1;
	}
	mc_body(&t);
	if (hs__buf_put_cstring(&t, subsystem) != 0 ||
	    mc_channel_request(mc, ch, "subsystem", 1, hs__buf_ptr(&t), hs__buf_len(&t)) != 0) {
		hs__buf_cleanup(&t);
		return -1;
	}
	hs__buf_cleanup(&t);
	if (expect(mc, fd, HS_MSG_CHANNEL_SUCCESS, NULL, "subsystem success") != 0)
		return -1;
	while (sent < inlen) {
		size_t n = mc_channel_send(mc, ch, in + sent, inlen - sent, HS_STREAM_DATA);
		sent += n;
		if (n == 0 && net_pump(mc, fd, window_open, ch) != 0) {
			fprintf(stderr, "pq_client: the server's window stayed shut\n");
			return -1;
		}
	}
	if (mc_chan_simple(mc, ch, HS_MSG_CHANNEL_EOF) != 0 || net_pump(mc, fd, chan_closed, ch) != 0) {
		fprintf(stderr, "pq_client: the channel did not close\n");
		return -1;
	}
	fwrite(hs__buf_ptr(&ch->rx), 1, hs__buf_len(&ch->rx), stdout);
	fflush(stdout);
	int ok = ch->exit_status == 0;
	if (!ok)
		fprintf(stderr, "pq_client: exit status %ld\n", ch->exit_status);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mc mc;
	struct mc_chan ch; /* registered with mc: as long-lived */
	struct hs_hostkey *key = NULL;
	char err[256];
	int rc = 1, two = 2, one = 1;
	int rekey = argc != 8 || strcmp(argv[7], "norekey") != 0;
	if (argc != 7 && (argc != 8 || rekey)) {
		fprintf(stderr, "usage: pq_client HOST PORT KEX USER KEYFILE SUBSYSTEM [norekey]\n");
		return 2;
	}
	uint8_t *in = malloc(INPUT_MAX);
	size_t inlen = in != NULL ? read_input(in) : 0;
	if (in == NULL || hs_hostkey_load_file(argv[5], &key, err, sizeof err) != 0) {
		fprintf(stderr, "pq_client: %s\n", in == NULL ? "out of memory" : err);
		free(in);
		return 1;
	}
	int fd = connect_to(argv[1], argv[2]);
	struct mc_opts opt = { .kex = argv[3], .strict = 1, .ext_info = 1 };
	mc_init(&mc, NULL, &opt);
	if (fd < 0) {
		fprintf(stderr, "pq_client: cannot connect to %s port %s\n", argv[1], argv[2]);
		goto out;
	}
	if (mc_start(&mc) != 0 || net_pump(&mc, fd, kex_count, &one) != 0) {
		fprintf(stderr, "pq_client: key exchange failed%s%s\n", mc.failed ? ": " : "", mc.failed ? mc.err : "");
		goto out;
	}
	fprintf(stderr, "kex: %s\n", argv[3]);
	mc_drain(&mc); /* EXT_INFO */
	if (mc_service_request(&mc, "ssh-userauth") != 0 ||
	    expect(&mc, fd, HS_MSG_SERVICE_ACCEPT, NULL, "service accept") != 0 ||
	    mc_userauth_pk_signed(&mc, argv[4], key, "ssh-ed25519", NULL, 0) != 0 ||
	    expect(&mc, fd, HS_MSG_USERAUTH_SUCCESS, NULL, "authentication success") != 0)
		goto out;
	if (rekey && (mc_send_kexinit(&mc) != 0 || net_pump(&mc, fd, kex_count, &two) != 0)) {
		fprintf(stderr, "pq_client: rekey failed\n");
		goto out;
	}
	if (rekey)
		fprintf(stderr, "rekeyed\n");
	rc = session(&mc, fd, &ch, argv[6], in, inlen) == 0 ? 0 : 1;
	mc_disconnect(&mc, 11, "done");
	(void)net_pump(&mc, fd, has_msg, NULL);
out:
	if (fd >= 0)
		close(fd);
	mc_cleanup(&mc);
	hs_hostkey_free(key);
	free(in);
	return rc;
}
