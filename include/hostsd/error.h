/*
 * hostsd — error codes shared by every fallible function of the engine.
 *
 * Functions return 0 on success or one of the negative HS_ERR_* values below;
 * hs_strerror() turns one into a short English sentence.
 */
#ifndef HOSTSD_ERROR_H
#define HOSTSD_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define HS_MUST_CHECK
#endif

#if defined(__GNUC__)
#define HS_API __attribute__((visibility("default")))
#else
#define HS_API
#endif

enum hs_err {
	HS_OK = 0,
	HS_ERR_INTERNAL = -1,        /* a broken invariant of ours */
	HS_ERR_ALLOC = -2,           /* out of memory */
	HS_ERR_LIMIT = -3,           /* a size or count limit was reached */
	HS_ERR_TRUNCATED = -4,       /* input ended inside a field */
	HS_ERR_FORMAT = -5,          /* input is malformed */
	HS_ERR_TRAILING = -6,        /* bytes left after a complete message */
	HS_ERR_NEED_MORE = -7,       /* not an error: wait for more input */
	HS_ERR_CRYPTO = -8,          /* a libcrypto call failed */
	HS_ERR_MAC = -9,             /* message authentication failed */
	HS_ERR_SIGNATURE = -10,      /* a signature did not verify */
	HS_ERR_KEY_TYPE = -11,       /* unsupported or mismatched key type */
	HS_ERR_KEY_ENCRYPTED = -12,  /* a passphrase-protected key file */
	HS_ERR_NO_ALGORITHM = -13,   /* negotiation found no common algorithm */
	HS_ERR_PROTOCOL = -14,       /* the peer broke the protocol */
	HS_ERR_UNEXPECTED_MSG = -15, /* message not allowed in this state */
	HS_ERR_VERSION = -16,        /* bad or unsupported identification */
	HS_ERR_CLOSED = -17,         /* the connection is closed */
	HS_ERR_DISCONNECTED = -18,   /* the peer sent DISCONNECT */
	HS_ERR_TIMEOUT = -19,        /* a deadline passed */
	HS_ERR_IO = -20,             /* reading or writing a file or socket failed */
	HS_ERR_INVALID_ARG = -21,    /* an API was called wrongly */
	HS_ERR_NOT_FOUND = -22,      /* no such item */
	HS_ERR_AUTH = -23,           /* too many authentication failures */
	HS_ERR_WOULD_BLOCK = -24,    /* no window or buffer room now */
	HS_ERR_COMPRESSION = -25,    /* compressed data is bad or too large */
	HS_ERR_BY_APPLICATION = -26, /* the application closed it */
	HS_ERR_COUNT_ = 27
};

/* A short, static description of an HS_ERR_* code; never NULL. */
HS_API const char *hs_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
