/*
 * hostsd program — the monitor's listening sockets: bound where the
 * settings say (a port under 1024 needs root, which only the monitor has)
 * and handed to the network workers, which accept on them.
 */
#ifndef HSD_LISTEN_SOCKET_H
#define HSD_LISTEN_SOCKET_H

#include <stddef.h>

#include "daemon/serve_args.h"

/* The backlog of each socket (the kernel caps it at somaxconn). */
#define HSD_LISTEN_BACKLOG 1024

/* A TCP socket bound to a and listening: SO_REUSEADDR, close-on-exec,
 * non-blocking; an IPv6 address also takes IPv4 (dual stack, as
 * OpenSSH's "::" does on Linux). *port gets the port bound (a's, or the
 * kernel's choice for 0). Returns the descriptor, or -1 with
 * "cannot listen on ADDR:PORT: why" in err. */
int hsd_listen_socket(const struct hsd_listen_addr *a, int *port, char *err, size_t errlen);

#endif
