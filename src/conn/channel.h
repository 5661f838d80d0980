/*
 * The connection protocol (RFC 4254): one struct per open channel, indexed
 * by our channel number, and the entry points for the core.
 */
#ifndef HS_CONN_CHANNEL_H
#define HS_CONN_CHANNEL_H

#include <stdint.h>

#include "hostsd/server.h"
#include "wire/buf.h"

struct hs_channel {
	struct hs_conn *conn;
	uint32_t local_id;
	uint32_t remote_id;
	uint32_t local_window;      /* bytes the peer may still send */
	uint32_t local_consumed;    /* delivered, not yet re-advertised */
	uint32_t remote_window;     /* bytes we may still send */
	uint32_t remote_max_packet; /* largest data we send in one packet */
	const struct hs_session_cb *cb;
	void *data;
	int confirmed;
	int sent_eof, got_eof, sent_close, got_close;
	int started; /* shell/exec/subsystem accepted */
	int paused;
	int want_write_ready;
};

/* The channels of one connection. */
struct hs_channels {
	struct hs_channel **slot; /* by local id; allocated at the first open */
	uint32_t cap;
	uint32_t open;
	int want_write_ready; /* some channel was refused write space */
	/* The channel whose shell, exec or subsystem request awaits
	 * hs_channel_answer (HS_WAIT_CHANNEL), and whether the peer wants a
	 * reply to it; NULL when none does. */
	struct hs_channel *asking;
	int asking_want_reply;
};

/* GLOBAL_REQUEST to CHANNEL_FAILURE (RFC 4254 messages 80-100): v is
 * positioned after the message number. */
int hs__connproto_handle(struct hs_conn *conn, uint8_t msg, struct hs_view *v) HS_MUST_CHECK;
/* Output room is back: give write_ready to the channels that wait for it. */
void hs__channels_write_ready(struct hs_conn *conn);
/* The application answered the request of channels.asking
 * (hs_channel_answer): mark the channel started on HS_YES and reply if
 * the peer asked for one. */
int hs__channels_resume(struct hs_conn *conn, int answer) HS_MUST_CHECK;
/* The connection is gone: every channel's connection_lost, then free. */
void hs__channels_lost(struct hs_conn *conn, int err);

#endif
