/* Tests of daemon/ctl_msg.c: every message both ways, and the ways a
 * worker's message can be wrong (short, trailing, bad fields). */
#include "daemon/ctl_msg.h"

#include <signal.h>
#include <string.h>

#include <hostsd/error.h>

#include "hs_test.h"

static void round_trip(const struct hsd_ctl_msg *in, struct hsd_ctl_msg *out)
{
	struct hs_buf b;
	hs__buf_init(&b, HSD_CTL_MAX, 0);
	REQUIRE(hsd_ctl_encode(in, &b) == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), out), 0);
	/* every shorter prefix and one byte more are refused */
	for (size_t n = 0; n < hs__buf_len(&b); n++) {
		struct hsd_ctl_msg m;
		CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), n, &m), HS_ERR_FORMAT);
		CHECK_EQ_INT(m.type, 0);
	}
	REQUIRE(hs__buf_put_u8(&b, 0) == 0);
	struct hsd_ctl_msg m;
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &m), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);
}

static struct hsd_ctl_msg spawn_msg(void)
{
	struct hsd_ctl_msg m = { .type = HSD_CTL_SPAWN, .id = 7 };
	strcpy(m.subsystem, "echo");
	strcpy(m.host, "node1");
	strcpy(m.key_fp, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
	strcpy(m.peer, "[::ffff:127.0.0.1]:40000");
	return m;
}

static void test_each_type(void)
{
	struct hsd_ctl_msg in = spawn_msg(), out;
	round_trip(&in, &out);
	CHECK(out.type == HSD_CTL_SPAWN && out.id == 7 && strcmp(out.subsystem, "echo") == 0 &&
	      strcmp(out.host, "node1") == 0 && strcmp(out.key_fp, in.key_fp) == 0 && strcmp(out.peer, in.peer) == 0);

	struct hsd_ctl_msg sig = { .type = HSD_CTL_SIGNAL, .id = 9, .signo = SIGKILL };
	round_trip(&sig, &out);
	CHECK(out.type == HSD_CTL_SIGNAL && out.id == 9 && out.signo == SIGKILL);

	struct hsd_ctl_msg spawned = { .type = HSD_CTL_SPAWNED, .id = 3, .pid = 4242 };
	round_trip(&spawned, &out);
	CHECK(out.type == HSD_CTL_SPAWNED && out.pid == 4242);

	struct hsd_ctl_msg failed = { .type = HSD_CTL_FAILED, .id = 3 };
	strcpy(failed.reason, "subsystem x is not configured");
	round_trip(&failed, &out);
	CHECK(strcmp(out.reason, failed.reason) == 0);

	struct hsd_ctl_msg exited = { .type = HSD_CTL_EXITED, .id = 3, .exit_status = -1, .term_signal = SIGTERM };
	round_trip(&exited, &out);
	CHECK(out.exit_status == -1 && out.term_signal == SIGTERM);
	exited.exit_status = 255;
	exited.term_signal = 0;
	round_trip(&exited, &out);
	CHECK(out.exit_status == 255 && out.term_signal == 0);
}

/* What neither side may send: the encoder refuses it, and bytes made by
 * hand are refused by the decoder. */
static void test_bad_fields(void)
{
	struct hs_buf b;
	struct hsd_ctl_msg m = spawn_msg(), out;
	hs__buf_init(&b, HSD_CTL_MAX, 0);
	strcpy(m.host, "evil host");
	CHECK_EQ_INT(hsd_ctl_encode(&m, &b), HS_ERR_INVALID_ARG);
	m = spawn_msg();
	strcpy(m.subsystem, "-x");
	CHECK_EQ_INT(hsd_ctl_encode(&m, &b), HS_ERR_INVALID_ARG);
	m = spawn_msg();
	strcpy(m.key_fp, "MD5:aa");
	CHECK_EQ_INT(hsd_ctl_encode(&m, &b), HS_ERR_INVALID_ARG);
	m = spawn_msg();
	strcpy(m.peer, "a\"b");
	CHECK_EQ_INT(hsd_ctl_encode(&m, &b), HS_ERR_INVALID_ARG);
	struct hsd_ctl_msg sig = { .type = HSD_CTL_SIGNAL, .id = 1, .signo = SIGSTOP };
	CHECK_EQ_INT(hsd_ctl_encode(&sig, &b), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__buf_len(&b), 0);

	/* SIGNAL with SIGSTOP, by hand */
	REQUIRE(hs__buf_put_u8(&b, HSD_CTL_SIGNAL) == 0 && hs__buf_put_u32(&b, 1) == 0 &&
	        hs__buf_put_u32(&b, SIGSTOP) == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &out), HS_ERR_FORMAT);
	/* an unknown type */
	hs__buf_reset(&b);
	REQUIRE(hs__buf_put_u8(&b, 99) == 0 && hs__buf_put_u32(&b, 1) == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &out), HS_ERR_FORMAT);
	/* a subsystem name with a NUL inside */
	hs__buf_reset(&b);
	REQUIRE(hs__buf_put_u8(&b, HSD_CTL_SPAWN) == 0 && hs__buf_put_u32(&b, 1) == 0 &&
	        hs__buf_put_string(&b, "ec\0ho", 5) == 0 && hs__buf_put_cstring(&b, "node1") == 0 &&
	        hs__buf_put_cstring(&b, "SHA256:abc") == 0 && hs__buf_put_cstring(&b, "127.0.0.1:1") == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &out), HS_ERR_FORMAT);
	/* a host id longer than any */
	char longhost[200];
	memset(longhost, 'a', sizeof longhost - 1);
	longhost[sizeof longhost - 1] = '\0';
	hs__buf_reset(&b);
	REQUIRE(hs__buf_put_u8(&b, HSD_CTL_SPAWN) == 0 && hs__buf_put_u32(&b, 1) == 0 &&
	        hs__buf_put_cstring(&b, "echo") == 0 && hs__buf_put_cstring(&b, longhost) == 0 &&
	        hs__buf_put_cstring(&b, "SHA256:abc") == 0 && hs__buf_put_cstring(&b, "127.0.0.1:1") == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &out), HS_ERR_FORMAT);
	/* an exit status out of range */
	hs__buf_reset(&b);
	REQUIRE(hs__buf_put_u8(&b, HSD_CTL_EXITED) == 0 && hs__buf_put_u32(&b, 1) == 0 &&
	        hs__buf_put_u64(&b, 256) == 0 && hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(hsd_ctl_decode(hs__buf_ptr(&b), hs__buf_len(&b), &out), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);
}

int main(void)
{
	test_each_type();
	test_bad_fields();
	return hs_test_done();
}
