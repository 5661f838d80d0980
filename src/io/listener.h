/*
 * What the listener shows its own tests beyond the public API.
 */
#ifndef HS_IO_LISTENER_H
#define HS_IO_LISTENER_H

#include <stdint.h>

#include "hostsd/server.h"

/* The most finite-field exchanges that ever ran at once on l (never above
 * its max_dh_computations). */
uint32_t hs__listener_dh_peak(const struct hs_listener *l);

/* The first key exchanges of unauthenticated peers from known sources
 * that went to the computation queue with the authenticated peers', and
 * every exchange that went to the queue. */
uint32_t hs__listener_dh_known(const struct hs_listener *l);
uint32_t hs__listener_dh_queued(const struct hs_listener *l);

#endif
