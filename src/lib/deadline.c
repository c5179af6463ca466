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
 * short grace for the restart loop. Within a session the child is kept
 * from one write to the next (a fresh child's write was slow, see below).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "deadline.h"
#include "log.h"

#define STOP_POLL_MS	100	/* how often a wait looks at *stop */
#define REQ_MAX		(PATH_MAX + 256)

/*
 * The writer child of a session (mh_write_session_begin()): forked at the
 * first write, reused for the next ones, killed only when a deadline or
 * stop needs it. Forking a child per write made a 64-block offline
 * several times slower than the same writes from one process.
 */
static struct {
	int depth;		/* nested begin() calls */
	pid_t pid;		/* 0: none running */
	int sock;		/* SOCK_SEQPACKET to it: requests, then reports */
	const struct mh_root *root;	/* the root it opens under */
	int rootfd;
	bool pinned;		/* saved holds the affinity to restore */
	cpu_set_t saved;
} sess = { .sock = -1 };

/* One request: the header, then rel and str, each NUL-terminated. */
struct req_hdr {
	int restarts;
	unsigned rel_len, str_len;
};

static struct mh_write_hook hook;
static bool last_stuck;	/* see mh_write_last_was_stuck() */
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

bool mh_write_last_was_stuck(void)
{
	return last_stuck;
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

/* In a child: SIGINT only interrupts (restarts when asked), nothing blocked. */
static void child_signals(bool restarts)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_sigint;
	sa.sa_flags = restarts ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

static pid_t writer_parent;	/* set before each fork, for the child's check */

static void child_setup(void)
{
	sigset_t none;

	/*
	 * Die with the parent: a writer left in an endless offline after
	 * memhotctl was SIGKILLed would keep the block going-offline and hold
	 * device_hotplug_lock. SIGKILL also ends the restart loop.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != writer_parent)
		_exit(1);	/* the parent died before prctl */

	/* Our own group: a terminal's ^C reaches the parent, which decides. */
	setpgid(0, 0);
	child_signals(tun.child_restarts);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The write itself, in the child: 0 or its errno. */
static int child_do_write(struct mh_root *root, const char *rel, const char *str,
			  bool restarts)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, err = 0;

	do {
		fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC | O_NOCTTY);
	} while (fd == -EINTR && restarts);
	if (fd < 0)
		return -fd;
	/* sysfs takes the value in one write; a short write is an error. */
	n = write(fd, str, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	return err;
}

static void close_all_but(int a, int b);

/* A guard's check refused the write: reported as GUARD_REFUSED + errno. */
#define GUARD_REFUSED	0x10000

static int refused(int err)
{
	return GUARD_REFUSED + (err < 0 ? -err : err);
}

/*
 * In the child: everything opened first (the target, and what prepare()
 * opens), then the fence, the check and the write, so that the last two
 * are a few syscalls apart.
 */
static int guarded_write(struct mh_root *root, const char *rel, const char *str,
			 const struct mh_write_guard *g)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, err = 0;

	fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC | O_NOCTTY);
	if (fd < 0)
		return -fd;
	if (g->prepare)
		err = g->prepare(g->ctx);
	if (err) {
		close(fd);
		return refused(err);
	}
	if (g->fence_rel)
		child_do_write(root, g->fence_rel, g->fence_val, tun.child_restarts);
	if (g->check)
		err = g->check(g->ctx);
	if (err) {
		close(fd);
		return refused(err);
	}
	n = write(fd, str, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	return err;
}

/*
 * The child: one write (after the guard's fence and check, when given),
 * its errno reported through the pipe. Never returns.
 */
static void __attribute__((noreturn))
child_write(struct mh_root *root, const char *rel, const char *str,
	    const struct mh_write_guard *g, int wfd)
{
	ssize_t n;
	int err = 0;

	close_all_but(wfd, mh_root_fd(root));	/* the lock fd among them */
	child_setup();
	if (g)
		err = guarded_write(root, rel, str, g);
	else
		err = child_do_write(root, rel, str, tun.child_restarts);
	n = write(wfd, &err, sizeof(err));
	_exit(n == sizeof(err) ? 0 : 1);
}

/* Close every fd but 0-2 and the two kept: no lock outlives the parent in us. */
static void close_all_but(int a, int b)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a }, from = 3;

	for (int i = 0; i < 2; i++) {
		if (keep[i] > from)
			syscall(SYS_close_range, (unsigned)from, (unsigned)keep[i] - 1, 0);
		if (keep[i] >= from)
			from = keep[i] + 1;
	}
	syscall(SYS_close_range, (unsigned)from, ~0U, 0);
}

/* The session child: one write per request, until the socket closes. */
static void __attribute__((noreturn))
session_child(struct mh_root *root, int sock)
{
	char buf[sizeof(struct req_hdr) + REQ_MAX];
	struct req_hdr h;
	bool restarts;
	ssize_t n;
	int err;

	close_all_but(sock, mh_root_fd(root));
	child_setup();
	restarts = tun.child_restarts;
	for (;;) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;	/* a late SIGINT: nothing to stop */
		if (n < (ssize_t)sizeof(h))
			_exit(0);	/* the parent is done (or gone) */
		memcpy(&h, buf, sizeof(h));
		if ((size_t)n != sizeof(h) + h.rel_len + h.str_len + 2) {
			err = EINVAL;
		} else {
			if (restarts != !!h.restarts) {
				restarts = h.restarts;
				child_signals(restarts);
			}
			err = child_do_write(root, buf + sizeof(h),
					     buf + sizeof(h) + h.rel_len + 1, restarts);
		}
		if (send(sock, &err, sizeof(err), MSG_NOSIGNAL) != sizeof(err))
			_exit(1);
	}
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

/*
 * Wait for the report on fd, bounded by the deadline and *stop; at either,
 * SIGINT then (after the grace) SIGKILL the child. *killed says it is gone.
 */
static int await_child(int fd, pid_t pid, const char *rel, const struct mh_deadline *d,
		       const volatile int *stop, bool *killed)
{
	bool ended = false;
	int err = 0;

	*killed = false;
	for (;;) {
		long ms = mh_deadline_left_ms(d, STOP_POLL_MS);

		if (mh_stop_requested(stop) || (d && d->end_ns && ms == 0)) {
			ended = true;
			break;
		}
		if (wait_report(fd, ms, &err))
			break;
	}
	if (ended) {
		mh_dbg("write %s: %s, sending SIGINT", rel,
		       mh_stop_requested(stop) ? "stopped" : "deadline");
		kill(pid, SIGINT);
		if (!wait_report(fd, tun.grace_ms, &err)) {
			mh_dbg("write %s: still blocked, sending SIGKILL", rel);
			kill(pid, SIGKILL);
			*killed = true;
			last_stuck = true;
			err = EINTR;
		}
		/*
		 * A write that completed anyway counts as done; one that the
		 * signal ended is reported as the deadline (or stop) ending it.
		 */
		if (err == EINTR)
			err = mh_stop_requested(stop) ? EINTR : ETIMEDOUT;
	}
	return err;
}

/*
 * Fork a writer over the pair fds: the child keeps fds[1], we keep fds[0].
 * Returns the pid (0 in the child), or -errno with both fds closed.
 */
static pid_t fork_writer(int fds[2])
{
	pid_t pid;
	int err;

	writer_parent = getpid();
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	close(fds[pid == 0 ? 0 : 1]);
	return pid;
}

static int write_in_child(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_write_guard *g, const struct mh_deadline *d,
			  const volatile int *stop)
{
	int pfd[2], err = 0;
	bool killed;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork_writer(pfd);
	if (pid < 0)
		return pid;
	if (pid == 0)
		child_write(root, rel, str, g, pfd[1]);
	err = await_child(pfd[0], pid, rel, d, stop, &killed);
	close(pfd[0]);
	reap(pid);
	return -err;
}

static void session_stop_child(void)
{
	if (!sess.pid)
		return;
	/* Idle in recv(): the closed socket ends it at once. */
	close(sess.sock);
	reap(sess.pid);
	sess.sock = -1;
	sess.pid = 0;
	sess.root = NULL;
}

static int session_start_child(struct mh_root *root)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork_writer(sv);
	if (pid < 0)
		return (int)pid;
	if (pid == 0)
		session_child(root, sv[1]);
	sess.pid = pid;
	sess.sock = sv[0];
	sess.root = root;
	sess.rootfd = mh_root_fd(root);
	return 0;
}

/* The write through the session child; 1: none to be had, do it the one-off way. */
static int write_in_session(struct mh_root *root, const char *rel, const char *str,
			    const struct mh_deadline *d, const volatile int *stop)
{
	char buf[sizeof(struct req_hdr) + REQ_MAX];
	struct req_hdr h = {
		.restarts = tun.child_restarts,
		.rel_len = (unsigned)strlen(rel),
		.str_len = (unsigned)strlen(str),
	};
	size_t len = sizeof(h) + h.rel_len + h.str_len + 2;
	bool killed;
	int err;

	if (len > sizeof(buf))
		return 1;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), rel, h.rel_len + 1);
	memcpy(buf + sizeof(h) + h.rel_len + 1, str, h.str_len + 1);
	if (sess.pid && (sess.root != root || sess.rootfd != mh_root_fd(root)))
		session_stop_child();
	if (!sess.pid && session_start_child(root) < 0)
		return 1;
	if (send(sess.sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		/* Died since the last write (killed from outside): one new one. */
		session_stop_child();
		if (session_start_child(root) < 0 ||
		    send(sess.sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
			session_stop_child();
			return 1;
		}
	}
	err = await_child(sess.sock, sess.pid, rel, d, stop, &killed);
	if (killed) {
		reap(sess.pid);
		close(sess.sock);
		sess.sock = -1;
		sess.pid = 0;
		sess.root = NULL;
	} else if (err == EINTR && !mh_stop_requested(stop)) {
		/* EOF: it died without a report; the next write forks anew. */
		session_stop_child();
	}
	return -err;
}

/*
 * The session keeps us and the child (which inherits it) on the CPU we
 * are on: each write is a hand-off there and back, and a wake-up on the
 * other CPU took as long as the write itself in a QEMU guest.
 */
void mh_write_session_begin(void)
{
	cpu_set_t one;
	int cpu;

	if (sess.depth++)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || sched_getaffinity(0, sizeof(sess.saved), &sess.saved))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sess.pinned = !sched_setaffinity(0, sizeof(one), &one);
}

void mh_write_session_end(void)
{
	if (sess.depth <= 0 || --sess.depth)
		return;
	session_stop_child();
	if (sess.pinned)
		sched_setaffinity(0, sizeof(sess.saved), &sess.saved);
	sess.pinned = false;
}

/*
 * Both public writers: the stop, deadline and test-hook handling around a
 * write done in the session child, or with a guard (g) in a child of its
 * own, which holds this moment's copy of g->ctx.
 */
static int write_attr(struct mh_root *root, const char *rel, const char *str,
		      const struct mh_write_guard *g, bool *refused,
		      const struct mh_deadline *d, const volatile int *stop)
{
	int err = 0;

	/* Not started at all: the hook sees only writes that were tried. */
	if (mh_stop_requested(stop))
		return -EINTR;
	if (mh_deadline_passed(d))
		return -ETIMEDOUT;
	last_stuck = false;
	if (hook.pre)
		err = hook.pre(hook.ctx, rel, str);
	if (!err) {
		err = !g && sess.depth ? write_in_session(root, rel, str, d, stop) : 1;
		if (err == 1)
			err = write_in_child(root, rel, str, g, d, stop);
		if (g && -err >= GUARD_REFUSED) {
			*refused = true;
			err = -(-err - GUARD_REFUSED);
		}
	}
	if (hook.post)
		hook.post(hook.ctx, rel, str, err);
	if (err)
		mh_dbg("write \"%s\" to %s%s: %s", str, rel,
		       refused && *refused ? " (refused by its guard)" : "",
		       strerror(-err));
	return err;
}

int mh_write_attr_bounded(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_deadline *d, const volatile int *stop)
{
	return write_attr(root, rel, str, NULL, NULL, d, stop);
}

int mh_write_attr_guarded(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_write_guard *g, bool *refused,
			  const struct mh_deadline *d, const volatile int *stop)
{
	*refused = false;
	return write_attr(root, rel, str, g, refused, d, stop);
}

int mh_write_attr_deadline(struct mh_root *root, const char *rel, const char *str,
			   const struct mh_deadline *d)
{
	return mh_write_attr_bounded(root, rel, str, d, NULL);
}
