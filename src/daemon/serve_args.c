/*
 * hostsd program — parsing of `hostsd serve` option values (see
 * serve_args.h). Addresses are checked with libuv's own parsers, the same
 * ones the listener binds with, so what parses here also binds.
 */
#include "daemon/serve_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "daemon/policy.h"

int hsd_parse_listen(const char *spec, struct hsd_listen_addr *out, char *err, size_t errlen)
{
	char host[HSD_ADDR_MAX];
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	const char *colon, *portstr;
	size_t hlen;
	memset(out, 0, sizeof(*out));
	if (spec == NULL || spec[0] == '\0')
		goto bad;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':')
			goto bad;
		hlen = (size_t)(close - spec - 1);
		if (hlen == 0 || hlen >= sizeof host)
			goto bad;
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		portstr = close + 2;
		if (uv_ip6_addr(host, 0, &a6) != 0)
			goto bad;
		out->ipv6 = 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || strchr(spec, ':') != colon)
			goto bad; /* no port, or an IPv6 literal without brackets */
		hlen = (size_t)(colon - spec);
		if (hlen == 0 || hlen >= sizeof host)
			goto bad;
		memcpy(host, spec, hlen);
		host[hlen] = '\0';
		portstr = colon + 1;
		if (uv_ip4_addr(host, 0, &a4) != 0)
			goto bad;
	}
	if (portstr[0] < '0' || portstr[0] > '9' || strlen(portstr) > 5)
		goto bad;
	char *end;
	errno = 0;
	long port = strtol(portstr, &end, 10);
	if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
		goto bad;
	memcpy(out->addr, host, hlen + 1);
	out->port = (int)port;
	return 0;
bad:
	snprintf(err, errlen, "bad listening address \"%s\": expected ADDR:PORT, e.g. 127.0.0.1:2222 or [::1]:2222",
	         spec ? spec : "");
	return -1;
}

void hsd_format_listen(const struct hsd_listen_addr *a, int port, char *out, size_t outlen)
{
	if (a->ipv6)
		snprintf(out, outlen, "[%s]:%d", a->addr, port);
	else
		snprintf(out, outlen, "%s:%d", a->addr, port);
}

int hsd_parse_subsystem(const char *spec, char **name, char **command, char *err, size_t errlen)
{
	*name = *command = NULL;
	const char *eq = spec != NULL ? strchr(spec, '=') : NULL;
	if (eq == NULL || eq == spec) {
		snprintf(err, errlen, "bad subsystem \"%s\": expected NAME=COMMAND, e.g. echo=cat", spec ? spec : "");
		return -1;
	}
	size_t nlen = (size_t)(eq - spec);
	char *n = strndup(spec, nlen);
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!hsd_subsystem_name_valid(n)) {
		snprintf(err, errlen,
		         "bad subsystem name \"%.*s\": use 1 to %d of A-Z a-z 0-9 . _ @ - (not starting with -)",
		         (int)(nlen > 80 ? 80 : nlen), spec, HSD_SUBSYSTEM_NAME_MAX);
		free(n);
		return -1;
	}
	if (eq[1 + strspn(eq + 1, " \t")] == '\0') {
		snprintf(err, errlen, "bad subsystem \"%s\": the COMMAND after '=' is empty", spec);
		free(n);
		return -1;
	}
	char *c = strdup(eq + 1);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		free(n);
		return -1;
	}
	*name = n;
	*command = c;
	return 0;
}

int hsd_parse_seconds(const char *text, unsigned max, unsigned *out)
{
	char *end;
	if (text == NULL || text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}
