/* The message allow-list (see msgfilter.h). */
#include "transport/msgfilter.h"

/* Messages a server implements the receipt of, in some state. Everything
 * else is unknown to us and answered with UNIMPLEMENTED. */
static int known_to_server(uint8_t msg)
{
	switch (msg) {
	case HS_MSG_DISCONNECT:
	case HS_MSG_IGNORE:
	case HS_MSG_UNIMPLEMENTED:
	case HS_MSG_DEBUG:
	case HS_MSG_SERVICE_REQUEST:
	case HS_MSG_SERVICE_ACCEPT:
	case HS_MSG_EXT_INFO:
		return 1;
	default:
		/* kex (20-49), userauth (50-79) and connection (80-127) ranges
		 * are all "ours": unexpected ones there are protocol errors. */
		return msg >= 20 && msg <= 127;
	}
}

static int transport_generic(uint8_t msg)
{
	return msg == HS_MSG_DISCONNECT || msg == HS_MSG_IGNORE || msg == HS_MSG_UNIMPLEMENTED || msg == HS_MSG_DEBUG;
}

/* What the current phase allows when no key exchange is in the way. */
static int phase_allows(enum hs_phase phase, uint8_t msg)
{
	switch (phase) {
	case HS_PHASE_FIRST_KEX:
		return 0;
	case HS_PHASE_SERVICE:
		return msg == HS_MSG_SERVICE_REQUEST;
	case HS_PHASE_USERAUTH:
		return msg == HS_MSG_USERAUTH_REQUEST;
	case HS_PHASE_CONNECTION:
		/* a late USERAUTH_REQUEST is ignored (RFC 4252 §5.1) */
		return msg == HS_MSG_USERAUTH_REQUEST ||
		       (msg >= HS_MSG_GLOBAL_REQUEST && msg <= HS_MSG_CHANNEL_FAILURE &&
		        msg != HS_MSG_CHANNEL_OPEN_CONFIRMATION && msg != HS_MSG_CHANNEL_OPEN_FAILURE);
	default:
		return 0;
	}
}

enum hs_verdict hs__msgfilter_check(enum hs_phase phase, enum hs_kex_step step, int strict, uint8_t msg)
{
	int first = phase == HS_PHASE_FIRST_KEX;
	if (msg == HS_MSG_DISCONNECT)
		return HS_VERDICT_ACCEPT;
	/* Strict KEX: during the first exchange only its own messages pass. */
	if (first && strict) {
		if (step == HS_KEX_SENT_KEXINIT && msg == HS_MSG_KEXINIT)
			return HS_VERDICT_ACCEPT;
		if (step == HS_KEX_WAIT_INIT && msg == HS_MSG_KEX_ECDH_INIT)
			return HS_VERDICT_ACCEPT;
		if (step == HS_KEX_WAIT_NEWKEYS && msg == HS_MSG_NEWKEYS)
			return HS_VERDICT_ACCEPT;
		return HS_VERDICT_REJECT;
	}
	if (transport_generic(msg))
		return HS_VERDICT_ACCEPT;
	switch (step) {
	case HS_KEX_SENT_KEXINIT:
		if (msg == HS_MSG_KEXINIT)
			return HS_VERDICT_ACCEPT;
		/* The peer has not seen our KEXINIT yet: its traffic for the
		 * current phase is still legitimate. */
		break;
	case HS_KEX_WAIT_INIT:
		if (msg == HS_MSG_KEX_ECDH_INIT)
			return HS_VERDICT_ACCEPT;
		return known_to_server(msg) ? HS_VERDICT_REJECT : HS_VERDICT_UNIMPLEMENTED;
	case HS_KEX_WAIT_NEWKEYS:
		if (msg == HS_MSG_NEWKEYS)
			return HS_VERDICT_ACCEPT;
		return known_to_server(msg) ? HS_VERDICT_REJECT : HS_VERDICT_UNIMPLEMENTED;
	case HS_KEX_IDLE:
		if (msg == HS_MSG_KEXINIT && !first)
			return HS_VERDICT_ACCEPT;
		break;
	default:
		return HS_VERDICT_REJECT;
	}
	if (phase_allows(phase, msg))
		return HS_VERDICT_ACCEPT;
	return known_to_server(msg) ? HS_VERDICT_REJECT : HS_VERDICT_UNIMPLEMENTED;
}
