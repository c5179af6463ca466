/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One memhotctl at a time: flock on <rundir>/lock (rundir.h). */
#ifndef MH_LOCK_H
#define MH_LOCK_H

#include <stdbool.h>
#include "deadline.h"
#include "rundir.h"

/*
 * Take the lock, waiting until the deadline. Opened O_NOFOLLOW|O_NONBLOCK,
 * checked with mh_run_file_check(), and once held, checked to be still the
 * file the path names (a renamed lock would let another run in).
 * Returns an fd >= 0, or -errno (-ETIMEDOUT when another holds it).
 */
int mh_lock_take(const struct mh_deadline *d);
void mh_lock_release(int fd);

#endif
