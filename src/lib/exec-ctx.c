// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's run context (exec-ctx.h): one run's state and what every
 * step does with it. Calls nothing above it (steps, loop).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "exec-ctx.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "udevwatch.h"

#define ROLLBACK_SECONDS	30.0
#define ROLLBACK_PER_BLOCK	1.0	/* more seconds per block to put back */
#define STATE_FDS_MAX		256	/* kept open at most, and ... */
#define STATE_FDS_SHARE		4	/* ... a quarter of the descriptor limit */
#define FD_MARGIN		32	/* for the journal, udev, iomem, a child's pipe */

void __attribute__((format(printf, 2, 3)))
exec_say(struct exec *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->res->error.msg, sizeof(x->res->error.msg), fmt, ap);
	va_end(ap);
}

void __attribute__((format(printf, 2, 3)))
exec_append(struct exec *x, const char *fmt, ...)
{
	size_t used = strlen(x->res->error.msg);
	va_list ap;

	va_start(ap, fmt);
	if (used < sizeof(x->res->error.msg))
		vsnprintf(x->res->error.msg + used, sizeof(x->res->error.msg) - used, fmt, ap);
	va_end(ap);
}

void exec_mark_changed(struct exec *x)
{
	if (x->phase < MH_PHASE_CHANGED)
		x->phase = MH_PHASE_CHANGED;
}

/*
 * A block's state write ended by the deadline (err -ETIMEDOUT) or a stop
 * (-EINTR). A write that ignored SIGINT never got past the kernel's
 * device_hotplug_lock trylock: name the lock, since nothing was tried.
 */
void exec_say_write_ended(struct exec *x, uint64_t block, const char *what, int err)
{
	const char *why = err == -EINTR ? "interrupted" : "deadline reached";

	if (mh_write_last_was_stuck())
		exec_say(x, "memory%" PRIu64 ": %s while waiting for the kernel's "
			 "device_hotplug_lock (held by another memory hotplug "
			 "operation): %s not started", block, why, what);
	else
		exec_say(x, "memory%" PRIu64 ": %s during %s", block, why, what);
}

/* The ids of the blocks this run offlined, in that order (calloc'd); NULL if none. */
uint64_t *exec_offlined_ids(const struct exec *x)
{
	uint64_t *ids;
	size_t i;

	if (!x->nr_order)
		return NULL;
	ids = calloc(x->nr_order, sizeof(*ids));
	for (i = 0; ids && i < x->nr_order; i++)
		ids[i] = x->plan->blocks[x->order[i]];
	return ids;
}

/*
 * One read, open to close. Out of descriptors (a caller's own, a limit
 * lowered under us): the cache gives its back, and the read is tried again.
 */
static int read_state_once(struct exec *x, uint64_t id, enum mh_block_state *st)
{
	int err = mh_block_read_state(x->root, id, st);

	if ((err == -EMFILE || err == -ENFILE) && x->nr_state_fds) {
		mh_dbg("out of descriptors (%s): closing the %zu block fds kept open",
		       strerror(-err), x->nr_state_fds);
		exec_drop_state_fds(x);
		x->state_fds_max /= 2;
		err = mh_block_read_state(x->root, id, st);
	}
	return err;
}

/*
 * Keep bi's fd, which was just opened. Full, the oldest kept one is closed
 * for it: the checks re-read the blocks offlined last, so a device with
 * more blocks than the cache holds still re-reads those with one pread().
 */
static void keep_state_fd(struct exec *x, size_t bi)
{
	size_t slot;

	if (x->nr_state_fds < x->state_fds_max) {
		slot = x->nr_state_fds++;
	} else {
		slot = x->state_fd_oldest;
		x->state_fd_oldest = (slot + 1) % x->state_fds_max;
		if (x->state_fd_ring[slot] != SIZE_MAX) {
			close(x->state_fd[x->state_fd_ring[slot]]);
			x->state_fd[x->state_fd_ring[slot]] = -1;
		}
	}
	x->state_fd_ring[slot] = bi;
}

/* bi's kept fd failed: closed, and its slot left empty until it turns over. */
static void forget_state_fd(struct exec *x, size_t bi)
{
	size_t i;

	close(x->state_fd[bi]);
	x->state_fd[bi] = -1;
	for (i = 0; i < x->nr_state_fds; i++)
		if (x->state_fd_ring[i] == bi)
			x->state_fd_ring[i] = SIZE_MAX;
}

/*
 * A plan block's state through an fd kept open: a re-read is one pread()
 * (sysfs runs show() again at offset 0) instead of open, read and close,
 * and the checks re-read blocks hundreds of times (~0.3 ms a syscall in a
 * TCG guest). hint: where id probably is in the plan. Blocks outside the
 * plan, and any failure (ENODEV: removed), take the one-off read.
 */
int exec_read_state(struct exec *x, uint64_t id, size_t hint,
		      enum mh_block_state *st)
{
	const struct mh_plan *p = x->plan;
	ssize_t bi = hint < p->nr_blocks && p->blocks[hint] == id ?
		     (ssize_t)hint : mh_plan_block_index(p, id);
	char rel[PATH_MAX], buf[32];
	int *fd;

	if (bi < 0 || !x->state_fd || !x->state_fd_ring || !x->state_fds_max)
		return read_state_once(x, id, st);
	fd = &x->state_fd[bi];
	if (*fd < 0) {
		exec_state_path(id, rel, sizeof(rel));
		*fd = mh_root_openat(x->root, rel, O_RDONLY);
		if (*fd < 0) {
			*fd = -1;
			return read_state_once(x, id, st);
		}
		keep_state_fd(x, (size_t)bi);
	}
	if (mh_reread_attr_fd(*fd, buf, sizeof(buf)) <= 0) {
		forget_state_fd(x, (size_t)bi);
		return read_state_once(x, id, st);
	}
	return mh_parse_block_state(buf, st);
}

/* Close the fds kept open (the cache fills again as blocks are re-read). */
void exec_drop_state_fds(struct exec *x)
{
	size_t i;

	for (i = 0; x->state_fd && i < x->plan->nr_blocks; i++) {
		if (x->state_fd[i] >= 0)
			close(x->state_fd[i]);
		x->state_fd[i] = -1;
	}
	x->nr_state_fds = 0;
	x->state_fd_oldest = 0;
}

static void close_state_fds(struct exec *x)
{
	exec_drop_state_fds(x);
	free(x->state_fd);
	free(x->state_fd_ring);
	x->state_fd = NULL;
	x->state_fd_ring = NULL;
}

size_t exec_fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > SIZE_MAX)
		return SIZE_MAX;
	return rl.rlim_cur > FD_MARGIN ? (size_t)rl.rlim_cur - FD_MARGIN : 0;
}

struct mh_block_result *exec_result_of(struct exec *x, uint64_t id)
{
	ssize_t i = mh_plan_block_index(x->plan, id);

	return i < 0 ? NULL : &x->res->blocks[i];
}

void exec_progress(struct exec *x, size_t idx, bool done, int err)
{
	const struct mh_exec_progress *p = &x->opts->progress;

	if (p->step)
		p->step(p->ctx, x->plan, idx, done, err);
}

bool exec_stopped(struct exec *x)
{
	return mh_stop_requested(x->opts->stop);
}

int exec_write(struct exec *x, const char *rel, const char *val)
{
	return mh_write_attr_bounded(x->root, rel, val, &x->opts->deadline, x->opts->stop);
}

int exec_journal_sync(struct exec *x)
{
	int err;

	if (!x->opts->journal)
		return 0;
	snprintf(x->j.saved_policy, sizeof(x->j.saved_policy), "%s",
		 x->policy_changed ? x->saved_policy : "");
	x->j.unbind_started = x->phase >= MH_PHASE_UNBINDING;
	/* Written before the first change takes effect: from then on, changed. */
	x->j.phase = x->phase > MH_PHASE_CHANGED ? x->phase : MH_PHASE_CHANGED;
	err = mh_journal_write(&x->j);
	if (!err)
		x->journal_written = true;
	return err;
}

/*
 * What must finish whatever the deadline or a signal says (the rebind once
 * kmem let go, putting blocks back, the policy) has a bound of its own,
 * counted from when that phase begins: a long run must not have used it up.
 */
void exec_start_cleanup_deadline(struct exec *x)
{
	double secs = x->opts->rollback_seconds;

	if (secs <= 0)
		secs = ROLLBACK_SECONDS + ROLLBACK_PER_BLOCK * (double)x->nr_order;
	mh_deadline_set(&x->rb_deadline, secs);
}

/* Before the first change: the journal must exist if we get killed. */
int exec_before_change(struct exec *x)
{
	int err;

	if (!x->opts->journal || x->journal_written)
		return 0;
	err = exec_journal_sync(x);
	if (err) {
		x->journal_failed = true;
		exec_say(x, "cannot write the journal in %s: %s", mh_journal_dir(),
			 strerror(-err));
	}
	return err;
}

static bool offlined_by_us(void *ctx, uint64_t id)
{
	struct exec *x = ctx;
	ssize_t bi = mh_plan_block_index(x->plan, id);

	return bi >= 0 && x->offlined[bi];
}

/* Did another agent online a block we offlined? Then stop: it will race again. */
int exec_check_race(struct exec *x)
{
	uint64_t raced;

	if (!x->uw || !x->nr_order)
		return 0;
	if (mh_udevwatch_poll_online(x->uw, offlined_by_us, x, &raced) <= 0)
		return 0;
	x->res->raced = true;
	exec_say(x, "memory%" PRIu64 " was onlined again by another agent (uevent)", raced);
	return -EBUSY;
}

/* The run's state for x->plan; -ENOMEM. exec_ctx_fini() frees it, also then. */
int exec_ctx_init(struct exec *x)
{
	const struct mh_plan *p = x->plan;
	struct mh_exec_result *res = x->res;
	bool offlines = false;
	size_t i;

	res->failed_step = -1;
	res->policy_restored = true;	/* until we change it */
	res->nr_blocks = p->nr_blocks;
	res->blocks = calloc(p->nr_blocks + 1, sizeof(*res->blocks));
	x->offlined = calloc(p->nr_blocks + 1, sizeof(*x->offlined));
	x->order = calloc(p->nr_blocks + 1, sizeof(*x->order));
	x->state_fd = malloc((p->nr_blocks + 1) * sizeof(*x->state_fd));
	for (i = 0; x->state_fd && i < p->nr_blocks; i++)
		x->state_fd[i] = -1;
	/* A quarter of what the limit leaves: reads, children, the guard want theirs. */
	x->state_fds_max = exec_fd_budget() / STATE_FDS_SHARE;
	if (x->state_fds_max > STATE_FDS_MAX)
		x->state_fds_max = STATE_FDS_MAX;
	x->state_fd_ring = calloc(x->state_fds_max + 1, sizeof(*x->state_fd_ring));
	if (!res->blocks || !x->offlined || !x->order || !x->state_fd || !x->state_fd_ring)
		return -ENOMEM;
	for (i = 0; i < p->nr_blocks; i++) {
		res->blocks[i].block = p->blocks[i];
		res->blocks[i].state = p->orig_state[i];
		res->blocks[i].zone = p->orig_zone[i];
	}
	x->j.op = p->op;
	snprintf(x->j.dev, sizeof(x->j.dev), "%s", p->dev);
	/* So that a live recover never replays a test tree's journal. */
	snprintf(x->j.root, sizeof(x->j.root), "%s",
		 mh_root_is_live(x->root) ? "/" : mh_root_path(x->root));
	x->j.nr_blocks = p->nr_blocks;
	x->j.blocks = p->blocks;
	x->j.orig_zone = p->orig_zone;
	x->j.orig_state = p->orig_state;
	for (i = 0; i < p->nr_steps; i++) {
		if (p->steps[i].kind == MH_STEP_BIND_DEVDAX)
			x->j.rebind_devdax = true;
		if (p->steps[i].kind == MH_STEP_OFFLINE_BLOCK)
			offlines = true;
	}
	/*
	 * Only the offlines read uevents: a plan without one would have the
	 * kernel queue every event of its blocks (an add and an online each,
	 * 4,096 at 2,048 blocks) to two sockets that nothing reads.
	 */
	if (offlines && x->opts->use_udev && mh_root_is_live(x->root))
		mh_udevwatch_open(&x->uw);
	return 0;
}

void exec_ctx_fini(struct exec *x)
{
	mh_udevwatch_close(x->uw);
	close_state_fds(x);
	if (x->kmsg_opened)
		mh_kmsg_close(&x->kmsg);
	free(x->offlined);
	free(x->order);
	free(x->dev_ids);
}
