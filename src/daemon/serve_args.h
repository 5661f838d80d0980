/*
 * hostsd program — parsing of `hostsd serve` option values: listening
 * addresses ("ADDR:PORT", "[IPV6]:PORT") and subsystem specifications
 * ("NAME=COMMAND"). Each parser writes a sentence naming the bad value
 * into err on failure.
 */
#ifndef HSD_SERVE_ARGS_H
#define HSD_SERVE_ARGS_H

#include <stddef.h>

#define HSD_ADDR_MAX 64

struct hsd_listen_addr {
	char addr[HSD_ADDR_MAX]; /* an IPv4 or IPv6 literal, without brackets */
	int port;                /* 0..65535; 0: any free port */
	int ipv6;
};

/* Parse "127.0.0.1:22", "[::1]:22", "0.0.0.0:0". Returns 0 or -1. */
int hsd_parse_listen(const char *spec, struct hsd_listen_addr *out, char *err, size_t errlen);

/* Format as "ADDR:PORT" or "[ADDR]:PORT" with the given port. */
void hsd_format_listen(const struct hsd_listen_addr *a, int port, char *out, size_t outlen);

/* Split "NAME=COMMAND": name valid (policy.h), command not empty. On
 * success *name and *command are malloc'd (caller frees). Returns 0 or -1. */
int hsd_parse_subsystem(const char *spec, char **name, char **command, char *err, size_t errlen);

/* Parse a whole number of seconds in 1..max. Returns 0 or -1. */
int hsd_parse_seconds(const char *text, unsigned max, unsigned *out);

#endif
