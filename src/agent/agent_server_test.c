/*
 * Tests of agent/agent_server.c: the engine's own agent (hs_agent_open)
 * against the agent server over a socketpair, serving a whole connection;
 * raw frames written by the test for what is refused (data not the size
 * of an exchange hash, another key, flags, unknown messages), what ends
 * the connection (an oversized or malformed frame, the peer hanging up),
 * requests pipelined and answered in order, a host key whose signer
 * answers later and out of order, the queue's bound, closing with
 * requests out; and OpenSSH's ssh-add listing the key.
 */
#include "hostsd/agent.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent_msg.h"
#include "common/limits.h"
#include "conn_fixture.h"
#include "hs_test.h"
#include "keys/sig.h"

/* What the owner's callbacks saw. */
struct owner {
	int ended;
	int err;
	int closed;
	struct hs_agent_server *close_on_end; /* close from inside ended */
};

static void on_ended(void *data, int err)
{
	struct owner *o = data;
	o->ended++;
	o->err = err;
	if (o->close_on_end != NULL)
		hs_agent_server_close(o->close_on_end, NULL, NULL);
}

static void on_closed(void *data)
{
	struct owner *o = data;
	o->closed++;
}

/* --- the engine's agent against the server, which runs in a thread of
 * its own (hs_agent_open waits for the identities answer) --- */

struct server_thread {
	int fd;
	unsigned long signatures;
	struct owner owner;
	pthread_t thread;
};

static struct hs_agent_server *g_thread_server;

static void thread_ended(void *data, int err)
{
	struct server_thread *st = data;
	st->owner.ended++;
	st->owner.err = err;
	st->signatures = hs_agent_server_signatures(g_thread_server);
	hs_agent_server_close(g_thread_server, NULL, NULL);
}

static void *server_main(void *arg)
{
	struct server_thread *st = arg;
	uv_loop_t loop;
	REQUIRE(uv_loop_init(&loop) == 0);
	CHECK_EQ_INT(hs_agent_server_new(&loop, st->fd, g_hostkey, thread_ended, st, &g_thread_server), 0);
	uv_run(&loop, UV_RUN_DEFAULT); /* until the peer hangs up */
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
	return NULL;
}

static void await_signature(uv_loop_t *loop, struct fx *f)
{
	for (int i = 0; i < 2000 && !hs__conn_resume_due(f->conn); i++)
		uv_run(loop, UV_RUN_ONCE);
	CHECK(hs__conn_resume_due(f->conn));
	hs__conn_resume(f->conn);
	mc_pump(&f->mc);
}

static void test_serves_connection(void)
{
	uv_loop_t loop;
	struct server_thread st;
	struct hs_agent *agent = NULL;
	struct fx f;
	char err[256] = "";
	int sv[2];
	REQUIRE(uv_loop_init(&loop) == 0);
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	memset(&st, 0, sizeof st);
	st.fd = sv[1];
	REQUIRE(pthread_create(&st.thread, NULL, server_main, &st) == 0);

	/* the identities check at open finds the host key */
	CHECK_EQ_INT(hs_agent_open(&loop, NULL, sv[0], hs_hostkey_public(g_hostkey), &agent, err, sizeof err), 0);
	REQUIRE(agent != NULL);
	g_served_hostkey = hs_agent_hostkey(agent);
	fx_open_nostart(&f, NULL, NULL, NULL);
	g_served_hostkey = NULL;
	CHECK(mc_connect(&f.mc) != 0); /* waits for the signature */
	await_signature(&loop, &f);
	CHECK_EQ_INT(f.mc.kex_done, 1);
	CHECK_EQ_INT(f.mc.hostkey_verified, 1);
	fx_auth(&f);
	CHECK_EQ_INT(mc_send_kexinit(&f.mc), 0); /* a rekey signs again */
	mc_pump(&f.mc);
	await_signature(&loop, &f);
	CHECK_EQ_INT(f.mc.kex_done, 2);
	CHECK_EQ_INT(hs_agent_signatures(agent), 2);
	fx_close(&f);
	hs_agent_close(agent); /* the server sees the end */
	uv_run(&loop, UV_RUN_DEFAULT);
	pthread_join(st.thread, NULL);
	CHECK_EQ_INT(st.owner.ended, 1);
	CHECK_EQ_INT(st.owner.err, HS_ERR_CLOSED);
	CHECK_EQ_INT((int)st.signatures, 2);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

/* --- raw frames --- */

static const uint8_t *key_blob(const struct hs_hostkey *k, size_t *len)
{
	return hs_key_blob(hs_hostkey_public(k), len);
}

static void put_sign(struct hs_buf *out, const struct hs_hostkey *key, const uint8_t *data, size_t len, uint32_t flags)
{
	size_t bloblen;
	const uint8_t *blob = key_blob(key, &bloblen);
	REQUIRE(hs__agent_put_sign_request(out, blob, bloblen, data, len, flags) == 0);
}

static void send_buf(int fd, const struct hs_buf *b)
{
	REQUIRE(write(fd, hs__buf_ptr(b), hs__buf_len(b)) == (ssize_t)hs__buf_len(b));
}

/* One frame from fd into in, running the loop meanwhile; its message in
 * *msg (a view into in, valid until the next call). 0, or -1 when the
 * peer closed or nothing came. */
static int read_frame(uv_loop_t *loop, int fd, struct hs_buf *in, size_t *consumed, struct hs_view *msg)
{
	size_t used;
	REQUIRE(hs__buf_consume(in, *consumed) == 0);
	*consumed = 0;
	for (int i = 0; i < 3000; i++) {
		if (hs__agent_frame(hs__buf_ptr(in), hs__buf_len(in), msg, &used) == 0) {
			*consumed = used;
			return 0;
		}
		uv_run(loop, UV_RUN_NOWAIT);
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 2) <= 0)
			continue;
		uint8_t chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n > 0)
			REQUIRE(hs__buf_put(in, chunk, (size_t)n) == 0);
	}
	return -1;
}

/* The peer of a server: the test's end of the socketpair, and what it has
 * read. */
struct peer {
	uv_loop_t *loop;
	int fd;
	struct hs_buf in;
	size_t consumed;
};

static void peer_init(struct peer *p, uv_loop_t *loop, int fd)
{
	p->loop = loop;
	p->fd = fd;
	p->consumed = 0;
	hs__buf_init(&p->in, 1u << 20, 0);
}

static void peer_cleanup(struct peer *p)
{
	close(p->fd);
	hs__buf_cleanup(&p->in);
}

static uint8_t next_type(struct peer *p, struct hs_view *msg)
{
	if (read_frame(p->loop, p->fd, &p->in, &p->consumed, msg) != 0)
		return 0;
	return hs__agent_type(*msg);
}

/* The next answer is a signature by key over data. */
static void expect_signature(struct peer *p, const struct hs_hostkey *key, const uint8_t *data, size_t len)
{
	struct hs_view msg;
	struct hs_bytes sig = { NULL, 0 };
	CHECK_EQ_INT(next_type(p, &msg), HS_AGENT_SIGN_RESPONSE);
	CHECK_EQ_INT(hs__agent_get_sign_response(msg, &sig), 0);
	CHECK_EQ_INT(hs__key_verify(hs_hostkey_public(key), "ssh-ed25519", sig.ptr, sig.len, data, len), 0);
}

static void expect_failure(struct peer *p)
{
	struct hs_view msg;
	CHECK_EQ_INT(next_type(p, &msg), HS_AGENT_FAILURE);
	CHECK_EQ_INT((int)hs__view_left(&msg), 1);
}

static void expect_identity(struct peer *p, const struct hs_hostkey *key)
{
	struct hs_view msg;
	size_t bloblen;
	const uint8_t *blob = key_blob(key, &bloblen);
	int found = 0;
	CHECK_EQ_INT(next_type(p, &msg), HS_AGENT_IDENTITIES_ANSWER);
	CHECK_EQ_INT(hs__agent_find_identity(msg, blob, bloblen, &found), 0);
	CHECK_EQ_INT(found, 1);
}

/* The server on one end of a socketpair, the peer on the other. */
static struct hs_agent_server *open_pair(uv_loop_t *loop, const struct hs_hostkey *key, struct owner *o, struct peer *p)
{
	struct hs_agent_server *s = NULL;
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	memset(o, 0, sizeof *o);
	REQUIRE(hs_agent_server_new(loop, sv[1], key, on_ended, o, &s) == 0);
	peer_init(p, loop, sv[0]);
	return s;
}

static void close_pair(uv_loop_t *loop, struct hs_agent_server *s, struct owner *o, struct peer *p)
{
	hs_agent_server_close(s, on_closed, o);
	hs_agent_server_close(s, on_closed, o); /* a second close: nothing */
	uv_run(loop, UV_RUN_DEFAULT);
	CHECK_EQ_INT(o->closed, 1);
	peer_cleanup(p);
}

static void test_refusals(void)
{
	uv_loop_t loop;
	struct owner o;
	struct peer p;
	struct hs_buf out;
	uint8_t data[100];
	REQUIRE(uv_loop_init(&loop) == 0);
	memset(data, 7, sizeof data);
	hs__buf_init(&out, HS_AGENT_MAX_FRAME + 16, 0);
	struct hs_agent_server *s = open_pair(&loop, g_hostkey, &o, &p);

	REQUIRE(hs__agent_put_request_identities(&out) == 0);
	send_buf(p.fd, &out);
	expect_identity(&p, g_hostkey);
	/* exchange hash sizes are signed */
	size_t sizes[] = { 32, 48, 64 };
	for (size_t i = 0; i < 3; i++) {
		hs__buf_reset(&out);
		put_sign(&out, g_hostkey, data, sizes[i], 0);
		send_buf(p.fd, &out);
		expect_signature(&p, g_hostkey, data, sizes[i]);
	}
	CHECK_EQ_INT((int)hs_agent_server_signatures(s), 3);

	/* anything else is not */
	struct {
		const struct hs_hostkey *key;
		size_t len;
		uint32_t flags;
	} refused[] = {
		{ g_hostkey, 20, 0 },  /* SHA-1 sized: no such exchange here */
		{ g_hostkey, 100, 0 }, /* a structured message */
		{ g_hostkey, 0, 0 },   { g_hostkey, 31, 0 },
		{ g_hostkey, 33, 0 },  { g_otherkey, 32, 0 }, /* another key */
		{ g_hostkey, 32, 4 },                         /* SSH_AGENT_RSA_SHA2_256 */
		{ g_hostkey, 32, 1 },
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		hs__buf_reset(&out);
		put_sign(&out, refused[i].key, data, refused[i].len, refused[i].flags);
		send_buf(p.fd, &out);
		expect_failure(&p);
	}
	/* unknown messages, and ones we do not serve (add identity, lock,
	 * extension) */
	uint8_t types[] = { 0, 1, 17, 22, 27, 255 };
	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t frame[] = { 0, 0, 0, 3, types[i], 0xab, 0xcd };
		REQUIRE(write(p.fd, frame, sizeof frame) == (ssize_t)sizeof frame);
		expect_failure(&p);
	}
	CHECK_EQ_INT((int)hs_agent_server_signatures(s), 3);
	CHECK_EQ_INT(o.ended, 0);
	close_pair(&loop, s, &o, &p);
	CHECK_EQ_INT(o.ended, 0); /* not after close */
	hs__buf_cleanup(&out);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

/* A frame that ends the connection: the owner hears err, the peer reads
 * the end of the stream after the answers before it. */
static void expect_ends(const uint8_t *frame, size_t len, int err)
{
	uv_loop_t loop;
	struct owner o;
	struct peer p;
	struct hs_buf out;
	struct hs_view msg;
	uint8_t data[32] = { 1 };
	REQUIRE(uv_loop_init(&loop) == 0);
	hs__buf_init(&out, HS_AGENT_MAX_FRAME + 16, 0);
	struct hs_agent_server *s = open_pair(&loop, g_hostkey, &o, &p);
	put_sign(&out, g_hostkey, data, sizeof data, 0);
	REQUIRE(hs__buf_put(&out, frame, len) == 0);
	send_buf(p.fd, &out);
	expect_signature(&p, g_hostkey, data, sizeof data);
	CHECK_EQ_INT(next_type(&p, &msg), 0); /* the end */
	CHECK_EQ_INT(o.ended, 1);
	CHECK_EQ_INT(o.err, err);
	close_pair(&loop, s, &o, &p);
	CHECK_EQ_INT(o.ended, 1);
	hs__buf_cleanup(&out);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

static void test_ends(void)
{
	/* over HS_AGENT_MAX_FRAME: ends at the length, the rest unread */
	uint32_t n = HS_AGENT_MAX_FRAME + 1;
	uint8_t big[] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, 13 };
	expect_ends(big, sizeof big, HS_ERR_LIMIT);
	uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 13 };
	expect_ends(huge, sizeof huge, HS_ERR_LIMIT);
	uint8_t empty[] = { 0, 0, 0, 0 };
	expect_ends(empty, sizeof empty, HS_ERR_FORMAT);
	/* a sign request whose fields do not parse, or with bytes after them */
	uint8_t cut[] = { 0, 0, 0, 5, 13, 0, 0, 0, 9 };
	expect_ends(cut, sizeof cut, HS_ERR_TRUNCATED);
	uint8_t trailing[] = { 0, 0, 0, 2, 11, 0 }; /* identities with a byte after */
	expect_ends(trailing, sizeof trailing, HS_ERR_TRAILING);

	/* the peer hangs up: ended, and closing from inside ended is fine */
	uv_loop_t loop;
	struct owner o;
	struct peer p;
	REQUIRE(uv_loop_init(&loop) == 0);
	struct hs_agent_server *s = open_pair(&loop, g_hostkey, &o, &p);
	o.close_on_end = s;
	shutdown(p.fd, SHUT_WR);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_EQ_INT(o.ended, 1);
	CHECK_EQ_INT(o.err, HS_ERR_CLOSED);
	peer_cleanup(&p);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);

	/* bad arguments; fd is closed all the same */
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	REQUIRE(uv_loop_init(&loop) == 0);
	CHECK_EQ_INT(hs_agent_server_new(&loop, sv[1], NULL, NULL, NULL, &s), HS_ERR_INVALID_ARG);
	CHECK(s == NULL);
	CHECK(fcntl(sv[1], F_GETFD) == -1);
	CHECK_EQ_INT(hs_agent_server_new(&loop, -1, g_hostkey, NULL, NULL, &s), HS_ERR_INVALID_ARG);
	close(sv[0]);
	hs_agent_server_close(NULL, NULL, NULL);
	CHECK_EQ_INT((int)hs_agent_server_signatures(NULL), 0);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

/* Several requests in one write, answered in order. */
static void test_pipelined(void)
{
	uv_loop_t loop;
	struct owner o;
	struct peer p;
	struct hs_buf out;
	uint8_t data[10][64];
	REQUIRE(uv_loop_init(&loop) == 0);
	hs__buf_init(&out, HS_AGENT_MAX_FRAME + 16, 0);
	struct hs_agent_server *s = open_pair(&loop, g_hostkey, &o, &p);
	for (int i = 0; i < 10; i++) {
		memset(data[i], i + 1, sizeof data[i]);
		if (i % 3 == 1)
			REQUIRE(hs__agent_put_request_identities(&out) == 0);
		else
			put_sign(&out, g_hostkey, data[i], i % 3 == 2 ? 20 : 32, 0);
	}
	send_buf(p.fd, &out);
	for (int i = 0; i < 10; i++) {
		if (i % 3 == 1)
			expect_identity(&p, g_hostkey);
		else if (i % 3 == 2)
			expect_failure(&p);
		else
			expect_signature(&p, g_hostkey, data[i], 32);
	}
	CHECK_EQ_INT((int)hs_agent_server_signatures(s), 4);
	close_pair(&loop, s, &o, &p);
	hs__buf_cleanup(&out);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

/* --- an external host key: a signer that answers later, newest first --- */

struct late_signer {
	const struct hs_hostkey *holds;
	struct hs_sign_request *reqs[256];
	uint8_t data[256][64];
	size_t len[256];
	int n;     /* requests not yet answered */
	int asked; /* requests ever */
	int hold;  /* answer only when the test says */
	int bad;   /* answer with a signature by g_otherkey */
	int fail;  /* answer with an error */
	uv_timer_t timer;
};

static void late_answer_one(struct late_signer *ls)
{
	struct hs_buf sig;
	int i = --ls->n; /* the newest first: the server must hold the answer */
	hs__buf_init(&sig, 1024, 0);
	if (ls->fail) {
		hs_sign_request_done(ls->reqs[i], HS_ERR_IO, NULL, 0);
	} else {
		const struct hs_hostkey *k = ls->bad ? g_otherkey : ls->holds;
		CHECK_EQ_INT(hs__hostkey_sign(k, "ssh-ed25519", ls->data[i], ls->len[i], &sig), 0);
		hs_sign_request_done(ls->reqs[i], 0, hs__buf_ptr(&sig), hs__buf_len(&sig));
	}
	hs__buf_cleanup(&sig);
}

static void on_late_timer(uv_timer_t *t)
{
	struct late_signer *ls = t->data;
	if (ls->n > 0 && !ls->hold)
		late_answer_one(ls);
	if (ls->n == 0)
		uv_timer_stop(t);
}

static void late_sign(void *ctx, struct hs_sign_request *req, const uint8_t *data, size_t len)
{
	struct late_signer *ls = ctx;
	REQUIRE(ls->n < 256 && len <= 64);
	ls->reqs[ls->n] = req;
	memcpy(ls->data[ls->n], data, len);
	ls->len[ls->n] = len;
	ls->n++;
	ls->asked++;
	if (!ls->hold)
		uv_timer_start(&ls->timer, on_late_timer, 5, 1);
}

static void late_init(struct late_signer *ls, uv_loop_t *loop, struct hs_hostkey **ext)
{
	memset(ls, 0, sizeof *ls);
	ls->holds = g_hostkey;
	REQUIRE(uv_timer_init(loop, &ls->timer) == 0);
	ls->timer.data = ls;
	REQUIRE(hs_hostkey_new_external(hs_hostkey_public(g_hostkey), late_sign, ls, ext) == 0);
}

static void late_answer_all(struct late_signer *ls)
{
	ls->hold = 0;
	while (ls->n > 0)
		late_answer_one(ls);
}

static void test_relays(void)
{
	uv_loop_t loop;
	struct owner o;
	struct peer p;
	struct hs_buf out;
	struct late_signer ls;
	struct hs_hostkey *ext = NULL;
	uint8_t data[6][32];
	REQUIRE(uv_loop_init(&loop) == 0);
	hs__buf_init(&out, HS_AGENT_MAX_FRAME + 16, 0);
	late_init(&ls, &loop, &ext);
	struct hs_agent_server *s = open_pair(&loop, ext, &o, &p);

	/* answered out of order by the signer, in order on the socket; an
	 * identities request among them waits its turn */
	for (int i = 0; i < 6; i++) {
		memset(data[i], 0x30 + i, sizeof data[i]);
		if (i == 3)
			REQUIRE(hs__agent_put_request_identities(&out) == 0);
		else
			put_sign(&out, ext, data[i], sizeof data[i], 0);
	}
	send_buf(p.fd, &out);
	for (int i = 0; i < 6; i++) {
		if (i == 3)
			expect_identity(&p, g_hostkey);
		else
			expect_signature(&p, g_hostkey, data[i], sizeof data[i]);
	}
	CHECK_EQ_INT(ls.asked, 5);
	CHECK_EQ_INT((int)hs_agent_server_signatures(s), 5);

	/* a signer answering with another key's signature, or an error: the
	 * server checks and refuses */
	ls.bad = 1;
	hs__buf_reset(&out);
	put_sign(&out, ext, data[0], 32, 0);
	send_buf(p.fd, &out);
	expect_failure(&p);
	ls.bad = 0;
	ls.fail = 1;
	send_buf(p.fd, &out);
	expect_failure(&p);
	ls.fail = 0;
	CHECK_EQ_INT((int)hs_agent_server_signatures(s), 5);

	/* the queue's bound: the signer holds its answers; the server stops
	 * reading at HS_AGENT_SERVER_MAX_QUEUE and reads on as they go */
	ls.hold = 1;
	ls.asked = 0;
	hs__buf_reset(&out);
	const int many = (int)HS_AGENT_SERVER_MAX_QUEUE + 36;
	for (int i = 0; i < many; i++)
		put_sign(&out, ext, data[i % 6], 32, 0);
	send_buf(p.fd, &out);
	for (int i = 0; i < 50; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	CHECK_EQ_INT(ls.asked, (int)HS_AGENT_SERVER_MAX_QUEUE);
	late_answer_all(&ls);
	for (int i = 0; i < many; i++) {
		expect_signature(&p, g_hostkey, data[i % 6], 32);
		if (ls.n > 0)
			late_answer_all(&ls);
	}
	CHECK_EQ_INT(ls.asked, many);

	/* closed with requests still out: their answers only free them */
	ls.hold = 1;
	hs__buf_reset(&out);
	for (int i = 0; i < 3; i++)
		put_sign(&out, ext, data[i], 32, 0);
	send_buf(p.fd, &out);
	for (int i = 0; i < 50 && ls.n < 3; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	CHECK_EQ_INT(ls.n, 3);
	unsigned long made = hs_agent_server_signatures(s);
	close_pair(&loop, s, &o, &p);
	late_answer_all(&ls); /* after the server is gone */
	CHECK_EQ_INT((int)made, 5 + many);
	uv_close((uv_handle_t *)&ls.timer, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	hs_hostkey_free(ext);
	hs__buf_cleanup(&out);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

/* --- OpenSSH's ssh-add against the server on a Unix socket --- */

static void on_exit_cb(uv_process_t *proc, int64_t status, int signal)
{
	int *done = proc->data;
	*done = signal == 0 ? (int)status + 1 : -1;
	uv_close((uv_handle_t *)proc, NULL);
}

static void test_ssh_add(void)
{
	static char ssh_add[] = "/usr/bin/ssh-add";
	static char opt_l[] = "-L";
	if (access(ssh_add, X_OK) != 0) {
		fprintf(stderr, "ssh-add not installed: skipped\n");
		return;
	}
	char dir[] = "/tmp/hs-agent-server-XXXXXX";
	REQUIRE(mkdtemp(dir) != NULL);
	char path[128], outpath[128], env[160];
	snprintf(path, sizeof path, "%s/agent.sock", dir);
	snprintf(outpath, sizeof outpath, "%s/out", dir);
	snprintf(env, sizeof env, "SSH_AUTH_SOCK=%s", path);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	REQUIRE(l >= 0 && bind(l, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(l, 1) == 0);
	int outfd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	REQUIRE(outfd >= 0);

	uv_loop_t loop;
	uv_process_t proc;
	int done = 0;
	REQUIRE(uv_loop_init(&loop) == 0);
	char *args[] = { ssh_add, opt_l, NULL };
	char *envp[] = { env, NULL };
	uv_stdio_container_t stdio[3] = { { UV_IGNORE, { 0 } }, { UV_INHERIT_FD, { 0 } }, { UV_IGNORE, { 0 } } };
	stdio[1].data.fd = outfd;
	uv_process_options_t opt;
	memset(&opt, 0, sizeof opt);
	opt.file = ssh_add;
	opt.args = args;
	opt.env = envp;
	opt.exit_cb = on_exit_cb;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	proc.data = &done;
	REQUIRE(uv_spawn(&loop, &proc, &opt) == 0);
	close(outfd);

	/* ssh-add's connection is in the backlog: take it */
	struct pollfd pfd = { l, POLLIN, 0 };
	REQUIRE(poll(&pfd, 1, 5000) == 1);
	int fd = accept(l, NULL, NULL);
	REQUIRE(fd >= 0);
	struct owner o;
	struct hs_agent_server *s = NULL;
	memset(&o, 0, sizeof o);
	CHECK_EQ_INT(hs_agent_server_new(&loop, fd, g_hostkey, on_ended, &o, &s), 0);
	for (int i = 0; i < 5000 && done == 0; i++)
		uv_run(&loop, UV_RUN_ONCE);
	CHECK_EQ_INT(done, 1); /* exit status 0 */
	hs_agent_server_close(s, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);

	char got[1024] = "";
	FILE *fp = fopen(outpath, "r");
	REQUIRE(fp != NULL);
	CHECK(fgets(got, sizeof got, fp) != NULL);
	fclose(fp);
	char *line = NULL;
	REQUIRE(hs_key_format_line(hs_hostkey_public(g_hostkey), "hostsd host key", &line) == 0);
	got[strcspn(got, "\n")] = '\0';
	CHECK_STR(got, line);
	free(line);

	close(l);
	unlink(path);
	unlink(outpath);
	rmdir(dir);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as every libuv program: a peer gone is an error, not a signal */
	if (fx_keys_init() != 0)
		return 1;
	test_serves_connection();
	test_refusals();
	test_ends();
	test_pipelined();
	test_relays();
	test_ssh_add();
	fx_keys_free();
	return hs_test_done();
}
