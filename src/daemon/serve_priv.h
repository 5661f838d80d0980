/*
 * hostsd program — what the parts of `hostsd serve`'s network worker
 * share, private to them: the server, its listening slots and its
 * connections, and what each part offers the others.
 *
 *   worker.c           the life cycle: start, signals, graceful and forced
 *                      stop, retirement
 *   worker_sandbox.c   the sandbox, and its probe in test builds
 *   serve_policy.c     per connection: authentication against the trust
 *                      registry, sessions, the attempt log
 *   serve_watch.c      the registry watcher: re-validates the open
 *                      connections when the registry changes
 *   serve_listeners.c  the listening slots on the monitor's sockets, the
 *                      settings (file and command line), the size of the
 *                      thread pool, the log of what the listeners refuse
 *                      (refusal_log.h)
 *   serve_cli.c        the command line and help (shared with the monitor)
 *
 * All of it runs on the loop thread, except the *_run functions that
 * uv_queue_work() hands to libuv's thread pool; those touch only their
 * job and the registry pool.
 *
 * Callbacks of the engine must not free a listener from inside its own
 * call chain: work that closes listeners runs from a timer instead.
 */
#ifndef HSD_SERVE_PRIV_H
#define HSD_SERVE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <hostsd/hostsd.h>

#include "common/list.h"
#include "daemon/refusal_log.h"
#include "daemon/log.h"
#include "daemon/process.h"
#include "daemon/serve_cli.h"
#include "daemon/serve_registry.h"
#include "daemon/serve_settings.h"
#include "daemon/statedir.h"
#include "daemon/worker_launcher.h"
#include "registry/names.h"

struct server;

/* One listening address. */
struct slot {
	struct server *srv;
	struct hsd_listen_addr addr; /* as configured */
	int port;                    /* as bound */
	struct hs_listener *l;
	struct slot *next;
};

/* One connection (AsyncSSH's one SSHServer per connection). */
struct peer {
	struct server *srv;
	struct hs_conn *conn; /* NULL once the connection is gone */
	uint64_t id;
	char addr[64];
	char host[HSD_HOST_ID_MAX + 1]; /* the user name if it is a valid host id (host_valid), else "" */
	int host_valid;
	char host_log[HSD_LOG_QUOTED_SIZE(HSD_LOG_NAME_MAX)]; /* the user name as the log shows it; "-": none yet */
	struct hsd_peer_record rec;                           /* the registry's view of host */
	struct hsd_peer_record fresh;                         /* a look-up running on the thread pool */
	uv_work_t work;
	int loading;            /* the look-up's answer is not given yet (on the pool, or held back) */
	uint64_t answer_due;    /* monotonic ns before which the look-up is not answered */
	struct peer *held_next; /* in server.held while its answer waits for answer_due */
	int lookup_failed;
	uint64_t lookup_gen; /* registry generation when the look-up was queued */
	int authenticated;
	char fp[HS_FINGERPRINT_SIZE];
	unsigned sessions;        /* open session channels */
	int ending;               /* we asked it to disconnect */
	struct hs_list_node link; /* in server.peers while the connection lasts */
};

struct server {
	uv_loop_t loop;
	struct hsd_serve_cli cli;      /* the command line; its settings win over the file's */
	char dir[HSD_PATH_MAX];        /* the state directory */
	struct hsd_serve_settings set; /* configuration file + command line */
	unsigned worker_id;
	struct hsd_regpool *pool;              /* the monitor's, through the registry socket */
	struct hs_agent *agent;                /* the monitor's signer */
	struct hsd_worker_launcher launcher;   /* the monitor starts the subsystems */
	int listen_fds[HSD_CONFIG_MAX_LISTEN]; /* the monitor's sockets, until a listener takes them */
	struct slot *slots;                    /* listening */
	struct slot *retired;                  /* stopped, with connections left */
	struct hs_list_node peers;             /* struct peer, newest first */
	size_t npeers;
	uint64_t next_id;
	uint64_t gen; /* bumped whenever the registry changed */
	int force_recheck;
	uint64_t last_full_ms;
	int watch_busy;
	unsigned attempt_jobs;
	/* attempts with invalid host ids since the last flush to the registry
	 * (counted there, not stored one by one) */
	struct {
		uint64_t n;
		int64_t first, last;
		char peer[64];
		int flushing; /* a flush job is out */
	} invalid;
	uv_signal_t sig_term, sig_retire, sig_probe;
	uv_timer_t watch, stop_timer, later;
	uv_timer_t refusal_timer; /* the next summary of refused connections */
	struct hsd_refusal_log refusals;
	/* The clock of the held answers: a timerfd set to the first answer's
	 * due time in nanoseconds, watched by answer_poll (Linux); else a libuv
	 * timer, whose milliseconds counted from the loop's cached time leak
	 * when the look-up ended. */
	int answer_fd; /* -1: answer_timer instead */
	uv_poll_t answer_poll;
	uv_timer_t answer_timer;
	struct peer *held; /* look-ups answered later, by answer_due (held_next) */
	int loop_up;
	int handles_up;
	int retiring;        /* a newer worker took over: ending with the last connection */
	int stopping;        /* graceful stop under way */
	int forced;          /* every connection was cut */
	int finished;        /* our own handles are closing */
	unsigned dh_threads; /* pool threads started for key exchanges; 0: sized by the operator */
};

/* The peer that owns a node of server.peers. */
#define PEER_OF(node) HS_LIST_ENTRY(node, struct peer, link)

/* The first answer to a peer's authentication, which waits for the
 * registry's look-up of its host, is given this long after the request
 * came (or when the look-up ends, if later): a look-up costs more for a
 * host with many keys, or keys of a costly type, than for an unknown host,
 * and the time must not tell them apart. Well above what a look-up takes
 * (under a millisecond for a host with a few keys). */
#define HSD_AUTH_ANSWER_FLOOR_MS 5u

/* --- serve_policy.c --- */

/* The engine's callbacks of every listener; the data of a new connection
 * is its struct slot. */
extern const struct hs_server_cb hsd__serve_callbacks;

/* Ask the peer's connection to end (once), logging why. */
void hsd__serve_end_peer(struct peer *p, const char *why);

/* The open connection with that id, or NULL. */
struct peer *hsd__serve_find_peer(struct server *srv, uint64_t id);

/* Start the clock of held answers (with the server's other handles). */
void hsd__serve_answer_clock_init(struct server *srv);

/* Give every held look-up answer now and stop their clock (the server is
 * finishing). */
void hsd__serve_release_held(struct server *srv);

/* Add the attempts with invalid host ids counted since the last call to
 * the registry's count (off the loop thread; at most one job at a time). */
void hsd__serve_flush_invalid(struct server *srv);

/* --- serve_watch.c --- */

/* Start asking the registry for changes every second (the watch timer). */
void hsd__serve_watch_start(struct server *srv);

/* --- serve_listeners.c --- */

/* The settings from DIR's configuration file (or text, len bytes, as its
 * content) with the command line's laid over them, checked by the engine.
 * Returns 0, or -1 with a sentence in err (set is then empty). */
int hsd__serve_load_settings(const char *dir, const char *text, size_t len, const struct hsd_serve_cli *cli,
                             struct hsd_serve_settings *set, char *err, size_t errlen);

/* Size libuv's thread pool for srv->set before its first use. */
void hsd__serve_size_thread_pool(struct server *srv);

/* A listener for each of srv->set's addresses, on the socket the monitor
 * bound for it (srv->listen_fds). Returns 0, or -1 (logged). */
int hsd__serve_apply_listeners(struct server *srv, int engine_changed);

/* Stop accepting on every listener (their connections go on). */
void hsd__serve_stop_listeners(struct server *srv);

/* Close the retired listeners that have no connection left. */
void hsd__serve_close_retired(struct server *srv);

/* Close and free every listener, retired or not. */
void hsd__serve_close_listeners(struct server *srv);

/* --- worker.c, worker_sandbox.c --- */

/* Finish the stop from a clean stack (a timer): close the listeners and
 * our handles, so the loop ends. */
void hsd__serve_schedule_finish(struct server *srv);

/* The host key the listeners serve: the monitor's, through its signer. */
const struct hs_hostkey *hsd__serve_hostkey(const struct server *srv);

/* Enter the sandbox (sandbox.h) once serving. 0, or -1 with a sentence. */
int hsd__worker_sandbox(struct server *srv, char *err, size_t errlen);

/* SIGUSR2 in test builds: try what the sandbox forbids (sandbox.h). */
void hsd__worker_probe(struct server *srv);

#endif
