/* KEXINIT encoding, parsing and algorithm negotiation (RFC 4253 §7.1). */
#include "transport/kexinit.h"

#include <string.h>

#include <openssl/rand.h>

#include "common/limits.h"

int hs__kexinit_parse(struct hs_view *v, struct hs_kexinit *out)
{
	struct hs_view save = *v;
	struct hs_kexinit k;
	uint32_t reserved;
	int r;
	if ((r = hs__view_get_bytes(v, 16, &k.cookie)) != 0)
		goto fail;
	for (int i = 0; i < HS_KL_COUNT; i++) {
		if ((r = hs__view_get_string(v, &k.lists[i])) != 0)
			goto fail;
		if (k.lists[i].len > HS_MAX_NAMELIST) {
			r = HS_ERR_LIMIT;
			goto fail;
		}
		/* names are printable US-ASCII without NUL (RFC 4251 §6) */
		for (size_t j = 0; j < k.lists[i].len; j++) {
			uint8_t c = k.lists[i].ptr[j];
			if (c <= 0x20 || c >= 0x7f) {
				r = HS_ERR_FORMAT;
				goto fail;
			}
		}
	}
	if ((r = hs__view_get_bool(v, &k.first_kex_packet_follows)) != 0)
		goto fail;
	if ((r = hs__view_get_u32(v, &reserved)) != 0)
		goto fail;
	if ((r = hs__view_end(v)) != 0)
		goto fail;
	*out = k;
	return 0;
fail:
	*v = save;
	return r;
}

int hs__kexinit_write(struct hs_buf *out, const char *const lists[HS_KL_COUNT])
{
	uint8_t cookie[16];
	int r;
	if (RAND_bytes(cookie, sizeof cookie) != 1)
		return HS_ERR_CRYPTO;
	if ((r = hs__buf_put(out, cookie, sizeof cookie)) != 0)
		return r;
	for (int i = 0; i < HS_KL_COUNT; i++)
		if ((r = hs__buf_put_cstring(out, lists[i] ? lists[i] : "")) != 0)
			return r;
	if ((r = hs__buf_put_bool(out, 0)) != 0)
		return r;
	return hs__buf_put_u32(out, 0);
}

int hs__kexinit_choose(struct hs_bytes client, const char *server, char *out, size_t outsz)
{
	struct hs_bytes rest = client, name;
	while (hs__namelist_next(&rest, &name)) {
		if (name.len == 0 || name.len >= outsz)
			continue;
		memcpy(out, name.ptr, name.len);
		out[name.len] = '\0';
		if (hs__namelist_has(hs__bytes_of(server), out))
			return 0;
	}
	if (outsz > 0)
		out[0] = '\0';
	return HS_ERR_NO_ALGORITHM;
}

void hs__kexinit_first(struct hs_bytes list, char *out, size_t outsz)
{
	struct hs_bytes rest = list, name = { list.ptr, 0 };
	if (outsz == 0)
		return;
	(void)hs__namelist_next(&rest, &name); /* an empty list gives "" */
	size_t n = name.len < outsz ? name.len : outsz - 1;
	if (n > 0)
		memcpy(out, name.ptr, n);
	out[n] = '\0';
}
