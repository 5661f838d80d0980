/*
 * A listener's memory of sources (io/netblock.h) before authentication:
 *
 *   - penalties (OpenSSH 9.8's PerSourcePenalties): each offence of a
 *     source adds its cost to the source's outstanding penalty, which runs
 *     out in real time; once more than a minimum is outstanding the penalty
 *     is in force and the source is refused until it has run out. It never
 *     exceeds a maximum. Each time a source's penalty comes into force, the
 *     cost of its later offences doubles (at most HS_PENALTY_MAX_DOUBLINGS
 *     times), until the source is forgotten: a maximum after its penalty
 *     ran out. A fixed-size table (HS_PENALTY_SOURCES): when it is full,
 *     forgotten sources go first, then the one closest to being forgotten;
 *   - known sources: those that authenticated lately (HS_KNOWN_SOURCES,
 *     each for HS_KNOWN_SOURCE_MS; when full, the one seen longest ago
 *     makes room);
 *   - random early drop (OpenSSH's MaxStartups START:RATE:FULL).
 *
 * Times are the loop's milliseconds, given by the caller: everything here
 * is plain data, tested without a network.
 */
#ifndef HS_IO_PREAUTH_H
#define HS_IO_PREAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "io/netblock.h"

struct hs_penalty_entry {
	struct hs_netblock src;
	uint8_t used;
	uint8_t active;    /* in force until expiry_ms */
	uint8_t doublings; /* each offence costs its cost << doublings */
	uint32_t home;     /* the slot its hash points to */
	uint64_t expiry_ms;
	uint64_t forget_ms;
};

struct hs_penalties {
	struct hs_penalty_entry *slot; /* HS_PENALTY_SLOTS; NULL until the first offence */
	size_t used;
	uint64_t key; /* of the hash */
};

/* An empty table whose hash uses key (a random number). */
void hs__penalties_init(struct hs_penalties *p, uint64_t key);
void hs__penalties_cleanup(struct hs_penalties *p);

/* Is src refused at now? The milliseconds its penalty has left, or 0. */
uint64_t hs__penalties_check(struct hs_penalties *p, const struct hs_netblock *src, uint64_t now);

/* An offence of src at now costing cost_ms, with penalties in force above
 * min_ms and at most max_ms (min_ms < max_ms). *in_force is set to the
 * length of the penalty when this offence put it in force, else 0.
 * HS_ERR_ALLOC when the table cannot be made (nothing is recorded). */
int hs__penalties_add(struct hs_penalties *p, const struct hs_netblock *src, uint64_t cost_ms, uint64_t min_ms,
                      uint64_t max_ms, uint64_t now, uint64_t *in_force) HS_MUST_CHECK;

/* Sources in the table (forgotten ones included until they make room). */
size_t hs__penalties_count(const struct hs_penalties *p);

struct hs_known_source {
	struct hs_netblock src;
	uint64_t seen_ms;
};

struct hs_known_sources {
	struct hs_known_source v[HS_KNOWN_SOURCES];
	size_t n;
};

/* src authenticated at now. */
void hs__known_add(struct hs_known_sources *k, const struct hs_netblock *src, uint64_t now);
/* Did src authenticate within HS_KNOWN_SOURCE_MS before now? */
int hs__known_has(const struct hs_known_sources *k, const struct hs_netblock *src, uint64_t now);

/* Random early drop: with unauth connections logging in, is a new one
 * refused? Never below start, always from full on, in between with
 * probability rate percent at start rising linearly to 100 at full; r100
 * is a uniformly random number in 0..99. */
int hs__early_drop(uint32_t unauth, uint32_t start, uint32_t rate, uint32_t full, uint32_t r100);

#endif
