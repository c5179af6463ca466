/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run directory: the lock and the journals live there; only root (or,
 * for a test's own MEMHOTCTL_RUNDIR, the user running) may write it.
 * Defined in lock.c.
 */
#ifndef MH_RUNDIR_H
#define MH_RUNDIR_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MH_RUN_DIR	"/run/memhotctl"

/* $MEMHOTCTL_RUNDIR (secure_getenv), else /run/memhotctl; lock and journals. */
const char *mh_run_dir(void);
bool mh_run_dir_from_env(void);
#define mh_lock_dir()		mh_run_dir()
#define mh_journal_dir()	mh_run_dir()

/*
 * Open the run directory, creating it (0755) when missing and create is
 * set, and check it through the descriptor: a directory, not a symlink,
 * owned by root or the effective user, writable by the owner alone.
 * Returns an O_DIRECTORY fd or -errno; a refused directory is -EPERM and
 * the reason is logged as an error.
 */
int mh_run_dir_open(bool create);
/*
 * A file of the run directory, checked through its fd: regular, one link,
 * owned by root or the effective user, read-write for the owner and no
 * bit beyond mode (0600 the lock, 0644 journals). 0, or -EPERM (logged).
 */
int mh_run_file_check(int fd, const char *what, mode_t mode);
/* mkdir -p DIR with mode for the components it creates: 0 or -errno. */
int mh_mkdir_p(const char *dir, mode_t mode);

#endif
