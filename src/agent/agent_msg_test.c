/* Tests of agent/agent_msg.c: every message both ways, and the ways a
 * frame or a message can be wrong (short, long, lying, trailing). */
#include "agent/agent_msg.h"

#include <string.h>

#include "hs_test.h"

static const uint8_t blob[] =
	"\0\0\0\x0bssh-ed25519\0\0\0\x20"
	"0123456789abcdef0123456789abcdef";

static struct hs_view one_frame(const struct hs_buf *b)
{
	struct hs_view msg = { NULL, 0, 0 };
	size_t used = 0;
	REQUIRE(hs__agent_frame(hs__buf_ptr(b), hs__buf_len(b), &msg, &used) == 0);
	CHECK_EQ_INT(used, hs__buf_len(b));
	return msg;
}

static void test_round_trips(void)
{
	struct hs_buf b;
	struct hs_agent_sign_request req;
	struct hs_bytes sig;
	int found = -1;
	hs__buf_init(&b, 4096, 0);
	CHECK_EQ_INT(hs__agent_put_sign_request(&b, blob, sizeof blob - 1, (const uint8_t *)"H", 1, 0), 0);
	struct hs_view m = one_frame(&b);
	CHECK_EQ_INT(hs__agent_type(m), HS_AGENTC_SIGN_REQUEST);
	CHECK_EQ_INT(hs__agent_get_sign_request(m, &req), 0);
	CHECK(req.key_blob.len == sizeof blob - 1 && memcmp(req.key_blob.ptr, blob, req.key_blob.len) == 0);
	CHECK(req.data.len == 1 && req.data.ptr[0] == 'H' && req.flags == 0);
	CHECK_EQ_INT(hs__agent_get_sign_response(m, &sig), HS_ERR_FORMAT); /* not a response */

	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__agent_put_sign_response(&b, (const uint8_t *)"SIG", 3), 0);
	m = one_frame(&b);
	CHECK_EQ_INT(hs__agent_get_sign_response(m, &sig), 0);
	CHECK(sig.len == 3 && memcmp(sig.ptr, "SIG", 3) == 0);

	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__agent_put_failure(&b), 0);
	m = one_frame(&b);
	CHECK_EQ_INT(hs__agent_get_sign_response(m, &sig), HS_ERR_SIGNATURE);
	CHECK_EQ_INT(hs__agent_find_identity(m, blob, sizeof blob - 1, &found), HS_ERR_SIGNATURE);

	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__agent_put_request_identities(&b), 0);
	CHECK_EQ_INT(hs__agent_type(one_frame(&b)), HS_AGENTC_REQUEST_IDENTITIES);

	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__agent_put_identities(&b, blob, sizeof blob - 1, "host"), 0);
	m = one_frame(&b);
	CHECK_EQ_INT(hs__agent_find_identity(m, blob, sizeof blob - 1, &found), 0);
	CHECK_EQ_INT(found, 1);
	CHECK_EQ_INT(hs__agent_find_identity(m, blob, sizeof blob - 2, &found), 0);
	CHECK_EQ_INT(found, 0);
	hs__buf_reset(&b);
	CHECK_EQ_INT(hs__agent_put_identities(&b, NULL, 0, NULL), 0);
	CHECK_EQ_INT(hs__agent_find_identity(one_frame(&b), blob, sizeof blob - 1, &found), 0);
	CHECK_EQ_INT(found, 0);
	hs__buf_cleanup(&b);
}

static void test_bad_frames(void)
{
	struct hs_view msg;
	size_t used;
	static const uint8_t empty[] = { 0, 0, 0, 0 };
	static const uint8_t huge[] = { 0, 0x04, 0, 1, 5 };
	static const uint8_t part[] = { 0, 0, 0, 5, 14, 0 };
	CHECK_EQ_INT(hs__agent_frame(empty, 3, &msg, &used), HS_ERR_NEED_MORE);
	CHECK_EQ_INT(hs__agent_frame(empty, sizeof empty, &msg, &used), HS_ERR_FORMAT);
	CHECK_EQ_INT(hs__agent_frame(huge, sizeof huge, &msg, &used), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__agent_frame(part, sizeof part, &msg, &used), HS_ERR_NEED_MORE);

	/* a count of keys larger than the message could hold */
	static const uint8_t lying[] = { 12, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	int found;
	CHECK_EQ_INT(hs__agent_find_identity(hs__view_make(lying, sizeof lying), blob, 4, &found), HS_ERR_FORMAT);
	/* trailing bytes after a response, after a failure */
	static const uint8_t trailing[] = { 14, 0, 0, 0, 1, 'x', 'y' };
	struct hs_bytes sig;
	CHECK_EQ_INT(hs__agent_get_sign_response(hs__view_make(trailing, sizeof trailing), &sig), HS_ERR_TRAILING);
	static const uint8_t fail_trailing[] = { 5, 0 };
	CHECK_EQ_INT(hs__agent_get_sign_response(hs__view_make(fail_trailing, 2), &sig), HS_ERR_TRAILING);
	/* a response whose string runs past the end */
	static const uint8_t short_sig[] = { 14, 0, 0, 0, 9, 'x' };
	CHECK_EQ_INT(hs__agent_get_sign_response(hs__view_make(short_sig, sizeof short_sig), &sig), HS_ERR_TRUNCATED);
	CHECK_EQ_INT(hs__agent_type(hs__view_make(NULL, 0)), 0);
}

int main(void)
{
	test_round_trips();
	test_bad_frames();
	return hs_test_done();
}
