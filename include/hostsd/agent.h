/*
 * hostsd — a host key held by an ssh-agent (OpenSSH's HostKeyAgent): the
 * engine asks the agent to sign each exchange hash, over the agent's Unix
 * socket or over a descriptor already connected to something that speaks
 * the agent protocol (a privileged monitor process). The private key never
 * enters this process.
 *
 * And the other side, for that monitor: hs_agent_server answers the agent
 * protocol for one host key, so that a worker process without the key can
 * serve with it (hs_agent_open(loop, NULL, fd, ...) in the worker).
 *
 * Threading: the loop thread only, like the rest of the API. As in every
 * libuv program, SIGPIPE must be ignored (an agent that hangs up is then
 * an error on its socket, not the end of the process).
 */
#ifndef HOSTSD_AGENT_H
#define HOSTSD_AGENT_H

#include <stddef.h>

#include <uv.h>

#include "hostsd/error.h"
#include "hostsd/key.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hs_agent;

/* Connect to the agent at path (a Unix socket, as SSH_AUTH_SOCK), or, with
 * path NULL, use fd, a connected stream socket (taken over: closed by
 * hs_agent_close). Asks the agent for its identities at once and blocks
 * until it answers (at most a few seconds): the agent must hold pub
 * (Ed25519), else HS_ERR_NOT_FOUND. On failure err (may be NULL) gets a
 * sentence naming the socket and what to do; HS_ERR_IO when it cannot be
 * reached. On success *out is ready: hs_agent_hostkey gives the host key
 * to serve with. */
HS_API int hs_agent_open(uv_loop_t *loop, const char *path, int fd, const struct hs_key *pub, struct hs_agent **out,
                         char *err, size_t errlen) HS_MUST_CHECK;

/* The host key whose signatures the agent makes (hs_hostkey_new_external);
 * valid until hs_agent_close. If the agent goes away, the signatures asked
 * meanwhile fail (those key exchanges fail) and the next one tries to
 * reconnect to path. */
HS_API const struct hs_hostkey *hs_agent_hostkey(const struct hs_agent *agent);

/* Signatures asked and answered so far (for logs and tests). */
HS_API unsigned long hs_agent_signatures(const struct hs_agent *agent);

/* Close the connection; requests still out are answered with an error.
 * Freed once the loop has closed the socket; NULL is fine. Close the
 * listeners serving its host key first. */
HS_API void hs_agent_close(struct hs_agent *agent);

/* --- the other side: an ssh-agent for one host key --- */

struct hs_agent_server;

/* The connection ended: the peer hung up (HS_ERR_CLOSED), its socket failed
 * (HS_ERR_IO), or it sent something malformed (HS_ERR_LIMIT for a frame
 * over the agent protocol's limit, HS_ERR_FORMAT, HS_ERR_TRUNCATED or
 * HS_ERR_TRAILING for a message that does not parse). Called once, from
 * the loop; nothing more is read or answered. The owner then calls
 * hs_agent_server_close (it may do so from inside the callback). */
typedef void (*hs_agent_server_ended_cb)(void *data, int err);

/* Answer the ssh-agent protocol (draft-miller-ssh-agent) on fd, a connected
 * stream socket (taken over: closed by hs_agent_server_close, or at once
 * when this fails), for hostkey (borrowed; must outlive the server):
 *
 *  - SSH_AGENTC_REQUEST_IDENTITIES gets the host key's public key;
 *  - SSH_AGENTC_SIGN_REQUEST is signed when its key is the host key, its
 *    flags are 0 and its data is the size of an exchange hash (32, 48 or
 *    64 bytes: SHA-256, SHA-384, SHA-512), else SSH_AGENT_FAILURE;
 *  - every other message gets SSH_AGENT_FAILURE.
 *
 * The restriction to hash-sized data is the point: a worker that has been
 * taken over can get only exchange-hash-sized blobs signed, never a
 * structured message of its choosing (a user authentication request, a
 * host key proof). OpenSSH's privileged monitor has the same check in
 * mm_answer_sign (monitor.c), which admits 20, 32, 48 and 64 bytes (we
 * have no SHA-1 key exchange) and proves anything else to be the one
 * hostkeys-prove-00@openssh.com message of the session.
 *
 * hostkey may itself be external (hs_hostkey_new_external, such as
 * hs_agent_hostkey's): its signer is asked and the answer relayed once it
 * comes, after checking it against the host key. Answers go out in the
 * order the requests came, as the protocol has no request ids; at most
 * HS_AGENT_SERVER_MAX_QUEUE (src/common/limits.h: 64) requests wait at
 * a time, beyond which nothing more is read until the oldest answers are
 * written. A malformed frame, or one over the protocol's limit (256 KiB),
 * ends the connection.
 *
 * ended (may be NULL) and data as above. Returns 0 and *out, or
 * HS_ERR_INVALID_ARG, HS_ERR_ALLOC, HS_ERR_IO (fd not a usable socket).
 * Even on failure, the loop must run once more to free what was made. */
HS_API int hs_agent_server_new(uv_loop_t *loop, int fd, const struct hs_hostkey *hostkey,
                               hs_agent_server_ended_cb ended, void *data, struct hs_agent_server **out) HS_MUST_CHECK;

/* Signatures made so far (for logs and tests). */
HS_API unsigned long hs_agent_server_signatures(const struct hs_agent_server *s);

/* Close the socket. Requests still out with the host key's signer are
 * dropped (their answers, when they come, only free them); answers not
 * yet written are not written. ended is not called after this. Freed once
 * the loop has closed the socket, then closed_cb (may be NULL) is called
 * with data. s NULL is fine; a second call does nothing. */
HS_API void hs_agent_server_close(struct hs_agent_server *s, void (*closed_cb)(void *data), void *data);

#ifdef __cplusplus
}
#endif
#endif
