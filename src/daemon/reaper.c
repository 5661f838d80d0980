/*
 * hostsd program — the monitor's reaper (see reaper.h): a table of
 * watched pids, filled by hsd_reaper_watch and emptied as SIGCHLD tells
 * that children ended.
 */
#include "daemon/reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static size_t find(const struct hsd_reaper *r, pid_t pid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].pid == pid)
			return i;
	return (size_t)-1;
}

static void remove_at(struct hsd_reaper *r, size_t i)
{
	r->v[i] = r->v[--r->n];
}

/* Every child that ended, until none is left (one SIGCHLD may stand for
 * several). */
static void on_sigchld(uv_signal_t *h, int signum)
{
	struct hsd_reaper *r = h->data;
	(void)signum;
	while (!r->closing) { /* a callback may close the reaper */
		int st = 0;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return; /* none ended (0) or no children left (ECHILD) */
		size_t i = find(r, pid);
		if (i == (size_t)-1)
			continue; /* not watched: reaped, nothing more */
		struct hsd_reaper_watch w = r->v[i];
		remove_at(r, i);
		if (WIFSIGNALED(st))
			w.exited(w.data, pid, 0, WTERMSIG(st));
		else
			w.exited(w.data, pid, WIFEXITED(st) ? WEXITSTATUS(st) : 0, 0);
	}
}

int hsd_reaper_init(struct hsd_reaper *r, uv_loop_t *loop)
{
	int e;
	memset(r, 0, sizeof(*r));
	if ((e = uv_signal_init(loop, &r->sig)) != 0)
		return e;
	r->sig.data = r;
	if ((e = uv_signal_start(&r->sig, on_sigchld, SIGCHLD)) != 0) {
		uv_close((uv_handle_t *)&r->sig, NULL);
		return e;
	}
	return 0;
}

int hsd_reaper_watch(struct hsd_reaper *r, pid_t pid, hsd_reaper_exited_cb exited, void *data)
{
	if (find(r, pid) != (size_t)-1)
		return UV_EEXIST;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct hsd_reaper_watch *v = realloc(r->v, cap * sizeof *v);
		if (v == NULL)
			return UV_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct hsd_reaper_watch){ .pid = pid, .exited = exited, .data = data };
	return 0;
}

void hsd_reaper_forget(struct hsd_reaper *r, pid_t pid)
{
	size_t i = find(r, pid);
	if (i != (size_t)-1)
		remove_at(r, i);
}

size_t hsd_reaper_count(const struct hsd_reaper *r)
{
	return r->n;
}

static void on_closed(uv_handle_t *h)
{
	struct hsd_reaper *r = h->data;
	if (r->closed != NULL)
		r->closed(r);
}

void hsd_reaper_close(struct hsd_reaper *r, void (*closed)(struct hsd_reaper *r))
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
	if (r->closing)
		return;
	r->closing = 1;
	r->closed = closed;
	uv_close((uv_handle_t *)&r->sig, on_closed);
}
