/* Tests of child processes started under an account (daemon/child.c):
 * the ids, groups, umask, directory, limits, descriptors, signals and
 * session a child gets, as the child itself reports them through
 * /bin/sh; the sentences of what failed. Most need root (switching
 * accounts); the unprivileged rules are tested in a process of our own
 * that became nobody, and run as they are when we are not root. */
#include "daemon/child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs_test.h"

#define OUT_MAX 16384

static char env_path[] = "PATH=/usr/bin:/bin", env_test[] = "HOSTSD_TEST=1";
static char *const test_env[] = { env_path, env_test, NULL };
static char arg_sh[] = "sh", arg_c[] = "-c", arg_x[] = "x";

/* Everything fd gives until end of file, NUL-terminated. */
static size_t read_all(int fd, char *out, size_t cap)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, out + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return len;
}

static int wait_status(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* Run `sh -c script` as spec says, its stdout into out; the wait status,
 * or -1 when it did not start (err says why). */
static int run_sh(struct hsd_child_spec *spec, const char *script, char *out, size_t cap, char *err, size_t errlen)
{
	char copy[1024];
	char *argv[] = { arg_sh, arg_c, copy, NULL };
	int p[2];
	snprintf(copy, sizeof copy, "%s", script);
	pid_t pid;
	REQUIRE(pipe(p) == 0);
	spec->path = "/bin/sh";
	spec->argv = argv;
	spec->stdio[1] = p[1];
	int r = hsd_child_spawn(spec, &pid, err, errlen);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		out[0] = '\0';
		return -1;
	}
	read_all(p[0], out, cap);
	close(p[0]);
	return wait_status(pid);
}

static struct hsd_child_spec base_spec(void)
{
	struct hsd_child_spec s;
	memset(&s, 0, sizeof s);
	s.envp = test_env;
	s.stdio[0] = s.stdio[1] = s.stdio[2] = -1;
	return s;
}

/* A line of /proc/self/limits as the child saw it: "Max open files  100  100  files". */
static int has_limit(const char *out, const char *name, const char *value)
{
	const char *line = strstr(out, name);
	if (line == NULL)
		return 0;
	char soft[32], hard[32];
	if (sscanf(line + strlen(name), "%31s %31s", soft, hard) != 2)
		return 0;
	return strcmp(soft, value) == 0 && strcmp(hard, value) == 0;
}

/* The whole environment and ids of a child under nobody:nogroup. */
static void test_as_nobody(void)
{
	struct hsd_account a;
	struct hsd_child_limits lim = {
		.processes = 50, .open_files = 100, .cpu_seconds = 30, .memory_bytes = 1024ull * 1024 * 1024
	};
	struct hsd_child_spec s = base_spec();
	char out[OUT_MAX], err[512], want[256];
	REQUIRE(hsd_account_resolve("nobody:nogroup", "test", &a, err, sizeof err) == 0);
	s.account = &a;
	s.limits = &lim;
	s.set_umask = 1;
	s.umask = 027;
	s.dir = "/tmp";
	s.drop_bounding_caps = 1;
	s.new_session = 1;
	int st = run_sh(&s,
	                "id -u; id -g; id -G; umask; pwd; ulimit -n; ls /proc/self/fd; env; cat /proc/self/limits; "
	                "grep -E '^(CapBnd|CapEff|SigBlk|SigIgn):' /proc/self/status; "
	                "echo sid=$(cut -d' ' -f6 /proc/$$/stat) pid=$$",
	                out, sizeof out, err, sizeof err);
	if (st < 0)
		fprintf(stderr, "%s\n", err);
	REQUIRE(st >= 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(want, sizeof want, "%lu\n%lu\n%lu\n0027\n/tmp\n100\n0\n1\n2\n3\n", (unsigned long)a.uid,
	         (unsigned long)a.gid, (unsigned long)a.gid);
	if (strncmp(out, want, strlen(want)) != 0) {
		fprintf(stderr, "child said:\n%s\nwanted it to begin with:\n%s\n", out, want);
		CHECK(0);
	}
	/* the environment is exactly ours (sh adds PWD) */
	CHECK(strstr(out, "\nPATH=/usr/bin:/bin\n") != NULL);
	CHECK(strstr(out, "\nHOSTSD_TEST=1\n") != NULL);
	CHECK(strstr(out, "HOME=") == NULL);
	CHECK(has_limit(out, "Max processes", "50"));
	CHECK(has_limit(out, "Max open files", "100"));
	CHECK(has_limit(out, "Max cpu time", "30"));
	CHECK(has_limit(out, "Max address space", "1073741824"));
	CHECK(strstr(out, "CapBnd:\t0000000000000000\n") != NULL);
	CHECK(strstr(out, "CapEff:\t0000000000000000\n") != NULL);
	CHECK(strstr(out, "SigBlk:\t0000000000000000\n") != NULL);
	CHECK(strstr(out, "SigIgn:\t0000000000000000\n") != NULL);
	const char *sid = strstr(out, "sid=");
	unsigned long sidv = 0, pidv = 1;
	CHECK(sid != NULL && sscanf(sid, "sid=%lu pid=%lu", &sidv, &pidv) == 2 && sidv == pidv);
	hsd_account_clear(&a);
}

/* Passed descriptors arrive as 3, 4, ... even when their numbers are
 * the targets of others; an inherited descriptor without close-on-exec
 * does not arrive. */
static void test_descriptors(void)
{
	int out[2], b[2], c[2], stray;
	char buf[256], err[512];
	struct hsd_child_spec s = base_spec();
	pid_t pid;
	REQUIRE(pipe(out) == 0 && pipe(b) == 0 && pipe(c) == 0);
	/* out of the way of 3, 4 and 20 first */
	int *ends[] = { &out[0], &out[1], &b[0], &b[1], &c[0], &c[1] };
	for (size_t i = 0; i < 6; i++) {
		int moved = fcntl(*ends[i], F_DUPFD, 30);
		REQUIRE(moved >= 30);
		close(*ends[i]);
		*ends[i] = moved;
	}
	/* stdout comes from 4, target 3 from 20, target 4 from 3 */
	REQUIRE(dup2(out[1], 4) == 4 && dup2(b[1], 3) == 3 && dup2(c[1], 20) == 20);
	close(out[1]);
	close(b[1]);
	close(c[1]);
	stray = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
	REQUIRE(stray > 4 && stray != 20);
	char script[256];
	snprintf(script, sizeof script,
	         "echo out; echo c >&3; echo b >&4; test -e /dev/fd/%d && echo stray; test -e /dev/fd/5 && echo 5; "
	         "exit 0",
	         stray);
	char *argv[] = { arg_sh, arg_c, script, NULL };
	int pass[] = { 20, 3 };
	s.path = "/bin/sh";
	s.argv = argv;
	s.stdio[1] = 4;
	s.stdio[2] = 4;
	s.pass = pass;
	s.npass = 2;
	CHECK_EQ_INT(hsd_child_spawn(&s, &pid, err, sizeof err), 0);
	close(4);
	close(3);
	close(20);
	read_all(out[0], buf, sizeof buf);
	CHECK_STR(buf, "out\n");
	read_all(c[0], buf, sizeof buf);
	CHECK_STR(buf, "c\n");
	read_all(b[0], buf, sizeof buf);
	CHECK_STR(buf, "b\n");
	int st = wait_status(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(out[0]);
	close(b[0]);
	close(c[0]);
	close(stray);
}

/* What failed in the child, in the parent's words; the child is reaped. */
static void test_failures(const struct hsd_account *a)
{
	char err[512], out[64], want[512];
	pid_t pid = 0;
	char *argv[] = { arg_x, NULL };
	struct hsd_child_spec s = base_spec();
	s.path = "/nonexistent/hostsd-test";
	s.argv = argv;
	CHECK_EQ_INT(hsd_child_spawn(&s, &pid, err, sizeof err), -1);
	CHECK_STR(err, "cannot start /nonexistent/hostsd-test: execve: No such file or directory");
	CHECK_EQ_INT(pid, -1);
	if (a != NULL) {
		s.account = a;
		CHECK_EQ_INT(hsd_child_spawn(&s, &pid, err, sizeof err), -1);
		snprintf(want, sizeof want,
		         "cannot start /nonexistent/hostsd-test as %s: execve: No such file or directory", a->name);
		CHECK_STR(err, want);
	}
	s = base_spec();
	s.dir = "/nonexistent-dir";
	CHECK_EQ_INT(run_sh(&s, "true", out, sizeof out, err, sizeof err), -1);
	CHECK_STR(err, "cannot start /bin/sh: chdir(/nonexistent-dir): No such file or directory");
	/* a directory the account may not enter (the switch comes first) */
	if (a != NULL && a->uid != 0 && geteuid() == 0) {
		s.account = a;
		s.dir = "/root";
		CHECK_EQ_INT(run_sh(&s, "true", out, sizeof out, err, sizeof err), -1);
		snprintf(want, sizeof want, "cannot start /bin/sh as %s: chdir(/root): Permission denied", a->name);
		CHECK_STR(err, want);
	}
	/* no zombie left behind */
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	/* a spec without a program */
	s = base_spec();
	CHECK_EQ_INT(hsd_child_spawn(&s, &pid, err, sizeof err), -1);
	CHECK_STR(err, "cannot start a child: no program or no argv[0]");
}

/* As ourselves: no account, or our own; another account is refused
 * before anything starts. */
static void test_unprivileged(void)
{
	struct hsd_account own, root;
	char out[OUT_MAX], err[512], want[512], spec[64];
	struct hsd_child_spec s = base_spec();
	int st = run_sh(&s, "id -u; pwd", out, sizeof out, err, sizeof err);
	snprintf(want, sizeof want, "%lu\n/\n", (unsigned long)geteuid());
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_STR(out, want);

	snprintf(spec, sizeof spec, "%lu:%lu", (unsigned long)geteuid(), (unsigned long)getegid());
	REQUIRE(hsd_account_resolve(spec, "test", &own, err, sizeof err) == 0);
	s.account = &own;
	s.drop_bounding_caps = 1; /* nothing to drop: ignored */
	st = run_sh(&s, "id -u", out, sizeof out, err, sizeof err);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(want, sizeof want, "%lu\n", (unsigned long)geteuid());
	CHECK_STR(out, want);

	REQUIRE(hsd_account_resolve("root", "test", &root, err, sizeof err) == 0);
	s.account = &root;
	CHECK_EQ_INT(run_sh(&s, "id -u", out, sizeof out, err, sizeof err), -1);
	snprintf(want, sizeof want,
	         "cannot start /bin/sh as root: only root can start a process as another account (this process runs "
	         "as uid %lu, gid %lu)",
	         (unsigned long)geteuid(), (unsigned long)getegid());
	CHECK_STR(err, want);
	test_failures(&own);
	hsd_account_clear(&own);
	hsd_account_clear(&root);
}

/* The unprivileged rules, as root: in a process of ours that became
 * nobody for good. */
static void test_unprivileged_as_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	REQUIRE(pw != NULL);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(2);
		hs_test_passed = hs_test_failed = 0;
		test_unprivileged();
		fflush(stdout);
		fflush(stderr);
		_exit(hs_test_failed == 0 ? 0 : 1);
	}
	int st = wait_status(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Signals blocked or ignored by the parent are neither in the child. */
static void test_signals(void)
{
	sigset_t block, old;
	struct sigaction ign, oldpipe;
	char out[OUT_MAX], err[512];
	struct hsd_child_spec s = base_spec();
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	REQUIRE(sigprocmask(SIG_BLOCK, &block, &old) == 0);
	REQUIRE(sigaction(SIGPIPE, &ign, &oldpipe) == 0);
	int st = run_sh(&s, "grep -E '^(SigBlk|SigIgn):' /proc/self/status", out, sizeof out, err, sizeof err);
	CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_STR(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &oldpipe, NULL);
}

int main(void)
{
	test_signals();
	test_descriptors();
	if (geteuid() != 0) {
		printf("not root: the tests of switching accounts are skipped\n");
		test_unprivileged();
		return hs_test_done();
	}
	struct hsd_account nobody;
	char err[512];
	REQUIRE(hsd_account_resolve("nobody", "test", &nobody, err, sizeof err) == 0);
	test_as_nobody();
	test_failures(&nobody);
	test_unprivileged_as_nobody();
	hsd_account_clear(&nobody);
	return hs_test_done();
}
