/*
 * Adversarial tests of the libuv layer (io/listener.c) with a real loop, a
 * real listener on 127.0.0.1 and raw TCP sockets as peers; some peers drive
 * the mini client (tests/mini_client.h) over their socket to get past key
 * exchange and authentication. What the in-memory suite (core/conn_test.c)
 * cannot see is covered here: the caps on unauthenticated connections per
 * source address and in total, handle lifetimes when the application closes
 * things from inside its callbacks, a closing connection whose peer does
 * not read, finite-field exchanges on the thread pool (their cap, peers or
 * the listener going away while they wait or run, known sources' first
 * logins ahead of strangers'), IPv4 peers on a dual-stack listener,
 * per-source penalties and random early drop with the events they report,
 * TCP keepalive and the idle timeout.
 *
 * Every scenario that might crash runs in a forked child, so a memory error
 * fails its own check (under ASan, or as glibc's double-free abort) and the
 * rest of the file still runs. Everything is bounded in time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_test.h"
#include "io/listener.h"
#include "mini_client.h"

#define USER "peer1"
#define MIB (1024u * 1024u)
#define MAX_PEERS 24
#define MAX_EVENTS 32

/* The engine's close-flush bound (CLOSE_FLUSH_MS in listener.c) plus
 * scheduling slack for sanitizer builds. */
#define FLUSH_BOUND_MS 9000

static struct hs_hostkey *g_hostkey, *g_userkey;
static uv_loop_t g_loop;

/* --- the server application, with one hostile behaviour per test --- */

enum action {
	ACT_NONE,
	ACT_CLOSE_LISTENER_IN_MADE,
	ACT_CLOSE_LISTENER_IN_LOST,
	ACT_CLOSE_LISTENER_IN_DATA,
	ACT_DISCONNECT_IN_DATA,
	ACT_CHCLOSE_IN_DATA,
	ACT_DISCONNECT_IN_EOF,
	ACT_CHCLOSE_IN_EOF,
	ACT_DISCONNECT_IN_WRITE_READY,
	ACT_CHCLOSE_IN_WRITE_READY,
	ACT_DISCONNECT_IN_SESSION,
	ACT_DISCONNECT_IN_AUTH_SUPPORTED,
	ACT_EXIT_SIGNAL_IN_KEX,
};

struct app {
	struct hs_listener *l;
	int action;
	int made, lost, lost_err, auth_done, closed_cb;
	char lost_reason[160];
	struct hs_conn *conns[MAX_PEERS];
	int ch_open, ch_lost, data_calls, eof_calls, write_ready_calls;
	size_t data_bytes;
	int action_done, action_rc;
	size_t echo_left; /* bytes still to write back (write_ready tests) */
	struct hs_channel *ch;
	char last_peer[64]; /* hs_conn_peer of the last connection made */
	int nev;            /* listener events, the first MAX_EVENTS kept */
	struct hs_listener_event ev[MAX_EVENTS];
	char ev_source[MAX_EVENTS][64], ev_peer[MAX_EVENTS][64];
};

static struct app A;

static void on_listener_closed(void *data)
{
	(void)data;
	A.closed_cb++;
	A.l = NULL;
}

static void close_listener(void)
{
	if (A.l != NULL)
		hs_listener_close(A.l, on_listener_closed, NULL);
}

static void srv_made(struct hs_conn *conn)
{
	A.made++;
	snprintf(A.last_peer, sizeof A.last_peer, "%s", hs_conn_peer(conn));
	for (int i = 0; i < MAX_PEERS; i++)
		if (A.conns[i] == NULL) {
			A.conns[i] = conn;
			break;
		}
	if (A.action == ACT_CLOSE_LISTENER_IN_MADE && !A.action_done) {
		A.action_done = 1;
		close_listener();
	}
}

static void srv_lost(struct hs_conn *conn, int err, const char *reason)
{
	A.lost++;
	A.lost_err = err;
	snprintf(A.lost_reason, sizeof A.lost_reason, "%s", reason ? reason : "");
	for (int i = 0; i < MAX_PEERS; i++)
		if (A.conns[i] == conn)
			A.conns[i] = NULL;
	/* "Stop accepting, let the connections drain, close the listener when
	 * the last one is gone": a natural graceful shutdown. */
	if (A.action == ACT_CLOSE_LISTENER_IN_LOST && !A.action_done && hs_listener_connection_count(A.l) == 0) {
		A.action_done = 1;
		close_listener();
	}
}

static int srv_validate(struct hs_conn *conn, const char *user, const struct hs_key *key)
{
	(void)conn;
	return strcmp(user, USER) == 0 && hs_key_equal(key, hs_hostkey_public(g_userkey)) ? HS_YES : HS_NO;
}

static int srv_pk_supported(struct hs_conn *conn)
{
	if (A.action == ACT_DISCONNECT_IN_AUTH_SUPPORTED && !A.action_done) {
		A.action_done = 1;
		hs_conn_disconnect(conn, HS_DISCONNECT_BY_APPLICATION, "policy says no");
	}
	return 1;
}

static void srv_auth_completed(struct hs_conn *conn)
{
	(void)conn;
	A.auth_done++;
}

static void disconnect_ch(struct hs_channel *ch)
{
	hs_conn_disconnect(hs_channel_conn(ch), HS_DISCONNECT_BY_APPLICATION, "closed from a callback");
}

static void echo_more(struct hs_channel *ch)
{
	static const uint8_t junk[8192];
	while (A.echo_left > 0) {
		size_t n = A.echo_left < sizeof junk ? A.echo_left : sizeof junk, w = 0;
		if (hs_channel_write(ch, junk, n, HS_STREAM_DATA, &w) != 0 || w == 0)
			return;
		A.echo_left -= w;
	}
}

static void srv_data(struct hs_channel *ch, const uint8_t *data, size_t len, enum hs_stream stream)
{
	(void)data;
	(void)stream;
	A.data_calls++;
	A.data_bytes += len;
	int first = !A.action_done;
	switch (A.action) {
	case ACT_CLOSE_LISTENER_IN_DATA:
		if (first) {
			A.action_done = 1;
			close_listener();
		}
		break;
	case ACT_DISCONNECT_IN_DATA:
		A.action_done = 1;
		disconnect_ch(ch);
		break;
	case ACT_CHCLOSE_IN_DATA: {
		size_t w = 1;
		A.action_done = 1;
		(void)hs_channel_close(ch);
		/* and a write after our own CLOSE must be refused */
		A.action_rc = hs_channel_write(ch, "x", 1, HS_STREAM_DATA, &w);
		break;
	}
	case ACT_DISCONNECT_IN_WRITE_READY:
	case ACT_CHCLOSE_IN_WRITE_READY:
		if (A.echo_left == 0 && !A.action_done)
			A.echo_left = 4 * len + 4096;
		echo_more(ch);
		break;
	case ACT_EXIT_SIGNAL_IN_KEX: {
		struct hs_conn *conn = hs_channel_conn(ch);
		if (first && conn->kex.step == HS_KEX_SENT_KEXINIT) {
			/* An ordinary API call that fails half way (the text does
			 * not fit the held queue). The application gets an error;
			 * the connection must stay consistent. */
			size_t n = 300u * 1024u;
			char *msg = malloc(n + 1);
			if (msg != NULL) {
				memset(msg, 'm', n);
				msg[n] = '\0';
				A.action_done = 1;
				A.action_rc = hs_channel_exit_signal(ch, "TERM", 0, msg);
				free(msg);
			}
		}
		break;
	}
	default:
		break;
	}
}

static void srv_eof(struct hs_channel *ch)
{
	A.eof_calls++;
	if (A.action == ACT_DISCONNECT_IN_EOF) {
		A.action_done = 1;
		disconnect_ch(ch);
	} else if (A.action == ACT_CHCLOSE_IN_EOF) {
		A.action_done = 1;
		(void)hs_channel_close(ch);
		(void)hs_channel_close(ch); /* twice: harmless */
	}
}

static void srv_write_ready(struct hs_channel *ch)
{
	A.write_ready_calls++;
	if (A.action == ACT_DISCONNECT_IN_WRITE_READY && !A.action_done) {
		A.action_done = 1;
		disconnect_ch(ch);
		echo_more(ch); /* must be refused quietly */
		return;
	}
	if (A.action == ACT_CHCLOSE_IN_WRITE_READY && !A.action_done) {
		A.action_done = 1;
		(void)hs_channel_close(ch);
		echo_more(ch);
		return;
	}
	echo_more(ch);
}

static int srv_subsystem(struct hs_channel *ch, const char *name)
{
	(void)ch;
	(void)name;
	return HS_YES;
}

static void srv_chan_lost(struct hs_channel *ch, int err)
{
	(void)err;
	A.ch_lost++;
	if (A.ch == ch)
		A.ch = NULL;
}

static const struct hs_session_cb session_cb = {
	.subsystem_requested = srv_subsystem,
	.data_received = srv_data,
	.eof_received = srv_eof,
	.write_ready = srv_write_ready,
	.connection_lost = srv_chan_lost,
};

static int srv_session(struct hs_conn *conn, struct hs_channel *ch, struct hs_channel_open *open)
{
	A.ch_open++;
	A.ch = ch;
	open->callbacks = &session_cb;
	if (A.action == ACT_DISCONNECT_IN_SESSION) {
		A.action_done = 1;
		hs_conn_disconnect(conn, HS_DISCONNECT_BY_APPLICATION, "changed my mind");
	}
	return HS_YES;
}

static void srv_event(void *data, const struct hs_listener_event *ev)
{
	(void)data;
	if (A.nev < MAX_EVENTS) {
		A.ev[A.nev] = *ev;
		snprintf(A.ev_source[A.nev], sizeof A.ev_source[0], "%s", ev->source ? ev->source : "");
		snprintf(A.ev_peer[A.nev], sizeof A.ev_peer[0], "%s", ev->peer ? ev->peer : "");
		A.ev[A.nev].source = A.ev_source[A.nev];
		A.ev[A.nev].peer = A.ev_peer[A.nev];
	}
	A.nev++;
}

static const struct hs_server_cb server_cb = {
	.listener_event = srv_event,
	.connection_made = srv_made,
	.connection_lost = srv_lost,
	.public_key_auth_supported = srv_pk_supported,
	.validate_public_key = srv_validate,
	.auth_completed = srv_auth_completed,
	.session_requested = srv_session,
};

/* --- peers: raw sockets, optionally carrying the mini client --- */

struct peer {
	int fd;
	int use_mc;
	int reading; /* 0: never read (the TCP window closes) */
	int eof;
	struct mc mc;
	uint8_t raw[512];
	size_t raw_len;
};

static struct peer *g_peers[MAX_PEERS];
static const struct mc_opts *g_peer_opts; /* for mini-client peers; NULL: defaults */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void peer_pump(struct peer *p)
{
	uint8_t buf[65536];
	if (p->fd < 0)
		return;
	while (p->use_mc && hs__buf_len(&p->mc.pkt.out) > 0 && !p->mc.pkt.tx_building) {
		ssize_t n = send(p->fd, hs__buf_ptr(&p->mc.pkt.out), hs__buf_len(&p->mc.pkt.out), MSG_NOSIGNAL);
		if (n <= 0 || hs__buf_consume(&p->mc.pkt.out, (size_t)n) != 0)
			break; /* EAGAIN: later; EPIPE: the server is gone */
	}
	while (p->reading && !p->eof) {
		ssize_t n = recv(p->fd, buf, sizeof buf, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			p->eof = 1;
			break;
		}
		if (p->use_mc) {
			if (hs__packet_feed(&p->mc.pkt, buf, (size_t)n) != 0)
				mc_fail(&p->mc, "client input overflow");
			mc_read_all(&p->mc);
		} else {
			size_t k = (size_t)n < sizeof p->raw - p->raw_len ? (size_t)n : sizeof p->raw - p->raw_len;
			memcpy(p->raw + p->raw_len, buf, k);
			p->raw_len += k;
		}
	}
}

/* One turn of the server loop and of every peer. */
static void step(void)
{
	uv_run(&g_loop, UV_RUN_NOWAIT);
	for (int i = 0; i < MAX_PEERS; i++)
		if (g_peers[i] != NULL)
			peer_pump(g_peers[i]);
	poll(NULL, 0, 1);
}

#define RUN_UNTIL(cond, ms)                       \
	do {                                      \
		uint64_t dl_ = now_ms() + (ms);   \
		while (!(cond) && now_ms() < dl_) \
			step();                   \
	} while (0)

/* Connect from src (any 127/8 address) to the listener; rcvbuf > 0 shrinks
 * our receive buffer so that a peer that stops reading stalls the server
 * quickly. */
static int peer_connect(struct peer *p, const char *src, int port, int rcvbuf, int use_mc)
{
	struct sockaddr_in a;
	memset(p, 0, sizeof(*p));
	p->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (p->fd < 0)
		return -1;
	if (rcvbuf > 0)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &a.sin_addr) != 1 || bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0)
		goto fail;
	a.sin_port = htons((uint16_t)port);
	(void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	/* loopback: the kernel completes the handshake without the accept */
	if (connect(p->fd, (struct sockaddr *)&a, sizeof a) != 0)
		goto fail;
	if (fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) != 0)
		goto fail;
	p->reading = 1;
	p->use_mc = use_mc;
	if (use_mc) {
		mc_init(&p->mc, NULL, g_peer_opts);
		p->mc.expect_hostkey = hs_hostkey_public(g_hostkey);
		if (mc_start(&p->mc) != 0)
			goto fail;
	}
	for (int i = 0; i < MAX_PEERS; i++)
		if (g_peers[i] == NULL) {
			g_peers[i] = p;
			return 0;
		}
fail:
	close(p->fd);
	p->fd = -1;
	return -1;
}

static void peer_close(struct peer *p)
{
	for (int i = 0; i < MAX_PEERS; i++)
		if (g_peers[i] == p)
			g_peers[i] = NULL;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->use_mc)
		mc_cleanup(&p->mc);
	p->use_mc = 0;
}

/* Was the raw peer accepted (it got the identification line) or refused
 * (closed with nothing sent)? 1, 0, or -1 when undecided. */
static int peer_accepted(struct peer *p)
{
	RUN_UNTIL(p->raw_len >= 8 || p->eof, 3000);
	if (p->raw_len >= 8 && memcmp(p->raw, "SSH-2.0-", 8) == 0)
		return 1;
	return p->eof && p->raw_len == 0 ? 0 : -1;
}

static int peer_wait_msg(struct peer *p, int ms)
{
	RUN_UNTIL(mc_queued(&p->mc) > 0 || p->eof || p->mc.failed, ms);
	return mc_queued(&p->mc) > 0;
}

static int peer_kex(struct peer *p)
{
	RUN_UNTIL(p->mc.kex_done >= 1 || p->eof || p->mc.failed, 5000);
	return p->mc.kex_done >= 1 ? 0 : -1;
}

static int peer_service(struct peer *p)
{
	if (peer_kex(p) != 0 || mc_service_request(&p->mc, "ssh-userauth") != 0)
		return -1;
	peer_wait_msg(p, 5000);
	return mc_expect(&p->mc, HS_MSG_SERVICE_ACCEPT, NULL);
}

static int peer_auth(struct peer *p)
{
	if (peer_service(p) != 0 || mc_userauth_pk_signed(&p->mc, USER, g_userkey, "ssh-ed25519", NULL, 0) != 0)
		return -1;
	peer_wait_msg(p, 5000);
	return mc_expect(&p->mc, HS_MSG_USERAUTH_SUCCESS, NULL);
}

/* Open a session with our window, and start subsystem "x" on it. */
static int peer_session(struct peer *p, struct mc_chan *ch, uint32_t window)
{
	mc_chan_init(ch, 0, window, 32768);
	if (mc_channel_open(&p->mc, ch, "session", NULL, 0) != 0)
		return -1;
	peer_wait_msg(p, 5000);
	if (mc_channel_confirmed(&p->mc, ch) != 0)
		return -1;
	uint8_t tail[5] = { 0, 0, 0, 1, 'x' };
	if (mc_channel_request(&p->mc, ch, "subsystem", 1, tail, sizeof tail) != 0)
		return -1;
	peer_wait_msg(p, 5000);
	return mc_expect(&p->mc, HS_MSG_CHANNEL_SUCCESS, NULL);
}

/* The next message is DISCONNECT: its reason, or 0. */
static uint32_t peer_disconnect_reason(struct peer *p)
{
	struct hs_view v;
	peer_wait_msg(p, 5000);
	if (mc_expect(&p->mc, HS_MSG_DISCONNECT, &v) != 0)
		return 0;
	return mc_disconnect_reason(&v, NULL, 0);
}

/* --- listener set-up --- */

static int start_listener_on(const char *address, const struct hs_config *cfg, int action)
{
	int uverr = 0;
	memset(&A, 0, sizeof A);
	A.action = action;
	if (uv_loop_init(&g_loop) != 0)
		return -1;
	if (hs_listener_new(&g_loop, cfg, g_hostkey, &server_cb, NULL, &A.l) != 0)
		return -1;
	if (hs_listener_listen(A.l, address, 0, 0, &uverr) != 0)
		return -1;
	return hs_listener_port(A.l);
}

static int start_listener(const struct hs_config *cfg, int action)
{
	return start_listener_on("127.0.0.1", cfg, action);
}

/* Close every peer, then the listener, and check the loop ends empty. */
static void finish(void)
{
	for (int i = 0; i < MAX_PEERS; i++)
		if (g_peers[i] != NULL)
			peer_close(g_peers[i]);
	close_listener();
	RUN_UNTIL(A.closed_cb > 0, FLUSH_BOUND_MS);
	CHECK_EQ_INT(A.closed_cb, 1);
	for (int i = 0; i < 10; i++)
		uv_run(&g_loop, UV_RUN_NOWAIT);
	CHECK_EQ_INT(uv_loop_close(&g_loop), 0);
}

/* Run fn in a child; the child's own checks decide its exit code. */
static void in_child(const char *name, void (*fn)(void))
{
	int st = 0;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		CHECK(pid >= 0);
		return;
	}
	if (pid == 0) {
		hs_test_passed = hs_test_failed = 0;
		alarm(25);
		fn();
		fflush(stdout);
		exit(hs_test_failed ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		st = -1;
	int ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!ok)
		fprintf(stderr, "listener_test: scenario \"%s\" failed: %s %d\n", name,
		        WIFSIGNALED(st) ? "child killed by signal" : "child exit status",
		        WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	else
		fprintf(stderr, "listener_test: scenario \"%s\" ok\n", name);
	CHECK(ok);
}

/* --- 1. pre-authentication caps --- */

static void test_preauth_caps(void)
{
	struct hs_config cfg;
	static struct peer a1, a2, a3, a4, a5, b1, c1, d1, e1;
	hs_config_init(&cfg);
	cfg.max_unauthenticated = 4;
	cfg.max_unauthenticated_per_source = 2;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;

	/* two from 127.0.0.1 are accepted, the third is refused */
	CHECK_EQ_INT(peer_connect(&a1, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a1), 1);
	CHECK_EQ_INT(peer_connect(&a2, "127.0.0.1", port, 0, 1), 0);
	RUN_UNTIL(A.made == 2, 3000);
	CHECK_EQ_INT(peer_kex(&a2), 0);
	CHECK_EQ_INT(peer_connect(&a3, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a3), 0);
	/* another source address has its own share */
	CHECK_EQ_INT(peer_connect(&b1, "127.0.0.2", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&b1), 1);
	CHECK_EQ_INT(peer_connect(&c1, "127.0.0.3", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&c1), 1);
	/* the total cap (4) */
	CHECK_EQ_INT(peer_connect(&d1, "127.0.0.4", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&d1), 0);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 4);
	CHECK_EQ_INT(A.made, 4);
	peer_close(&a3);
	peer_close(&d1);

	/* a closed connection gives its slot back (per source and total) */
	peer_close(&a1);
	RUN_UNTIL(A.lost == 1, 3000);
	CHECK_EQ_INT(A.lost, 1);
	CHECK_EQ_INT(peer_connect(&a4, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a4), 1);

	/* an authenticated one too: 127.0.0.1 then has one unauthenticated
	 * connection (a4), the total is 3 */
	CHECK_EQ_INT(peer_service(&a2), 0);
	CHECK_EQ_INT(mc_userauth_pk_signed(&a2.mc, USER, g_userkey, "ssh-ed25519", NULL, 0), 0);
	peer_wait_msg(&a2, 5000);
	CHECK_EQ_INT(mc_expect(&a2.mc, HS_MSG_USERAUTH_SUCCESS, NULL), 0);
	CHECK_EQ_INT(A.auth_done, 1);
	CHECK_EQ_INT(peer_connect(&a5, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a5), 1);
	/* full again: a4, a5, b1, c1 */
	CHECK_EQ_INT(peer_connect(&e1, "127.0.0.5", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&e1), 0);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 5);
	peer_close(&e1);

	/* everything closes: the counters are back to zero, so the caps
	 * admit a full set again */
	peer_close(&a2);
	peer_close(&a4);
	peer_close(&a5);
	peer_close(&b1);
	peer_close(&c1);
	RUN_UNTIL(hs_listener_connection_count(A.l) == 0, 5000);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 0);
	static struct peer again[4];
	for (int i = 0; i < 4; i++) {
		CHECK_EQ_INT(peer_connect(&again[i], i < 2 ? "127.0.0.1" : "127.0.0.2", port, 0, 0), 0);
		CHECK_EQ_INT(peer_accepted(&again[i]), 1);
	}
	finish();
}

/* --- 2. a closing connection whose peer does not read --- */

/* listener.c promises that a closing connection's last bytes get
 * CLOSE_FLUSH_MS (5 s), after which it is closed. Here the peer never reads
 * and the server shuts down: the connection and the listener must be gone
 * within that bound, not only when the connection's previous timer (login
 * grace, or the rekey interval after authentication) runs out. */
static void scenario_close_flush_bound(void)
{
	struct hs_config cfg;
	static struct peer p;
	hs_config_init(&cfg);
	cfg.login_grace_seconds = 60;
	/* a big banner: more than the socket buffers can take */
	size_t n = 7u * MIB;
	char *banner = malloc(n + 1);
	CHECK(banner != NULL);
	if (banner == NULL)
		return;
	memset(banner, 'b', n);
	banner[n] = '\0';
	cfg.banner = banner;
	int port = start_listener(&cfg, ACT_NONE);
	free(banner);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 4096, 1), 0);
	CHECK_EQ_INT(peer_service(&p), 0);
	p.reading = 0; /* from now on the peer's window stays closed */
	CHECK_EQ_INT(mc_userauth_none(&p.mc, USER), 0);
	RUN_UNTIL(0, 500); /* the banner fills the socket; the write stays pending */
	uint64_t t0 = now_ms();
	close_listener();
	RUN_UNTIL(A.lost == 1 && A.closed_cb == 1, FLUSH_BOUND_MS);
	if (A.lost != 1 || A.closed_cb != 1)
		fprintf(stderr, "listener_test: a non-reading peer kept the connection %s after %llu ms of shutdown\n",
		        A.lost ? "closed" : "OPEN", (unsigned long long)(now_ms() - t0));
	CHECK_EQ_INT(A.lost, 1);
	CHECK_EQ_INT(A.closed_cb, 1);
	finish(); /* closing our socket ends the stuck write either way */
}

/* --- 3. hs_listener_close from connection_lost after hs_listener_stop --- */

static void scenario_close_in_lost_after_stop(void)
{
	static struct peer p;
	int port = start_listener(NULL, ACT_CLOSE_LISTENER_IN_LOST);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p), 1);
	hs_listener_stop(A.l);
	RUN_UNTIL(0, 100); /* the listening handle's close completes */
	peer_close(&p);    /* the last connection ends: connection_lost closes the listener */
	RUN_UNTIL(A.closed_cb > 0, 3000);
	RUN_UNTIL(0, 100);
	CHECK_EQ_INT(A.lost, 1);
	CHECK_EQ_INT(A.closed_cb, 1);
	for (int i = 0; i < 10; i++)
		uv_run(&g_loop, UV_RUN_NOWAIT);
	CHECK_EQ_INT(uv_loop_close(&g_loop), 0);
}

/* --- 4. the application closes things from inside its callbacks --- */

static void scenario_close_listener_in_made(void)
{
	static struct peer p;
	int port = start_listener(NULL, ACT_CLOSE_LISTENER_IN_MADE);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 0), 0);
	RUN_UNTIL(A.closed_cb > 0, 5000);
	CHECK_EQ_INT(A.made, 1);
	CHECK_EQ_INT(A.lost, 1);
	CHECK_EQ_INT(A.closed_cb, 1);
	peer_close(&p);
	for (int i = 0; i < 10; i++)
		uv_run(&g_loop, UV_RUN_NOWAIT);
	CHECK_EQ_INT(uv_loop_close(&g_loop), 0);
}

/* Authenticate, open a session, then provoke the callback under test. */
static void callback_scenario(int action)
{
	static struct peer p;
	struct mc_chan ch;
	int port = start_listener(NULL, action);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 1), 0);
	CHECK_EQ_INT(peer_auth(&p), 0);
	int wr = action == ACT_DISCONNECT_IN_WRITE_READY || action == ACT_CHCLOSE_IN_WRITE_READY;
	int sess = peer_session(&p, &ch, wr ? 1000 : MIB);
	if (action == ACT_DISCONNECT_IN_SESSION) {
		CHECK(sess != 0);
		RUN_UNTIL(A.lost == 1 && p.eof, 5000);
		CHECK_EQ_INT(A.lost, 1);
		CHECK_EQ_INT(A.ch_lost, A.ch_open); /* an accepted channel still gets its end */
		finish();
		return;
	}
	CHECK_EQ_INT(sess, 0);
	if (action == ACT_DISCONNECT_IN_EOF || action == ACT_CHCLOSE_IN_EOF) {
		CHECK_EQ_INT(mc_chan_simple(&p.mc, &ch, HS_MSG_CHANNEL_EOF), 0);
	} else {
		static uint8_t data[4000];
		CHECK_EQ_INT(mc_channel_send(&p.mc, &ch, data, sizeof data, HS_STREAM_DATA), sizeof data);
		CHECK_EQ_INT(mc_channel_send(&p.mc, &ch, data, sizeof data, HS_STREAM_DATA), sizeof data);
	}
	RUN_UNTIL(A.action_done && (A.lost || ch.got_close), 5000);
	RUN_UNTIL(0, 200);
	CHECK_EQ_INT(A.action_done, 1);
	CHECK_EQ_INT(p.mc.failed, 0);
	switch (action) {
	case ACT_DISCONNECT_IN_DATA:
	case ACT_DISCONNECT_IN_EOF:
	case ACT_DISCONNECT_IN_WRITE_READY:
		CHECK_EQ_INT(peer_disconnect_reason(&p), HS_DISCONNECT_BY_APPLICATION);
		RUN_UNTIL(A.lost == 1, 3000);
		CHECK_EQ_INT(A.lost, 1);
		CHECK_EQ_INT(A.ch_lost, 1);
		break;
	case ACT_CLOSE_LISTENER_IN_DATA:
		CHECK_EQ_INT(peer_disconnect_reason(&p), HS_DISCONNECT_BY_APPLICATION);
		RUN_UNTIL(A.closed_cb == 1, 5000);
		CHECK_EQ_INT(A.closed_cb, 1);
		CHECK_EQ_INT(A.lost, 1);
		CHECK_EQ_INT(A.ch_lost, 1);
		break;
	default: /* channel closed: the connection goes on */
		CHECK_EQ_INT(ch.got_close, 1);
		RUN_UNTIL(A.ch_lost == 1, 3000);
		CHECK_EQ_INT(A.ch_lost, 1);
		CHECK_EQ_INT(A.lost, 0);
		if (action == ACT_CHCLOSE_IN_DATA)
			CHECK_EQ_INT(A.action_rc, HS_ERR_CLOSED);
		break;
	}
	finish();
	CHECK_EQ_INT(A.lost, 1);
	CHECK_EQ_INT(A.ch_lost, A.ch_open);
}

static void scenario_disconnect_in_data(void)
{
	callback_scenario(ACT_DISCONNECT_IN_DATA);
}
static void scenario_chclose_in_data(void)
{
	callback_scenario(ACT_CHCLOSE_IN_DATA);
}
static void scenario_close_listener_in_data(void)
{
	callback_scenario(ACT_CLOSE_LISTENER_IN_DATA);
}
static void scenario_disconnect_in_eof(void)
{
	callback_scenario(ACT_DISCONNECT_IN_EOF);
}
static void scenario_chclose_in_eof(void)
{
	callback_scenario(ACT_CHCLOSE_IN_EOF);
}
static void scenario_disconnect_in_write_ready(void)
{
	callback_scenario(ACT_DISCONNECT_IN_WRITE_READY);
}
static void scenario_chclose_in_write_ready(void)
{
	callback_scenario(ACT_CHCLOSE_IN_WRITE_READY);
}
static void scenario_disconnect_in_session(void)
{
	callback_scenario(ACT_DISCONNECT_IN_SESSION);
}

/* hs_conn_disconnect from public_key_auth_supported, which the engine calls
 * while a USERAUTH_FAILURE is half built: the peer must see a DISCONNECT
 * and then nothing, not bytes appended after the sealed packet. */
static void scenario_disconnect_in_auth_supported(void)
{
	static struct peer p;
	int port = start_listener(NULL, ACT_DISCONNECT_IN_AUTH_SUPPORTED);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 1), 0);
	p.mc.quiet = 1;
	CHECK_EQ_INT(peer_service(&p), 0);
	CHECK_EQ_INT(mc_userauth_none(&p.mc, USER), 0);
	RUN_UNTIL(p.eof, 5000);
	CHECK_EQ_INT(A.action_done, 1);
	CHECK_EQ_INT(peer_disconnect_reason(&p), HS_DISCONNECT_BY_APPLICATION);
	if (p.mc.failed || hs__buf_len(&p.mc.pkt.in) != 0)
		fprintf(stderr, "listener_test: %zu stray bytes after the DISCONNECT (%s)\n", hs__buf_len(&p.mc.pkt.in),
		        p.mc.failed ? p.mc.err : "");
	CHECK_EQ_INT(p.mc.failed, 0);
	CHECK_EQ_INT(hs__buf_len(&p.mc.pkt.in), 0);
	finish();
}

/* An API call that fails half way through a message while a key exchange
 * holds output (here: exit-signal text larger than the held queue) must
 * leave the connection consistent: the rekey completes and the connection
 * goes on. */
static void scenario_failed_call_during_rekey(void)
{
	struct hs_config cfg;
	static struct peer p;
	struct mc_chan ch;
	hs_config_init(&cfg);
	cfg.rekey_bytes = 16384;
	int port = start_listener(&cfg, ACT_EXIT_SIGNAL_IN_KEX);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 1), 0);
	CHECK_EQ_INT(peer_auth(&p), 0);
	CHECK_EQ_INT(peer_session(&p, &ch, MIB), 0);
	/* many small packets in one burst: the server starts its rekey part
	 * way through and handles the rest while holding its output */
	static uint8_t data[1000];
	for (int i = 0; i < 48; i++)
		CHECK_EQ_INT(mc_channel_send(&p.mc, &ch, data, sizeof data, HS_STREAM_DATA), sizeof data);
	RUN_UNTIL(p.mc.kex_done >= 2 || p.eof || A.lost, 5000);
	CHECK_EQ_INT(A.action_done, 1);
	CHECK(A.action_rc != 0);        /* the call itself may fail ... */
	CHECK_EQ_INT(p.mc.kex_done, 2); /* ... but the rekey completes */
	if (A.lost)
		fprintf(stderr, "listener_test: the connection died after a failed hs_channel_exit_signal: %s\n",
		        A.lost_reason);
	CHECK_EQ_INT(A.lost, 0);
	/* and the connection still answers */
	uint8_t tail[5] = { 0, 0, 0, 1, 'y' };
	CHECK_EQ_INT(mc_channel_request(&p.mc, &ch, "subsystem", 1, tail, sizeof tail), 0);
	peer_wait_msg(&p, 3000);
	CHECK_EQ_INT(mc_peek(&p.mc), HS_MSG_CHANNEL_FAILURE);
	finish();
}

/* --- 5. timers of an idle unauthenticated connection --- */

static void on_guard(uv_timer_t *t)
{
	(void)t;
}

/* After the first key exchange, before authentication, nothing is due
 * until the login grace ends (the engine never rekeys before
 * authentication). With rekey_seconds below the login grace, the rekey
 * deadline must not make the connection's timer fire in a loop. */
static void scenario_idle_preauth_timer(void)
{
	struct hs_config cfg;
	static struct peer p;
	uv_timer_t guard;
	hs_config_init(&cfg);
	cfg.rekey_seconds = 1;
	cfg.login_grace_seconds = 30;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 1), 0);
	CHECK_EQ_INT(peer_service(&p), 0);
	/* idle now; count the loop's wake-ups over 2.5 s with only a 250 ms
	 * guard timer of ours */
	uv_timer_init(&g_loop, &guard);
	uv_timer_start(&guard, on_guard, 250, 250);
	uint64_t end = now_ms() + 2500;
	long wakeups = 0;
	while (now_ms() < end) {
		uv_run(&g_loop, UV_RUN_ONCE);
		wakeups++;
	}
	uv_close((uv_handle_t *)&guard, NULL);
	if (wakeups > 100)
		fprintf(stderr, "listener_test: an idle unauthenticated connection woke the loop %ld times in 2.5 s\n",
		        wakeups);
	CHECK(wakeups <= 100);
	CHECK_EQ_INT(A.lost, 0);
	finish();
}

/* --- 6. finite-field key exchanges on the thread pool --- */

#define DH_PEERS 8

static const struct mc_opts dh_opts = { .kex = "diffie-hellman-group14-sha256", .strict = 1, .ext_info = 1 };

/* A listener with at most cap DH computations and DH_PEERS peers that
 * start a group14 exchange at once; 0 if it could not start. */
static int dh_peers_start(uint32_t cap, struct peer *peers)
{
	struct hs_config cfg;
	hs_config_init(&cfg);
	cfg.max_dh_computations = cap;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return 0;
	g_peer_opts = &dh_opts;
	for (int i = 0; i < DH_PEERS; i++)
		CHECK_EQ_INT(peer_connect(&peers[i], "127.0.0.1", port, 0, 1), 0);
	g_peer_opts = NULL;
	return 1;
}

/* DH_PEERS peers start a group14 exchange at once: never more than cap
 * compute together, and every one of them logs in. With drop, two peers
 * hang up right after sending their KEXDH_INIT (their jobs are waiting or
 * running then) and the rest still log in. */
static void dh_burst(uint32_t cap, int drop)
{
	static struct peer peers[DH_PEERS];
	if (!dh_peers_start(cap, peers))
		return;
	int first = 0;
	if (drop) {
		RUN_UNTIL(peers[0].mc.got_kexinit && peers[1].mc.got_kexinit, 5000);
		peer_pump(&peers[0]);
		peer_pump(&peers[1]);
		peer_close(&peers[0]);
		peer_close(&peers[1]);
		first = 2;
	}
	for (int i = first; i < DH_PEERS; i++)
		CHECK_EQ_INT(peer_auth(&peers[i]), 0);
	CHECK_EQ_INT(A.auth_done, DH_PEERS - first);
	uint32_t peak = hs__listener_dh_peak(A.l);
	CHECK(peak >= 1 && peak <= cap);
	finish();
}

static void scenario_dh_cap1(void)
{
	dh_burst(1, 0);
}
static void scenario_dh_cap2(void)
{
	dh_burst(2, 0);
}
static void scenario_dh_drop(void)
{
	dh_burst(1, 1);
}

/* The listener closes while exchanges wait and run: it is freed only after
 * the running ones end, and the loop ends empty. */
static void scenario_dh_close_listener(void)
{
	static struct peer peers[DH_PEERS];
	if (!dh_peers_start(1, peers))
		return;
	RUN_UNTIL(hs__listener_dh_peak(A.l) >= 1, 5000);
	CHECK_EQ_INT(hs__listener_dh_peak(A.l), 1);
	finish();
}

/* --- 7. a new configuration for the next connections --- */

/* hs_listener_set_config: a bad configuration changes nothing; a good one
 * applies to connections accepted after it on the same socket, while one
 * already open keeps its own (here: its short login grace). */
static void scenario_set_config(void)
{
	struct hs_config a, b;
	static struct peer p1, p2, p3, p4;
	char err[256] = "";
	hs_config_init(&a);
	a.login_grace_seconds = 1;
	a.max_unauthenticated_per_source = 1;
	int port = start_listener(&a, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&p1, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p1), 1);
	CHECK_EQ_INT(peer_connect(&p2, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p2), 0); /* one per source */
	peer_close(&p2);

	hs_config_init(&b);
	b.profiles = "bogus";
	CHECK(hs_listener_set_config(A.l, &b, err, sizeof err) != 0);
	CHECK(strstr(err, "bogus") != NULL);
	CHECK_EQ_INT(peer_connect(&p3, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p3), 0); /* still one per source */
	peer_close(&p3);

	hs_config_init(&b);
	b.login_grace_seconds = 60;
	b.max_unauthenticated_per_source = 2;
	CHECK_EQ_INT(hs_listener_set_config(A.l, &b, err, sizeof err), 0);
	CHECK_EQ_INT(hs_listener_port(A.l), port);
	CHECK_EQ_INT(peer_connect(&p4, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p4), 1);
	/* p1 started under the 1 s grace and goes at it; p4 stays */
	RUN_UNTIL(p1.eof, 5000);
	CHECK(p1.eof);
	CHECK(!p4.eof);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 1);
	finish();
}

/* A new configuration that raises the DH cap while exchanges wait and run
 * loses none of them: every peer still logs in, and the new cap holds. */
static void scenario_set_config_dh(void)
{
	static struct peer peers[DH_PEERS];
	struct hs_config b;
	char err[256];
	if (!dh_peers_start(1, peers))
		return;
	RUN_UNTIL(hs__listener_dh_peak(A.l) >= 1, 5000);
	hs_config_init(&b);
	b.max_dh_computations = DH_PEERS;
	CHECK_EQ_INT(hs_listener_set_config(A.l, &b, err, sizeof err), 0);
	for (int i = 0; i < DH_PEERS; i++)
		CHECK_EQ_INT(peer_auth(&peers[i]), 0);
	CHECK_EQ_INT(A.auth_done, DH_PEERS);
	CHECK(hs__listener_dh_peak(A.l) <= DH_PEERS);
	finish();
}

/* --- 8. sources: dual stack, penalties, early drop, known sources --- */

/* The index of the first event of that type and reason (refusal or
 * penalty) at or after from, or -1. */
static int find_event(int from, int type, int why)
{
	for (int i = from; i < A.nev && i < MAX_EVENTS; i++)
		if (A.ev[i].type == type && (type == HS_EVENT_REFUSED ? A.ev[i].refusal : A.ev[i].penalty) == why)
			return i;
	return -1;
}

/* On a [::] listener IPv4 peers arrive as ::ffff:a.b.c.d: each IPv4
 * address is still its own source (it was one IPv6 /64 for all of them),
 * shown as plain IPv4; source_netblock_ipv4 widens the source. */
static void scenario_dual_stack(void)
{
	struct hs_config cfg;
	static struct peer a1, a2, a3, b1, b2, b3;
	char err[256];
	hs_config_init(&cfg);
	cfg.max_unauthenticated = 16;
	cfg.max_unauthenticated_per_source = 2;
	int port = start_listener_on("::", &cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&a1, "127.0.0.2", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a1), 1);
	CHECK(strncmp(A.last_peer, "127.0.0.2:", 10) == 0); /* not [::ffff:127.0.0.2]:... */
	CHECK_EQ_INT(peer_connect(&a2, "127.0.0.2", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a2), 1);
	CHECK_EQ_INT(peer_connect(&a3, "127.0.0.2", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&a3), 0); /* 127.0.0.2's share is full */
	CHECK_EQ_INT(A.nev, 1);
	CHECK_EQ_INT(A.ev[0].type, HS_EVENT_REFUSED);
	CHECK_EQ_INT(A.ev[0].refusal, HS_REFUSED_PER_SOURCE);
	CHECK_STR(A.ev[0].source, "127.0.0.2");
	CHECK(strncmp(A.ev[0].peer, "127.0.0.2:", 10) == 0);
	/* another IPv4 host is not locked out */
	CHECK_EQ_INT(peer_connect(&b1, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&b1), 1);
	CHECK(strncmp(A.last_peer, "127.0.0.1:", 10) == 0);
	/* 127.0.0.0/24 as one source: 127.0.0.1 now shares 127.0.0.2's count */
	hs_config_init(&cfg);
	cfg.max_unauthenticated = 16;
	cfg.max_unauthenticated_per_source = 3;
	cfg.source_netblock_ipv4 = 24;
	CHECK_EQ_INT(hs_listener_set_config(A.l, &cfg, err, sizeof err), 0);
	CHECK_EQ_INT(peer_connect(&b2, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&b2), 0);
	CHECK_EQ_INT(A.nev, 2);
	CHECK_EQ_INT(A.ev[1].refusal, HS_REFUSED_PER_SOURCE);
	CHECK_STR(A.ev[1].source, "127.0.0.0/24");
	/* a wrong netblock is refused */
	cfg.source_netblock_ipv4 = 33;
	CHECK(hs_listener_set_config(A.l, &cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "source_netblock_ipv4") != NULL);
	peer_close(&a1);
	RUN_UNTIL(A.lost == 1, 3000);
	CHECK_EQ_INT(peer_connect(&b3, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&b3), 1);
	finish();
}

/* A connection that fails to log in, and ends. */
static void failed_login(const char *src, int port)
{
	static struct peer p;
	int lost = A.lost;
	CHECK_EQ_INT(peer_connect(&p, src, port, 0, 1), 0);
	CHECK_EQ_INT(peer_service(&p), 0);
	CHECK_EQ_INT(mc_userauth_pk_signed(&p.mc, USER, g_hostkey, "ssh-ed25519", NULL, 0), 0);
	peer_wait_msg(&p, 5000);
	CHECK_EQ_INT(mc_expect(&p.mc, HS_MSG_USERAUTH_FAILURE, NULL), 0);
	peer_close(&p);
	RUN_UNTIL(A.lost > lost, 3000);
	CHECK(A.lost > lost);
}

/* A connection that breaks the protocol, and ends. */
static void malformed(const char *src, int port)
{
	static struct peer p;
	int lost = A.lost;
	CHECK_EQ_INT(peer_connect(&p, src, port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p), 1);
	CHECK(send(p.fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL) == 18);
	RUN_UNTIL(A.lost > lost, 3000);
	CHECK(A.lost > lost);
	peer_close(&p);
}

/* A connection that only connects, and hangs up. */
static void hang_up(const char *src, int port)
{
	static struct peer p;
	int lost = A.lost;
	CHECK_EQ_INT(peer_connect(&p, src, port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p), 1);
	peer_close(&p);
	RUN_UNTIL(A.lost > lost, 3000);
	CHECK(A.lost > lost);
}

/* Offences add up per source: past penalty_min the source is refused
 * before any byte (and another is not); an exempt address never is; a
 * peer that just hangs up is not held to account. */
static void scenario_penalties(void)
{
	struct hs_config cfg;
	static struct peer r1, ok1, ok2, g1, g2, g3;
	hs_config_init(&cfg);
	cfg.penalty_authfail_seconds = 10;
	cfg.penalty_malformed_seconds = 10;
	cfg.penalty_grace_seconds = 10;
	cfg.penalty_min_seconds = 15;
	cfg.penalty_max_seconds = 60;
	cfg.login_grace_seconds = 1;
	cfg.penalty_exempt = "10.9.9.0/24,127.0.0.4";
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	/* failed logins: 10 s, then 20 s outstanding, in force for 20 s */
	failed_login("127.0.0.3", port);
	CHECK_EQ_INT(A.nev, 0);
	failed_login("127.0.0.3", port);
	int e = find_event(0, HS_EVENT_PENALISED, HS_PENALTY_AUTHFAIL);
	CHECK(e >= 0);
	if (e >= 0) {
		CHECK_STR(A.ev[e].source, "127.0.0.3");
		CHECK(A.ev[e].seconds >= 19 && A.ev[e].seconds <= 20);
		CHECK(A.ev[e].peer == NULL || A.ev[e].peer[0] == '\0');
	}
	int made = A.made;
	CHECK_EQ_INT(peer_connect(&r1, "127.0.0.3", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&r1), 0);
	CHECK_EQ_INT(A.made, made); /* never reached the application */
	e = find_event(0, HS_EVENT_REFUSED, HS_REFUSED_PENALTY);
	CHECK(e >= 0);
	if (e >= 0) {
		CHECK_STR(A.ev[e].source, "127.0.0.3");
		CHECK(strncmp(A.ev[e].peer, "127.0.0.3:", 10) == 0);
	}
	CHECK_EQ_INT(peer_connect(&ok1, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&ok1), 1);
	/* exempt: as many failures as it likes */
	int nev = A.nev;
	for (int i = 0; i < 3; i++)
		failed_login("127.0.0.4", port);
	CHECK_EQ_INT(peer_connect(&ok2, "127.0.0.4", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&ok2), 1);
	CHECK_EQ_INT(A.nev, nev);
	/* hanging up costs nothing */
	for (int i = 0; i < 4; i++)
		hang_up("127.0.0.7", port);
	CHECK_EQ_INT(A.nev, nev);
	/* protocol errors, and the login grace time */
	malformed("127.0.0.5", port);
	malformed("127.0.0.5", port);
	CHECK(find_event(nev, HS_EVENT_PENALISED, HS_PENALTY_MALFORMED) >= 0);
	CHECK_EQ_INT(peer_connect(&g1, "127.0.0.6", port, 0, 0), 0);
	CHECK_EQ_INT(peer_connect(&g2, "127.0.0.6", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&g1), 1);
	CHECK_EQ_INT(peer_accepted(&g2), 1);
	RUN_UNTIL(g1.eof && g2.eof, 5000); /* at the 1 s grace */
	RUN_UNTIL(find_event(nev, HS_EVENT_PENALISED, HS_PENALTY_GRACE) >= 0, 3000);
	e = find_event(nev, HS_EVENT_PENALISED, HS_PENALTY_GRACE);
	CHECK(e >= 0);
	if (e >= 0)
		CHECK_STR(A.ev[e].source, "127.0.0.6");
	CHECK_EQ_INT(peer_connect(&g3, "127.0.0.6", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&g3), 0);
	/* penalties off (0 s each): nothing is added */
	hs_config_init(&cfg);
	cfg.penalty_authfail_seconds = 0;
	cfg.penalty_min_seconds = 1;
	char err[128];
	CHECK_EQ_INT(hs_listener_set_config(A.l, &cfg, err, sizeof err), 0);
	nev = A.nev;
	failed_login("127.0.0.8", port);
	failed_login("127.0.0.8", port);
	CHECK_EQ_INT(A.nev, nev);
	/* penalty_max must be above penalty_min; exempt lists are checked */
	cfg.penalty_max_seconds = 1;
	CHECK(hs_listener_set_config(A.l, &cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "penalty_max_seconds") != NULL);
	hs_config_init(&cfg);
	cfg.penalty_exempt = "10.0.0.1/8";
	CHECK(hs_config_check(&cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "penalty_exempt") != NULL);
	finish();
}

/* early_drop_start 1, rate 100: with one connection logging in the next
 * is dropped; a source that authenticated lately is spared the drop (not
 * the cap); early_drop_start above max_unauthenticated is an error. */
static void scenario_early_drop(void)
{
	struct hs_config cfg;
	static struct peer k, s1, s2, k2, k3, k4, k5;
	char err[128];
	hs_config_init(&cfg);
	cfg.max_unauthenticated = 3;
	cfg.early_drop_start = 1;
	cfg.early_drop_rate = 100;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&k, "127.0.0.5", port, 0, 1), 0);
	CHECK_EQ_INT(peer_auth(&k), 0); /* 127.0.0.5 is known from now on */
	CHECK_EQ_INT(peer_connect(&s1, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&s1), 1);
	CHECK_EQ_INT(peer_connect(&s2, "127.0.0.2", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&s2), 0);
	CHECK_EQ_INT(find_event(0, HS_EVENT_REFUSED, HS_REFUSED_EARLY_DROP), 0);
	CHECK_EQ_INT(peer_connect(&k2, "127.0.0.5", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&k2), 1);
	CHECK_EQ_INT(peer_connect(&k3, "127.0.0.5", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&k3), 1);
	CHECK_EQ_INT(peer_connect(&k4, "127.0.0.5", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&k4), 0); /* max_unauthenticated 3 */
	CHECK(find_event(0, HS_EVENT_REFUSED, HS_REFUSED_MAX_UNAUTH) > 0);
	cfg.early_drop_start = 4;
	CHECK(hs_listener_set_config(A.l, &cfg, err, sizeof err) != 0);
	CHECK(strstr(err, "early_drop_start") != NULL);
	/* the default: no random drop below the cap */
	hs_config_init(&cfg);
	cfg.max_unauthenticated = 5;
	CHECK_EQ_INT(hs_listener_set_config(A.l, &cfg, err, sizeof err), 0);
	CHECK_EQ_INT(peer_connect(&k5, "127.0.0.9", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&k5), 1);
	finish();
}

#define KNOWN_STRANGERS 18

/* With one DH slot and strangers' exchanges queued, the first login of a
 * source that authenticated before goes ahead of them: it is done while
 * strangers still wait (in arrival order it would be last). */
static void scenario_known_source_dh(void)
{
	struct hs_config cfg;
	static struct peer k, k2, st[KNOWN_STRANGERS];
	hs_config_init(&cfg);
	cfg.max_dh_computations = 1;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&k, "127.0.0.5", port, 0, 1), 0);
	CHECK_EQ_INT(peer_auth(&k), 0);
	peer_close(&k);
	RUN_UNTIL(A.lost == 1, 3000);
	uint32_t queued = hs__listener_dh_queued(A.l);
	g_peer_opts = &dh_opts;
	for (int i = 0; i < KNOWN_STRANGERS; i++)
		CHECK_EQ_INT(peer_connect(&st[i], i % 2 ? "127.0.0.1" : "127.0.0.2", port, 0, 1), 0);
	RUN_UNTIL(hs__listener_dh_queued(A.l) == queued + KNOWN_STRANGERS, 10000);
	CHECK_EQ_INT(hs__listener_dh_queued(A.l), queued + KNOWN_STRANGERS);
	CHECK_EQ_INT(hs__listener_dh_known(A.l), 0);
	CHECK_EQ_INT(peer_connect(&k2, "127.0.0.5", port, 0, 1), 0);
	g_peer_opts = NULL;
	CHECK_EQ_INT(peer_kex(&k2), 0);
	CHECK_EQ_INT(hs__listener_dh_known(A.l), 1);
	int waiting = 0;
	for (int i = 0; i < KNOWN_STRANGERS; i++)
		waiting += st[i].mc.kex_done == 0;
	fprintf(stderr, "listener_test: known source done with %d strangers still waiting\n", waiting);
	CHECK(waiting >= 1);
	finish();
}

/* --- 9. liveness --- */

/* The server's end of connections to port: accepted sockets have it as
 * their local port and a peer. */
static int server_socket_keepalive(int port, int *idle)
{
	for (int fd = 3; fd < 1024; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || ss.ss_family != AF_INET ||
		    ntohs(((struct sockaddr_in *)&ss)->sin_port) != port)
			continue;
		len = sizeof ss;
		if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
			continue; /* the listening socket */
		int on = 0;
		len = sizeof on;
		if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &len) != 0)
			return -1;
		len = sizeof *idle;
		if (getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle, &len) != 0)
			return -1;
		return on;
	}
	return -1;
}

static void scenario_tcp_keepalive(void)
{
	struct hs_config cfg;
	static struct peer p, q;
	char err[128];
	int idle = 0;
	hs_config_init(&cfg); /* on by default */
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&p, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&p), 1);
	CHECK_EQ_INT(server_socket_keepalive(port, &idle), 1);
	CHECK_EQ_INT(idle, HS_TCP_KEEPALIVE_DEFAULT);
	peer_close(&p);
	RUN_UNTIL(A.lost == 1, 3000);
	cfg.tcp_keepalive_seconds = 0;
	CHECK_EQ_INT(hs_listener_set_config(A.l, &cfg, err, sizeof err), 0);
	CHECK_EQ_INT(peer_connect(&q, "127.0.0.1", port, 0, 0), 0);
	CHECK_EQ_INT(peer_accepted(&q), 1);
	CHECK_EQ_INT(server_socket_keepalive(port, &idle), 0);
	finish();
}

/* idle_timeout_seconds 1: an authenticated connection with an open
 * session but no data goes after about a second; one whose data flows
 * stays. */
static void scenario_idle_timeout(void)
{
	struct hs_config cfg;
	static struct peer idle, busy;
	static struct mc_chan ci, cb;
	hs_config_init(&cfg);
	cfg.idle_timeout_seconds = 1;
	int port = start_listener(&cfg, ACT_NONE);
	CHECK(port > 0);
	if (port <= 0)
		return;
	CHECK_EQ_INT(peer_connect(&idle, "127.0.0.1", port, 0, 1), 0);
	CHECK_EQ_INT(peer_connect(&busy, "127.0.0.1", port, 0, 1), 0);
	CHECK_EQ_INT(peer_auth(&idle), 0);
	CHECK_EQ_INT(peer_auth(&busy), 0);
	CHECK_EQ_INT(peer_session(&idle, &ci, 1u << 20), 0);
	CHECK_EQ_INT(peer_session(&busy, &cb, 1u << 20), 0);
	uint64_t t0 = now_ms();
	while (!idle.eof && now_ms() - t0 < 4000) {
		if ((now_ms() - t0) % 200 < 2)
			(void)mc_channel_data_raw(&busy.mc, &cb, "x", 1, HS_STREAM_DATA);
		step();
	}
	CHECK(idle.eof);
	uint64_t took = now_ms() - t0;
	CHECK(took >= 900 && took <= 3500);
	CHECK_STR(A.lost_reason, "idle timeout");
	CHECK(!busy.eof);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 1);
	finish();
}

/* --- 10. a socket bound by someone else (hs_listener_open) --- */

/* A TCP socket bound to 127.0.0.1 on a free port, listening if asked;
 * its port in *port. */
static int bound_socket(int do_listen, int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	(void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (do_listen && listen(fd, 16) != 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void on_flag(void *data)
{
	*(int *)data = 1;
}

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void scenario_listener_open(void)
{
	struct peer p, raw;
	struct mc_chan ch;
	int port = -1;
	memset(&A, 0, sizeof A);
	REQUIRE(uv_loop_init(&g_loop) == 0);
	REQUIRE(hs_listener_new(&g_loop, NULL, g_hostkey, &server_cb, NULL, &A.l) == 0);
	int fd = bound_socket(1, &port);
	REQUIRE(fd >= 0);
	CHECK_EQ_INT(hs_listener_port(A.l), -1);
	CHECK_EQ_INT(hs_listener_open(A.l, fd), 0);
	CHECK_EQ_INT(hs_listener_port(A.l), port);
	/* a whole login and a session through the adopted socket */
	REQUIRE(peer_connect(&p, "127.0.0.1", port, 0, 1) == 0);
	CHECK_EQ_INT(peer_auth(&p), 0);
	CHECK_EQ_INT(peer_session(&p, &ch, 1u << 20), 0);
	CHECK_EQ_INT(A.made, 1);
	CHECK_EQ_INT(A.auth_done, 1);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 1);
	CHECK(strncmp(A.last_peer, "127.0.0.1:", 10) == 0);
	/* listening already: a second socket is refused, and closed */
	int port2 = -1;
	int fd2 = bound_socket(1, &port2);
	REQUIRE(fd2 >= 0);
	CHECK_EQ_INT(hs_listener_open(A.l, fd2), HS_ERR_INVALID_ARG);
	CHECK(!fd_is_open(fd2));
	CHECK_EQ_INT(hs_listener_port(A.l), port);
	/* still accepting */
	REQUIRE(peer_connect(&raw, "127.0.0.2", port, 0, 0) == 0);
	CHECK_EQ_INT(peer_accepted(&raw), 1);
	CHECK_EQ_INT(hs_listener_connection_count(A.l), 2);
	mc_chan_cleanup(&ch);
	finish();
	/* the listener closed the socket: the port is free again */
	int probe = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	(void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	CHECK(probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) != 0);
	if (probe >= 0)
		close(probe);
}

/* Bound, not yet listening: the listener calls listen() itself; its
 * connections are counted per source as usual. */
static void scenario_listener_open_unlistened(void)
{
	struct peer raw[3];
	struct hs_config cfg;
	int port = -1;
	hs_config_init(&cfg);
	cfg.max_unauthenticated_per_source = 1;
	memset(&A, 0, sizeof A);
	REQUIRE(uv_loop_init(&g_loop) == 0);
	REQUIRE(hs_listener_new(&g_loop, &cfg, g_hostkey, &server_cb, NULL, &A.l) == 0);
	int fd = bound_socket(0, &port);
	REQUIRE(fd >= 0);
	CHECK_EQ_INT(hs_listener_open(A.l, fd), 0);
	CHECK_EQ_INT(hs_listener_port(A.l), port);
	REQUIRE(peer_connect(&raw[0], "127.0.0.1", port, 0, 0) == 0);
	CHECK_EQ_INT(peer_accepted(&raw[0]), 1);
	REQUIRE(peer_connect(&raw[1], "127.0.0.1", port, 0, 0) == 0);
	CHECK_EQ_INT(peer_accepted(&raw[1]), 0);
	REQUIRE(peer_connect(&raw[2], "127.0.0.3", port, 0, 0) == 0);
	CHECK_EQ_INT(peer_accepted(&raw[2]), 1);
	CHECK_EQ_INT(A.made, 2);
	CHECK_EQ_INT(A.nev, 1);
	CHECK_EQ_INT(A.ev[0].type, HS_EVENT_REFUSED);
	CHECK_EQ_INT(A.ev[0].refusal, HS_REFUSED_PER_SOURCE);
	finish();
}

/* What is not a TCP socket is refused, and closed all the same. */
static void scenario_listener_open_errors(void)
{
	int port = -1;
	memset(&A, 0, sizeof A);
	REQUIRE(uv_loop_init(&g_loop) == 0);
	REQUIRE(hs_listener_new(&g_loop, NULL, g_hostkey, &server_cb, NULL, &A.l) == 0);
	CHECK_EQ_INT(hs_listener_open(A.l, -1), HS_ERR_IO);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(udp >= 0);
	CHECK_EQ_INT(hs_listener_open(A.l, udp), HS_ERR_IO);
	CHECK(!fd_is_open(udp));
	int pipefd[2];
	REQUIRE(pipe(pipefd) == 0);
	close(pipefd[1]);
	CHECK_EQ_INT(hs_listener_open(A.l, pipefd[0]), HS_ERR_IO);
	CHECK(!fd_is_open(pipefd[0]));
	int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	REQUIRE(unix_fd >= 0);
	CHECK_EQ_INT(hs_listener_open(A.l, unix_fd), HS_ERR_IO);
	CHECK(!fd_is_open(unix_fd));
	CHECK_EQ_INT(hs_listener_port(A.l), -1);
	/* after those refusals the listener is still fresh: a good socket works */
	int fd = bound_socket(1, &port);
	REQUIRE(fd >= 0);
	CHECK_EQ_INT(hs_listener_open(A.l, fd), 0);
	CHECK_EQ_INT(hs_listener_port(A.l), port);
	/* a connected socket cannot listen: refused and closed, and the
	 * listener that tried closes cleanly */
	struct hs_listener *l2 = NULL;
	int l2_closed = 0;
	REQUIRE(hs_listener_new(&g_loop, NULL, g_hostkey, &server_cb, NULL, &l2) == 0);
	int conn_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	(void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	REQUIRE(conn_fd >= 0 && connect(conn_fd, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK_EQ_INT(hs_listener_open(l2, conn_fd), HS_ERR_IO);
	CHECK(!fd_is_open(conn_fd));
	CHECK_EQ_INT(hs_listener_port(l2), -1);
	int port3 = -1;
	CHECK_EQ_INT(hs_listener_open(l2, bound_socket(1, &port3)), HS_ERR_INVALID_ARG);
	hs_listener_close(l2, on_flag, &l2_closed);
	RUN_UNTIL(l2_closed, 3000);
	CHECK_EQ_INT(l2_closed, 1);
	/* a listener that is closing takes nothing */
	close_listener();
	if (A.l != NULL) {
		int fd2 = bound_socket(1, &port);
		REQUIRE(fd2 >= 0);
		CHECK_EQ_INT(hs_listener_open(A.l, fd2), HS_ERR_INVALID_ARG);
		CHECK(!fd_is_open(fd2));
	}
	RUN_UNTIL(A.closed_cb > 0, FLUSH_BOUND_MS);
	CHECK_EQ_INT(A.closed_cb, 1);
	CHECK_EQ_INT(uv_loop_close(&g_loop), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (hs_hostkey_generate(HS_KEY_ED25519, &g_hostkey) != 0 ||
	    hs_hostkey_generate(HS_KEY_ED25519, &g_userkey) != 0) {
		fprintf(stderr, "cannot generate keys\n");
		return 1;
	}
	in_child("pre-authentication caps", test_preauth_caps);
	in_child("hs_listener_close in connection_made", scenario_close_listener_in_made);
	in_child("hs_conn_disconnect in data_received", scenario_disconnect_in_data);
	in_child("hs_channel_close in data_received", scenario_chclose_in_data);
	in_child("hs_listener_close in data_received", scenario_close_listener_in_data);
	in_child("hs_conn_disconnect in eof_received", scenario_disconnect_in_eof);
	in_child("hs_channel_close in eof_received", scenario_chclose_in_eof);
	in_child("hs_conn_disconnect in write_ready", scenario_disconnect_in_write_ready);
	in_child("hs_channel_close in write_ready", scenario_chclose_in_write_ready);
	in_child("hs_conn_disconnect in session_requested", scenario_disconnect_in_session);
	in_child("hs_conn_disconnect in public_key_auth_supported", scenario_disconnect_in_auth_supported);
	in_child("failed API call during a rekey", scenario_failed_call_during_rekey);
	in_child("hs_listener_close in connection_lost after hs_listener_stop", scenario_close_in_lost_after_stop);
	in_child("close-flush bound with a peer that does not read", scenario_close_flush_bound);
	in_child("timer of an idle unauthenticated connection", scenario_idle_preauth_timer);
	in_child("DH exchanges computing at once: cap 1", scenario_dh_cap1);
	in_child("DH exchanges computing at once: cap 2", scenario_dh_cap2);
	in_child("peers hang up while their DH jobs wait or run", scenario_dh_drop);
	in_child("listener closed while DH jobs wait and run", scenario_dh_close_listener);
	in_child("hs_listener_set_config for the next connections", scenario_set_config);
	in_child("hs_listener_set_config raises the DH cap while exchanges wait", scenario_set_config_dh);
	in_child("IPv4 peers on a dual-stack listener count by their address", scenario_dual_stack);
	in_child("per-source penalties", scenario_penalties);
	in_child("random early drop spares known sources", scenario_early_drop);
	in_child("a known source's first exchange goes ahead of strangers'", scenario_known_source_dh);
	in_child("TCP keepalive on accepted sockets", scenario_tcp_keepalive);
	in_child("idle timeout of authenticated connections", scenario_idle_timeout);
	in_child("hs_listener_open on a bound, listening socket", scenario_listener_open);
	in_child("hs_listener_open on a bound socket not yet listening", scenario_listener_open_unlistened);
	in_child("hs_listener_open refuses what is not a TCP socket", scenario_listener_open_errors);
	hs_hostkey_free(g_hostkey);
	hs_hostkey_free(g_userkey);
	return hs_test_done();
}
