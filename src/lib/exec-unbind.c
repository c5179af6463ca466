// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's last checks before the irreversible kmem unbind, and the
 * unbind itself, guarded in the writer child. kmem's remove_memory() with
 * a block online "succeeds" and leaks the range until reboot, so nothing
 * here lets the unbind start unless every block of the device reads
 * offline.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec-steps.h"
#include "block.h"
#include "errclass.h"
#include "listeners.h"
#include "log.h"
#include "udevwatch.h"

#define CHECK_QUIET_MS	100	/* between the two checks before the unbind, */
#define UDEV_QUIET_CAP_MS	5000	/* or until udevd is done, at most this */

/*
 * The device's blocks, from its mappings, plus the plan's; sorted, unique.
 * Read at the first check before the unbind and kept (x->dev_ids) for the
 * second and the guard: with a driver bound the dax core refuses to
 * shrink the device (dev_dax_resize(): EBUSY), and a range added since
 * has no memory blocks of kmem's to check.
 */
static int device_block_ids(struct exec *x, const uint64_t **ids, size_t *n)
{
	struct mh_dax_dev dev;
	uint64_t bs, *v = NULL, *all;
	int cnt, err;
	size_t i;

	if (x->dev_ids) {
		*ids = x->dev_ids;
		*n = x->nr_dev_ids;
		return 0;
	}
	err = mh_dax_read(x->root, x->plan->dev, &dev, NULL);
	if (!err)
		err = mh_block_size(x->root, &bs);
	if (err)
		return err;
	cnt = mh_dax_block_ids(&dev, bs, &v);
	if (cnt < 0)
		return cnt;
	all = calloc((size_t)cnt + x->plan->nr_blocks + 1, sizeof(*all));
	if (!all) {
		free(v);
		return -ENOMEM;
	}
	if (cnt)
		memcpy(all, v, (size_t)cnt * sizeof(*all));
	for (i = 0; i < x->plan->nr_blocks; i++)
		all[cnt + i] = x->plan->blocks[i];
	free(v);
	/* Mostly the same ids twice: each read once. */
	*n = mh_block_ids_sort_unique(all, (size_t)cnt + x->plan->nr_blocks);
	*ids = x->dev_ids = all;
	x->nr_dev_ids = *n;
	return 0;
}

/* Every block of the device offline (or gone)? -EBUSY names the first not. */
static int all_offline(struct exec *x)
{
	const uint64_t *ids = NULL;
	size_t n = 0, i;
	int err;

	err = device_block_ids(x, &ids, &n);
	if (err) {
		exec_say(x, "cannot read %s before the unbind: %s", x->plan->dev, strerror(-err));
		return err;
	}
	for (i = 0; i < n && !err; i++) {
		enum mh_block_state st;
		ssize_t bi;
		int rd = exec_read_state(x, ids[i], i, &st);

		if (rd == -ENOENT)
			continue;
		if (rd < 0) {
			exec_say(x, "cannot read memory%" PRIu64 ": %s", ids[i], strerror(-rd));
			err = rd;
		} else if (st != MH_BLOCK_OFFLINE) {
			bool ours;

			bi = mh_plan_block_index(x->plan, ids[i]);
			ours = bi >= 0 && x->offlined[bi];
			x->res->raced |= ours;
			exec_say(x, "memory%" PRIu64 " is %s again%s: not unbinding kmem", ids[i],
				 mh_block_state_name(st),
				 ours ? " (another agent onlined it after us)" : "");
			err = -EBUSY;
		}
	}
	return err;
}

/*
 * The pause between the two checks before the unbind, for a racer that
 * reacts to the blocks' offline uevents to show itself. With udevd's
 * events at hand it lasts until udevd has finished with the offline
 * uevent of every block this run offlined: a rule that onlines a block on
 * that uevent has then done it, however long it took (a fixed pause
 * misses a rule slower than itself and waits for nothing when udevd is
 * done already). Without them, CHECK_QUIET_MS if any other process hears
 * the kernel's uevents (or that cannot be read); none at all when none
 * does, since then no one has been told of the offlines to react to.
 */
static void quiet_period(struct exec *x)
{
	struct mh_deadline cap;
	uint64_t *ids = x->uw ? exec_offlined_ids(x) : NULL;
	unsigned listeners = 0;
	long ms;
	int err = -ENOTSUP;

	if (ids) {
		ms = mh_deadline_left_ms(&x->opts->deadline, UDEV_QUIET_CAP_MS);
		mh_deadline_set(&cap, ms > 0 ? ms / 1000.0 : 0.001);
		err = mh_udevwatch_wait_offline_done(x->uw, ids, x->nr_order, &cap,
						     x->opts->stop);
		free(ids);
		if (err == -ETIMEDOUT)
			mh_warn("%s: udevd not done with the blocks' offline uevents "
				"after %ld ms; checking them anyway", x->plan->dev, ms);
	}
	if (err != -ENOTSUP)
		return;
	err = mh_uevent_listeners(x->root, &listeners);
	if (!err && !listeners) {
		mh_dbg("%s: no other process hears the kernel's uevents: "
		       "second check without a pause", x->plan->dev);
		return;
	}
	if (err)
		mh_dbg("%s: cannot read " MH_PROC_NETLINK ": %s; second check in %d ms",
		       x->plan->dev, strerror(-err), CHECK_QUIET_MS);
	else
		mh_dbg("%s: %u other socket(s) hear the kernel's uevents: second "
		       "check in %d ms", x->plan->dev, listeners, CHECK_QUIET_MS);
	mh_sleep_ms(CHECK_QUIET_MS, &x->opts->deadline, x->opts->stop);
}

/*
 * The last check before the irreversible unbind. Nothing in the kernel
 * stops another agent from onlining a block between this check and kmem's
 * remove_memory(), and an online block then leaks the range until reboot.
 * So the window is kept as small as userspace can: the device must read
 * all offline twice, a quiet period apart (an active racer shows itself),
 * and the journal is written before the second read, not after it.
 */
int exec_step_check_offline(struct exec *x, size_t idx, const struct mh_step *s)
{
	int err;

	err = exec_check_race(x);
	if (!err)
		err = all_offline(x);
	if (err)
		return err;
	quiet_period(x);
	if (exec_stopped(x))
		return -EINTR;
	x->phase = MH_PHASE_UNBINDING;
	err = exec_journal_sync(x);
	if (err)
		mh_warn("cannot update the journal: %s", strerror(-err));
	err = exec_check_race(x);
	if (!err)
		err = all_offline(x);
	if (err) {
		x->phase = MH_PHASE_CHANGED;
		exec_journal_sync(x);
		return err;
	}
	/*
	 * The last look at the uevents. The unbind removes every block, a
	 * remove uevent each on both sockets, which the run would carry
	 * unread (or parse, at two events a block, were it to look again).
	 */
	mh_udevwatch_close(x->uw);
	x->uw = NULL;
	return 0;
}

#define FD_LATER	(-EMFILE)	/* not kept open: read by unbind_check() */

struct unbind_guard {
	struct mh_root *root;
	const uint64_t *ids;
	int *fds;		/* each block's state, opened by unbind_prepare() */
	size_t n;
};

/*
 * In the writer child, before the fence: open every block's state, as many
 * as the descriptor limit leaves (a device can have more blocks than
 * that); the others are read by unbind_check() the one-off way.
 */
static int unbind_prepare(void *ctx)
{
	struct unbind_guard *g = ctx;
	size_t i, budget = exec_fd_budget();
	char rel[PATH_MAX];

	for (i = 0; i < g->n; i++) {
		if (i >= budget) {
			g->fds[i] = FD_LATER;
			continue;
		}
		exec_state_path(g->ids[i], rel, sizeof(rel));
		g->fds[i] = mh_root_openat(g->root, rel, O_RDONLY);
		if (g->fds[i] == -EMFILE || g->fds[i] == -ENFILE) {
			budget = i;	/* the rest later */
			g->fds[i] = FD_LATER;
		} else if (g->fds[i] < 0 && g->fds[i] != -ENOENT) {
			return g->fds[i];	/* -ENOENT: gone, nothing to check */
		}
	}
	return 0;
}

/*
 * Then, right before the unbind: every block offline (pread, no open,
 * but for those prepare could not keep open). -EBUSY: one is not.
 */
static int unbind_check(void *ctx)
{
	const struct unbind_guard *g = ctx;
	enum mh_block_state bs;
	char st[32];
	size_t i;
	int n;

	for (i = 0; i < g->n; i++) {
		if (g->fds[i] == FD_LATER) {
			n = mh_block_read_state(g->root, g->ids[i], &bs);
			if (n == -ENOENT)
				continue;
			if (n < 0)
				return n;
			if (bs != MH_BLOCK_OFFLINE)
				return -EBUSY;
			continue;
		}
		if (g->fds[i] < 0)
			continue;
		n = mh_reread_attr_fd(g->fds[i], st, sizeof(st));
		if (n < 0)
			return n;
		if (strcmp(st, "offline"))
			return -EBUSY;
	}
	return 0;
}

/*
 * The unbind, guarded in the writer child: a no-op write to a block's
 * `online` attribute takes device_hotplug_lock, so it returns only once
 * an online in progress has finished (a block being onlined still reads
 * offline until then, and kmem's remove_memory() would wait for it and
 * find it online); then every block must read offline, then the unbind,
 * with no hand-over between processes in between. What is left is an
 * online that starts after the fence and before remove_memory() takes
 * the lock.
 */
static int guarded_unbind(struct exec *x, bool *refused, int *prep_err)
{
	struct unbind_guard ug = { .root = x->root };
	struct mh_write_guard g = { .prepare = unbind_prepare, .check = unbind_check,
				    .ctx = &ug, .prepare_err = prep_err };
	char rel[PATH_MAX], fence[PATH_MAX];
	const uint64_t *ids = NULL;
	size_t n = 0;
	int err;

	*refused = false;
	err = device_block_ids(x, &ids, &n);
	if (err)
		return err;
	ug.fds = calloc(n + 1, sizeof(*ug.fds));
	if (!ug.fds)
		return -ENOMEM;
	ug.ids = ids;
	ug.n = n;
	/* The child inherits none of our fds (close_all_but()): ours are no use there. */
	exec_drop_state_fds(x);
	if (n && !mh_block_attr_path(ids[0], "online", fence, sizeof(fence))) {
		g.fence_rel = fence;
		g.fence_val = "0";
	}
	snprintf(rel, sizeof(rel), MH_DAX_DRIVERS_DIR "/kmem/unbind");
	err = mh_write_attr_guarded(x->root, rel, x->plan->dev, &g, refused,
				    &x->opts->deadline, x->opts->stop);
	free(ug.fds);
	return err;
}

int exec_step_unbind_kmem(struct exec *x, size_t idx, const struct mh_step *s)
{
	bool refused, was_left = *mh_write_left_running();
	char cur[32];
	int err, prep_err = 0;

	/* check-offline wrote the journal: nothing between it and this write */
	x->phase = MH_PHASE_UNBINDING;
	err = guarded_unbind(x, &refused, &prep_err);
	if (!was_left && *mh_write_left_running()) {
		/*
		 * The unbind is still under way in the kernel (kmem's driver link
		 * goes last): putting blocks back now would race remove_memory()
		 * and leak the range. Left as it is, journalled, for recover.
		 */
		x->phase = MH_PHASE_UNBIND_RUNNING;
		exec_say(x, "%s: the kmem unbind did not end by the deadline (%s): "
			 "not rolled back; run 'memhotctl recover %s' once it has ended",
			 x->plan->dev, mh_write_left_running(), x->plan->dev);
		return err ? err : -ETIMEDOUT;
	}
	mh_exec_read_driver(x->root, x->plan->dev, cur, sizeof(cur));
	if (!strcmp(cur, "kmem")) {
		/* Nothing happened: the blocks are still ours to put back. */
		x->phase = MH_PHASE_CHANGED;
		exec_journal_sync(x);
		if (prep_err) {
			/* Our own failure (EMFILE, ENOMEM...): no other agent in it. */
			exec_say(x, "%s: cannot prepare the last check before the unbind: %s: "
				 "kmem not unbound", x->plan->dev, strerror(-prep_err));
			return prep_err;
		}
		if (refused && err != -EBUSY) {
			exec_say(x, "%s: the last check before the unbind could not read "
				 "a block: %s: kmem not unbound", x->plan->dev, strerror(-err));
			return err;
		}
		if (refused) {
			x->res->raced = true;
			if (!all_offline(x))
				exec_say(x, "a block of %s read online right before the unbind "
					 "(another agent onlined it): not unbinding kmem",
					 x->plan->dev);
			return -EBUSY;
		}
		if ((err == -ETIMEDOUT || err == -EINTR) && mh_write_last_was_stuck())
			exec_say(x, "%s: %s while waiting for the kernel's device_hotplug_lock "
				 "(held by another memory hotplug operation): kmem not unbound",
				 x->plan->dev, err == -EINTR ? "interrupted" : "deadline reached");
		else
			exec_say(x, "%s: kmem unbind failed: %s", x->plan->dev,
				 strerror(err ? -err : EBUSY));
		return err ? err : -EBUSY;
	}
	x->phase = MH_PHASE_UNBOUND;
	exec_start_cleanup_deadline(x);
	return 0;
}
