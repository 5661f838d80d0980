/*
 * hostsd program — what the listeners refuse before any protocol runs
 * (the engine's listener_event), made into log lines an operator and
 * fail2ban can read without a flood drowning the log:
 *
 *   - refused connections are counted and summed up in at most one line
 *     per interval (HSD_REFUSAL_INTERVAL_MS), written at once when none was
 *     written in the last interval, else when the interval is over:
 *       refused connections: 37 (penalty 30, early drop 7) from 3 sources;
 *       top 127.0.0.3 (30), 10.0.0.0/24 (5), 127.0.0.9 (2)
 *   - a source whose penalty comes into force gets a line of its own,
 *       source penalised source=127.0.0.3 seconds=32 reason="failed authentication"
 *     at most HSD_PENALTY_LINES per interval; the others are counted in
 *     the next summary.
 *
 * Plain data: the caller gives the time and writes the lines (serve
 * arranges a timer for hsd_refusal_log_due()).
 */
#ifndef HSD_REFUSAL_LOG_H
#define HSD_REFUSAL_LOG_H

#include <stddef.h>
#include <stdint.h>

#define HSD_REFUSAL_INTERVAL_MS 10000u
#define HSD_PENALTY_LINES 10u
/* Sources told apart in one summary; beyond, only counted. */
#define HSD_REFUSAL_SOURCES 64u
#define HSD_REFUSAL_TOP 3u
#define HSD_REFUSAL_SOURCE_TEXT 56u

struct hsd_refusal_source {
	char name[HSD_REFUSAL_SOURCE_TEXT];
	unsigned count;
};

struct hsd_refusal_log {
	uint64_t line_ms;   /* when the last summary was written */
	int have_line;      /* one was */
	uint64_t window_ms; /* when the current window of penalty lines began */
	unsigned penalty_lines;
	unsigned penalised_untold; /* penalties beyond HSD_PENALTY_LINES since the last summary */
	unsigned total;
	unsigned by_reason[5]; /* by enum hs_refusal */
	struct hsd_refusal_source src[HSD_REFUSAL_SOURCES];
	size_t nsrc;
	int more_sources; /* refused from sources beyond HSD_REFUSAL_SOURCES */
};

/* Nothing counted, no line written yet. */
void hsd_refusal_log_init(struct hsd_refusal_log *r);

/* A connection from source (as the engine names it) was refused for
 * reason (enum hs_refusal). */
void hsd_refusal_log_refused(struct hsd_refusal_log *r, const char *source, int reason);

/* source's penalty (enum hs_penalty) came into force for seconds at now:
 * 1 with its line in out (without level or newline), or 0 when the lines
 * of this interval are used up (it is counted for the summary). */
int hsd_refusal_log_penalised(struct hsd_refusal_log *r, const char *source, int penalty, unsigned seconds,
                              uint64_t now, char *out, size_t outlen);

/* When the pending summary may be written: now or later; UINT64_MAX when
 * there is nothing to sum up. */
uint64_t hsd_refusal_log_due(const struct hsd_refusal_log *r, uint64_t now);

/* The summary line of everything counted (without level or newline) in
 * out, and a new count from now; 0 when there was nothing to sum up. Call
 * when hsd_refusal_log_due() says so. */
int hsd_refusal_log_summary(struct hsd_refusal_log *r, uint64_t now, char *out, size_t outlen);

#endif
