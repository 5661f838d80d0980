/*
 * hostsd program — what the parts of `hostsd serve`'s monitor share,
 * private to them. The monitor is the process the operator starts (root
 * in a system install). It alone holds the host key (or the connection to
 * the agent that does), writes the registry, binds the listening sockets
 * and starts processes; it parses nothing from the network, only the small
 * fixed messages of its workers. Its parts:
 *
 *   serve.c             the life cycle: start-up, signals, reload, stop
 *   monitor_workers.c   the network workers: started, watched, replaced,
 *                       retired; the signer and the registry each one asks
 *   monitor_children.c  the subsystem children the workers ask for, under
 *                       their accounts
 *
 * Everything runs on the loop thread, except the registry's jobs on
 * libuv's thread pool (regrpc_server.h).
 */
#ifndef HSD_MONITOR_PRIV_H
#define HSD_MONITOR_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include <hostsd/hostsd.h>

#include "common/list.h"
#include "daemon/account.h"
#include "daemon/process.h"
#include "daemon/reaper.h"
#include "daemon/regrpc_server.h"
#include "daemon/serve_cli.h"
#include "daemon/serve_registry.h"
#include "daemon/serve_settings.h"
#include "daemon/statedir.h"

struct monitor;

/* One listening socket, bound by the monitor, shared with the workers. */
struct msock {
	struct hsd_listen_addr addr; /* as configured */
	int fd;
	int port; /* as bound */
};

/* One network worker process. */
struct mworker {
	struct monitor *m;
	unsigned id;
	pid_t pid;    /* 0 once reaped */
	int retiring; /* told to end with its last connection */
	uint64_t started_ms;
	int ctl_fd; /* the control socket, -1: closed */
	uv_poll_t ctl_poll;
	int ctl_open;
	struct hs_agent_server *signer;
	struct hsd_regrpc_server *registry;
	unsigned children;        /* its subsystem children not reaped */
	struct hs_list_node link; /* in monitor.workers */
};

/* One subsystem child. */
struct mchild {
	struct monitor *m;
	struct mworker *w; /* NULL once its worker is gone */
	uint32_t id;       /* the worker's name for it */
	pid_t pid;
	uint64_t kill_at_ms;      /* orphaned: SIGKILL then, if still running; 0: not due */
	struct hs_list_node link; /* in monitor.children */
};

struct monitor {
	uv_loop_t loop;
	struct hsd_serve_cli cli; /* the command line; its settings win over the file's */
	int argc;                 /* serve's arguments, passed on to the workers */
	char **argv;
	char dir[HSD_PATH_MAX];
	struct hsd_serve_settings set;
	struct hsd_regpool *pool;
	struct hs_hostkey *hostkey; /* the key file's; NULL with host_key_agent */
	struct hs_agent *agent;     /* host_key_agent's connection, or NULL */
	char *pubkey_line;          /* the host key's public line, for the workers */
	char *path_env;             /* PATH of the subsystem children */
	int as_root;
	struct hsd_account worker_account; /* as_root: the `user` setting's */
	int exe_fd;                        /* this program, for exec'ing workers */
	struct msock socks[HSD_CONFIG_MAX_LISTEN];
	size_t nsocks;
	struct hs_list_node workers;  /* struct mworker */
	struct hs_list_node children; /* struct mchild */
	unsigned next_worker_id;
	unsigned quick_deaths; /* workers in a row that died soon after their start */
	struct hsd_reaper reaper;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t respawn, sweep, later;
	struct hsd_pidfile pidfile; /* fd -1: none */
	int handles_up;
	int stopping; /* a stop signal came */
	int forced;   /* the second one */
	int finished; /* our own handles are closing */
};

#define MWORKER_OF(node) HS_LIST_ENTRY(node, struct mworker, link)
#define MCHILD_OF(node) HS_LIST_ENTRY(node, struct mchild, link)

/* A worker that dies within this long of its start counts as a quick
 * death; each one in a row doubles the wait before the next start, from
 * HSD_RESPAWN_FIRST_MS up to HSD_RESPAWN_MAX_MS. */
#define HSD_QUICK_DEATH_MS 10000u
#define HSD_RESPAWN_FIRST_MS 100u
#define HSD_RESPAWN_MAX_MS 30000u
/* Subsystem children one worker may have at once: more is refused (a
 * worker that asks for more is not trusted to have counted). */
#define HSD_MAX_CHILDREN_PER_WORKER 4096u

/* --- monitor_workers.c --- */

/* Start a worker on the current settings and sockets. 0, or -1 (logged). */
int hsd__monitor_start_worker(struct monitor *m);

/* Send sig to every worker (that is not retiring, unless all). */
void hsd__monitor_signal_workers(struct monitor *m, int sig, int all);

/* Retire every worker but the newest (after a reload started it). */
void hsd__monitor_retire_old(struct monitor *m);

/* Close the worker's sockets (it is ending, or gone). */
void hsd__monitor_cut_worker(struct mworker *w);

/* A worker misbehaved (why, for the log): cut it off and kill it. */
void hsd__monitor_drop_worker(struct mworker *w, const char *why);

/* --- monitor_children.c --- */

/* Read and act on what w's control socket has (its poll callback's
 * work). */
void hsd__monitor_control_readable(struct mworker *w);

/* w is gone: its children get SIGTERM, and SIGKILL after the grace. */
void hsd__monitor_orphan_children(struct monitor *m, struct mworker *w);

/* --- serve.c --- */

/* Stop if stopping and nothing is left (no worker, no child). */
void hsd__monitor_maybe_finish(struct monitor *m);

/* The host key the workers' signers sign with. */
const struct hs_hostkey *hsd__monitor_hostkey(const struct monitor *m);

#endif
