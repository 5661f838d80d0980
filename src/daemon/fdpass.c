/*
 * hostsd program — datagrams with descriptors (see fdpass.h).
 */
#include "daemon/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The control buffer of HSD_FDPASS_MAX descriptors, aligned for cmsghdr. */
union cmsg_space {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * HSD_FDPASS_MAX)];
};

void hsd_fdpass_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int hsd_fdpass_send(int sock, const void *msg, size_t len, const int *fds, size_t nfds)
{
	union cmsg_space space;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	if (nfds > HSD_FDPASS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&mh, 0, sizeof mh);
	memset(&space, 0, sizeof space);
	memcpy(&iov.iov_base, &msg, sizeof iov.iov_base); /* sendmsg only reads it */
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = space.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) { /* a datagram goes whole or not at all */
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* Take the descriptors out of the control messages of mh; more than room
 * (or any other kind of control message) are closed and counted. */
static size_t take_fds(struct msghdr *mh, int *fds, size_t room, size_t *n)
{
	size_t extra = 0;
	*n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) {
			extra++;
			continue;
		}
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (*n < room) {
				fds[(*n)++] = fd;
			} else {
				close(fd);
				extra++;
			}
		}
	}
	return extra;
}

ssize_t hsd_fdpass_recv(int sock, void *buf, size_t cap, int fds[HSD_FDPASS_MAX], size_t *nfds)
{
	union cmsg_space space;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	*nfds = 0;
	for (size_t i = 0; i < HSD_FDPASS_MAX; i++)
		fds[i] = -1;
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf;
	iov.iov_len = cap;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = space.buf;
	mh.msg_controllen = sizeof space.buf;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	size_t extra = take_fds(&mh, fds, HSD_FDPASS_MAX, nfds);
	if (extra > 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		hsd_fdpass_close(fds, *nfds);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}
