/*
 * hostsd program — one datagram with descriptors attached (SCM_RIGHTS) on
 * a SOCK_SEQPACKET socket between the monitor and a worker.
 */
#ifndef HSD_FDPASS_H
#define HSD_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* The most descriptors one message carries. */
#define HSD_FDPASS_MAX 4

/* Send len bytes of msg with nfds (at most HSD_FDPASS_MAX) descriptors,
 * which stay ours. Returns 0, or -1 with errno (EAGAIN when the socket is
 * full: it is non-blocking). */
int hsd_fdpass_send(int sock, const void *msg, size_t len, const int *fds, size_t nfds);

/* Receive one datagram into buf (cap bytes) and the descriptors that came
 * with it (close-on-exec) into fds (up to HSD_FDPASS_MAX, *nfds of them).
 * A datagram longer than cap, or with more descriptors than that, is
 * dropped whole (its descriptors closed) and fails with EMSGSIZE. Returns
 * the length (0: the other end hung up), or -1 with errno. */
ssize_t hsd_fdpass_recv(int sock, void *buf, size_t cap, int fds[HSD_FDPASS_MAX], size_t *nfds);

/* Close the n descriptors of fds (-1 skipped) and set them to -1. */
void hsd_fdpass_close(int *fds, size_t n);

#endif
