// SPDX-License-Identifier: GPL-2.0-or-later
/* One memhotctl at a time: flock, bounded wait, no symlinks followed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
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

/* A refused run directory or lock file: -EPERM at once, no wait, no hang. */
static void refused(const char *what)
{
	struct mh_deadline d;
	double t0 = now();
	int fd;

	mh_deadline_set(&d, 2);
	fd = mh_lock_take(&d);
	is_int(fd, -EPERM, what);
	if (fd >= 0)
		mh_lock_release(fd);
	ok(now() - t0 < 1.0, "%s: at once", what);
}

static void refusals(const char *run)
{
	char p[400], q[400], real[400];
	struct mh_deadline d;
	int fd;

	snprintf(p, sizeof(p), "%s/lock", run);
	/* The lock file: mode, links, type. */
	unlink(p);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	chmod(p, 0644);		/* readable: anyone could flock it */
	refused("lock file 0644 refused");
	unlink(p);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(q, sizeof(q), "%s/lock.link", run);
	if (link(p, q) == 0) {
		refused("lock file with two links refused");
		unlink(q);
	}
	unlink(p);
	if (mkfifo(p, 0600) == 0) {
		refused("lock FIFO refused");
		unlink(p);
	}
	/* The directory: writable by others, a symlink, another user's. */
	chmod(run, 0777);
	refused("run dir 0777 refused");
	chmod(run, 0775);
	refused("run dir 0775 refused");
	chmod(run, 0700);
	mh_deadline_set(&d, 1);
	fd = mh_lock_take(&d);
	ok(fd >= 0, "run dir 0700 accepted");
	mh_lock_release(fd);
	snprintf(real, sizeof(real), "%s.real", run);
	if (rename(run, real) == 0 && symlink(real, run) == 0) {
		refused("symlinked run dir refused");
		unlink(run);
		rename(real, run);
	}
	if (geteuid() == 0 && chown(run, 65534, 65534) == 0) {
		refused("run dir of another user refused");
		if (chown(run, 0, 0))
			printf("# chown back failed\n");
	} else {
		printf("ok %d # SKIP not root: cannot give the dir away\n", ++tap_n);
	}
}

/*
 * The lock renamed away while a run waits on it: when the holder lets go,
 * the waiter must not run on the old file while another run holds the
 * new one. A holds the lock 0.5 s; it is renamed at 0.1 s; C then takes
 * the new file for 1.5 s; B, waiting since 0, may only get it after C.
 */
static void renamed(const char *run)
{
	char p[400], q[400];
	struct mh_deadline d;
	int pa[2], status, fd;
	pid_t a, b;
	double t0 = now();
	char c;

	snprintf(p, sizeof(p), "%s/lock", run);
	snprintf(q, sizeof(q), "%s/lock.old", run);
	unlink(p);	/* the symlink of the test before */
	if (pipe(pa))
		return;
	a = fork();
	if (a == 0) {
		mh_deadline_set(&d, 1);
		fd = mh_lock_take(&d);
		if (write(pa[1], "x", 1) != 1)
			_exit(2);
		usleep(500000);
		_exit(fd >= 0 ? 0 : 1);
	}
	if (read(pa[0], &c, 1) != 1)
		printf("# holder did not start\n");
	b = fork();
	if (b == 0) {
		mh_deadline_set(&d, 5);
		fd = mh_lock_take(&d);
		/* C holds the new file until about 1.6 s. */
		printf("# waiter: fd %d after %.2f s\n", fd, now() - t0);
		fflush(stdout);
		_exit(fd >= 0 && now() - t0 >= 1.4 ? 0 : 1);
	}
	usleep(100000);
	ok(rename(p, q) == 0, "lock renamed while held");
	mh_deadline_set(&d, 1);
	fd = mh_lock_take(&d);
	ok(fd >= 0, "a new lock file is taken");
	usleep(1500000);
	mh_lock_release(fd);
	waitpid(a, &status, 0);
	waitpid(b, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the waiter on the renamed file waits for the new holder");
	unlink(q);
	close(pa[0]);
	close(pa[1]);
}

/* MEMHOTCTL_RUNDIR moves both; the default is /run/memhotctl. */
static void dirs(void)
{
	unsetenv("MEMHOTCTL_RUNDIR");
	is_str(mh_run_dir(), "/run/memhotctl", "default run dir /run/memhotctl");
	is_str(mh_lock_dir(), mh_journal_dir(), "lock and journals in one dir");
	setenv("MEMHOTCTL_RUNDIR", "", 1);
	is_str(mh_run_dir(), "/run/memhotctl", "empty MEMHOTCTL_RUNDIR: default");
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
	dirs();
	snprintf(run, sizeof(run), "%s/a/b/run", dir);
	setenv("MEMHOTCTL_RUNDIR", run, 1);
	is_str(mh_lock_dir(), run, "MEMHOTCTL_RUNDIR is the lock dir");

	mh_deadline_set(&d, 1);
	fd = mh_lock_take(&d);
	ok(fd >= 0, "first take");
	ok(stat(run, &st) == 0 && (st.st_mode & 0777) == 0755, "dir created 0755");
	snprintf(p, sizeof(p), "%s/lock", run);
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600 && S_ISREG(st.st_mode),
	   "lock file 0600");

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

	renamed(run);
	refusals(run);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# cannot remove %s\n", dir);
	return tap_done();
}
