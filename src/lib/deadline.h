/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Monotonic deadlines, and writes that cannot outlive them. */
#ifndef MH_DEADLINE_H
#define MH_DEADLINE_H

#include <stdint.h>
#include <stdbool.h>
#include "sysroot.h"

struct mh_deadline {
	uint64_t end_ns;	/* CLOCK_MONOTONIC; 0 = none */
};

void mh_deadline_set(struct mh_deadline *d, double seconds);	/* <= 0: none */
bool mh_deadline_passed(const struct mh_deadline *d);
/* Milliseconds left, capped to cap_ms; -1 when there is no deadline. */
long mh_deadline_left_ms(const struct mh_deadline *d, long cap_ms);

/*
 * Write str to rel under root, bounded by the deadline. A sysfs write can
 * sit in the device_hotplug_lock trylock/restart_syscall() loop, which only
 * a fatal signal ends, so the write is done by a child process that is
 * SIGKILLed at the deadline (after a SIGALRM-style SIGINT first, which ends
 * an offline_pages() migration loop cleanly with EINTR).
 * Returns 0, -errno of the write, or -ETIMEDOUT when the deadline ended it.
 */
int mh_write_attr_deadline(struct mh_root *root, const char *rel, const char *str,
			   const struct mh_deadline *d);

#endif
