/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One memhotctl at a time: flock on a file under the run directory. */
#ifndef MH_LOCK_H
#define MH_LOCK_H

#include <sys/types.h>
#include "deadline.h"

/* $MEMHOTCTL_RUNDIR, else /run/lock/memhotctl (journal: /run/memhotctl). */
const char *mh_lock_dir(void);
const char *mh_journal_dir(void);
/*
 * Take the lock, waiting until the deadline. Opened O_NOFOLLOW|O_CLOEXEC.
 * Returns an fd >= 0, or -errno (-ETIMEDOUT when another holds it).
 */
int mh_lock_take(const struct mh_deadline *d);
void mh_lock_release(int fd);
/* mkdir -p DIR with mode for the components it creates: 0 or -errno. */
int mh_mkdir_p(const char *dir, mode_t mode);

#endif
