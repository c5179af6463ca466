// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The writer child: what runs after the fork in writer.c. Either one
 * write (with a guard's check right before it) reported through a pipe,
 * or a session's requests over a socket: single writes, and batches
 * written back to back. It dies with its parent, in its own process
 * group, and takes SIGINT as "stop": the write under way ends with EINTR
 * (unless it restarts, as in the device_hotplug_lock trylock loop).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "writer-int.h"

/* Set by a SIGINT in the child: a batch writes no more. */
static volatile sig_atomic_t child_interrupted;

static void child_on_sigint(int sig)
{
	(void)sig;	/* also there so that the write returns EINTR */
	child_interrupted = 1;
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

static void child_setup(void)
{
	sigset_t none;

	/*
	 * Die with the parent: a writer left in an endless offline after
	 * memhotctl was SIGKILLed would keep the block going-offline and hold
	 * device_hotplug_lock. SIGKILL also ends the restart loop.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != mh_writer_parent)
		_exit(1);	/* the parent died before prctl */

	/* Our own group: a terminal's ^C reaches the parent, which decides. */
	setpgid(0, 0);
	child_signals(mh_writer_tun.child_restarts);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * close_range() failed (ENOSYS before 5.9, a seccomp filter, EINVAL): each
 * open fd in [from, to] by hand, as /proc/self/fd lists them, or, without
 * /proc, every number up to the descriptor limit.
 */
static void close_by_hand(unsigned from, unsigned to)
{
	char buf[4096];
	struct rlimit rl;
	long n;
	int dfd;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				const char *name = buf + off + 19;	/* d_name */
				unsigned short reclen;
				char *end;
				unsigned long fd;

				memcpy(&reclen, buf + off + 16, sizeof(reclen));
				off += reclen;
				fd = strtoul(name, &end, 10);
				if (*end || end == name || fd < from || fd > to ||
				    fd == (unsigned)dfd)
					continue;
				close((int)fd);
			}
		}
		close(dfd);
		if (n == 0)
			return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1 << 20;
	for (unsigned long fd = from; fd <= to && fd < rl.rlim_cur; fd++)
		close((int)fd);
}

static void close_fds(unsigned from, unsigned to)
{
	if (from > to)
		return;
	if (syscall(SYS_close_range, from, to, 0) < 0)
		close_by_hand(from, to);
}

/* Close every fd but 0-2 and the two kept: no lock outlives the parent in us. */
static void close_all_but(int a, int b)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a }, from = 3;

	for (int i = 0; i < 2; i++) {
		if (keep[i] > from)
			close_fds((unsigned)from, (unsigned)keep[i] - 1);
		if (keep[i] >= from)
			from = keep[i] + 1;
	}
	close_fds((unsigned)from, ~0U);
}

/* str to the open fd, which is then closed: 0 or the errno. */
static int write_close(int fd, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int err = 0;

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

/* The write itself, in the child: 0 or its errno. */
static int child_do_write(struct mh_root *root, const char *rel, const char *str,
			  bool restarts)
{
	int fd;

	do {
		fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC | O_NOCTTY);
	} while (fd == -EINTR && restarts);
	if (fd < 0)
		return -fd;
	return write_close(fd, str);
}

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
	int fd, err = 0;

	fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC | O_NOCTTY);
	if (fd < 0)
		return -fd;
	if (g->prepare)
		err = g->prepare(g->ctx);
	if (err) {
		close(fd);
		return PREPARE_FAILED + (err < 0 ? -err : err);
	}
	if (g->fence_rel)
		child_do_write(root, g->fence_rel, g->fence_val,
			       mh_writer_tun.child_restarts);
	if (g->check)
		err = g->check(g->ctx);
	if (err) {
		close(fd);
		return refused(err);
	}
	return write_close(fd, str);
}

/*
 * The child: one write (after the guard's fence and check, when given),
 * its errno reported through the pipe. Never returns.
 */
void __attribute__((noreturn))
mh_writer_child_one(struct mh_root *root, const char *rel, const char *str,
	    const struct mh_write_guard *g, int wfd)
{
	struct report rep = { 0 };
	ssize_t n;

	close_all_but(wfd, mh_root_fd(root));	/* the lock fd among them */
	child_setup();
	if (g)
		rep.err = guarded_write(root, rel, str, g);
	else
		rep.err = child_do_write(root, rel, str, mh_writer_tun.child_restarts);
	n = write(wfd, &rep, sizeof(rep));
	_exit(n == sizeof(rep) ? 0 : 1);
}

static void child_report(int sock, int err, int index)
{
	struct report rep = { .err = err, .index = index };

	if (send(sock, &rep, sizeof(rep), MSG_NOSIGNAL) != sizeof(rep))
		_exit(1);
}

/*
 * A batch: str to each rel in turn, a report after each, without waiting
 * for the parent between them; the first failure or a SIGINT ends it.
 */
static void child_batch(struct mh_root *root, int sock, const char *str,
			const char *rel, unsigned count, bool restarts)
{
	for (unsigned i = 0; i < count && !child_interrupted; i++) {
		int err = child_do_write(root, rel, str, restarts);

		child_report(sock, err, (int)i);
		if (err)
			break;
		rel += strlen(rel) + 1;
	}
	child_report(sock, 0, REPORT_END);
}

/* The session child: requests, one at a time, until the socket closes. */
void __attribute__((noreturn))
mh_writer_child_session(struct mh_root *root, int sock)
{
	char buf[sizeof(struct req_hdr) + BATCH_BUF];
	struct req_hdr h;
	const char *str;
	bool restarts;
	ssize_t n;

	close_all_but(sock, mh_root_fd(root));
	child_setup();
	restarts = mh_writer_tun.child_restarts;
	for (;;) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;	/* a late SIGINT: nothing to stop */
		if (n < (ssize_t)sizeof(h))
			_exit(0);	/* the parent is done (or gone) */
		child_interrupted = 0;	/* a SIGINT from before this request */
		memcpy(&h, buf, sizeof(h));
		if (h.kind == REQ_CANCEL) {
			child_report(sock, 0, REPORT_CANCELLED);
			continue;
		}
		/* str, then the rels: the parent built it, the end must be a NUL. */
		if ((size_t)n != sizeof(h) + h.len || !h.len || buf[n - 1] || !h.count) {
			child_report(sock, EINVAL, 0);
			continue;
		}
		if (restarts != !!h.restarts) {
			restarts = h.restarts;
			child_signals(restarts);
		}
		str = buf + sizeof(h);
		if (h.kind == REQ_BATCH)
			child_batch(root, sock, str, str + strlen(str) + 1, h.count, restarts);
		else
			child_report(sock, child_do_write(root, str + strlen(str) + 1, str,
							  restarts), 0);
	}
}
