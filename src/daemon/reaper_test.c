/* Tests of the reaper (daemon/reaper.c) with children from
 * hsd_child_spawn: exit codes and a signal reach their callbacks, a
 * forgotten pid's does not, and every child is reaped, watched or not. */
#include "daemon/reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/child.h"

#include "hs_test.h"

struct seen {
	pid_t pid;
	int calls;
	int64_t exit_status;
	int term_signal;
};

static struct hsd_reaper reaper;
static uv_timer_t deadline;
static int reaper_closed, timed_out;

static void on_reaper_closed(struct hsd_reaper *r)
{
	CHECK(r == &reaper);
	reaper_closed = 1;
}

static void on_exited(void *data, pid_t pid, int64_t exit_status, int term_signal)
{
	struct seen *s = data;
	CHECK_EQ_INT(pid, s->pid);
	s->calls++;
	s->exit_status = exit_status;
	s->term_signal = term_signal;
	/* the pid is no longer watched when its callback runs */
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, pid, on_exited, data), 0);
	hsd_reaper_forget(&reaper, pid);
	if (hsd_reaper_count(&reaper) == 0) {
		hsd_reaper_close(&reaper, on_reaper_closed);
		uv_close((uv_handle_t *)&deadline, NULL);
	}
}

static void on_deadline(uv_timer_t *t)
{
	timed_out = 1;
	hsd_reaper_close(&reaper, on_reaper_closed);
	uv_close((uv_handle_t *)t, NULL);
}

static char arg_sh[] = "sh", arg_c[] = "-c";

static pid_t start(const char *script)
{
	char copy[256], err[512];
	char *argv[] = { arg_sh, arg_c, copy, NULL };
	struct hsd_child_spec spec;
	pid_t pid = -1;
	snprintf(copy, sizeof copy, "%s", script);
	memset(&spec, 0, sizeof spec);
	spec.path = "/bin/sh";
	spec.argv = argv;
	spec.stdio[0] = spec.stdio[1] = -1;
	spec.stdio[2] = 2;
	if (hsd_child_spawn(&spec, &pid, err, sizeof err) != 0)
		fprintf(stderr, "%s\n", err);
	REQUIRE(pid > 0);
	return pid;
}

int main(void)
{
	uv_loop_t loop;
	struct seen ok = { 0 }, three = { 0 }, killed = { 0 }, late = { 0 }, forgotten = { 0 };
	REQUIRE(uv_loop_init(&loop) == 0);
	REQUIRE(hsd_reaper_init(&reaper, &loop) == 0);
	REQUIRE(uv_timer_init(&loop, &deadline) == 0);
	REQUIRE(uv_timer_start(&deadline, on_deadline, 10000, 0) == 0);

	ok.pid = start("exit 0");
	three.pid = start("exit 3");
	killed.pid = start("kill -TERM $$; sleep 5");
	forgotten.pid = start("exit 5");
	pid_t unwatched = start("exit 6");
	late.pid = start("sleep 0.3; exit 7");
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, ok.pid, on_exited, &ok), 0);
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, three.pid, on_exited, &three), 0);
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, killed.pid, on_exited, &killed), 0);
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, forgotten.pid, on_exited, &forgotten), 0);
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, late.pid, on_exited, &late), 0);
	CHECK_EQ_INT(hsd_reaper_watch(&reaper, late.pid, on_exited, &late), UV_EEXIST);
	CHECK_EQ_INT(hsd_reaper_count(&reaper), 5);
	hsd_reaper_forget(&reaper, forgotten.pid);
	hsd_reaper_forget(&reaper, forgotten.pid); /* twice: nothing */
	CHECK_EQ_INT(hsd_reaper_count(&reaper), 4);

	CHECK_EQ_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CHECK_EQ_INT(timed_out, 0);
	CHECK_EQ_INT(reaper_closed, 1);
	CHECK_EQ_INT(ok.calls, 1);
	CHECK_EQ_INT(ok.exit_status, 0);
	CHECK_EQ_INT(ok.term_signal, 0);
	CHECK_EQ_INT(three.calls, 1);
	CHECK_EQ_INT(three.exit_status, 3);
	CHECK_EQ_INT(killed.calls, 1);
	CHECK_EQ_INT(killed.exit_status, 0);
	CHECK_EQ_INT(killed.term_signal, SIGTERM);
	CHECK_EQ_INT(late.calls, 1);
	CHECK_EQ_INT(late.exit_status, 7);
	CHECK_EQ_INT(forgotten.calls, 0);
	/* the forgotten and the unwatched were reaped too */
	CHECK(waitpid(forgotten.pid, NULL, WNOHANG) < 0 && errno == ECHILD);
	CHECK(waitpid(unwatched, NULL, WNOHANG) < 0 && errno == ECHILD);
	CHECK_EQ_INT(uv_loop_close(&loop), 0);
	return hs_test_done();
}
