/*
 * Fuzz target: the control messages between the monitor and a worker
 * (daemon/ctl_msg.c), as a taken-over worker could send them. Whatever
 * the bytes, decoding either fails or gives a message that encodes back to
 * the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hsd_ctl_msg m;
	if (hsd_ctl_decode(data, size, &m) != 0)
		return 0;
	struct hs_buf b;
	hs__buf_init(&b, HSD_CTL_MAX, 0);
	if (hsd_ctl_encode(&m, &b) != 0 || hs__buf_len(&b) != size || memcmp(hs__buf_ptr(&b), data, size) != 0)
		abort();
	hs__buf_cleanup(&b);
	return 0;
}
