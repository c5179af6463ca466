// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One memhotctl at a time. Two runs offlining and unbinding the same
 * device would each see the other's offlines as a race, so the whole
 * operation holds an flock on <rundir>/lock.
 *
 * The run directory is root's alone: a world-writable place such as
 * /run/lock would let any user hold the lock (root gives up) or rename it
 * (two runs at once). Everything is checked through the opened fd.
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

const char *mh_run_dir(void)
{
	/* Not from the environment of a setuid or otherwise secure exec. */
	const char *env = secure_getenv("MEMHOTCTL_RUNDIR");

	return env && *env ? env : MH_RUN_DIR;
}

bool mh_run_dir_from_env(void)
{
	const char *env = secure_getenv("MEMHOTCTL_RUNDIR");

	return env && *env;
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

/* Root's files, or for an unprivileged run (tests, dry runs) its own. */
static bool trusted_owner(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int mh_run_dir_open(bool create)
{
	const char *dir = mh_run_dir();
	struct stat st;
	int fd, err;

	if (create) {
		/* Readable by all: status and recover --dry-run need no root. */
		err = mh_mkdir_p(dir, 0755);
		if (err)
			return err;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		/* O_NOFOLLOW|O_DIRECTORY on a symlink: ELOOP or ENOTDIR */
		if (err == -ELOOP || (err == -ENOTDIR && lstat(dir, &st) == 0 &&
				      S_ISLNK(st.st_mode))) {
			mh_err("%s is a symlink: refused", dir);
			return -EPERM;
		}
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!trusted_owner(st.st_uid)) {
		mh_err("%s is owned by uid %u, not root: refused", dir, (unsigned)st.st_uid);
		err = -EPERM;
	} else if (st.st_mode & 07022) {
		mh_err("%s has mode %04o, writable by others: refused", dir,
		       (unsigned)st.st_mode & 07777);
		err = -EPERM;
	} else {
		return fd;
	}
	close(fd);
	return err;
}

int mh_run_file_check(int fd, const char *what, mode_t mode)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		mh_err("%s is not a regular file: refused", what);
	else if (st.st_nlink != 1)
		mh_err("%s has %lu links: refused", what, (unsigned long)st.st_nlink);
	else if (!trusted_owner(st.st_uid))
		mh_err("%s is owned by uid %u, not root: refused", what, (unsigned)st.st_uid);
	else if ((st.st_mode & 07777 & ~mode) || (st.st_mode & 0600) != 0600)
		mh_err("%s has mode %04o, not %04o: refused", what,
		       (unsigned)st.st_mode & 07777, (unsigned)mode);
	else
		return 0;
	return -EPERM;
}

/* The path still names the file we hold: 1 yes, 0 no (replaced), -errno. */
static int still_named(int dfd, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		return -errno;
	if (fstatat(dfd, "lock", &b, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_lock(int dfd, char *what)
{
	int fd, err;

	fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	if (fd < 0) {
		err = -errno;
		mh_dbg("lock: cannot open %s: %s", what, strerror(errno));
		return err;
	}
	/* 0600: whoever can open the lock can flock it. */
	err = mh_run_file_check(fd, what, 0600);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int mh_lock_take(const struct mh_deadline *d)
{
	char what[PATH_MAX + 8];
	int dfd, fd, err;

	/* Failures are the caller's to say; -v -v tells which step. */
	dfd = mh_run_dir_open(true);
	if (dfd < 0) {
		mh_dbg("lock: cannot use %s: %s", mh_run_dir(), strerror(-dfd));
		return dfd;
	}
	snprintf(what, sizeof(what), "%s/lock", mh_run_dir());
	fd = open_lock(dfd, what);
	for (err = fd; fd >= 0; ) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			err = still_named(dfd, fd);
			if (err == 1) {
				close(dfd);
				return fd;
			}
			/* Renamed or removed while we waited: the lock is the new file. */
			close(fd);
			fd = err < 0 ? err : open_lock(dfd, what);
			err = fd;
			continue;
		}
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
	if (fd >= 0)
		close(fd);
	close(dfd);
	return err;
}

void mh_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}
