/*
 * Penalties, known sources and random early drop (io/preauth.h).
 *
 * The penalty table is open addressing with linear probing under a keyed
 * hash, and backward-shift deletion (no tombstones), so that a lookup
 * stops at the first empty slot however many sources came and went.
 */
#include "io/preauth.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_MASK (HS_PENALTY_SLOTS - 1u)

void hs__penalties_init(struct hs_penalties *p, uint64_t key)
{
	memset(p, 0, sizeof(*p));
	p->key = key;
}

void hs__penalties_cleanup(struct hs_penalties *p)
{
	free(p->slot);
	p->slot = NULL;
	p->used = 0;
}

size_t hs__penalties_count(const struct hs_penalties *p)
{
	return p->used;
}

static uint32_t home_of(const struct hs_penalties *p, const struct hs_netblock *src)
{
	return (uint32_t)(hs__netblock_hash(src, p->key) & SLOT_MASK);
}

static struct hs_penalty_entry *find(const struct hs_penalties *p, const struct hs_netblock *src)
{
	if (p->slot == NULL)
		return NULL;
	for (uint32_t i = home_of(p, src);; i = (i + 1) & SLOT_MASK) {
		struct hs_penalty_entry *e = &p->slot[i];
		if (!e->used)
			return NULL;
		if (hs__netblock_equal(&e->src, src))
			return e;
	}
}

/* Is home cyclically within (hole, j]? Then the entry at j, which lives
 * there, may not move down to hole. */
static int home_between(uint32_t hole, uint32_t home, uint32_t j)
{
	return hole <= j ? home > hole && home <= j : home > hole || home <= j;
}

static void remove_at(struct hs_penalties *p, uint32_t hole)
{
	for (uint32_t j = (hole + 1) & SLOT_MASK; p->slot[j].used; j = (j + 1) & SLOT_MASK) {
		if (!home_between(hole, p->slot[j].home, j)) {
			p->slot[hole] = p->slot[j];
			hole = j;
		}
	}
	memset(&p->slot[hole], 0, sizeof p->slot[hole]);
	p->used--;
}

/* Room for one more: forgotten sources go, then if need be the one that
 * would be forgotten first. */
static void make_room(struct hs_penalties *p, uint64_t now)
{
	for (uint32_t i = 0; i < HS_PENALTY_SLOTS; i++)
		while (p->slot[i].used && now >= p->slot[i].forget_ms)
			remove_at(p, i); /* an entry may move into i: look again */
	if (p->used < HS_PENALTY_SOURCES)
		return;
	uint32_t soonest = 0;
	int found = 0;
	for (uint32_t i = 0; i < HS_PENALTY_SLOTS; i++)
		if (p->slot[i].used && (!found || p->slot[i].forget_ms < p->slot[soonest].forget_ms)) {
			soonest = i;
			found = 1;
		}
	if (found)
		remove_at(p, soonest);
}

static struct hs_penalty_entry *insert(struct hs_penalties *p, const struct hs_netblock *src, uint64_t now)
{
	if (p->used >= HS_PENALTY_SOURCES)
		make_room(p, now);
	uint32_t home = home_of(p, src), i = home;
	while (p->slot[i].used)
		i = (i + 1) & SLOT_MASK;
	struct hs_penalty_entry *e = &p->slot[i];
	memset(e, 0, sizeof(*e));
	e->used = 1;
	e->src = *src;
	e->home = home;
	e->expiry_ms = e->forget_ms = now;
	p->used++;
	return e;
}

uint64_t hs__penalties_check(struct hs_penalties *p, const struct hs_netblock *src, uint64_t now)
{
	const struct hs_penalty_entry *e = find(p, src);
	if (e == NULL || !e->active || e->expiry_ms <= now)
		return 0;
	return e->expiry_ms - now;
}

int hs__penalties_add(struct hs_penalties *p, const struct hs_netblock *src, uint64_t cost_ms, uint64_t min_ms,
                      uint64_t max_ms, uint64_t now, uint64_t *in_force)
{
	*in_force = 0;
	if (cost_ms == 0)
		return 0;
	if (p->slot == NULL && (p->slot = calloc(HS_PENALTY_SLOTS, sizeof(*p->slot))) == NULL)
		return HS_ERR_ALLOC;
	struct hs_penalty_entry *e = find(p, src);
	if (e != NULL && now >= e->forget_ms) { /* forgotten: a first offence again */
		e->active = 0;
		e->doublings = 0;
		e->expiry_ms = now;
	}
	if (e == NULL)
		e = insert(p, src, now);
	if (e->expiry_ms <= now) { /* nothing outstanding */
		e->expiry_ms = now;
		e->active = 0;
	}
	e->expiry_ms += cost_ms << e->doublings;
	if (e->expiry_ms - now > max_ms)
		e->expiry_ms = now + max_ms;
	e->forget_ms = e->expiry_ms + max_ms;
	if (!e->active && e->expiry_ms - now > min_ms) {
		e->active = 1;
		if (e->doublings < HS_PENALTY_MAX_DOUBLINGS)
			e->doublings++;
		*in_force = e->expiry_ms - now;
	}
	return 0;
}

void hs__known_add(struct hs_known_sources *k, const struct hs_netblock *src, uint64_t now)
{
	size_t oldest = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (hs__netblock_equal(&k->v[i].src, src)) {
			k->v[i].seen_ms = now;
			return;
		}
		if (k->v[i].seen_ms < k->v[oldest].seen_ms)
			oldest = i;
	}
	size_t at = k->n < HS_KNOWN_SOURCES ? k->n++ : oldest;
	k->v[at].src = *src;
	k->v[at].seen_ms = now;
}

int hs__known_has(const struct hs_known_sources *k, const struct hs_netblock *src, uint64_t now)
{
	for (size_t i = 0; i < k->n; i++)
		if (hs__netblock_equal(&k->v[i].src, src))
			return now - k->v[i].seen_ms < HS_KNOWN_SOURCE_MS;
	return 0;
}

int hs__early_drop(uint32_t unauth, uint32_t start, uint32_t rate, uint32_t full, uint32_t r100)
{
	if (unauth < start)
		return 0;
	if (unauth >= full)
		return 1;
	/* start <= unauth < full: from rate at start towards 100 at full */
	uint64_t p = rate + (uint64_t)(100u - rate) * (unauth - start) / (full - start);
	return r100 < p;
}
