/*
 * SSH_MSG_KEXINIT (RFC 4253 §7.1): writing ours, parsing the peer's, and
 * negotiating one algorithm of each kind (first client choice the server
 * also supports).
 */
#ifndef HS_TRANSPORT_KEXINIT_H
#define HS_TRANSPORT_KEXINIT_H

#include "wire/buf.h"

enum hs_kexinit_list {
	HS_KL_KEX,
	HS_KL_HOSTKEY,
	HS_KL_ENC_C2S,
	HS_KL_ENC_S2C,
	HS_KL_MAC_C2S,
	HS_KL_MAC_S2C,
	HS_KL_COMP_C2S,
	HS_KL_COMP_S2C,
	HS_KL_LANG_C2S,
	HS_KL_LANG_S2C,
	HS_KL_COUNT
};

/* A parsed KEXINIT: views into the message. */
struct hs_kexinit {
	struct hs_bytes cookie;
	struct hs_bytes lists[HS_KL_COUNT];
	int first_kex_packet_follows;
};

/* Parse the body of a KEXINIT (after the message number). */
int hs__kexinit_parse(struct hs_view *v, struct hs_kexinit *out) HS_MUST_CHECK;

/* Append a KEXINIT body (after the message number) with a random cookie. */
int hs__kexinit_write(struct hs_buf *out, const char *const lists[HS_KL_COUNT]) HS_MUST_CHECK;

/* The first name in client that is also in server, copied into out.
 * HS_ERR_NO_ALGORITHM when there is none. */
int hs__kexinit_choose(struct hs_bytes client, const char *server, char *out, size_t outsz) HS_MUST_CHECK;

/* The first name of a list, copied into out (for the guess check). */
void hs__kexinit_first(struct hs_bytes list, char *out, size_t outsz);

#endif
