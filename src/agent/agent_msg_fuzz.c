/*
 * Fuzz target: ssh-agent frames and messages (agent/agent_msg.c), as an
 * agent or a worker could send them. Whatever the bytes, parsing either
 * fails or gives views inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "agent/agent_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *data, size_t size, struct hs_bytes b)
{
	if (b.len > 0 && (b.ptr < data || b.ptr + b.len > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[] = { 0, 0, 0, 1, 'k' };
	size_t pos = 0;
	while (pos < size) {
		struct hs_view msg;
		size_t used;
		if (hs__agent_frame(data + pos, size - pos, &msg, &used) != 0)
			break;
		if (used > size - pos || used < 5)
			abort();
		struct hs_agent_sign_request req;
		struct hs_bytes sig;
		int found;
		if (hs__agent_get_sign_request(msg, &req) == 0) {
			inside(data, size, req.key_blob);
			inside(data, size, req.data);
		}
		if (hs__agent_get_sign_response(msg, &sig) == 0)
			inside(data, size, sig);
		if (hs__agent_find_identity(msg, key, sizeof key, &found) == 0 && found != 0 && found != 1)
			abort();
		pos += used;
	}
	return 0;
}
