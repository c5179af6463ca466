// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor. Each step acts, then re-reads: sysfs is the truth, a write's
 * errno only says what to do next (errclass.h). What this run offlined is
 * put back when the whole device cannot be offlined; kmem is never unbound
 * while a block of the device is online, because the unbind "succeeds" and
 * leaks the range until reboot; the auto-online policy is restored on
 * every path.
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

#include "exec-int.h"
#include "errclass.h"
#include "journal.h"
#include "kmodload.h"
#include "lock.h"
#include "log.h"
#include "udevwatch.h"
#include "verify.h"

#define POLICY_ATTR		MH_POLICY_ATTR
#define ROLLBACK_SECONDS	30.0
#define ROLLBACK_PER_BLOCK	1.0	/* more seconds per block to put back */
#define BACKOFF_CAP_MS		5000
#define SETTLE_CAP_MS		10000
#define STATE_FDS_MAX		256	/* kept open at most, and ... */
#define STATE_FDS_SHARE		4	/* ... a quarter of the descriptor limit */
#define FD_MARGIN		32	/* for the journal, udev, iomem, a child's pipe */

const char *mh_outcome_name(enum mh_outcome o)
{
	switch (o) {
	case MH_DONE:
		return "done";
	case MH_BUSY:
		return "busy";
	case MH_PARTIAL:
		return "partial";
	case MH_LEAKED:
		return "leaked";
	case MH_FAILED:
		return "failed";
	}
	return "unknown";
}

void mh_exec_result_free(struct mh_exec_result *res)
{
	free(res->blocks);
	res->blocks = NULL;
	res->nr_blocks = 0;
}

void __attribute__((format(printf, 2, 3)))
exec_say(struct exec *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->res->message, sizeof(x->res->message), fmt, ap);
	va_end(ap);
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

void exec_state_path(uint64_t id, char *buf, size_t len)
{
	mh_block_attr_path(id, "state", buf, len);
}

const char *exec_online_cmd(enum mh_zone z)
{
	switch (z) {
	case MH_ZONE_MOVABLE:
		return "online_movable";
	case MH_ZONE_NORMAL:
		return "online_kernel";
	default:
		return "online";
	}
}

unsigned exec_next_backoff(unsigned ms)
{
	return ms >= BACKOFF_CAP_MS / 2 ? BACKOFF_CAP_MS : (ms ? ms * 2 : 1);
}

void mh_exec_read_driver(struct mh_root *root, const char *dev, char *buf, size_t len)
{
	if (mh_dax_read_driver(root, dev, buf, len) < 0)
		snprintf(buf, len, "none");
}

static int driver_write(struct mh_root *root, const char *drv, const char *attr,
			const char *dev, const struct mh_deadline *d,
			const volatile int *stop)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), MH_DAX_DRIVERS_DIR "/%s/%s", drv, attr);
	return mh_write_attr_bounded(root, rel, dev, d, stop);
}

int mh_exec_bind_driver(struct mh_root *root, const char *dev, const char *drv,
			const struct mh_deadline *d, const volatile int *stop,
			char *why, size_t len)
{
	char cur[32];
	int err;

	mh_exec_read_driver(root, dev, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	if (strcmp(cur, "none")) {
		err = driver_write(root, cur, "unbind", dev, d, stop);
		mh_exec_read_driver(root, dev, cur, sizeof(cur));
		if (strcmp(cur, "none")) {
			snprintf(why, len, "%s: unbind from %s failed: %s", dev, cur,
				 strerror(err ? -err : EBUSY));
			return err ? err : -EBUSY;
		}
	}
	err = driver_write(root, drv, "bind", dev, d, stop);
	if (err == -ENODEV) {
		/* No id match (a PMEM region and kmem, since ~6.3 HMEM and
		 * device_dax): new_id adds one and probes. */
		err = driver_write(root, drv, "new_id", dev, d, stop);
		mh_exec_read_driver(root, dev, cur, sizeof(cur));
		if (!err && strcmp(cur, drv))
			err = driver_write(root, drv, "bind", dev, d, stop);
	}
	/* drivers_probe-like writes can succeed and bind nothing: the link says. */
	mh_exec_read_driver(root, dev, cur, sizeof(cur));
	if (strcmp(cur, drv)) {
		snprintf(why, len, "%s: bind to %s failed (%s), driver is %s", dev, drv,
			 err ? strerror(-err) : "no error", cur);
		return err ? err : -ENODEV;
	}
	return 0;
}

int mh_exec_online_block(struct mh_root *root, uint64_t id, enum mh_zone zone,
			 const struct mh_deadline *d, unsigned max_retries,
			 unsigned backoff_ms, unsigned *attempts)
{
	struct mh_block blk = { .id = id };
	char rel[PATH_MAX];
	unsigned tries = 0;
	int err, r;

	exec_state_path(id, rel, sizeof(rel));
	for (;;) {
		r = mh_block_refresh(root, &blk);
		if (r < 0)
			return r;
		if (blk.state == MH_BLOCK_ONLINE)
			return 0;	/* the caller checks the zone */
		err = mh_write_attr_bounded(root, rel, exec_online_cmd(zone), d, NULL);
		tries++;
		if (attempts)
			(*attempts)++;
		r = mh_block_refresh(root, &blk);
		if (r < 0)
			return r;
		if (blk.state == MH_BLOCK_ONLINE)
			return 0;
		if (!err)
			err = -EAGAIN;	/* took no effect: try again */
		if (mh_classify_errno(-err) != MH_ERR_RETRY || tries > max_retries)
			return err;
		mh_sleep_ms(backoff_ms, d, NULL);
		backoff_ms = exec_next_backoff(backoff_ms);
	}
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

ssize_t exec_block_index(const struct mh_plan *p, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->nr_blocks; i++)
		if (p->blocks[i] == id)
			return (ssize_t)i;
	return -1;
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
		     (ssize_t)hint : exec_block_index(p, id);
	char rel[PATH_MAX], buf[32];
	int *fd;

	if (bi < 0 || !x->state_fd)
		return read_state_once(x, id, st);
	fd = &x->state_fd[bi];
	if (*fd < 0) {
		if (x->nr_state_fds >= x->state_fds_max)
			return read_state_once(x, id, st);
		exec_state_path(id, rel, sizeof(rel));
		*fd = mh_root_openat(x->root, rel, O_RDONLY);
		if (*fd < 0) {
			*fd = -1;
			return read_state_once(x, id, st);
		}
		x->nr_state_fds++;
	}
	if (mh_reread_attr_fd(*fd, buf, sizeof(buf)) <= 0) {
		close(*fd);
		*fd = -1;
		x->nr_state_fds--;
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
}

static void close_state_fds(struct exec *x)
{
	exec_drop_state_fds(x);
	free(x->state_fd);
	x->state_fd = NULL;
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
	ssize_t i = exec_block_index(x->plan, id);

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
	x->j.unbind_started = x->unbind_started;
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

static int step_load_kmem(struct exec *x)
{
	int err = 0;

	/*
	 * libkmod knows the live system's modules only. Loaded already (or
	 * built in): nothing to load, and libkmod's index reads cost 0.1-0.25 s
	 * of a B1 online in a TCG guest.
	 */
	if (mh_root_is_live(x->root) && !mh_path_exists(x->root, MH_DAX_DRIVERS_DIR "/kmem"))
		err = mh_kmod_load("kmem");
	if (!mh_path_exists(x->root, MH_DAX_DRIVERS_DIR "/kmem")) {
		exec_say(x, "the kmem driver is not available%s%s",
			 err ? ": " : "", err ? strerror(-err) : "");
		return err ? err : -ENOENT;
	}
	return 0;
}

static int step_set_policy(struct exec *x, const struct mh_step *s)
{
	char cur[32];
	int err;

	err = mh_read_attr(x->root, POLICY_ATTR, cur, sizeof(cur));
	if (err < 0) {
		exec_say(x, "cannot read auto_online_blocks: %s", strerror(-err));
		return err;
	}
	if (!strcmp(cur, s->arg))
		return 0;
	snprintf(x->saved_policy, sizeof(x->saved_policy), "%s", cur);
	x->policy_changed = true;	/* journalled before the write */
	x->res->policy_restored = false;
	err = exec_before_change(x);
	if (!err && x->journal_written)
		err = exec_journal_sync(x);
	if (err) {
		x->policy_changed = false;
		x->res->policy_restored = true;
		return err;
	}
	err = exec_write(x, POLICY_ATTR, s->arg);
	if (mh_read_attr(x->root, POLICY_ATTR, cur, sizeof(cur)) >= 0 &&
	    !strcmp(cur, s->arg)) {
		x->changed = true;
		return 0;
	}
	if (!strcmp(cur, x->saved_policy)) {
		x->policy_changed = false;
		x->res->policy_restored = true;
	}
	exec_say(x, "cannot set auto_online_blocks to %s: %s", s->arg,
		 strerror(err ? -err : EIO));
	return err ? err : -EIO;
}

static int restore_policy(struct exec *x)
{
	char cur[32];
	int err;

	if (!x->policy_changed)
		return 0;
	exec_start_cleanup_deadline(x);
	err = mh_write_attr_bounded(x->root, POLICY_ATTR, x->saved_policy,
				    &x->rb_deadline, NULL);
	if (mh_read_attr(x->root, POLICY_ATTR, cur, sizeof(cur)) >= 0 &&
	    !strcmp(cur, x->saved_policy)) {
		x->policy_changed = false;
		x->res->policy_restored = true;
		return 0;
	}
	mh_err("cannot restore auto_online_blocks to %s: %s", x->saved_policy,
	       strerror(err ? -err : EIO));
	return err ? err : -EIO;
}

static int step_unbind(struct exec *x, const struct mh_step *s)
{
	char cur[32];
	int err;

	mh_exec_read_driver(x->root, x->plan->dev, cur, sizeof(cur));
	if (!strcmp(cur, "none"))
		return 0;
	if (s->arg[0] && strcmp(cur, s->arg))
		mh_warn("%s: bound to %s, not %s", x->plan->dev, cur, s->arg);
	err = exec_before_change(x);
	if (err)
		return err;
	err = driver_write(x->root, cur, "unbind", x->plan->dev, &x->opts->deadline,
			   x->opts->stop);
	mh_exec_read_driver(x->root, x->plan->dev, cur, sizeof(cur));
	if (strcmp(cur, "none")) {
		exec_say(x, "%s: unbind from %s failed: %s", x->plan->dev, cur,
			 strerror(err ? -err : EBUSY));
		return err ? err : -EBUSY;
	}
	x->changed = true;
	return 0;
}

static int step_bind(struct exec *x, const char *drv)
{
	int err;

	err = exec_before_change(x);
	if (err)
		return err;
	/* After the unbind (see mh_exec()): bounded by the rollback deadline. */
	err = mh_exec_bind_driver(x->root, x->plan->dev, drv,
				  x->unbound ? &x->rb_deadline : &x->opts->deadline,
				  x->unbound ? NULL : x->opts->stop, x->res->message,
				  sizeof(x->res->message));
	if (!err)
		x->changed = true;
	return err;
}

static int step_verify(struct exec *x, const struct mh_dax_dev *dev, uint64_t bs)
{
	char what[160];
	int err;

	err = mh_verify_released(x->root, dev, bs, what, sizeof(what));
	x->released = !err;
	if (err == -EBUSY) {
		x->leaked = true;
		exec_say(x, "%s: range not released (%s): reboot needed to reuse it",
			 x->plan->dev, what);
		return err;
	}
	if (err) {
		/*
		 * Not seen either way (ENOMEM, a bad /proc/iomem): no leak to
		 * report, and the rebind still goes. The run ends partial,
		 * its journal kept for `recover` to check again.
		 */
		x->unverified = -err;
		exec_say(x, "%s: cannot verify that the range was released (%s): "
			 "run 'memhotctl recover %s' to check again",
			 x->plan->dev, what, x->plan->dev);
	}
	return 0;
}

static int step_settle(struct exec *x)
{
	int err;

	if (!x->opts->use_udev)
		return 0;
	err = mh_udev_settle(&x->opts->deadline, SETTLE_CAP_MS);
	if (err)
		mh_warn("udev queue not empty: %s", strerror(-err));
	return 0;	/* sysfs is the truth; udev only confirms */
}

static int run_step(struct exec *x, size_t idx, const struct mh_dax_dev *dev, uint64_t bs)
{
	const struct mh_step *s = &x->plan->steps[idx];

	switch (s->kind) {
	case MH_STEP_LOAD_KMEM:
		return step_load_kmem(x);
	case MH_STEP_SET_POLICY:
		return step_set_policy(x, s);
	case MH_STEP_UNBIND:
		return step_unbind(x, s);
	case MH_STEP_BIND_KMEM:
		return step_bind(x, "kmem");
	case MH_STEP_ONLINE_BLOCK:
		return exec_step_online(x, s);
	case MH_STEP_OFFLINE_BLOCK:
		return exec_step_offline(x, idx, s);
	case MH_STEP_CHECK_OFFLINE:
		return exec_step_check_offline(x);
	case MH_STEP_UNBIND_KMEM:
		return exec_step_unbind_kmem(x);
	case MH_STEP_VERIFY_RELEASED:
		return step_verify(x, dev, bs);
	case MH_STEP_BIND_DEVDAX:
		return step_bind(x, "device_dax");
	case MH_STEP_RESTORE_POLICY:
		if (restore_policy(x)) {
			exec_say(x, "cannot restore auto_online_blocks to %s", x->saved_policy);
			return -EIO;
		}
		return 0;
	case MH_STEP_SETTLE_UDEV:
		return step_settle(x);
	}
	return -EINVAL;
}

/*
 * Put every block this run offlined back online, into the zone it had,
 * last offlined first. true when all of them are back as they were.
 */
static void add_name(char *buf, size_t len, uint64_t id, const char *state)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%smemory%" PRIu64 " %s",
			 used ? ", " : "", id, state);
}

static bool rollback(struct exec *x, char *good, char *bad, size_t len)
{
	bool ok = true;
	size_t k;

	good[0] = bad[0] = '\0';
	/* Putting blocks back must not lack a descriptor: the cache gives its own. */
	exec_drop_state_fds(x);
	x->state_fds_max = 0;
	exec_start_cleanup_deadline(x);
	for (k = x->nr_order; k-- > 0;) {
		size_t i = x->order[k];
		uint64_t id = x->plan->blocks[i];
		enum mh_zone want = x->plan->orig_zone[i];
		struct mh_block blk = { .id = id };
		struct mh_block_result *r = &x->res->blocks[i];
		int err;

		err = mh_exec_online_block(x->root, id, want, &x->rb_deadline,
					   x->opts->max_retries, x->opts->backoff_ms,
					   &r->attempts);
		if (!err)
			err = mh_block_refresh(x->root, &blk);
		if (!err && (want == MH_ZONE_UNKNOWN || want == MH_ZONE_NONE ||
			     mh_zone_from_valid_zones(blk.valid_zones) == want)) {
			x->offlined[i] = false;
			add_name(good, len, id, blk.valid_zones[0] ? blk.valid_zones : "online");
			continue;
		}
		ok = false;
		r->err = err ? -err : EINVAL;
		add_name(bad, len, id, err ? "offline" : blk.valid_zones);
		mh_err("memory%" PRIu64 ": cannot put back into %s: %s", id,
		       mh_zone_name(want), err ? strerror(-err) : blk.valid_zones);
	}
	/* Rolled back only when it all went back: never "not restored (rolled back)". */
	x->res->rolled_back = ok && x->nr_order;
	return ok;
}

/* The final state of every block of the plan, and of the driver. */
static void fill_results(struct exec *x)
{
	size_t i;

	for (i = 0; i < x->res->nr_blocks; i++) {
		struct mh_block_result *r = &x->res->blocks[i];
		struct mh_block blk = { .id = r->block };

		/* Verified gone a moment ago: two failing lookups a block spared. */
		if (x->released || mh_block_refresh(x->root, &blk) < 0) {
			r->state = MH_BLOCK_UNKNOWN;	/* gone (removed) */
			r->zone = MH_ZONE_UNKNOWN;
			continue;
		}
		r->state = blk.state;
		r->zone = blk.state == MH_BLOCK_ONLINE ?
			mh_zone_from_valid_zones(blk.valid_zones) : x->plan->orig_zone[i];
	}
	mh_exec_read_driver(x->root, x->plan->dev, x->res->final_driver,
			    sizeof(x->res->final_driver));
}

static void __attribute__((format(printf, 2, 3)))
append(struct exec *x, const char *fmt, ...)
{
	size_t used = strlen(x->res->message);
	va_list ap;

	va_start(ap, fmt);
	if (used < sizeof(x->res->message))
		vsnprintf(x->res->message + used, sizeof(x->res->message) - used, fmt, ap);
	va_end(ap);
}

/* A failure at these steps means: the device could not be offlined whole. */
static bool offline_phase(const struct mh_step *s)
{
	return s->kind == MH_STEP_OFFLINE_BLOCK || s->kind == MH_STEP_CHECK_OFFLINE ||
	       s->kind == MH_STEP_UNBIND_KMEM;
}

/* Decide the outcome of a failed run, undoing what can be undone. */
static void fail(struct exec *x, int err)
{
	const struct mh_plan *p = x->plan;
	char good[160], bad[160];

	if (!x->res->message[0])
		exec_say(x, "%s", strerror(-err));
	if (x->leaked) {
		x->res->outcome = MH_LEAKED;
	} else if (x->unbind_running) {
		x->res->outcome = MH_PARTIAL;	/* the journal stays, for recover */
	} else if (x->journal_failed && !x->changed && !x->nr_order) {
		/* ENOSPC, ELOOP...: nothing was touched, and waiting will not help. */
		x->res->outcome = MH_FAILED;
	} else if (p->op != MH_OP_ONLINE && !x->unbound &&
		   (x->nr_order || offline_phase(&p->steps[x->res->failed_step]))) {
		/* Could not offline the whole device: put back what we took. */
		if (rollback(x, good, bad, sizeof(bad))) {
			x->res->outcome = MH_BUSY;
			if (x->res->rolled_back)
				append(x, "; rolled back: %s", good);
		} else {
			x->res->outcome = MH_PARTIAL;
			append(x, "; not restored: %s", bad);
			if (good[0])
				append(x, "; restored: %s", good);
		}
	} else if (!x->changed) {
		x->res->outcome = mh_classify_errno(-err) == MH_ERR_RETRY ||
			mh_classify_errno(-err) == MH_ERR_DEADLINE ? MH_BUSY : MH_FAILED;
	} else {
		x->res->outcome = MH_PARTIAL;
	}
}

static int setup(struct exec *x)
{
	const struct mh_plan *p = x->plan;
	struct mh_exec_result *res = x->res;
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
	if (!res->blocks || !x->offlined || !x->order || !x->state_fd)
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
	for (i = 0; i < p->nr_steps; i++)
		if (p->steps[i].kind == MH_STEP_BIND_DEVDAX)
			x->j.rebind_devdax = true;
	if (x->opts->use_udev && mh_root_is_live(x->root))
		mh_udevwatch_open(&x->uw);
	return 0;
}

int mh_exec(struct mh_root *root, const struct mh_plan *plan,
	    const struct mh_exec_opts *opts, struct mh_exec_result *res)
{
	struct exec x = { .root = root, .plan = plan, .opts = opts, .res = res };
	struct mh_dax_dev dev;
	uint64_t bs = 0;
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	mh_write_session_begin();
	err = setup(&x);
	if (err) {
		res->outcome = MH_FAILED;
		res->err = -err;
		exec_say(&x, "%s", strerror(-err));
		goto out;
	}
	/* The ranges, for the verification once the unbind is done. */
	err = mh_dax_read(root, plan->dev, &dev, NULL, 0);
	if (!err)
		err = mh_block_size(root, &bs);
	if (err) {
		res->outcome = MH_FAILED;
		res->err = -err;
		exec_say(&x, "cannot read %s: %s", plan->dev, strerror(-err));
		goto out;
	}

	for (i = 0; i < plan->nr_steps; i++) {
		exec_progress(&x, i, false, 0);
		/*
		 * Once kmem let go of the range there is nothing to undo: the
		 * steps left (verify, bind device_dax, settle) are finished,
		 * bounded by the rollback deadline, whatever the signal or the
		 * deadline says, rather than leaving a device with no driver.
		 */
		if (x.unbound) {
			err = run_step(&x, i, &dev, bs);
		} else if (exec_stopped(&x)) {
			err = -EINTR;
			exec_say(&x, "interrupted before %s",
				 mh_step_kind_name(plan->steps[i].kind));
		} else if (mh_deadline_passed(&opts->deadline) &&
			   plan->steps[i].kind != MH_STEP_RESTORE_POLICY) {
			err = -ETIMEDOUT;
			exec_say(&x, "deadline reached before %s",
				 mh_step_kind_name(plan->steps[i].kind));
		} else {
			err = run_step(&x, i, &dev, bs);
		}
		/* The writer's batch of offlines ends with the last of them. */
		if (err || i + 1 == plan->nr_steps ||
		    plan->steps[i + 1].kind != MH_STEP_OFFLINE_BLOCK)
			exec_offline_batch_end(&x);
		exec_progress(&x, i, true, err ? -err :
			      plan->steps[i].kind == MH_STEP_VERIFY_RELEASED ?
			      x.unverified : 0);
		if (err) {
			res->failed_step = (int)i;
			res->err = -err;
			break;
		}
		res->steps_done++;
	}
	if (err) {
		fail(&x, err);
	} else if (x.unverified) {
		res->outcome = MH_PARTIAL;
		res->err = x.unverified;
	} else {
		res->outcome = MH_DONE;
	}

	/* On every path, signals and failures too. */
	if (restore_policy(&x)) {
		res->policy_restored = false;
		if (res->outcome != MH_LEAKED)
			res->outcome = MH_PARTIAL;
		append(&x, "; auto_online_blocks not restored to %s", x.saved_policy);
	}
	fill_results(&x);
	if (res->outcome == MH_DONE && !res->message[0])
		exec_say(&x, "%s: %s done", plan->dev, mh_op_name(plan->op));
	if (*mh_write_left_running() && !x.unbind_running)
		append(&x, "; %s", mh_write_left_running());
out:
	/* A PARTIAL run keeps its journal: `recover` can try again. */
	if (opts->journal && x.journal_written && res->outcome != MH_PARTIAL)
		mh_journal_remove(plan->dev);
	mh_udevwatch_close(x.uw);
	mh_write_session_end();
	close_state_fds(&x);
	free(x.offlined);
	free(x.order);
	free(x.dev_ids);
	return 0;
}
