// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Monotonic deadlines, and sysfs writes bounded by them.
 *
 * A write to memoryN/state or a driver's bind/unbind can block without
 * end: offline_pages() retries migration until a signal is pending, and
 * lock_device_hotplug_sysfs() restarts the syscall for as long as another
 * holds device_hotplug_lock, which only a fatal signal ends. So the write
 * runs in a child: at the deadline it gets SIGINT (the migration loop then
 * ends cleanly with EINTR and the block stays online), and SIGKILL after a
 * short grace for the restart loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "deadline.h"
#include "log.h"

#define STOP_POLL_MS	100	/* how often a wait looks at *stop */

static struct mh_write_hook hook;
static struct mh_write_tunables tun = { .grace_ms = 200 };

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
		long left = mh_deadline_left_ms(&until, STOP_POLL_MS);
		long dl = mh_deadline_left_ms(d, left);

		if (left <= 0 || dl <= 0)
			break;
		poll(NULL, 0, (int)dl);
	}
}

void mh_write_set_hook(const struct mh_write_hook *h)
{
	if (h)
		hook = *h;
	else
		memset(&hook, 0, sizeof(hook));
}

void mh_write_tune(const struct mh_write_tunables *t)
{
	tun = t ? *t : (struct mh_write_tunables){ .grace_ms = 200 };
}

static void child_on_sigint(int sig)
{
	(void)sig;	/* only there so that the write returns EINTR */
}

/* The child: one write, its errno reported through the pipe. Never returns. */
static void __attribute__((noreturn))
child_write(struct mh_root *root, const char *rel, const char *str, int wfd)
{
	struct sigaction sa;
	sigset_t none;
	size_t len = strlen(str);
	ssize_t n;
	int fd, err = 0;

	/* Our own group: a terminal's ^C reaches the parent, which decides. */
	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_sigint;
	sa.sa_flags = tun.child_restarts ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	do {
		fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC | O_NOCTTY);
	} while (fd == -EINTR && tun.child_restarts);
	if (fd < 0) {
		err = -fd;
	} else {
		/* sysfs takes the value in one write; a short write is an error. */
		n = write(fd, str, len);
		if (n < 0)
			err = errno;
		else if ((size_t)n != len)
			err = EIO;
		if (close(fd) < 0 && !err && errno != EINTR)
			err = errno;
	}
	n = write(wfd, &err, sizeof(err));
	_exit(n == sizeof(err) ? 0 : 1);
}

/* Wait up to ms (-1: forever) for the child's report; 1 got it, 0 not yet. */
static int wait_report(int rfd, long ms, int *err)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	ssize_t n;
	int rc;

	rc = poll(&p, 1, ms < 0 ? -1 : (int)ms);
	if (rc <= 0)
		return 0;
	n = read(rfd, err, sizeof(*err));
	if (n == sizeof(*err))
		return 1;
	/* EOF without a report: the child died before writing one. */
	*err = n == 0 ? EINTR : EIO;
	return 1;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int write_in_child(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_deadline *d, const volatile int *stop)
{
	int pfd[2], err = 0;
	bool ended = false;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_write(root, rel, str, pfd[1]);
	}
	close(pfd[1]);

	for (;;) {
		long ms = mh_deadline_left_ms(d, STOP_POLL_MS);

		if (mh_stop_requested(stop) || (d && d->end_ns && ms == 0)) {
			ended = true;
			break;
		}
		if (wait_report(pfd[0], ms, &err))
			break;
	}
	if (ended) {
		mh_dbg("write %s: %s, sending SIGINT", rel,
		       mh_stop_requested(stop) ? "stopped" : "deadline");
		kill(pid, SIGINT);
		if (!wait_report(pfd[0], tun.grace_ms, &err)) {
			mh_dbg("write %s: still blocked, sending SIGKILL", rel);
			kill(pid, SIGKILL);
			err = EINTR;
		}
		/*
		 * A write that completed anyway counts as done; one that the
		 * signal ended is reported as the deadline (or stop) ending it.
		 */
		if (err == EINTR)
			err = mh_stop_requested(stop) ? EINTR : ETIMEDOUT;
	}
	close(pfd[0]);
	reap(pid);
	return -err;
}

int mh_write_attr_bounded(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_deadline *d, const volatile int *stop)
{
	int err = 0;

	/* Not started at all: the hook sees only writes that were tried. */
	if (mh_stop_requested(stop))
		return -EINTR;
	if (mh_deadline_passed(d))
		return -ETIMEDOUT;
	if (hook.pre)
		err = hook.pre(hook.ctx, rel, str);
	if (!err)
		err = write_in_child(root, rel, str, d, stop);
	if (hook.post)
		hook.post(hook.ctx, rel, str, err);
	if (err)
		mh_dbg("write \"%s\" to %s: %s", str, rel, strerror(-err));
	return err;
}

int mh_write_attr_deadline(struct mh_root *root, const char *rel, const char *str,
			   const struct mh_deadline *d)
{
	return mh_write_attr_bounded(root, rel, str, d, NULL);
}
