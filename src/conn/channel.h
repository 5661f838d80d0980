/*
 * Channels of the connection protocol (RFC 4254 §5): one struct per open
 * channel, indexed by our channel number in conn->channels.
 */
#ifndef HS_CONN_CHANNEL_H
#define HS_CONN_CHANNEL_H

#include <stdint.h>

#include "hostsd/server.h"

struct hs_channel {
	struct hs_conn *conn;
	uint32_t local_id;
	uint32_t remote_id;
	uint32_t local_window;        /* bytes the peer may still send */
	uint32_t local_consumed;      /* delivered, not yet re-advertised */
	uint32_t remote_window;       /* bytes we may still send */
	uint32_t remote_max_packet;   /* largest data we send in one packet */
	const struct hs_session_cb *cb;
	void *data;
	int confirmed;
	int sent_eof, got_eof, sent_close, got_close;
	int started;                  /* shell/exec/subsystem accepted */
	int paused;
	int want_write_ready;
};

#endif
