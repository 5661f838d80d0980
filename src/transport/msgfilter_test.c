/* The message allow-list, checked for every message number in every state:
 * the security properties are asserted directly, not re-derived. */
#include "transport/msgfilter.h"

#include "hs_test.h"

static int in(int msg, int lo, int hi)
{
	return msg >= lo && msg <= hi;
}

static void test_every_message_in_every_state(void)
{
	int bad = 0;
	for (int phase = 0; phase < HS_PHASE_COUNT; phase++) {
		for (int step = 0; step < HS_KEX_STEP_COUNT; step++) {
			for (int strict = 0; strict <= 1; strict++) {
				for (int msg = 0; msg < 256; msg++) {
					enum hs_verdict v = hs__msgfilter_check(phase, step, strict, (uint8_t)msg);
					int accept = v == HS_VERDICT_ACCEPT;
					int first = phase == HS_PHASE_FIRST_KEX;
					int kexing = step == HS_KEX_WAIT_INIT || step == HS_KEX_WAIT_NEWKEYS;
					/* DISCONNECT always passes */
					if (msg == 1 && !accept)
						bad++, fprintf(stderr, "DISCONNECT refused p%d s%d\n", phase, step);
					/* connection protocol only after authentication */
					if (in(msg, 80, 127) && accept && phase != HS_PHASE_CONNECTION)
						bad++, fprintf(stderr, "conn msg %d before auth p%d s%d\n", msg, phase,
						               step);
					/* userauth only once the service was accepted */
					if (in(msg, 50, 79) && accept && phase < HS_PHASE_USERAUTH)
						bad++, fprintf(stderr, "auth msg %d too early p%d\n", msg, phase);
					/* server-to-client messages never accepted */
					if ((msg == 6 || msg == 31 || in(msg, 51, 79) || msg == 91 || msg == 92) &&
					    accept)
						bad++, fprintf(stderr, "server msg %d accepted p%d s%d\n", msg, phase,
						               step);
					/* during a key exchange, only kex and transport-generic messages */
					if (kexing && accept && !(msg <= 4 || msg == 21 || msg == 30))
						bad++, fprintf(stderr, "msg %d during kex p%d s%d\n", msg, phase, step);
					/* strict first exchange: nothing but its own messages */
					if (first && strict && accept &&
					    !(msg == 1 || msg == 20 || msg == 21 || msg == 30))
						bad++, fprintf(stderr, "strict: msg %d accepted s%d\n", msg, step);
					/* kex method messages only at their step */
					if (msg == 30 && accept && step != HS_KEX_WAIT_INIT)
						bad++, fprintf(stderr, "ECDH_INIT at step %d\n", step);
					if (msg == 21 && accept && step != HS_KEX_WAIT_NEWKEYS)
						bad++, fprintf(stderr, "NEWKEYS at step %d\n", step);
					/* unknown numbers are answered, not fatal (outside strict kex) */
					if ((msg == 0 || in(msg, 8, 19) || msg >= 128) && !(first && strict) &&
					    v != HS_VERDICT_UNIMPLEMENTED)
						bad++, fprintf(stderr, "unknown msg %d verdict %d\n", msg, v);
				}
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
}

static void test_expected_paths(void)
{
	/* the happy path of a whole connection */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_SENT_KEXINIT, 1, 20), HS_VERDICT_ACCEPT);
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_WAIT_INIT, 1, 30), HS_VERDICT_ACCEPT);
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_WAIT_NEWKEYS, 1, 21), HS_VERDICT_ACCEPT);
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_SERVICE, HS_KEX_IDLE, 1, 5), HS_VERDICT_ACCEPT);
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_USERAUTH, HS_KEX_IDLE, 1, 50), HS_VERDICT_ACCEPT);
	for (int m = 90; m <= 100; m++)
		if (m != 91 && m != 92)
			CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_CONNECTION, HS_KEX_IDLE, 1, (uint8_t)m),
			             HS_VERDICT_ACCEPT);
	/* Terrapin: IGNORE during the strict first exchange is fatal */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_SENT_KEXINIT, 1, 2), HS_VERDICT_REJECT);
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_WAIT_NEWKEYS, 1, 2), HS_VERDICT_REJECT);
	/* but tolerated without strict mode */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_FIRST_KEX, HS_KEX_WAIT_NEWKEYS, 0, 2), HS_VERDICT_ACCEPT);
	/* libssh CVE-2018-10933: USERAUTH_SUCCESS from a client */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_USERAUTH, HS_KEX_IDLE, 1, 52), HS_VERDICT_REJECT);
	/* CHANNEL_OPEN before authentication */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_USERAUTH, HS_KEX_IDLE, 1, 90), HS_VERDICT_REJECT);
	/* a rekey started by us: the peer's traffic before its KEXINIT is fine */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_CONNECTION, HS_KEX_SENT_KEXINIT, 1, 94), HS_VERDICT_ACCEPT);
	/* after its KEXINIT, it is not */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_CONNECTION, HS_KEX_WAIT_INIT, 1, 94), HS_VERDICT_REJECT);
	/* a second KEXINIT in the same exchange */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_CONNECTION, HS_KEX_WAIT_INIT, 1, 20), HS_VERDICT_REJECT);
	/* a peer-initiated rekey */
	CHECK_EQ_INT(hs__msgfilter_check(HS_PHASE_CONNECTION, HS_KEX_IDLE, 1, 20), HS_VERDICT_ACCEPT);
}

int main(void)
{
	test_every_message_in_every_state();
	test_expected_paths();
	return hs_test_done();
}
