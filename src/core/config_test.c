/* Tests of core/config.c: the numeric settings' defaults and ranges
 * (hostsd/limits.h), and that zero means the default. */
#include "core/config.h"

#include <stddef.h>
#include <string.h>

#include "common/limits.h"
#include "hs_test.h"

static void test_defaults(void)
{
	struct hs_config cfg;
	struct hs_core_config c;
	char err[256];
	hs_config_init(&cfg);
	CHECK_EQ_INT(cfg.max_packet_size, HS_MAX_PACKET_SIZE_DEFAULT);
	CHECK_EQ_INT(cfg.login_grace_seconds, HS_LOGIN_GRACE_DEFAULT);
	CHECK_EQ_INT(cfg.keepalive_max_missed, HS_KEEPALIVE_MAX_MISSED_DEFAULT);
	REQUIRE(hs__core_config_resolve(&cfg, &c, err, sizeof err) == 0);
	CHECK_EQ_INT(c.max_packet, HS_MAX_PACKET_SIZE_DEFAULT);
	CHECK_EQ_INT(c.max_channels, HS_MAX_CHANNELS_DEFAULT);
	CHECK_EQ_INT(c.login_grace_ms, 1000ull * HS_LOGIN_GRACE_DEFAULT);
	CHECK_EQ_INT(c.rekey_bytes, HS_REKEY_BYTES_DEFAULT);
	CHECK_EQ_INT(c.keepalive_ms, 0);
	CHECK_STR(c.software_version, HS_SOFTWARE_VERSION);
	hs__core_config_cleanup(&c);

	/* zero: the default (keepalive: off) */
	memset(&cfg, 0, sizeof cfg);
	REQUIRE(hs__core_config_resolve(&cfg, &c, err, sizeof err) == 0);
	CHECK_EQ_INT(c.max_auth_tries, HS_MAX_AUTH_TRIES_DEFAULT);
	CHECK_EQ_INT(c.max_dh, HS_MAX_DH_DEFAULT);
	CHECK_EQ_INT(c.keepalive_max_missed, HS_KEEPALIVE_MAX_MISSED_DEFAULT);
	hs__core_config_cleanup(&c);
}

/* Each setting: its bounds pass, one beyond them is refused by name. */
struct bound {
	const char *name;
	size_t offset;
	int is_u64;
	unsigned long long min, max;
};

#define B(f, u, lo, hi)                                      \
	{                                                    \
#f, offsetof(struct hs_config, f), u, lo, hi \
	}
static const struct bound bounds[] = {
	B(max_packet_size, 0, HS_MAX_PACKET_SIZE_MIN, HS_MAX_PACKET_SIZE_MAX),
	B(max_channels, 0, HS_MAX_CHANNELS_MIN, HS_MAX_CHANNELS_MAX),
	B(max_auth_tries, 0, HS_MAX_AUTH_TRIES_MIN, HS_MAX_AUTH_TRIES_MAX),
	B(login_grace_seconds, 0, HS_LOGIN_GRACE_MIN, HS_LOGIN_GRACE_MAX),
	B(kex_timeout_seconds, 0, HS_KEX_TIMEOUT_MIN, HS_KEX_TIMEOUT_MAX),
	B(rekey_bytes, 1, HS_REKEY_BYTES_MIN, HS_REKEY_BYTES_MAX),
	B(rekey_seconds, 0, HS_REKEY_SECONDS_MIN, HS_REKEY_SECONDS_MAX),
	B(max_unauthenticated, 0, HS_MAX_UNAUTH_MIN, HS_MAX_UNAUTH_MAX),
	B(max_dh_computations, 0, HS_MAX_DH_MIN, HS_MAX_DH_MAX),
	B(keepalive_seconds, 0, 1, HS_KEEPALIVE_MAX),
	B(keepalive_max_missed, 0, HS_KEEPALIVE_MAX_MISSED_MIN, HS_KEEPALIVE_MAX_MISSED_MAX),
};
#undef B

static int check_with(const struct bound *b, unsigned long long v, char *err, size_t errlen)
{
	struct hs_config cfg;
	hs_config_init(&cfg);
	char *field = (char *)&cfg + b->offset;
	if (b->is_u64) {
		uint64_t x = v;
		memcpy(field, &x, sizeof x);
	} else {
		uint32_t x = (uint32_t)v;
		memcpy(field, &x, sizeof x);
	}
	return hs_config_check(&cfg, err, errlen);
}

static void test_ranges(void)
{
	char err[256];
	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		const struct bound *b = &bounds[i];
		CHECK_EQ_INT(check_with(b, b->min, err, sizeof err), 0);
		CHECK_EQ_INT(check_with(b, b->max, err, sizeof err), 0);
		CHECK_EQ_INT(check_with(b, b->max + 1, err, sizeof err), HS_ERR_INVALID_ARG);
		CHECK(strstr(err, b->name) != NULL);
		if (b->min > 1) {
			CHECK_EQ_INT(check_with(b, b->min - 1, err, sizeof err), HS_ERR_INVALID_ARG);
			CHECK(strstr(err, b->name) != NULL);
		}
	}
}

int main(void)
{
	test_defaults();
	test_ranges();
	return hs_test_done();
}
