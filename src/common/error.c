/* Text for the engine's error codes. */
#include "hostsd/error.h"

static const char *const messages[HS_ERR_COUNT_] = {
	"success",
	"internal error",
	"out of memory",
	"size or count limit reached",
	"input truncated",
	"malformed input",
	"unexpected bytes after message",
	"more input needed",
	"cryptographic library failure",
	"message authentication failed",
	"signature verification failed",
	"unsupported or mismatched key type",
	"key file is encrypted (passphrase-protected keys are not supported)",
	"no common algorithm",
	"protocol error",
	"message not allowed in this state",
	"bad or unsupported protocol version",
	"connection closed",
	"peer disconnected",
	"timed out",
	"input/output error",
	"invalid argument",
	"not found",
	"too many authentication failures",
	"would block",
	"bad or oversized compressed data",
	"closed by application",
};

const char *hs_strerror(int err)
{
	if (err > 0 || -err >= HS_ERR_COUNT_)
		return "unknown error";
	return messages[-err];
}
