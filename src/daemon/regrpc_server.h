/*
 * hostsd program — the monitor's end of the registry messages (regrpc.h):
 * one server per sandboxed worker, on the monitor's libuv loop. It reads
 * one request at a time from the worker's socket, runs its registry call
 * on libuv's thread pool (the calls block), and sends the reply; the next
 * request is read only when the reply is sent.
 *
 * The worker may have been taken over: a request that is malformed or too
 * long, or a hang-up, ends the server (it reads nothing more) and
 * `ended` is called once, from the loop, with a reason for the log; the
 * monitor then deals with the worker. Attempt records are logged as the
 * worker gives them (they are its account; the monitor cannot check
 * them), once their form is checked.
 */
#ifndef HSD_REGRPC_SERVER_H
#define HSD_REGRPC_SERVER_H

#include <uv.h>

#include "daemon/serve_registry.h"

struct hsd_regrpc_server;

/* Called once when the server ends on its own (never from inside
 * hsd_regrpc_serve or hsd_regrpc_server_close); why is a static sentence
 * or one valid during the call. The owner still closes the server, and
 * may do so from inside the callback. */
typedef void (*hsd_regrpc_ended_cb)(void *data, const char *why);

/* Serve the worker at the other end of fd, a connected SOCK_SEQPACKET
 * socket (taken over: closed by hsd_regrpc_server_close, or at once when
 * this fails), with the registry calls of pool (borrowed: see
 * hsd_regrpc_server_close for how long it must stay open). Loop thread.
 * Returns 0, HS_ERR_INVALID_ARG when fd is no SOCK_SEQPACKET socket,
 * HS_ERR_ALLOC or HS_ERR_IO. */
int hsd_regrpc_serve(uv_loop_t *loop, int fd, struct hsd_regpool *pool, hsd_regrpc_ended_cb ended, void *data,
                     struct hsd_regrpc_server **out) HS_MUST_CHECK;

/* Stop serving and close fd; `ended` is not called after this. Safe while
 * a registry call is running on the thread pool: the server is freed
 * after it, so pool must stay open until the loop has run on until the
 * server's handle and request are done (uv_run returns, or the loop is
 * otherwise known to be past them). NULL allowed. */
void hsd_regrpc_server_close(struct hsd_regrpc_server *s);

#endif
