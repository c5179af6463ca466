// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Monotonic deadlines, and sleeps bounded by them and by a stop flag.
 * The writes bounded by them are in writer.c.
 */
#include <poll.h>
#include <time.h>

#include "deadline.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void mh_deadline_set(struct mh_deadline *d, double seconds)
{
	d->end_ns = seconds > 0 ? now_ns() + (uint64_t)(seconds * 1e9) : 0;
}

bool mh_deadline_passed(const struct mh_deadline *d)
{
	return d && d->end_ns && now_ns() >= d->end_ns;
}

long mh_deadline_left_ms(const struct mh_deadline *d, long cap_ms)
{
	uint64_t now;
	long left;

	if (!d || !d->end_ns)
		return cap_ms >= 0 ? cap_ms : -1;
	now = now_ns();
	if (now >= d->end_ns)
		return 0;
	/* Round up: 0 must mean "passed", not "less than a millisecond". */
	left = (long)((d->end_ns - now + 999999) / 1000000);
	if (cap_ms >= 0 && left > cap_ms)
		left = cap_ms;
	return left;
}

bool mh_stop_requested(const volatile int *stop)
{
	return stop && *stop;
}

void mh_sleep_ms(long ms, const struct mh_deadline *d, const volatile int *stop)
{
	struct mh_deadline until;

	until.end_ns = now_ns() + (uint64_t)ms * 1000000ull;
	while (!mh_stop_requested(stop) && !mh_deadline_passed(d)) {
		long left = mh_deadline_left_ms(&until, MH_STOP_POLL_MS);
		long dl = mh_deadline_left_ms(d, left);

		if (left <= 0 || dl <= 0)
			break;
		poll(NULL, 0, (int)dl);
	}
}
