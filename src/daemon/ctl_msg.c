/*
 * hostsd program — the monitor's and workers' control messages (see
 * ctl_msg.h).
 */
#include "daemon/ctl_msg.h"

#include <signal.h>
#include <string.h>

#include <hostsd/error.h>

/* A peer address "ADDR:PORT" or "[ADDR]:PORT": digits, hex, dots, colons
 * and brackets only. */
static int peer_valid(const char *s)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("0123456789abcdefABCDEF.:[]%", *s) == NULL)
			return 0;
	return 1;
}

/* "SHA256:" and base64 without padding. */
static int fp_valid(const char *s)
{
	if (strncmp(s, "SHA256:", 7) != 0)
		return 0;
	for (s += 7; *s != '\0'; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", *s) == NULL)
			return 0;
	return 1;
}

static int reason_valid(const char *s)
{
	return hsd_text_valid(s, strlen(s));
}

static int fields_valid(const struct hsd_ctl_msg *m)
{
	switch (m->type) {
	case HSD_CTL_SPAWN:
		return hsd_subsystem_name_valid(m->subsystem) && hsd_host_id_valid(m->host) && fp_valid(m->key_fp) &&
		       peer_valid(m->peer);
	case HSD_CTL_SIGNAL:
		return m->signo == SIGTERM || m->signo == SIGKILL;
	case HSD_CTL_SPAWNED:
		return m->pid > 0;
	case HSD_CTL_FAILED:
		return reason_valid(m->reason);
	case HSD_CTL_EXITED:
		return m->exit_status >= -1 && m->exit_status <= 255 && m->term_signal < 128;
	default:
		return 0;
	}
}

int hsd_ctl_encode(const struct hsd_ctl_msg *m, struct hs_buf *out)
{
	int r;
	if (!fields_valid(m))
		return HS_ERR_INVALID_ARG;
	if ((r = hs__buf_put_u8(out, m->type)) != 0 || (r = hs__buf_put_u32(out, m->id)) != 0)
		return r;
	switch (m->type) {
	case HSD_CTL_SPAWN:
		if ((r = hs__buf_put_cstring(out, m->subsystem)) != 0 || (r = hs__buf_put_cstring(out, m->host)) != 0 ||
		    (r = hs__buf_put_cstring(out, m->key_fp)) != 0 || (r = hs__buf_put_cstring(out, m->peer)) != 0)
			return r;
		return 0;
	case HSD_CTL_SIGNAL:
		return hs__buf_put_u32(out, m->signo);
	case HSD_CTL_SPAWNED:
		return hs__buf_put_u32(out, (uint32_t)m->pid);
	case HSD_CTL_FAILED:
		return hs__buf_put_cstring(out, m->reason);
	default: /* HSD_CTL_EXITED */
		if ((r = hs__buf_put_u64(out, (uint64_t)m->exit_status)) != 0)
			return r;
		return hs__buf_put_u32(out, m->term_signal);
	}
}

static int get_fields(struct hs_view *v, struct hsd_ctl_msg *m)
{
	uint32_t u32;
	uint64_t u64;
	int r;
	switch (m->type) {
	case HSD_CTL_SPAWN:
		if ((r = hs__view_get_cstring(v, m->subsystem, sizeof m->subsystem)) != 0 ||
		    (r = hs__view_get_cstring(v, m->host, sizeof m->host)) != 0 ||
		    (r = hs__view_get_cstring(v, m->key_fp, sizeof m->key_fp)) != 0 ||
		    (r = hs__view_get_cstring(v, m->peer, sizeof m->peer)) != 0)
			return r;
		return 0;
	case HSD_CTL_SIGNAL:
		return hs__view_get_u32(v, &m->signo);
	case HSD_CTL_SPAWNED:
		if ((r = hs__view_get_u32(v, &u32)) != 0)
			return r;
		if (u32 > INT32_MAX)
			return HS_ERR_FORMAT;
		m->pid = (int32_t)u32;
		return 0;
	case HSD_CTL_FAILED:
		return hs__view_get_cstring(v, m->reason, sizeof m->reason);
	case HSD_CTL_EXITED:
		if ((r = hs__view_get_u64(v, &u64)) != 0 || (r = hs__view_get_u32(v, &m->term_signal)) != 0)
			return r;
		m->exit_status = (int64_t)u64;
		return 0;
	default:
		return HS_ERR_FORMAT;
	}
}

int hsd_ctl_decode(const uint8_t *p, size_t len, struct hsd_ctl_msg *m)
{
	struct hs_view v = hs__view_make(p, len);
	memset(m, 0, sizeof(*m));
	if (len > HSD_CTL_MAX || hs__view_get_u8(&v, &m->type) != 0 || hs__view_get_u32(&v, &m->id) != 0 ||
	    get_fields(&v, m) != 0 || hs__view_end(&v) != 0 || !fields_valid(m)) {
		memset(m, 0, sizeof(*m));
		return HS_ERR_FORMAT;
	}
	return 0;
}
