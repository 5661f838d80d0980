/*
 * hostsd program — the messages between the monitor and a network worker
 * about subsystem children, one per datagram on their SOCK_SEQPACKET
 * control socket:
 *
 *   worker -> monitor  SPAWN    id, subsystem, host, key fingerprint, peer
 *                      SIGNAL   id, TERM or KILL
 *   monitor -> worker  SPAWNED  id, pid (with the child's stdin, stdout and
 *                               stderr as SCM_RIGHTS descriptors)
 *                      FAILED   id, reason
 *                      EXITED   id, exit status, signal
 *
 * id is the worker's name for one session's child. The monitor decodes
 * what a worker sends, and a worker may be taken over: every field is
 * checked here (names valid, strings bounded and printable, nothing left
 * over), and the monitor checks the rest (that the subsystem is
 * configured, that id is one of that worker's children).
 */
#ifndef HSD_CTL_MSG_H
#define HSD_CTL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <hostsd/key.h>

#include "daemon/policy.h"
#include "registry/names.h"
#include "wire/buf.h"

enum hsd_ctl_type {
	HSD_CTL_SPAWN = 1,
	HSD_CTL_SIGNAL = 2,
	HSD_CTL_SPAWNED = 3,
	HSD_CTL_FAILED = 4,
	HSD_CTL_EXITED = 5
};

/* The longest message either side sends (the datagram size read). */
#define HSD_CTL_MAX 1024u
#define HSD_CTL_PEER_MAX 64u
#define HSD_CTL_REASON_MAX 128u

struct hsd_ctl_msg {
	uint8_t type;
	uint32_t id;
	/* SPAWN */
	char subsystem[HSD_SUBSYSTEM_NAME_MAX + 1];
	char host[HSD_HOST_ID_MAX + 1];
	char key_fp[HS_FINGERPRINT_SIZE];
	char peer[HSD_CTL_PEER_MAX];
	/* SIGNAL: SIGTERM or SIGKILL */
	uint32_t signo;
	/* SPAWNED */
	int32_t pid;
	/* FAILED */
	char reason[HSD_CTL_REASON_MAX];
	/* EXITED: the code (exit_status, -1 if none) or the signal (0 if none) */
	int64_t exit_status;
	uint32_t term_signal;
};

/* Append m (its type's fields) to out. 0, or HS_ERR_INVALID_ARG for a
 * field the decoder would refuse, HS_ERR_* from the buffer. */
int hsd_ctl_encode(const struct hsd_ctl_msg *m, struct hs_buf *out);

/* Decode one message of len bytes into m (zeroed first). 0, or
 * HS_ERR_FORMAT for anything malformed, unknown or out of range. */
int hsd_ctl_decode(const uint8_t *p, size_t len, struct hsd_ctl_msg *m);

#endif
