/*
 * hostsd program — `hostsd worker`, a network worker of `hostsd serve`
 * (worker.c). The monitor starts it as
 *
 *   hostsd worker ID DIR PUBKEY-LINE NLISTEN [SERVE-OPTIONS...]
 *
 * with these descriptors: the program itself (closed at once), the agent
 * socket (the ssh-agent protocol: the monitor signs), the registry socket
 * (regrpc.h), the control socket (ctl_msg.h), the configuration's text
 * (read to its end), and NLISTEN listening sockets in the order of the
 * listen settings.
 */
#ifndef HSD_WORKER_H
#define HSD_WORKER_H

enum {
	HSD_WORKER_FD_EXE = 3,
	HSD_WORKER_FD_AGENT = 4,
	HSD_WORKER_FD_REGISTRY = 5,
	HSD_WORKER_FD_CONTROL = 6,
	HSD_WORKER_FD_CONFIG = 7,
	HSD_WORKER_FD_LISTEN = 8
};

/* The `worker` subcommand; returns the process exit code. */
int hsd_cmd_worker(int argc, char **argv);

#endif
