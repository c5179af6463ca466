/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer: sysfs writes that cannot outlive a deadline, done by a child
 * process that can be killed (writer.c, writer-child.c).
 */
#ifndef MH_WRITER_H
#define MH_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include "deadline.h"
#include "sysroot.h"

/*
 * Write str to rel under root, bounded by the deadline. A sysfs write can
 * sit in the device_hotplug_lock trylock/restart_syscall() loop, which only
 * a fatal signal ends, so the write is done by a child process that is
 * SIGKILLed at the deadline (after a SIGALRM-style SIGINT first, which ends
 * an offline_pages() migration loop cleanly with EINTR).
 * Returns 0, -errno of the write, or -ETIMEDOUT when the deadline ended it;
 * also ended by *stop (set by the caller's SIGINT/SIGTERM handler) like a
 * deadline: then -EINTR. stop may be NULL.
 */
int mh_write_attr_bounded(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_deadline *d, const volatile int *stop);

/*
 * The same write, with a guard run by the writer child itself just before
 * it. The child opens rel, then calls prepare(ctx) (to open what check
 * reads), writes fence_val to fence_rel (its result ignored; a write that
 * takes the kernel's device_hotplug_lock waits out an operation holding
 * it), then check(ctx) must return 0, else nothing is written, *refused is
 * set and check's -errno returned. A prepare() that fails is no refusal:
 * nothing is written, its -errno is returned and also stored in
 * *prepare_err (when not NULL; 0 otherwise). Both run in a fresh
 * child, on its copy of ctx, with no hand-over between processes and no
 * open() between the check and the write: the shortest gap userspace has
 * between a last check and an irreversible write. Not hooked: the fence,
 * prepare and check.
 */
struct mh_write_guard {
	int (*prepare)(void *ctx);		/* NULL: nothing to prepare */
	const char *fence_rel, *fence_val;	/* NULL: no fence */
	int (*check)(void *ctx);		/* NULL: no check */
	void *ctx;
	int *prepare_err;			/* NULL: not wanted */
};
int mh_write_attr_guarded(struct mh_root *root, const char *rel, const char *str,
			  const struct mh_write_guard *g, bool *refused,
			  const struct mh_deadline *d, const volatile int *stop);

/*
 * Between begin and end (they nest), the bounded writes reuse one child
 * process, forked at the first and killed only when a deadline or stop
 * needs it: a fork per write made each memoryN/state write several times
 * slower on a real kernel. end() reaps it; outside a session each write
 * has a child of its own, reaped before the write returns.
 */
void mh_write_session_begin(void);
void mh_write_session_end(void);

/*
 * A batch, within a session: the session child writes str to each of rels
 * in turn, reporting each write, without waiting for us in between, and
 * stops at the first that fails or at a deadline or stop. A round trip per
 * write cost about 1 ms a block in a QEMU guest (74 ms of a 1.1 s remove
 * of 64 blocks, bench/FINDINGS.md, F6). Returns how many of rels
 * (the first ones) it took; 0 when there is no session or a write hook is
 * set: write them one by one then.
 */
size_t mh_write_batch_begin(struct mh_root *root, const char *const *rels, size_t n,
			    const char *str);
/*
 * The result of the batch's write to rel, as mh_write_attr_bounded()
 * returns it, waiting for it within the deadline and *stop (which SIGINT
 * the child, and end the batch). 1: rel is not the batch's next write, or
 * the batch ended before it: nothing written, write it the usual way.
 */
int mh_write_batch_next(const char *rel, const struct mh_deadline *d,
			const volatile int *stop);
/*
 * End the batch now, interrupting the write under way, and call done(ctx,
 * i, false) for each write (index i in the rels given) that succeeded and
 * that next() did not return; done(ctx, i, true) for the one under way
 * when the child had to be killed in it: whether it took effect is not
 * known. Nothing to do without a batch; session_end() ends one.
 */
void mh_write_batch_end(void (*done)(void *ctx, size_t i, bool maybe), void *ctx);

/*
 * True when the last bounded write was ended by the deadline or a stop and
 * had to be SIGKILLed: it ignored SIGINT, as a memoryN/state write does
 * while it waits in the device_hotplug_lock trylock/restart_syscall() loop
 * (an offline_pages() in progress answers SIGINT with EINTR). Such a write
 * never got into the kernel's operation: the hotplug lock was busy.
 */
bool mh_write_last_was_stuck(void);

/*
 * Test hook on every write made through this file (all the executor's
 * writes): pre() runs before the write; a non-zero return (-errno) fails
 * the write with that error without doing it. post() runs after it with
 * its result, so a test can play the kernel on a tree of plain files.
 * NULL removes the hook. (mh_write_attr() of sysroot.c is not hooked.)
 */
struct mh_write_hook {
	int (*pre)(void *ctx, const char *rel, const char *val);
	void (*post)(void *ctx, const char *rel, const char *val, int err);
	void *ctx;
};
void mh_write_set_hook(const struct mh_write_hook *hook);

/*
 * After a writer child was SIGKILLed, how long its end is waited for: a
 * write in an uninterruptible kernel path (the kmem unbind) ends only when
 * that returns. Past this the child is left running and said so.
 */
#define MH_WRITER_REAP_MS	2000

/*
 * A writer child left running after its SIGKILL (see MH_WRITER_REAP_MS):
 * "writer process PID (writing "VAL" to REL) still running after SIGKILL",
 * or "" when none, since the last mh_write_session_begin().
 */
const char *mh_write_left_running(void);

/*
 * For tests: grace_ms between SIGINT and SIGKILL (default 200);
 * child_restarts makes the child restart its write after SIGINT, as a
 * write waiting in the device_hotplug_lock trylock loop does. kill_sig
 * (0: SIGKILL) and reap_ms (0: MH_WRITER_REAP_MS) let a test play a child
 * that SIGKILL does not end at once.
 */
struct mh_write_tunables {
	long grace_ms;
	bool child_restarts;
	int kill_sig;
	long reap_ms;
};
void mh_write_tune(const struct mh_write_tunables *t);

#endif
