// SPDX-License-Identifier: GPL-2.0-or-later
/* One memhotctl at a time: flock, bounded wait, no symlinks followed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lock.h"
#include "tap.h"

static char dir[] = "/tmp/mh-lock-XXXXXX";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	char run[300], p[400], cmd[400];
	struct mh_deadline d;
	struct stat st;
	int fd, fd2, status;
	double t0, el;
	pid_t pid;

	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP no temp dir\n");
		return 77;
	}
	snprintf(run, sizeof(run), "%s/a/b/run", dir);
	setenv("MEMHOTCTL_RUNDIR", run, 1);
	is_str(mh_lock_dir(), run, "MEMHOTCTL_RUNDIR is the lock dir");

	mh_deadline_set(&d, 1);
	fd = mh_lock_take(&d);
	ok(fd >= 0, "first take");
	ok(stat(run, &st) == 0 && (st.st_mode & 0777) == 0700, "dir created 0700");

	/* Another process must wait, and give up at its deadline. */
	pid = fork();
	if (pid == 0) {
		struct mh_deadline cd;
		int r;

		mh_deadline_set(&cd, 0.3);
		t0 = now();
		r = mh_lock_take(&cd);
		el = now() - t0;
		_exit(r == -ETIMEDOUT && el >= 0.29 && el < 1.0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "second process times out at its deadline");

	/* Same process, another open: flock conflicts as well. */
	mh_deadline_set(&d, 0.1);
	fd2 = mh_lock_take(&d);
	is_int(fd2, -ETIMEDOUT, "second open in-process: ETIMEDOUT");

	/* Released while a waiter polls: it gets the lock. */
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		_exit(0);
	}
	mh_lock_release(fd);
	mh_deadline_set(&d, 1);
	fd2 = mh_lock_take(&d);
	ok(fd2 >= 0, "taken after release");
	mh_lock_release(fd2);
	waitpid(pid, NULL, 0);

	/* A symlink planted at the lock path is not followed. */
	snprintf(p, sizeof(p), "%s/lock", run);
	unlink(p);
	if (symlink("/tmp/mh-lock-target-never", p) == 0) {
		mh_deadline_set(&d, 0.2);
		fd2 = mh_lock_take(&d);
		is_int(fd2, -ELOOP, "symlinked lock file refused");
		ok(access("/tmp/mh-lock-target-never", F_OK) != 0, "target not created");
	}

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# cannot remove %s\n", dir);
	return tap_done();
}
