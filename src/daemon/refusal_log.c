/*
 * hostsd program — counting refusals and rate-limiting their log lines
 * (see refusal_log.h).
 */
#include "daemon/refusal_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <hostsd/server.h>

#include "daemon/log.h"

void hsd_refusal_log_init(struct hsd_refusal_log *r)
{
	memset(r, 0, sizeof(*r));
}

static const char *reason_name(int reason)
{
	switch (reason) {
	case HS_REFUSED_PENALTY:
		return "penalty";
	case HS_REFUSED_EARLY_DROP:
		return "early drop";
	case HS_REFUSED_MAX_UNAUTH:
		return "max_unauthenticated";
	case HS_REFUSED_PER_SOURCE:
		return "max_unauthenticated_per_source";
	default:
		return "other";
	}
}

static const char *penalty_name(int penalty)
{
	switch (penalty) {
	case HS_PENALTY_AUTHFAIL:
		return "failed authentication";
	case HS_PENALTY_GRACE:
		return "login grace time exceeded";
	case HS_PENALTY_MALFORMED:
		return "protocol error";
	default:
		return "other";
	}
}

void hsd_refusal_log_refused(struct hsd_refusal_log *r, const char *source, int reason)
{
	char name[HSD_REFUSAL_SOURCE_TEXT];
	/* an address the engine printed; whatever it is, one plain word */
	snprintf(name, sizeof name, "%s", source != NULL ? source : "?");
	for (char *c = name; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
			*c = '?';
	r->total++;
	r->by_reason[reason >= HS_REFUSED_PENALTY && reason <= HS_REFUSED_EARLY_DROP ? reason : 0]++;
	for (size_t i = 0; i < r->nsrc; i++) {
		if (strcmp(r->src[i].name, name) == 0) {
			r->src[i].count++;
			return;
		}
	}
	if (r->nsrc == HSD_REFUSAL_SOURCES) {
		r->more_sources = 1;
		return;
	}
	snprintf(r->src[r->nsrc].name, sizeof r->src[r->nsrc].name, "%s", name);
	r->src[r->nsrc].count = 1;
	r->nsrc++;
}

int hsd_refusal_log_penalised(struct hsd_refusal_log *r, const char *source, int penalty, unsigned seconds,
                              uint64_t now, char *out, size_t outlen)
{
	char name[HSD_REFUSAL_SOURCE_TEXT];
	if (now - r->window_ms >= HSD_REFUSAL_INTERVAL_MS || now < r->window_ms) {
		r->window_ms = now;
		r->penalty_lines = 0;
	}
	if (r->penalty_lines >= HSD_PENALTY_LINES) {
		r->penalised_untold++;
		return 0;
	}
	r->penalty_lines++;
	/* an address the engine printed; whatever it is, one plain word */
	snprintf(name, sizeof name, "%s", source != NULL ? source : "?");
	for (char *c = name; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
			*c = '?';
	snprintf(out, outlen, "source penalised source=%s seconds=%u reason=\"%s\"", name, seconds,
	         penalty_name(penalty));
	return 1;
}

uint64_t hsd_refusal_log_due(const struct hsd_refusal_log *r, uint64_t now)
{
	if (r->total == 0 && r->penalised_untold == 0)
		return UINT64_MAX;
	if (!r->have_line || now >= r->line_ms + HSD_REFUSAL_INTERVAL_MS)
		return now;
	return r->line_ms + HSD_REFUSAL_INTERVAL_MS;
}

static void add(char *out, size_t outlen, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *out, size_t outlen, size_t *len, const char *fmt, ...)
{
	if (*len >= outlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *len, outlen - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < outlen ? *len + (size_t)n : outlen;
}

int hsd_refusal_log_summary(struct hsd_refusal_log *r, uint64_t now, char *out, size_t outlen)
{
	size_t len = 0;
	if (outlen == 0 || (r->total == 0 && r->penalised_untold == 0))
		return 0;
	out[0] = '\0';
	if (r->total > 0) {
		/* the reasons, most frequent first, zero ones left out */
		static const int order[] = { HS_REFUSED_PENALTY, HS_REFUSED_EARLY_DROP, HS_REFUSED_MAX_UNAUTH,
			                     HS_REFUSED_PER_SOURCE, 0 };
		int shown = 0;
		add(out, outlen, &len, "refused connections: %u (", r->total);
		for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
			if (r->by_reason[order[k]] == 0)
				continue;
			add(out, outlen, &len, "%s%s %u", shown++ ? ", " : "", reason_name(order[k]),
			    r->by_reason[order[k]]);
		}
		add(out, outlen, &len, ") from %s%zu source%s; top", r->more_sources ? "more than " : "", r->nsrc,
		    r->nsrc == 1 && !r->more_sources ? "" : "s");
		/* the top sources: a few passes of a selection, the list is short */
		int taken[HSD_REFUSAL_SOURCES] = { 0 };
		for (unsigned t = 0; t < HSD_REFUSAL_TOP && t < r->nsrc; t++) {
			size_t best = 0;
			int found = 0;
			for (size_t i = 0; i < r->nsrc; i++)
				if (!taken[i] && (!found || r->src[i].count > r->src[best].count)) {
					best = i;
					found = 1;
				}
			taken[best] = 1;
			add(out, outlen, &len, "%s %s (%u)", t ? "," : "", r->src[best].name, r->src[best].count);
		}
	}
	if (r->penalised_untold > 0)
		add(out, outlen, &len, "%s%u more sources penalised", r->total > 0 ? "; " : "", r->penalised_untold);
	uint64_t window_ms = r->window_ms;
	unsigned penalty_lines = r->penalty_lines;
	hsd_refusal_log_init(r);
	r->window_ms = window_ms;
	r->penalty_lines = penalty_lines;
	r->have_line = 1;
	r->line_ms = now;
	return 1;
}
