/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libudev adapter, used only on the live system with a running udevd:
 * confirm block state changes through their uevents, notice another agent
 * onlining a block we offlined, and wait for the udev queue to settle.
 */
#ifndef MH_UDEVWATCH_H
#define MH_UDEVWATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "deadline.h"

struct mh_udevwatch;

/* NULL (and 0) when udev does not run or the root is not live. */
int mh_udevwatch_open(struct mh_udevwatch **out);
void mh_udevwatch_close(struct mh_udevwatch *w);
bool mh_udev_running(void);
/* Is block id one of the caller's (one this run offlined)? */
typedef bool (*mh_block_claim_fn)(void *ctx, uint64_t id);
/*
 * Drain pending events. For the first memory block "online" event of a
 * block ours() claims, set *raced_block and return 1; 0 when none. The
 * cost follows the events, not the blocks: it runs before every offline.
 */
int mh_udevwatch_poll_online(struct mh_udevwatch *w, mh_block_claim_fn ours, void *ctx,
			     uint64_t *raced_block);
/*
 * Wait for the kernel's offline event of block (confirmation), bounded by
 * d: 0, or -ETIMEDOUT. An event read earlier, while waiting for another
 * block or draining for the online ones, counts.
 */
int mh_udevwatch_wait_offline(struct mh_udevwatch *w, uint64_t block,
			      const struct mh_deadline *d);
/*
 * Wait until udevd has finished with (its rules and RUN programs have run
 * for, and it has sent out) an offline event of every block in ids[]:
 * 0, -ETIMEDOUT at d, -EINTR at *stop, -ENOTSUP when udevd's events
 * cannot be watched (then there is nothing to wait for).
 */
int mh_udevwatch_wait_offline_done(struct mh_udevwatch *w, const uint64_t *ids,
				   size_t n, const struct mh_deadline *d,
				   const volatile int *stop);
/*
 * For tests: a watch with no monitors, and the events fed by hand as the
 * monitors would (from_udevd: udevd's event after its rules, else the
 * kernel's).
 */
struct mh_udevwatch *mh_udevwatch_new_detached(void);
void mh_udevwatch_note(struct mh_udevwatch *w, bool from_udevd, const char *action,
		       uint64_t id);
/* Bounded wait for the udev queue to empty: 0, or -ETIMEDOUT. */
int mh_udev_settle(const struct mh_deadline *d, long cap_ms);

#endif
