/*
 * hostsd program — the monitor's listening sockets (see listen_socket.h).
 */
#include "daemon/listen_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

int hsd_listen_socket(const struct hsd_listen_addr *a, int *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char where[96];
	const int on = 1, off = 0;
	int fd = -1;
	memset(&ss, 0, sizeof ss);
	hsd_format_listen(a, a->port, where, sizeof where);
	if (a->ipv6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)a->port);
		if (inet_pton(AF_INET6, a->addr, &s6->sin6_addr) != 1)
			goto invalid;
		len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)a->port);
		if (inet_pton(AF_INET, a->addr, &s4->sin_addr) != 1)
			goto invalid;
		len = sizeof *s4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    (a->ipv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, HSD_LISTEN_BACKLOG) != 0)
		goto fail;
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		goto fail;
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail:
	/* in libuv's words, as the engine's own listeners report them */
	snprintf(err, errlen, "cannot listen on %s: %s", where, uv_strerror(uv_translate_sys_error(errno)));
	if (fd >= 0)
		close(fd);
	return -1;
invalid:
	snprintf(err, errlen, "cannot listen on %s: invalid address", where);
	return -1;
}
