/* Tests of the worker/monitor registry messages (regrpc.c): every request
 * and reply round-trips; every malformed form is refused (each truncation,
 * trailing bytes, unknown types, bad host ids, over-long or NUL-holding
 * text, flags other than 0 and 1, too many keys or grants, bad or
 * over-long key blobs, bad grants, a record of an unknown host with
 * content, over-long messages); encoders refuse what decoders would. */
#include "daemon/regrpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_test.h"

static struct hs_key *new_key(void)
{
	struct hs_hostkey *hk = NULL;
	if (hs_hostkey_generate(HS_KEY_ED25519, &hk) != 0)
		return NULL;
	struct hs_key *k = hs_key_dup(hs_hostkey_public(hk));
	hs_hostkey_free(hk);
	return k;
}

/* The blob of an RSA public key of 16384 bits (not a real key: its
 * modulus is not checked for factors): the largest blob this build
 * parses. */
static size_t big_rsa_blob(uint8_t *out, size_t cap, uint8_t seed)
{
	struct hs_buf b;
	uint8_t n[2048];
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	size_t len = 0;
	for (size_t i = 0; i < sizeof n; i++)
		n[i] = (uint8_t)(0x5a ^ (i * 31) ^ seed);
	n[0] = 0xff;
	n[sizeof n - 1] |= 1;
	hs__buf_init(&b, cap, 0);
	if (hs__buf_put_cstring(&b, "ssh-rsa") == 0 && hs__buf_put_mpint_bytes(&b, e, sizeof e) == 0 &&
	    hs__buf_put_mpint_bytes(&b, n, sizeof n) == 0) {
		len = hs__buf_len(&b);
		memcpy(out, hs__buf_ptr(&b), len);
	}
	hs__buf_cleanup(&b);
	return len;
}

/* Every proper prefix of msg fails to decode, and so does msg with one
 * more byte. */
static void check_truncations_req(const uint8_t *msg, size_t len)
{
	struct hsd_regrpc_request q;
	uint8_t more[512];
	for (size_t i = 0; i < len; i++)
		CHECK(hsd_regrpc_get_request(msg, i, &q) != 0);
	REQUIRE(len < sizeof more);
	memcpy(more, msg, len);
	more[len] = 0;
	CHECK_EQ_INT(hsd_regrpc_get_request(more, len + 1, &q), HS_ERR_TRAILING);
}

static void check_truncations_rep(const uint8_t *msg, size_t len)
{
	struct hsd_regrpc_reply p;
	uint8_t *more = malloc(len + 1);
	REQUIRE(more != NULL);
	for (size_t i = 0; i < len; i++) {
		CHECK(hsd_regrpc_get_reply(msg, i, &p) != 0);
		CHECK(p.record.keys == NULL && p.record.grants == NULL);
	}
	memcpy(more, msg, len);
	more[len] = 0;
	CHECK_EQ_INT(hsd_regrpc_get_reply(more, len + 1, &p), HS_ERR_TRAILING);
	free(more);
}

static void round_trip_request(const struct hsd_regrpc_request *q, struct hsd_regrpc_request *back)
{
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, q), 0);
	CHECK_EQ_INT(hsd_regrpc_get_request(hs__buf_ptr(&b), hs__buf_len(&b), back), 0);
	CHECK_EQ_INT(back->type, q->type);
	CHECK_EQ_INT(back->id, q->id);
	check_truncations_req(hs__buf_ptr(&b), hs__buf_len(&b));
	/* a request is no reply */
	struct hsd_regrpc_reply p;
	CHECK_EQ_INT(hsd_regrpc_get_reply(hs__buf_ptr(&b), hs__buf_len(&b), &p), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);
}

static void test_requests(void)
{
	struct hsd_regrpc_request q, back;

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_LOOKUP;
	q.id = 0xfedcba98;
	snprintf(q.host, sizeof q.host, "node-1.example_x");
	round_trip_request(&q, &back);
	CHECK_STR(back.host, "node-1.example_x");

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_CHANGED;
	q.id = 7;
	round_trip_request(&q, &back);

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_DECOYS;
	q.id = 8;
	round_trip_request(&q, &back);

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_LOG_ATTEMPT;
	q.id = 9;
	memset(q.attempt.peer, 'p', sizeof q.attempt.peer - 1); /* full length */
	snprintf(q.attempt.host, sizeof q.attempt.host, "strange \x01 name");
	snprintf(q.attempt.fingerprint, sizeof q.attempt.fingerprint, "SHA256:abc");
	q.attempt.accepted = 5; /* any true value travels as 1 */
	snprintf(q.attempt.reason, sizeof q.attempt.reason, "key revoked");
	round_trip_request(&q, &back);
	CHECK(memcmp(back.attempt.peer, q.attempt.peer, sizeof q.attempt.peer) == 0);
	CHECK_STR(back.attempt.host, q.attempt.host);
	CHECK_STR(back.attempt.fingerprint, "SHA256:abc");
	CHECK_EQ_INT(back.attempt.accepted, 1);
	CHECK_STR(back.attempt.reason, "key revoked");

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_COUNT_INVALID;
	q.id = 10;
	q.n = UINT64_MAX;
	q.first = -5; /* a clock set back: the registry copes, the codec carries it */
	q.last = INT64_MAX;
	snprintf(q.peer, sizeof q.peer, "[::1]:22");
	round_trip_request(&q, &back);
	CHECK(back.n == UINT64_MAX && back.first == -5 && back.last == INT64_MAX);
	CHECK_STR(back.peer, "[::1]:22");
}

static void test_request_encoder_refusals(void)
{
	struct hsd_regrpc_request q;
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_LOOKUP;
	snprintf(q.host, sizeof q.host, "../etc");
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, &q), HS_ERR_INVALID_ARG);
	q.host[0] = '\0';
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, &q), HS_ERR_INVALID_ARG);
	q.type = 99;
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, &q), HS_ERR_INVALID_ARG);
	q.type = HSD_REGRPC_R_OK; /* a reply type is no request */
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, &q), HS_ERR_INVALID_ARG);

	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_LOG_ATTEMPT;
	memset(q.attempt.reason, 'r', sizeof q.attempt.reason); /* no NUL: too long */
	CHECK_EQ_INT(hsd_regrpc_put_request(&b, &q), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_len(&b), 0);

	/* a buffer too small for the message: nothing written */
	struct hs_buf small;
	hs__buf_init(&small, 8, 0);
	memset(&q, 0, sizeof q);
	q.type = HSD_REGRPC_LOOKUP;
	snprintf(q.host, sizeof q.host, "node1");
	CHECK_EQ_INT(hsd_regrpc_put_request(&small, &q), HS_ERR_LIMIT);
	CHECK_EQ_INT(hs__buf_len(&small), 0);
	hs__buf_cleanup(&small);
	hs__buf_cleanup(&b);
}

/* A raw message: type, id, then what fill writes. */
static int decode_raw_req(const struct hs_buf *b)
{
	struct hsd_regrpc_request q;
	struct hs_view v = hs__buf_view(b); /* data may be NULL when empty */
	int r = hsd_regrpc_get_request(v.ptr, v.len, &q);
	if (r != 0)
		CHECK(q.type == 0 && q.id == 0 && q.host[0] == '\0');
	return r;
}

static void start(struct hs_buf *b, uint8_t type)
{
	hs__buf_reset(b);
	REQUIRE(hs__buf_put_u8(b, type) == 0 && hs__buf_put_u32(b, 1) == 0);
}

static void put_attempt_raw(struct hs_buf *b, const char *peer, size_t peerlen, const char *host, uint8_t accepted,
                            const char *reason, size_t reasonlen)
{
	start(b, HSD_REGRPC_LOG_ATTEMPT);
	REQUIRE(hs__buf_put_string(b, peer, peerlen) == 0 && hs__buf_put_cstring(b, host) == 0 &&
	        hs__buf_put_cstring(b, "SHA256:x") == 0 && hs__buf_put_u8(b, accepted) == 0 &&
	        hs__buf_put_string(b, reason, reasonlen) == 0);
}

static void test_malformed_requests(void)
{
	struct hs_buf b;
	char text[300];
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX + 16, 0);
	memset(text, 'a', sizeof text);

	/* empty, unknown types, reply types */
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_TRUNCATED);
	start(&b, 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, 6);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_R_FAILURE);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, 255);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_CHANGED);
	CHECK_EQ_INT(decode_raw_req(&b), 0);
	REQUIRE(hs__buf_put_u8(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_TRAILING);

	/* host ids: the rule of registry/names.h, and no NUL, and length */
	static const char *const bad_hosts[] = { "", ".", "..", "../etc", "-x", "a/b", "a b", "a\x7f", "\xc3\xa9" };
	for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
		start(&b, HSD_REGRPC_LOOKUP);
		REQUIRE(hs__buf_put_cstring(&b, bad_hosts[i]) == 0);
		CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	}
	start(&b, HSD_REGRPC_LOOKUP);
	REQUIRE(hs__buf_put_string(&b, "node\0x", 6) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_LOOKUP);
	REQUIRE(hs__buf_put_string(&b, text, HSD_HOST_ID_MAX) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), 0); /* the longest id */
	start(&b, HSD_REGRPC_LOOKUP);
	REQUIRE(hs__buf_put_string(&b, text, HSD_HOST_ID_MAX + 1) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);
	start(&b, HSD_REGRPC_LOOKUP);
	REQUIRE(hs__buf_put_u32(&b, 0xffffffffu) == 0); /* a length beyond the message */
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_TRUNCATED);

	/* attempts: each text bounded by its field, no NUL, flag 0 or 1 */
	put_attempt_raw(&b, text, 63, "node1", 1, text, 63);
	CHECK_EQ_INT(decode_raw_req(&b), 0);
	put_attempt_raw(&b, text, 64, "node1", 1, "", 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);
	put_attempt_raw(&b, "p", 1, "node1", 0, text, 64);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);
	put_attempt_raw(&b, "p", 1, "node1", 0, text, sizeof text);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);
	put_attempt_raw(&b, "p\0q", 3, "node1", 0, "", 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	put_attempt_raw(&b, "p", 1, "node1", 2, "", 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_LOG_ATTEMPT);
	REQUIRE(hs__buf_put_cstring(&b, "p") == 0 && hs__buf_put_string(&b, text, HSD_HOST_ID_MAX + 1) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);

	/* counts */
	start(&b, HSD_REGRPC_COUNT_INVALID);
	REQUIRE(hs__buf_put_u64(&b, 1) == 0 && hs__buf_put_u64(&b, 2) == 0 && hs__buf_put_u64(&b, 3) == 0 &&
	        hs__buf_put_string(&b, text, 64) == 0);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);

	/* over the message limit, whatever it holds */
	start(&b, HSD_REGRPC_CHANGED);
	uint8_t *p;
	REQUIRE(hs__buf_extend(&b, HSD_REGRPC_MSG_MAX, &p) == 0);
	memset(p, 0, HSD_REGRPC_MSG_MAX);
	CHECK_EQ_INT(decode_raw_req(&b), HS_ERR_LIMIT);
	hs__buf_cleanup(&b);
}

static void check_same_record(const struct hsd_peer_record *a, const struct hsd_peer_record *b)
{
	CHECK_EQ_INT(a->found, b->found);
	CHECK_EQ_INT(a->revoked, b->revoked);
	CHECK_EQ_INT(a->nkeys, b->nkeys);
	CHECK_EQ_INT(a->ngrants, b->ngrants);
	for (size_t i = 0; i < a->nkeys && i < b->nkeys; i++) {
		CHECK(hs_key_equal(a->keys[i].key, b->keys[i].key));
		CHECK_EQ_INT(a->keys[i].revoked, b->keys[i].revoked);
		CHECK_EQ_INT(a->keys[i].expires, b->keys[i].expires);
	}
	for (size_t i = 0; i < a->ngrants && i < b->ngrants; i++)
		CHECK_STR(a->grants[i], b->grants[i]);
}

static void round_trip_reply(const struct hsd_regrpc_reply *p, struct hsd_regrpc_reply *back, int truncations)
{
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, p), 0);
	CHECK_EQ_INT(hsd_regrpc_get_reply(hs__buf_ptr(&b), hs__buf_len(&b), back), 0);
	CHECK_EQ_INT(back->type, p->type);
	CHECK_EQ_INT(back->id, p->id);
	if (truncations)
		check_truncations_rep(hs__buf_ptr(&b), hs__buf_len(&b));
	struct hsd_regrpc_request q; /* a reply is no request */
	CHECK_EQ_INT(hsd_regrpc_get_request(hs__buf_ptr(&b), hs__buf_len(&b), &q), HS_ERR_FORMAT);
	hs__buf_cleanup(&b);
}

static char *grants_abc[] = { "*", "echo", "sftp@openssh.com" };

static void test_replies(void)
{
	struct hsd_regrpc_reply p, back;
	struct hs_key *k1 = new_key(), *k2 = new_key();
	REQUIRE(k1 != NULL && k2 != NULL);

	static const uint8_t types[] = { HSD_REGRPC_R_FAILURE, HSD_REGRPC_R_OK };
	for (size_t i = 0; i < sizeof types; i++) {
		memset(&p, 0, sizeof p);
		p.type = types[i];
		p.id = 77;
		round_trip_reply(&p, &back, 1);
		hsd_regrpc_reply_clear(&back);
	}

	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_CHANGED;
	p.changed = 1;
	round_trip_reply(&p, &back, 1);
	CHECK_EQ_INT(back.changed, 1);
	hsd_regrpc_reply_clear(&back);

	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_COUNT;
	p.count = 0x0102030405060708ull;
	round_trip_reply(&p, &back, 1);
	CHECK(back.count == 0x0102030405060708ull);
	hsd_regrpc_reply_clear(&back);

	/* an unknown host */
	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_RECORD;
	round_trip_reply(&p, &back, 1);
	check_same_record(&p.record, &back.record);
	hsd_regrpc_reply_clear(&back);

	/* a known host with two keys in different states and three grants */
	struct hsd_peer_key keys[2] = { { k1, 0, 0 }, { k2, 1, INT64_MAX } };
	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_RECORD;
	p.id = UINT32_MAX;
	p.record.found = 1;
	p.record.keys = keys;
	p.record.nkeys = 2;
	p.record.grants = grants_abc;
	p.record.ngrants = 3;
	round_trip_reply(&p, &back, 1);
	check_same_record(&p.record, &back.record);
	hsd_regrpc_reply_clear(&back);

	/* a revoked host */
	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_RECORD;
	p.record.found = 1;
	p.record.revoked = 1;
	round_trip_reply(&p, &back, 1);
	check_same_record(&p.record, &back.record);
	hsd_regrpc_reply_clear(&back);

	hs_key_free(k1);
	hs_key_free(k2);
}

/* The largest reply: the most keys, each of the largest blob, and the
 * most grants of the longest names. */
static void test_largest_reply(void)
{
	static struct hsd_peer_key keys[HSD_MAX_KEYS_PER_HOST];
	static char names[HSD_MAX_GRANTS][HSD_GRANT_MAX + 1];
	char *grants[HSD_MAX_GRANTS];
	uint8_t blob[HSD_REGRPC_KEY_BLOB_MAX];
	struct hsd_regrpc_reply p, back;
	for (size_t i = 0; i < HSD_MAX_KEYS_PER_HOST; i++) {
		size_t n = big_rsa_blob(blob, sizeof blob, (uint8_t)i);
		REQUIRE(n > 2048);
		REQUIRE(hs_key_from_blob(blob, n, &keys[i].key) == 0);
		keys[i].expires = (int64_t)i;
	}
	for (size_t i = 0; i < HSD_MAX_GRANTS; i++) {
		memset(names[i], 'g', HSD_GRANT_MAX);
		names[i][0] = (char)('A' + i % 26);
		names[i][1] = (char)('a' + i / 26);
		grants[i] = names[i];
	}
	memset(&p, 0, sizeof p);
	p.type = HSD_REGRPC_R_RECORD;
	p.record.found = 1;
	p.record.keys = keys;
	p.record.nkeys = HSD_MAX_KEYS_PER_HOST;
	p.record.grants = grants;
	p.record.ngrants = HSD_MAX_GRANTS;
	round_trip_reply(&p, &back, 0);
	check_same_record(&p.record, &back.record);
	hsd_regrpc_reply_clear(&back);

	/* one key more, or one grant more: refused by the encoder */
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);
	p.record.nkeys = HSD_MAX_KEYS_PER_HOST + 1;
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, &p), HS_ERR_LIMIT);
	p.record.nkeys = 1;
	p.record.ngrants = HSD_MAX_GRANTS + 1;
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, &p), HS_ERR_LIMIT);
	/* bad content: refused */
	p.record.ngrants = 1;
	char *bad_grant[] = { "no/slash" };
	p.record.grants = bad_grant;
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, &p), HS_ERR_INVALID_ARG);
	p.record.ngrants = 0;
	p.record.found = 0; /* an unknown host with keys */
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, &p), HS_ERR_INVALID_ARG);
	p.type = 3; /* a request type is no reply */
	CHECK_EQ_INT(hsd_regrpc_put_reply(&b, &p), HS_ERR_INVALID_ARG);
	CHECK_EQ_INT(hs__buf_len(&b), 0);
	hs__buf_cleanup(&b);
	for (size_t i = 0; i < HSD_MAX_KEYS_PER_HOST; i++)
		hs_key_free(keys[i].key);
}

static int decode_raw_rep(const struct hs_buf *b)
{
	struct hsd_regrpc_reply p;
	struct hs_view v = hs__buf_view(b);
	int r = hsd_regrpc_get_reply(v.ptr, v.len, &p);
	if (r != 0)
		CHECK(p.type == 0 && p.record.keys == NULL && p.record.grants == NULL && p.record.nkeys == 0);
	hsd_regrpc_reply_clear(&p);
	return r;
}

/* A RECORD header: found, revoked, nkeys. */
static void start_record(struct hs_buf *b, uint8_t found, uint8_t revoked, uint32_t nkeys)
{
	start(b, HSD_REGRPC_R_RECORD);
	REQUIRE(hs__buf_put_u8(b, found) == 0 && hs__buf_put_u8(b, revoked) == 0 && hs__buf_put_u32(b, nkeys) == 0);
}

static void put_key_raw(struct hs_buf *b, const uint8_t *blob, size_t len, uint8_t revoked, uint64_t expires)
{
	REQUIRE(hs__buf_put_string(b, blob, len) == 0 && hs__buf_put_u8(b, revoked) == 0 &&
	        hs__buf_put_u64(b, expires) == 0);
}

static void test_malformed_replies(void)
{
	struct hs_buf b;
	struct hs_key *k = new_key();
	size_t klen;
	REQUIRE(k != NULL);
	const uint8_t *kblob = hs_key_blob(k, &klen);
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX + 16, 0);

	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_TRUNCATED);
	start(&b, HSD_REGRPC_LOOKUP);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start(&b, 69);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_R_CHANGED);
	REQUIRE(hs__buf_put_u8(&b, 2) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start(&b, HSD_REGRPC_R_OK);
	REQUIRE(hs__buf_put_u8(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_TRAILING);

	/* a good record, then variations */
	start_record(&b, 1, 0, 1);
	put_key_raw(&b, kblob, klen, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 1) == 0 && hs__buf_put_cstring(&b, "echo") == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), 0);
	REQUIRE(hs__buf_put_u8(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_TRAILING);

	/* flags */
	start_record(&b, 2, 0, 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 1, 2, 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 1, 0, 1);
	put_key_raw(&b, kblob, klen, 2, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);

	/* an unknown host has nothing */
	start_record(&b, 0, 1, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 0, 0, 1);
	put_key_raw(&b, kblob, klen, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 0, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 1) == 0 && hs__buf_put_cstring(&b, "echo") == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);

	/* too many keys: refused before any is read */
	start_record(&b, 1, 0, HSD_MAX_KEYS_PER_HOST + 1);
	for (size_t i = 0; i < HSD_MAX_KEYS_PER_HOST + 1; i++)
		put_key_raw(&b, kblob, klen, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);
	start_record(&b, 1, 0, 0xffffffffu);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);
	/* the most keys: accepted */
	start_record(&b, 1, 0, HSD_MAX_KEYS_PER_HOST);
	for (size_t i = 0; i < HSD_MAX_KEYS_PER_HOST; i++)
		put_key_raw(&b, kblob, klen, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), 0);

	/* keys: not a key, an over-long blob, a negative expiry, a missing
	 * key (the count says more than there are) */
	uint8_t junk[HSD_REGRPC_KEY_BLOB_MAX + 1];
	memset(junk, 0, sizeof junk);
	start_record(&b, 1, 0, 1);
	put_key_raw(&b, kblob, klen - 1, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 1, 0, 1);
	put_key_raw(&b, junk, sizeof junk, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);
	start_record(&b, 1, 0, 1);
	put_key_raw(&b, kblob, klen, 0, (uint64_t)-1);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	start_record(&b, 1, 0, 2);
	put_key_raw(&b, kblob, klen, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 0) == 0);
	CHECK(decode_raw_rep(&b) != 0);

	/* grants: too many, bad names, too long, NUL */
	start_record(&b, 1, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, HSD_MAX_GRANTS + 1) == 0);
	for (size_t i = 0; i < HSD_MAX_GRANTS + 1; i++)
		REQUIRE(hs__buf_put_cstring(&b, "echo") == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);
	static const char *const bad_grants[] = { "", "-x", "a b", "**", "a/b", "a\n" };
	for (size_t i = 0; i < sizeof bad_grants / sizeof bad_grants[0]; i++) {
		start_record(&b, 1, 0, 0);
		REQUIRE(hs__buf_put_u32(&b, 2) == 0 && hs__buf_put_cstring(&b, "echo") == 0 &&
		        hs__buf_put_cstring(&b, bad_grants[i]) == 0);
		CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);
	}
	char longname[HSD_GRANT_MAX + 2];
	memset(longname, 'g', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	start_record(&b, 1, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 1) == 0 && hs__buf_put_cstring(&b, longname) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);
	start_record(&b, 1, 0, 0);
	REQUIRE(hs__buf_put_u32(&b, 1) == 0 && hs__buf_put_string(&b, "ec\0ho", 5) == 0);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_FORMAT);

	/* over the message limit */
	start(&b, HSD_REGRPC_R_OK);
	uint8_t *p;
	REQUIRE(hs__buf_extend(&b, HSD_REGRPC_MSG_MAX, &p) == 0);
	memset(p, 0, HSD_REGRPC_MSG_MAX);
	CHECK_EQ_INT(decode_raw_rep(&b), HS_ERR_LIMIT);

	hs__buf_cleanup(&b);
	hs_key_free(k);
}

static void test_reply_types(void)
{
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_LOOKUP), HSD_REGRPC_R_RECORD);
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_CHANGED), HSD_REGRPC_R_CHANGED);
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_LOG_ATTEMPT), HSD_REGRPC_R_OK);
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_COUNT_INVALID), HSD_REGRPC_R_OK);
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_DECOYS), HSD_REGRPC_R_COUNT);
	CHECK_EQ_INT(hsd_regrpc_reply_type(0), 0);
	CHECK_EQ_INT(hsd_regrpc_reply_type(HSD_REGRPC_R_OK), 0);
}

int main(void)
{
	test_reply_types();
	test_requests();
	test_request_encoder_refusals();
	test_malformed_requests();
	test_replies();
	test_largest_reply();
	test_malformed_replies();
	return hs_test_done();
}
