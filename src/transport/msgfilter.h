/*
 * The per-state allow-list of messages a client may send, checked in one
 * place before any handler runs. Nothing of the connection protocol is
 * reachable before authentication succeeds; during a key exchange only
 * key-exchange messages pass (RFC 4253 §7.1); with strict key exchange any
 * other message during the first exchange is fatal.
 */
#ifndef HS_TRANSPORT_MSGFILTER_H
#define HS_TRANSPORT_MSGFILTER_H

#include <stdint.h>

/* Message numbers (RFC 4250 §4.1; OpenSSH PROTOCOL for EXT_INFO). */
enum hs_msg {
	HS_MSG_DISCONNECT = 1,
	HS_MSG_IGNORE = 2,
	HS_MSG_UNIMPLEMENTED = 3,
	HS_MSG_DEBUG = 4,
	HS_MSG_SERVICE_REQUEST = 5,
	HS_MSG_SERVICE_ACCEPT = 6,
	HS_MSG_EXT_INFO = 7,
	HS_MSG_KEXINIT = 20,
	HS_MSG_NEWKEYS = 21,
	HS_MSG_KEX_ECDH_INIT = 30,
	HS_MSG_KEX_ECDH_REPLY = 31,
	HS_MSG_USERAUTH_REQUEST = 50,
	HS_MSG_USERAUTH_FAILURE = 51,
	HS_MSG_USERAUTH_SUCCESS = 52,
	HS_MSG_USERAUTH_BANNER = 53,
	HS_MSG_USERAUTH_PK_OK = 60,
	HS_MSG_GLOBAL_REQUEST = 80,
	HS_MSG_REQUEST_SUCCESS = 81,
	HS_MSG_REQUEST_FAILURE = 82,
	HS_MSG_CHANNEL_OPEN = 90,
	HS_MSG_CHANNEL_OPEN_CONFIRMATION = 91,
	HS_MSG_CHANNEL_OPEN_FAILURE = 92,
	HS_MSG_CHANNEL_WINDOW_ADJUST = 93,
	HS_MSG_CHANNEL_DATA = 94,
	HS_MSG_CHANNEL_EXTENDED_DATA = 95,
	HS_MSG_CHANNEL_EOF = 96,
	HS_MSG_CHANNEL_CLOSE = 97,
	HS_MSG_CHANNEL_REQUEST = 98,
	HS_MSG_CHANNEL_SUCCESS = 99,
	HS_MSG_CHANNEL_FAILURE = 100
};

/* Where the connection is, outside key exchange. */
enum hs_phase {
	HS_PHASE_FIRST_KEX,  /* before the first NEWKEYS from the client */
	HS_PHASE_SERVICE,    /* waiting for SERVICE_REQUEST ssh-userauth */
	HS_PHASE_USERAUTH,   /* authenticating */
	HS_PHASE_CONNECTION, /* authenticated */
	HS_PHASE_COUNT
};

/* Where a key exchange is (the first one included). */
enum hs_kex_step {
	HS_KEX_IDLE,         /* no key exchange running */
	HS_KEX_SENT_KEXINIT, /* ours sent, the peer's not yet received */
	HS_KEX_WAIT_INIT,    /* both KEXINITs seen: waiting for the method's init */
	HS_KEX_WAIT_NEWKEYS, /* reply and NEWKEYS sent: waiting for NEWKEYS */
	HS_KEX_STEP_COUNT
};

enum hs_verdict {
	HS_VERDICT_ACCEPT,        /* run its handler */
	HS_VERDICT_UNIMPLEMENTED, /* unknown number: answer UNIMPLEMENTED */
	HS_VERDICT_REJECT         /* not allowed here: end the connection */
};

enum hs_verdict hs__msgfilter_check(enum hs_phase phase, enum hs_kex_step step, int strict, uint8_t msg);

#endif
