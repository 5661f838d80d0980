/*
 * hostsd program — a network worker's launcher of subsystem children
 * (subsystem.h): it asks the monitor over their control socket
 * (ctl_msg.h), because the worker itself may not start processes (its
 * sandbox forbids it) and the children run under other accounts. The
 * monitor answers with the child's pipes, passed as descriptors, and
 * later with its end.
 */
#ifndef HSD_WORKER_LAUNCHER_H
#define HSD_WORKER_LAUNCHER_H

#include <stdint.h>

#include <uv.h>

#include "common/list.h"
#include "daemon/subsystem.h"

struct hsd_worker_launcher {
	uv_loop_t *loop;
	int fd;
	uv_poll_t poll;
	int open;                 /* the poll handle is initialised and not closing */
	uint32_t next_id;         /* the name of the next child */
	struct hs_list_node kids; /* struct launched: children asked for and not ended */
	void (*lost)(void *data); /* the monitor hung up or sent nonsense (once) */
	void *data;
};

/* The launcher's operations for struct hsd_session_config; its ctx is the
 * struct hsd_worker_launcher. */
extern const struct hsd_launcher hsd_worker_launcher_ops;

/* Start reading the monitor's answers on fd (taken over). lost is called
 * once if the monitor goes away; every child not ended is then reported
 * ended (unknown status). Returns 0 or -1. */
int hsd_worker_launcher_init(struct hsd_worker_launcher *l, uv_loop_t *loop, int fd, void (*lost)(void *data),
                             void *data);

/* Stop: every child not ended is reported ended, the socket closed. */
void hsd_worker_launcher_close(struct hsd_worker_launcher *l);

#endif
