// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sysfs writes bounded by a deadline and a stop flag.
 *
 * A write to memoryN/state or a driver's bind/unbind can block without
 * end: offline_pages() retries migration until a signal is pending, and
 * lock_device_hotplug_sysfs() restarts the syscall for as long as another
 * holds device_hotplug_lock, which only a fatal signal ends. So the write
 * runs in a child (writer-child.c): at the deadline it gets SIGINT (the
 * migration loop then ends cleanly with EINTR and the block stays
 * online), and SIGKILL after a short grace for the restart loop. Within a
 * session the child is kept from one write to the next (a fresh child's
 * write was slow, see below), and can take a batch of writes at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "writer-int.h"
#include "log.h"

#define END_WAIT_MS	1000	/* for the end of a batch, sent with no write to make */
#define BATCH_NAP_MS	8	/* a batch's report not there yet: let a few more come */

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

/*
 * The batch out with the session child (mh_write_batch_begin()): its
 * rels, for next() to check against, and how far its reports are read.
 */
static struct {
	bool active;		/* begun, and its end not read yet */
	unsigned n, next;	/* writes in it; the next report to read */
	unsigned off[BATCH_MAX];	/* each rel's offset in rels */
	char rels[BATCH_BUF];
} batch;

static struct mh_write_hook hook;
static bool last_stuck;	/* see mh_write_last_was_stuck() */
static char left_running[PATH_MAX + 128];	/* see mh_write_left_running() */
static char doing[PATH_MAX + 64];	/* what the session child was last asked */
struct mh_write_tunables mh_writer_tun = { .grace_ms = 200 };
pid_t mh_writer_parent;	/* set before each fork, for the child's check */

bool mh_write_last_was_stuck(void)
{
	return last_stuck;
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
	mh_writer_tun = t ? *t : (struct mh_write_tunables){ .grace_ms = 200 };
}

/* Wait up to ms (-1: forever) for the child's report; 1 got it, 0 not yet. */
static int wait_report(int rfd, long ms, struct report *rep)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	ssize_t n;
	int rc;

	rc = poll(&p, 1, ms < 0 ? -1 : (int)ms);
	if (rc <= 0)
		return 0;
	n = read(rfd, rep, sizeof(*rep));
	if (n == sizeof(*rep))
		return 1;
	/* EOF without a report: the child died before writing one. */
	rep->err = n == 0 ? EINTR : EIO;
	rep->index = REPORT_GONE;
	return 1;
}

const char *mh_write_left_running(void)
{
	return left_running;
}

/*
 * Reap the child. One that was sent its SIGKILL may sit in an
 * uninterruptible write (the kmem unbind) for as long as the kernel takes:
 * wait for it at most the reap bound, then leave it (and say so, by pid and
 * what it was writing) rather than keep the lock and the caller past the
 * deadline. It holds no fd of ours but its own (close_all_but()), and init
 * reaps it once we are gone.
 */
static void reap(pid_t pid, bool killed, const char *what)
{
	long ms = mh_writer_tun.reap_ms > 0 ? mh_writer_tun.reap_ms : MH_WRITER_REAP_MS;
	pid_t r;

	if (!killed) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return;
	}
	for (;;) {
		r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return;
		if (ms <= 0)
			break;
		usleep(10000);
		ms -= 10;
	}
	snprintf(left_running, sizeof(left_running),
		 "writer process %d (writing %s) still running after SIGKILL", (int)pid, what);
	mh_err("%s; it ends when the kernel returns from that write", left_running);
}

static int kill_sig(void)
{
	return mh_writer_tun.kill_sig ? mh_writer_tun.kill_sig : SIGKILL;
}

/*
 * Wait for the next report on fd, bounded by the deadline and *stop; at
 * either, SIGINT then (after the grace) SIGKILL the child. *killed says it
 * is gone. Returns the report's errno, with EINTR turned into what ended
 * the wait; *rep (may be NULL) gets the report.
 */
static int await_child(int fd, pid_t pid, const char *rel, const struct mh_deadline *d,
		       const volatile int *stop, bool *killed, struct report *rep)
{
	struct report own;
	bool ended = false;
	int err;

	if (!rep)
		rep = &own;
	*killed = false;
	for (;;) {
		long ms = mh_deadline_left_ms(d, MH_STOP_POLL_MS);

		if (mh_stop_requested(stop) || (d && d->end_ns && ms == 0)) {
			ended = true;
			break;
		}
		if (wait_report(fd, ms, rep))
			break;
	}
	err = rep->err;
	if (ended) {
		mh_dbg("write %s: %s, sending SIGINT", rel,
		       mh_stop_requested(stop) ? "stopped" : "deadline");
		kill(pid, SIGINT);
		if (wait_report(fd, mh_writer_tun.grace_ms, rep)) {
			err = rep->err;
		} else {
			mh_dbg("write %s: still blocked, sending SIGKILL", rel);
			kill(pid, kill_sig());
			*killed = true;
			last_stuck = true;
			rep->err = err = EINTR;
			rep->index = REPORT_GONE;
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

	mh_writer_parent = getpid();
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
		mh_writer_child_one(root, rel, str, g, pfd[1]);
	err = await_child(pfd[0], pid, rel, d, stop, &killed, NULL);
	close(pfd[0]);
	snprintf(doing, sizeof(doing), "\"%s\" to %s", str, rel);
	reap(pid, killed, doing);
	return -err;
}

static void session_stop_child(bool killed)
{
	if (!sess.pid)
		return;
	/* Idle in recv(), the closed socket ends it at once; killed, it is reaped. */
	close(sess.sock);
	reap(sess.pid, killed, doing);
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
		mh_writer_child_session(root, sv[1]);
	sess.pid = pid;
	sess.sock = sv[0];
	sess.root = root;
	sess.rootfd = mh_root_fd(root);
	return 0;
}

/*
 * Build a request in buf: str, then the count rels. Returns its length,
 * 0 when it does not fit.
 */
static size_t build_req(char *buf, size_t size, enum req_kind kind, const char *str,
			const char *const *rels, unsigned count)
{
	struct req_hdr h = {
		.restarts = mh_writer_tun.child_restarts, .kind = kind, .count = count,
	};
	size_t len = sizeof(h), l;

	for (unsigned i = 0; i <= count && kind != REQ_CANCEL; i++) {
		const char *part = i ? rels[i - 1] : str;

		l = strlen(part) + 1;
		if (len + l > size)
			return 0;
		memcpy(buf + len, part, l);
		len += l;
	}
	h.len = (unsigned)(len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	return len;
}

/* Send a request to the session child, started (again) when needed: 0 or -errno. */
static int session_send(struct mh_root *root, const char *buf, size_t len)
{
	int err;

	if (sess.pid && (sess.root != root || sess.rootfd != mh_root_fd(root)))
		session_stop_child(false);
	if (!sess.pid) {
		err = session_start_child(root);
		if (err)
			return err;
	}
	if (send(sess.sock, buf, len, MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	/* Died since the last write (killed from outside): one new one. */
	session_stop_child(true);
	err = session_start_child(root);
	if (!err && send(sess.sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		err = -EPIPE;
	if (err)
		session_stop_child(true);
	return err;
}

/* After await_child(): a child SIGKILLed or dead is gone, and so is its batch. */
static void session_after_wait(bool killed, const struct report *rep)
{
	if (killed || (rep && rep->index == REPORT_GONE))
		session_stop_child(true);
	if (!sess.pid)
		batch.active = false;
}

/* The write through the session child; 1: none to be had, do it the one-off way. */
static int write_in_session(struct mh_root *root, const char *rel, const char *str,
			    const struct mh_deadline *d, const volatile int *stop)
{
	char buf[sizeof(struct req_hdr) + REQ_MAX];
	struct report rep;
	size_t len;
	bool killed;
	int err;

	len = build_req(buf, sizeof(buf), REQ_WRITE, str, &rel, 1);
	/* The child is busy with a batch: not ours to interleave. */
	if (!len || batch.active || session_send(root, buf, len))
		return 1;
	snprintf(doing, sizeof(doing), "\"%s\" to %s", str, rel);
	err = await_child(sess.sock, sess.pid, rel, d, stop, &killed, &rep);
	session_after_wait(killed, &rep);
	return -err;
}

/* SIGKILL the session child (if any), which ends its batch. */
static void session_kill_child(void)
{
	if (sess.pid)
		kill(sess.pid, kill_sig());
	session_after_wait(true, NULL);
}

size_t mh_write_batch_begin(struct mh_root *root, const char *const *rels, size_t n,
			    const char *str)
{
	char buf[sizeof(struct req_hdr) + BATCH_BUF];
	size_t len = 0, take = n < BATCH_MAX ? n : BATCH_MAX;
	const char *p;

	/* A hook plays the kernel write by write, in this process. */
	if (!sess.depth || batch.active || hook.pre || hook.post)
		return 0;
	/* Too long for one message: fewer rels. */
	while (take && !(len = build_req(buf, sizeof(buf), REQ_BATCH, str, rels,
					 (unsigned)take)))
		take /= 2;
	if (!take || session_send(root, buf, len))
		return 0;
	p = buf + sizeof(struct req_hdr) + strlen(str) + 1;
	memcpy(batch.rels, p, len - (size_t)(p - buf));
	for (size_t i = 0, off = 0; i < take; i++) {
		batch.off[i] = (unsigned)off;
		off += strlen(batch.rels + off) + 1;
	}
	batch.n = (unsigned)take;
	batch.next = 0;
	snprintf(doing, sizeof(doing), "\"%s\" to %zu files from %s", str, take, rels[0]);
	batch.active = true;
	last_stuck = false;
	return take;
}

/* The child ends a batch after a failed write: read that end. */
static void batch_read_end(void)
{
	struct report rep;

	while (batch.active) {
		if (!wait_report(sess.sock, END_WAIT_MS, &rep)) {
			mh_dbg("batch: no end from the writer, killing it");
			session_kill_child();
		} else if (rep.index == REPORT_END || rep.index == REPORT_GONE) {
			session_after_wait(false, &rep);
			batch.active = false;
		}
	}
}

/*
 * The child writes a batch on our CPU (mh_write_session_begin()). Woken by
 * each report, we would switch to and fro with it at every block, our
 * checks between its writes; in a TCG guest a round trip between two
 * processes takes ~90 us against ~26 between threads (bench/FINDINGS.md
 * F11). When the next report is not there yet, sleep a few ms instead:
 * the child writes on undisturbed, and the reports that came meanwhile are
 * read without a wait. A stop ends the nap, and the deadline bounds it.
 */
static void batch_nap(const struct mh_deadline *d, const volatile int *stop)
{
	struct pollfd p = { .fd = sess.sock, .events = POLLIN };

	if (!mh_stop_requested(stop) && poll(&p, 1, 0) == 0)
		mh_sleep_ms(BATCH_NAP_MS, d, stop);
}

int mh_write_batch_next(const char *rel, const struct mh_deadline *d,
			const volatile int *stop)
{
	struct report rep;
	bool killed;
	int err;

	if (!batch.active || batch.next >= batch.n ||
	    strcmp(rel, batch.rels + batch.off[batch.next]))
		return 1;
	last_stuck = false;
	batch_nap(d, stop);
	err = await_child(sess.sock, sess.pid, rel, d, stop, &killed, &rep);
	session_after_wait(killed, &rep);
	if (!batch.active)
		return -err;	/* killed in it, or died: the state says */
	if (rep.index == REPORT_END) {
		batch.active = false;	/* a SIGINT ended it before rel */
		return 1;
	}
	if (rep.index != (int)batch.next) {
		mh_dbg("batch: report %d, expected %u", rep.index, batch.next);
		session_kill_child();
		return -EIO;
	}
	batch.next++;
	if (err)
		batch_read_end();
	return -err;
}

void mh_write_batch_end(void (*done)(void *ctx, size_t i, bool maybe), void *ctx)
{
	char buf[sizeof(struct req_hdr)];
	struct report rep;
	size_t len;

	if (!batch.active)
		return;
	if (batch.next >= batch.n) {
		batch_read_end();	/* every write read: only its end is left */
		return;
	}
	/* The SIGINT ends the write under way (EINTR: the block stays online). */
	len = build_req(buf, sizeof(buf), REQ_CANCEL, NULL, NULL, 0);
	if (send(sess.sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		rep.index = REPORT_GONE;
	} else {
		kill(sess.pid, SIGINT);
		/* Its reports up to the answer; none in time: the write ignored SIGINT. */
		for (;;) {
			if (!wait_report(sess.sock, mh_writer_tun.grace_ms, &rep)) {
				rep.index = REPORT_GONE;
				last_stuck = true;
			}
			if (rep.index < 0 && rep.index != REPORT_END)
				break;
			if (rep.index == (int)batch.next && batch.next < batch.n) {
				if (!rep.err && done)
					done(ctx, batch.next, false);
				batch.next++;
			}
		}
	}
	if (rep.index != REPORT_CANCELLED) {
		/* Gone with no word on the write it was in: the caller reads it. */
		if (done && batch.next < batch.n)
			done(ctx, batch.next, true);
		session_kill_child();
	}
	batch.active = false;
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
	left_running[0] = '\0';
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
	mh_write_batch_end(NULL, NULL);
	session_stop_child(false);
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
		if (g && g->prepare_err)
			*g->prepare_err = 0;
		if (g && -err >= PREPARE_FAILED) {
			err = -(-err - PREPARE_FAILED);
			if (g->prepare_err)
				*g->prepare_err = err;
		} else if (g && -err >= GUARD_REFUSED) {
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
