// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One memhotctl at a time. Two runs offlining and unbinding the same
 * device would each see the other's offlines as a race, so the whole
 * operation holds an flock on <lockdir>/lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "lock.h"
#include "log.h"

#define LOCK_POLL_MS	50

const char *mh_lock_dir(void)
{
	const char *env = getenv("MEMHOTCTL_RUNDIR");

	return env && *env ? env : "/run/lock/memhotctl";
}

const char *mh_journal_dir(void)
{
	const char *env = getenv("MEMHOTCTL_RUNDIR");

	return env && *env ? env : "/run/memhotctl";
}

int mh_mkdir_p(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);
	char *p, c;

	if (!len || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int mh_lock_take(const struct mh_deadline *d)
{
	const char *dir = mh_lock_dir();
	int dfd, fd, err;

	/* Failures are the caller's to say; -v -v tells which step. */
	err = mh_mkdir_p(dir, 0700);
	if (err) {
		mh_dbg("lock: cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	/* The directory itself must not be a symlink either. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err = -errno;
		mh_dbg("lock: cannot open %s: %s", dir, strerror(errno));
		return err;
	}
	fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = -errno;
	close(dfd);
	if (fd < 0) {
		mh_dbg("lock: cannot open %s/lock: %s", dir, strerror(-err));
		return err;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = -errno;
			break;
		}
		if (mh_deadline_passed(d)) {
			err = -ETIMEDOUT;	/* the caller says who holds what */
			break;
		}
		mh_sleep_ms(LOCK_POLL_MS, d, NULL);
	}
	close(fd);
	return err;
}

void mh_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}
