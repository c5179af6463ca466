/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monotonic deadlines, and waits that end at one or at a stop request
 * (deadline.c). The writes bounded by them are in writer.h.
 */
#ifndef MH_DEADLINE_H
#define MH_DEADLINE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "sysroot.h"

#define MH_STOP_POLL_MS	100	/* how soon a wait notices *stop */

struct mh_deadline {
	uint64_t end_ns;	/* CLOCK_MONOTONIC; 0 = none */
};

void mh_deadline_set(struct mh_deadline *d, double seconds);	/* <= 0: none */
bool mh_deadline_passed(const struct mh_deadline *d);
/* Milliseconds left, capped to cap_ms; -1 when there is no deadline. */
long mh_deadline_left_ms(const struct mh_deadline *d, long cap_ms);

/* True when *stop is set (stop may be NULL). */
bool mh_stop_requested(const volatile int *stop);
/* Sleep ms, bounded by the deadline and cut short by *stop. */
void mh_sleep_ms(long ms, const struct mh_deadline *d, const volatile int *stop);

#endif
