/*
 * hostsd program — a worker's launcher of subsystem children, through the
 * monitor (see worker_launcher.h).
 */
#include "daemon/worker_launcher.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/ctl_msg.h"
#include "daemon/fdpass.h"
#include "daemon/log.h"

/* One child asked of the monitor, until its end is reported. */
struct launched {
	uint32_t id;
	struct hsd_session *s;
	int running; /* SPAWNED came */
	struct hs_list_node link;
};

#define LAUNCHED_OF(node) HS_LIST_ENTRY(node, struct launched, link)

static struct launched *find_id(struct hsd_worker_launcher *l, uint32_t id)
{
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &l->kids)
	{
		if (LAUNCHED_OF(n)->id == id)
			return LAUNCHED_OF(n);
	}
	return NULL;
}

static struct launched *find_session(struct hsd_worker_launcher *l, const struct hsd_session *s)
{
	struct hs_list_node *n;
	HS_LIST_FOREACH(n, &l->kids)
	{
		if (LAUNCHED_OF(n)->s == s)
			return LAUNCHED_OF(n);
	}
	return NULL;
}

static int send_msg(struct hsd_worker_launcher *l, const struct hsd_ctl_msg *m)
{
	struct hs_buf b;
	int r = -1;
	hs__buf_init(&b, HSD_CTL_MAX, 0);
	if (l->fd >= 0 && hsd_ctl_encode(m, &b) == 0 &&
	    hsd_fdpass_send(l->fd, hs__buf_ptr(&b), hs__buf_len(&b), NULL, 0) == 0)
		r = 0;
	hs__buf_cleanup(&b);
	return r;
}

/* Report the end of every child and forget them (the monitor is gone). */
static void end_all(struct hsd_worker_launcher *l)
{
	while (!hs__list_empty(&l->kids)) {
		struct launched *k = LAUNCHED_OF(hs__list_pop_first(&l->kids));
		struct hsd_session *s = k->s;
		int running = k->running;
		free(k);
		if (running)
			hsd_session_exited(s, -1, 0);
		else
			hsd_session_start_failed(s, "the monitor is gone");
	}
}

static void on_closed(uv_handle_t *h)
{
	(void)h;
}

static void shut(struct hsd_worker_launcher *l, const char *why)
{
	if (l->open) {
		l->open = 0;
		uv_close((uv_handle_t *)&l->poll, on_closed);
	}
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
		if (why != NULL)
			hsd_log(HSD_LOG_ERR, "control channel to the monitor: %s", why);
		end_all(l);
		if (why != NULL && l->lost != NULL)
			l->lost(l->data);
	}
}

static void handle(struct hsd_worker_launcher *l, const struct hsd_ctl_msg *m, int fds[HSD_FDPASS_MAX], size_t nfds)
{
	struct launched *k = find_id(l, m->id);
	if (m->type == HSD_CTL_SPAWNED && k != NULL && !k->running && nfds == 3) {
		k->running = 1;
		hsd_session_started(k->s, m->pid, fds);
		fds[0] = fds[1] = fds[2] = -1;
		return;
	}
	if (m->type == HSD_CTL_SPAWNED) { /* not ours to run: end it */
		struct hsd_ctl_msg kill_it = { .type = HSD_CTL_SIGNAL, .id = m->id, .signo = SIGKILL };
		hsd_log(HSD_LOG_WARNING, "monitor started child %u that is not expected; ending it", (unsigned)m->id);
		(void)send_msg(l, &kill_it);
		return;
	}
	if (k == NULL)
		return; /* an answer about a child already forgotten */
	if (m->type == HSD_CTL_FAILED && !k->running) {
		hs__list_remove(&k->link);
		struct hsd_session *s = k->s;
		free(k);
		hsd_session_start_failed(s, m->reason);
	} else if (m->type == HSD_CTL_EXITED) {
		hs__list_remove(&k->link);
		struct hsd_session *s = k->s;
		int running = k->running;
		free(k);
		if (running)
			hsd_session_exited(s, m->exit_status, (int)m->term_signal);
		else
			hsd_session_start_failed(s, "ended before it ran");
	}
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct hsd_worker_launcher *l = h->data;
	uint8_t buf[HSD_CTL_MAX];
	int fds[HSD_FDPASS_MAX];
	size_t nfds;
	(void)events;
	if (status < 0) {
		shut(l, uv_strerror(status));
		return;
	}
	for (;;) {
		ssize_t n = hsd_fdpass_recv(l->fd, buf, sizeof buf, fds, &nfds);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			shut(l, n == 0 ? "the monitor hung up" : strerror(errno));
			return;
		}
		struct hsd_ctl_msg m;
		if (hsd_ctl_decode(buf, (size_t)n, &m) != 0 || m.type == HSD_CTL_SPAWN || m.type == HSD_CTL_SIGNAL) {
			hsd_fdpass_close(fds, nfds);
			shut(l, "malformed message from the monitor");
			return;
		}
		handle(l, &m, fds, nfds);
		hsd_fdpass_close(fds, nfds);
		if (l->fd < 0)
			return;
	}
}

int hsd_worker_launcher_init(struct hsd_worker_launcher *l, uv_loop_t *loop, int fd, void (*lost)(void *data),
                             void *data)
{
	memset(l, 0, sizeof(*l));
	l->loop = loop;
	l->fd = fd;
	l->lost = lost;
	l->data = data;
	l->next_id = 1;
	hs__list_init(&l->kids);
	if (uv_poll_init(loop, &l->poll, fd) != 0)
		return -1;
	l->poll.data = l;
	l->open = 1;
	if (uv_poll_start(&l->poll, UV_READABLE | UV_DISCONNECT, on_readable) != 0) {
		shut(l, NULL);
		return -1;
	}
	return 0;
}

void hsd_worker_launcher_close(struct hsd_worker_launcher *l)
{
	shut(l, NULL);
	end_all(l);
}

static int launch_start(void *ctx, struct hsd_session *s, const struct hsd_launch *what, char *why, size_t whylen)
{
	struct hsd_worker_launcher *l = ctx;
	struct hsd_ctl_msg m = { .type = HSD_CTL_SPAWN };
	if (l->fd < 0) {
		snprintf(why, whylen, "the monitor is gone");
		return -1;
	}
	struct launched *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	m.id = k->id = l->next_id++;
	snprintf(m.subsystem, sizeof m.subsystem, "%s", what->subsystem);
	snprintf(m.host, sizeof m.host, "%s", what->host);
	snprintf(m.key_fp, sizeof m.key_fp, "%s", what->key_fp);
	snprintf(m.peer, sizeof m.peer, "%s", what->peer);
	if (send_msg(l, &m) != 0) {
		snprintf(why, whylen, "cannot ask the monitor: %s", strerror(errno));
		free(k);
		return -1;
	}
	k->s = s;
	hs__list_insert_head(&l->kids, &k->link);
	return 0;
}

static void launch_signal(void *ctx, struct hsd_session *s, int sig)
{
	struct hsd_worker_launcher *l = ctx;
	struct launched *k = find_session(l, s);
	if (k == NULL)
		return;
	struct hsd_ctl_msg m = { .type = HSD_CTL_SIGNAL, .id = k->id, .signo = (uint32_t)sig };
	if (send_msg(l, &m) != 0)
		hsd_log(HSD_LOG_WARNING, "cannot ask the monitor to signal child %u: %s", (unsigned)k->id,
		        strerror(errno));
}

const struct hsd_launcher hsd_worker_launcher_ops = {
	.start = launch_start,
	.signal = launch_signal,
};
