/* Tests of the worker's sandbox. Each case forks a child that enters it,
 * since nothing undoes a sandbox: one child does what a worker does (a
 * libuv loop serving a TCP connection, a job on a thread the pool makes
 * only after the sandbox, OpenSSL's X25519, SHA-256 and AES-GCM, a timer)
 * and ends well, while the parent reads /proc/CHILD/status (no_new_privs,
 * seccomp, no capabilities); others try what a worker must never do
 * (execve, open, socket, fork, kill another process, executable memory)
 * and the parent sees each killed by SIGSYS. */
#include "daemon/sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "hs_test.h"

/* ---- the parent's side ---- */

/* The value of a "Name:\tvalue" line of /proc/PID/status into out. */
static int proc_status_field(pid_t pid, const char *name, char *out, size_t outlen)
{
	char path[64], line[256];
	size_t n = strlen(name);
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	int found = -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			v += strspn(v, " \t");
			snprintf(out, outlen, "%.*s", (int)strcspn(v, "\n"), v);
			found = 0;
			break;
		}
	fclose(f);
	return found;
}

/* Whether this process holds CAP_SETPCAP (so the sandbox empties the
 * bounding set of its children). */
static int have_setpcap(void)
{
	char v[64];
	if (proc_status_field(getpid(), "CapEff", v, sizeof v) != 0)
		return 0;
	return (strtoull(v, NULL, 16) & (1ull << 8)) != 0;
}

static int read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int wait_child(pid_t pid)
{
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return ws;
}

/* ---- the child that works inside the sandbox ---- */

struct worker {
	uv_loop_t loop;
	uv_tcp_t server, peer;
	uv_timer_t timer;
	uv_work_t work;
	uv_write_t wreq;
	char buf[64];
	int echoed, timed, worked, crypto_ok;
};

static int crypto_round(void)
{
	int ok = 0;
	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"), *b = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY_CTX *dctx = a != NULL ? EVP_PKEY_CTX_new(a, NULL) : NULL;
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
	unsigned char secret[32], hash[32], key[32] = { 1 }, iv[12] = { 2 }, ct[64], tag[16];
	size_t slen = sizeof secret;
	unsigned hlen = 0;
	int clen = 0, fin = 0;
	if (dctx == NULL || b == NULL || cctx == NULL || EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, b) != 1 || EVP_PKEY_derive(dctx, secret, &slen) != 1)
		goto out;
	if (EVP_Digest(secret, slen, hash, &hlen, EVP_sha256(), NULL) != 1 || hlen != 32)
		goto out;
	if (EVP_EncryptInit_ex(cctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(cctx, ct, &clen, hash, (int)hlen) != 1 ||
	    EVP_EncryptFinal_ex(cctx, ct + clen, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(cctx);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok;
}

static void on_work(uv_work_t *req)
{
	struct worker *w = req->data;
	w->crypto_ok = crypto_round();
}

static void on_work_done(uv_work_t *req, int status)
{
	struct worker *w = req->data;
	w->worked = status == 0;
}

static void on_timer(uv_timer_t *t)
{
	struct worker *w = t->data;
	w->timed = 1;
	uv_close((uv_handle_t *)t, NULL);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct worker *w = h->data;
	*b = uv_buf_init(w->buf, sizeof w->buf);
}

static void on_written(uv_write_t *req, int status)
{
	struct worker *w = req->data;
	w->echoed = status == 0;
	uv_close((uv_handle_t *)&w->peer, NULL);
	uv_close((uv_handle_t *)&w->server, NULL);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct worker *w = s->data;
	if (n == 0)
		return;
	uv_read_stop(s);
	if (n < 0) {
		uv_close((uv_handle_t *)&w->peer, NULL);
		uv_close((uv_handle_t *)&w->server, NULL);
		return;
	}
	uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
	w->wreq.data = w;
	if (uv_write(&w->wreq, s, &out, 1, on_written) != 0)
		on_written(&w->wreq, -1);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct worker *w = server->data;
	uv_tcp_init(&w->loop, &w->peer);
	w->peer.data = w;
	if (status != 0 || uv_accept(server, (uv_stream_t *)&w->peer) != 0 ||
	    uv_read_start((uv_stream_t *)&w->peer, on_alloc, on_read) != 0) {
		uv_close((uv_handle_t *)&w->peer, NULL);
		uv_close((uv_handle_t *)server, NULL);
	}
}

/* What the child tells the parent once in the sandbox. */
struct hello {
	int port;
	int rc;
	struct hsd_sandbox_status st;
	char err[160];
};

/* The child of test_allowed(): never returns. */
static void worker_child(int ready, int go)
{
	static struct worker w;
	struct hello h;
	struct sockaddr_in sin;
	int len = sizeof sin;
	memset(&h, 0, sizeof h);
	/* the start-up of a worker: loop, listener, timer */
	uv_ip4_addr("127.0.0.1", 0, &sin);
	if (uv_loop_init(&w.loop) != 0 || uv_tcp_init(&w.loop, &w.server) != 0 ||
	    uv_tcp_bind(&w.server, (const struct sockaddr *)&sin, 0) != 0 ||
	    uv_listen((uv_stream_t *)&w.server, 4, on_connection) != 0 ||
	    uv_tcp_getsockname(&w.server, (struct sockaddr *)&sin, &len) != 0 || uv_timer_init(&w.loop, &w.timer) != 0)
		_exit(2);
	w.server.data = w.timer.data = w.work.data = &w;
	h.port = ntohs(sin.sin_port);
	/* trap mode: a call missing from the list is named on stderr */
	struct hsd_sandbox_opts opts = { 1 };
	h.rc = hsd_sandbox_enter(&opts, &h.st, h.err, sizeof h.err);
	char c;
	if (write(ready, &h, sizeof h) != (ssize_t)sizeof h || h.rc != 0 || read(go, &c, 1) != 1)
		_exit(3);
	/* the pool's threads are made now, inside the sandbox */
	if (uv_queue_work(&w.loop, &w.work, on_work, on_work_done) != 0 ||
	    uv_timer_start(&w.timer, on_timer, 10, 0) != 0)
		_exit(4);
	uv_run(&w.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&w.loop) != 0)
		_exit(5);
	/* stderr is fd 2 to the end */
	fprintf(stderr, "sandbox_test: echoed %d, timer %d, job %d, crypto %d\n", w.echoed, w.timed, w.worked,
	        w.crypto_ok);
	/* _exit: LeakSanitizer's check at exit is not made for a sandbox */
	_exit(w.echoed && w.timed && w.worked && w.crypto_ok ? 0 : 6);
}

static void test_allowed(const struct hsd_sandbox_status *sup)
{
	int ready[2], go[2];
	REQUIRE(pipe(ready) == 0 && pipe(go) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		worker_child(ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	struct hello h;
	memset(&h, 0, sizeof h);
	REQUIRE(read_full(ready[0], &h, sizeof h) == 0);
	if (h.rc != 0)
		fprintf(stderr, "hsd_sandbox_enter: %s\n", h.err);
	REQUIRE(h.rc == 0);
	CHECK_EQ_INT(h.st.no_new_privs, 1);
	CHECK_EQ_INT(h.st.caps_dropped, 1);
	CHECK_EQ_INT(h.st.seccomp, 1);
	CHECK_EQ_INT(h.st.seccomp_calls, sup->seccomp_calls);
	CHECK(h.st.seccomp_calls > 40);
	CHECK_EQ_INT(h.st.landlock_abi, sup->landlock_abi);
	CHECK_EQ_INT(h.st.landlock, sup->landlock_abi > 0);
	CHECK_EQ_INT(h.st.bounding_dropped, have_setpcap());
	char line[160];
	printf("%s\n", hsd_sandbox_describe(&h.st, line, sizeof line));

	/* the kernel's view, which the child can no longer read itself */
	char v[64];
	CHECK(proc_status_field(pid, "NoNewPrivs", v, sizeof v) == 0 && strcmp(v, "1") == 0);
	CHECK(proc_status_field(pid, "Seccomp", v, sizeof v) == 0 && strcmp(v, "2") == 0);
	const char *zero_sets[] = { "CapInh", "CapPrm", "CapEff", "CapAmb" };
	for (size_t i = 0; i < sizeof zero_sets / sizeof zero_sets[0]; i++)
		CHECK(proc_status_field(pid, zero_sets[i], v, sizeof v) == 0 && strtoull(v, NULL, 16) == 0);
	if (have_setpcap())
		CHECK(proc_status_field(pid, "CapBnd", v, sizeof v) == 0 && strtoull(v, NULL, 16) == 0);

	/* one connection, echoed */
	REQUIRE(write(go[1], "g", 1) == 1);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)h.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	char back[8] = { 0 };
	CHECK(write(fd, "ping", 4) == 4);
	CHECK(read_full(fd, back, 4) == 0 && memcmp(back, "ping", 4) == 0);
	close(fd);
	int ws = wait_child(pid);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		fprintf(stderr, "worker child: status 0x%x\n", ws);
	close(ready[0]);
	close(go[1]);
}

/* ---- the children that try what is forbidden ---- */

static void *idle_thread(void *arg)
{
	pause();
	return arg;
}

/* Enter the sandbox in a child, try what, and give the wait status. With
 * trap, the child's stderr goes to errfd. */
static int try_forbidden(const char *what, int trap, int errfd)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0 ? -1 : wait_child(pid);
	char err[160];
	struct hsd_sandbox_opts opts = { trap };
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	if (hsd_sandbox_enter(&opts, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "hsd_sandbox_enter: %s\n", err);
		_exit(90);
	}
	if (strcmp(what, "exec") == 0) {
		char *argv[] = { (char[]){ "/bin/true" }, NULL };
		execv("/bin/true", argv);
	} else if (strcmp(what, "open") == 0) {
		(void)open("/etc/hostname", O_RDONLY);
	} else if (strcmp(what, "socket") == 0) {
		(void)socket(AF_INET, SOCK_STREAM, 0);
	} else if (strcmp(what, "fork") == 0) {
		if (fork() == 0)
			_exit(0);
	} else if (strcmp(what, "kill") == 0) {
		(void)kill(getppid(), 0);
	} else if (strcmp(what, "mprotect") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
	} else if (strcmp(what, "mmap") == 0) {
		(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (strcmp(what, "enter") == 0) {
		/* a second time: loading a filter is not on the list */
		(void)hsd_sandbox_enter(&opts, NULL, err, sizeof err);
#ifdef HS_TEST_HOOKS
	} else if (strcmp(what, "probe-exec") == 0) {
		(void)hsd_sandbox_probe("exec", "/bin/true");
	} else if (strcmp(what, "probe-open") == 0) {
		(void)hsd_sandbox_probe("open", "/etc/hostname");
#endif
	}
	_exit(0); /* not killed: the test fails */
}

static void test_forbidden(void)
{
	const char *whats[] = {
		"exec",       "open",       "socket", "fork", "kill", "mprotect", "mmap", "enter",
#ifdef HS_TEST_HOOKS
		"probe-exec", "probe-open",
#endif
	};
	for (size_t i = 0; i < sizeof whats / sizeof whats[0]; i++) {
		int ws = try_forbidden(whats[i], 0, -1);
		CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSYS);
		if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGSYS)
			fprintf(stderr, "%s: wait status 0x%x, not a death by SIGSYS\n", whats[i], ws);
	}
}

/* The trap mode names the call and ends the process. */
static void test_trap(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0);
	int ws = try_forbidden("socket", 1, p[1]);
	close(p[1]);
	char text[256] = { 0 };
	ssize_t n = read(p[0], text, sizeof text - 1);
	close(p[0]);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == HSD_SANDBOX_TRAP_STATUS);
	CHECK(n > 0 && strncmp(text, "sandbox: system call ", 21) == 0 && strstr(text, " (socket) refused\n") != NULL);
	if (n <= 0 || strstr(text, "(socket)") == NULL)
		fprintf(stderr, "trap message: %s\n", text);
}

/* A thread already running: refused, with the reason. */
static void test_thread_refused(void)
{
	fflush(stdout);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		char err[160] = "";
		struct hsd_sandbox_opts opts = { 0 };
		if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
			_exit(2);
		int rc = hsd_sandbox_enter(&opts, NULL, err, sizeof err);
		_exit(rc == -1 && strstr(err, "before the first thread") != NULL ? 0 : 1);
	}
	int ws = wait_child(pid);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

static void test_describe(void)
{
	char out[160];
	struct hsd_sandbox_status st = { 1, 1, 0, 1, 61, 3, 1 };
	CHECK_STR(hsd_sandbox_describe(&st, out, sizeof out),
	          "sandbox: no_new_privs, capabilities dropped, seccomp allow-list of 61 calls, landlock ABI 3");
	st.landlock = 0;
	st.landlock_abi = 0;
	CHECK_STR(hsd_sandbox_describe(&st, out, sizeof out),
	          "sandbox: no_new_privs, capabilities dropped, seccomp allow-list of 61 calls, no landlock");
	memset(&st, 0, sizeof st);
	CHECK_STR(hsd_sandbox_describe(&st, out, sizeof out),
	          "sandbox: no no_new_privs, capabilities kept, no seccomp, no landlock");
}

#ifdef HS_TEST_HOOKS
/* Outside a sandbox the probe simply fails or succeeds. */
static void test_probe_outside(void)
{
	errno = 0;
	CHECK(hsd_sandbox_probe("dance", "/") == -1 && errno == EINVAL);
	errno = 0;
	CHECK(hsd_sandbox_probe("open", "/nonexistent/hostsd-sandbox-test") == -1 && errno == ENOENT);
	errno = 0;
	CHECK(hsd_sandbox_probe("exec", "/nonexistent/hostsd-sandbox-test") == -1 && errno == ENOENT);
	CHECK_EQ_INT(hsd_sandbox_probe("open", "/"), 0);
}
#endif

int main(void)
{
	struct hsd_sandbox_status sup;
	test_describe();
#ifdef HS_TEST_HOOKS
	test_probe_outside();
#endif
	if (!hsd_sandbox_supported(&sup)) {
		printf("skipped: this kernel has no seccomp filters (CONFIG_SECCOMP_FILTER)\n");
		return hs_test_done();
	}
	signal(SIGPIPE, SIG_IGN);
	test_allowed(&sup);
	test_forbidden();
	test_trap();
	test_thread_refused();
	return hs_test_done();
}
