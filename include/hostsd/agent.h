/*
 * hostsd — a host key held by an ssh-agent (OpenSSH's HostKeyAgent): the
 * engine asks the agent to sign each exchange hash, over the agent's Unix
 * socket or over a descriptor already connected to something that speaks
 * the agent protocol (a privileged monitor process). The private key never
 * enters this process.
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

#ifdef __cplusplus
}
#endif
#endif
