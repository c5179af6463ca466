// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The udev watch's bookkeeping, with events fed by hand as its monitors
 * would read them. The writer offlines blocks ahead of the executor's
 * checks, so the kernel's event of a block is often read while the wait is
 * for the one before it: it must still count when that block's turn
 * comes (dropped, each later wait ran out its 500 ms on a real kernel).
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "udevwatch.h"
#include "tap.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The wait for block's offline event, bounded by secs: its result and time. */
static int wait_offline(struct mh_udevwatch *w, uint64_t block, double secs, double *el)
{
	struct mh_deadline d;
	double t0 = now();
	int err;

	mh_deadline_set(&d, secs);
	err = mh_udevwatch_wait_offline(w, block, &d);
	*el = now() - t0;
	return err;
}

/* The claim of a run that offlined ids[] (ctx): 34, 35 and 36. */
static bool in_ids(void *ctx, uint64_t id)
{
	const uint64_t *ids = ctx;

	for (size_t i = 0; i < 3; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int main(void)
{
	struct mh_udevwatch *w = mh_udevwatch_new_detached();
	uint64_t ids[] = { 34, 35, 36 }, raced = 0;
	double el;

	if (!w) {
		printf("1..0 # SKIP out of memory\n");
		return 77;
	}
	/* Read together while the wait was for memory34. */
	mh_udevwatch_note(w, false, "offline", 34);
	mh_udevwatch_note(w, false, "offline", 35);
	is_int(wait_offline(w, 34, 2, &el), 0, "the event waited for counts");
	is_int(wait_offline(w, 35, 2, &el), 0, "an event read ahead of its wait counts");
	ok(el < 0.5, "and ends the wait at once (%.3f s)", el);
	is_int(wait_offline(w, 36, 0.1, &el), -ETIMEDOUT, "no event: the bound ends the wait");
	ok(el >= 0.09, "at the bound (%.3f s)", el);
	mh_udevwatch_note(w, true, "offline", 36);
	is_int(wait_offline(w, 36, 0.05, &el), -ETIMEDOUT,
	       "udevd's event is not the kernel's confirmation");

	/* An online event of a block offlined is a racer, reported once. */
	mh_udevwatch_note(w, false, "online", 7);
	is_int(mh_udevwatch_poll_online(w, in_ids, ids, &raced), 0, "online of another block: no race");
	mh_udevwatch_note(w, true, "online", 35);
	is_int(mh_udevwatch_poll_online(w, in_ids, ids, &raced), 1, "online of an offlined block: race");
	is_int(raced, 35, "the racing block is named");
	is_int(mh_udevwatch_poll_online(w, in_ids, ids, &raced), 0, "each online event counts once");
	mh_udevwatch_close(w);
	return tap_done();
}
