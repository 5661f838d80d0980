/*
 * Fuzz target: the worker/monitor registry messages (daemon/regrpc.c).
 * The monitor decodes requests from a worker that may have been taken
 * over; the worker decodes the monitor's replies. Whatever the bytes,
 * decoding either fails and leaves nothing to free, or gives a message
 * whose fields obey the rules, and which encodes back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/regrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_bytes(const struct hs_buf *b, const uint8_t *data, size_t size)
{
	if (hs__buf_len(b) != size || (size > 0 && memcmp(hs__buf_ptr(b), data, size) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hsd_regrpc_request q;
	struct hsd_regrpc_reply p;
	struct hs_buf b;
	hs__buf_init(&b, HSD_REGRPC_MSG_MAX, 0);

	if (hsd_regrpc_get_request(data, size, &q) == 0) {
		if (hsd_regrpc_reply_type(q.type) == 0)
			abort();
		if (q.type == HSD_REGRPC_LOOKUP && !hsd_host_id_valid(q.host))
			abort();
		if (hsd_regrpc_put_request(&b, &q) != 0)
			abort();
		same_bytes(&b, data, size);
	} else if (q.type != 0 || q.id != 0) {
		abort();
	}

	hs__buf_reset(&b);
	if (hsd_regrpc_get_reply(data, size, &p) == 0) {
		if (p.record.nkeys > HSD_MAX_KEYS_PER_HOST || p.record.ngrants > HSD_MAX_GRANTS)
			abort();
		for (size_t i = 0; i < p.record.nkeys; i++)
			if (p.record.keys[i].key == NULL || p.record.keys[i].expires < 0)
				abort();
		for (size_t i = 0; i < p.record.ngrants; i++)
			if (!hsd_grant_name_valid(p.record.grants[i]))
				abort();
		if (hsd_regrpc_put_reply(&b, &p) != 0)
			abort();
		same_bytes(&b, data, size);
		hsd_regrpc_reply_clear(&p);
	} else if (p.record.keys != NULL || p.record.grants != NULL || p.type != 0) {
		abort();
	}
	hs__buf_cleanup(&b);
	return 0;
}
