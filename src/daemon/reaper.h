/*
 * hostsd program — the reaper of the monitor's children: one SIGCHLD
 * watcher (a uv_signal_t) on a libuv loop that collects every child that
 * ended (waitpid(-1, WNOHANG) until none is left) and tells the callback
 * registered for its pid. The monitor never calls uv_spawn, so libuv does
 * not compete for the children; an exit of a pid nobody watches is reaped
 * and ignored, so no zombie stays.
 *
 * Watch a child right after hsd_child_spawn returns, before the loop runs
 * again: the loop delivers SIGCHLD only between callbacks, so a child that
 * ended at once is still found.
 */
#ifndef HSD_REAPER_H
#define HSD_REAPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

/* A child ended: exit_status its exit code (0 when killed), term_signal
 * the signal that killed it (0 when it exited). Called from the loop,
 * never from inside a hsd_reaper_* call; the pid is no longer watched,
 * and the callback may watch or forget others. */
typedef void (*hsd_reaper_exited_cb)(void *data, pid_t pid, int64_t exit_status, int term_signal);

struct hsd_reaper_watch {
	pid_t pid;
	hsd_reaper_exited_cb exited;
	void *data;
};

struct hsd_reaper {
	uv_signal_t sig;
	struct hsd_reaper_watch *v; /* owned */
	size_t n, cap;
	int closing;
	void (*closed)(struct hsd_reaper *r);
};

/* Start watching SIGCHLD on loop. r must stay in place until closed.
 * Returns 0 or a negative libuv error. */
int hsd_reaper_init(struct hsd_reaper *r, uv_loop_t *loop);

/* Call exited(data, ...) once pid has ended. Returns 0, UV_EEXIST when
 * pid is watched already, UV_ENOMEM. */
int hsd_reaper_watch(struct hsd_reaper *r, pid_t pid, hsd_reaper_exited_cb exited, void *data);

/* Stop watching pid: its callback will not be called (its exit is still
 * reaped). Nothing happens for a pid not watched. */
void hsd_reaper_forget(struct hsd_reaper *r, pid_t pid);

/* How many pids are watched. */
size_t hsd_reaper_count(const struct hsd_reaper *r);

/* Stop: no callback is called any more; children that end later are
 * left to whoever waits for them next. closed (may be NULL) is called from
 * the loop once the handle is closed; r may be freed then, not before. */
void hsd_reaper_close(struct hsd_reaper *r, void (*closed)(struct hsd_reaper *r));

#endif
