/*
 * What a connection that ended before authenticating did wrong, for the
 * listener's per-source penalties (io/preauth.h): the core knows why it
 * ended and whether authentication was tried; the I/O layer sees the end.
 */
#include "core/conn_priv.h"

int hs__conn_offence(const struct hs_conn *conn)
{
	if (conn->auth.completed)
		return 0;
	/* a refused key or method ("none" is not counted: every client asks) */
	if (conn->auth.failures > 0)
		return HS_PENALTY_AUTHFAIL;
	switch (conn->close_err) {
	case HS_ERR_TIMEOUT: /* before authentication, the only timer is the login grace */
		return HS_PENALTY_GRACE;
	case HS_ERR_PROTOCOL:
	case HS_ERR_FORMAT:
	case HS_ERR_TRUNCATED:
	case HS_ERR_TRAILING:
	case HS_ERR_UNEXPECTED_MSG:
	case HS_ERR_LIMIT:
	case HS_ERR_MAC:
	case HS_ERR_VERSION:
	case HS_ERR_COMPRESSION:
		return HS_PENALTY_MALFORMED;
	default:
		/* the peer hung up or said goodbye, found no common algorithm, or
		 * we closed it (shutdown, our own failure): nothing to hold
		 * against it */
		return 0;
	}
}
