// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's loop, its top layer: runs the plan's steps through the
 * step table (exec-steps.h), then decides the outcome from the phase the
 * run reached, rolling back what it can. Each step acts, then re-reads:
 * sysfs is the truth, a write's errno only says what to do next
 * (errclass.h). What this run offlined is put back when the whole device
 * cannot be offlined; kmem is never unbound while a block of the device is
 * online, because the unbind "succeeds" and leaks the range until reboot;
 * the auto-online policy is restored on every path.
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

#include "exec-steps.h"
#include "errclass.h"
#include "journal.h"
#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The step table. whole_device: a failure there means the device could
 * not be offlined whole (what this run offlined goes back). past_deadline:
 * runs even once the deadline has passed.
 */
struct step_ops {
	exec_step_fn *run;
	bool whole_device;
	bool past_deadline;
};

static const struct step_ops steps[] = {
	[MH_STEP_LOAD_KMEM] = { exec_step_load_kmem },
	[MH_STEP_SET_POLICY] = { exec_step_set_policy },
	[MH_STEP_UNBIND] = { exec_step_unbind },
	[MH_STEP_BIND_KMEM] = { exec_step_bind_kmem },
	[MH_STEP_ONLINE_BLOCK] = { exec_step_online },
	[MH_STEP_OFFLINE_BLOCK] = { exec_step_offline, .whole_device = true },
	[MH_STEP_CHECK_OFFLINE] = { exec_step_check_offline, .whole_device = true },
	[MH_STEP_UNBIND_KMEM] = { exec_step_unbind_kmem, .whole_device = true },
	[MH_STEP_VERIFY_RELEASED] = { exec_step_verify },
	[MH_STEP_BIND_DEVDAX] = { exec_step_bind_devdax },
	[MH_STEP_RESTORE_POLICY] = { exec_step_restore_policy, .past_deadline = true },
	[MH_STEP_SETTLE_UDEV] = { exec_step_settle },
};

static const struct step_ops *step_of(enum mh_step_kind k)
{
	static const struct step_ops none;

	return (size_t)k < ARRAY_SIZE(steps) && steps[k].run ? &steps[k] : &none;
}

static int run_step(struct exec *x, size_t idx)
{
	const struct mh_step *s = &x->plan->steps[idx];

	if (!step_of(s->kind)->run)
		return -EINVAL;
	return step_of(s->kind)->run(x, idx, s);
}

const char *mh_outcome_name(enum mh_outcome o)
{
	static const char *const names[] = {
		[MH_DONE] = "done", [MH_BUSY] = "busy", [MH_PARTIAL] = "partial",
		[MH_LEAKED] = "leaked", [MH_FAILED] = "failed",
	};

	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "unknown";
}

void mh_exec_result_free(struct mh_exec_result *res)
{
	free(res->blocks);
	res->blocks = NULL;
	res->nr_blocks = 0;
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

/*
 * A recovery going back brings back every block it can: from the step
 * that failed, each online step of the plan is still run, bounded by the
 * deadline as the loop's were. true when all of them came back.
 */
static bool undo_rest(struct exec *x, char *good, char *bad, size_t len)
{
	const struct mh_plan *p = x->plan;
	size_t i, first = (size_t)x->res->failed_step;
	bool ok = true;

	good[0] = bad[0] = '\0';
	for (i = first; i < p->nr_steps; i++) {
		const struct mh_step *s = &p->steps[i];
		struct mh_block blk = { .id = s->block };
		int err = -EIO;

		if (s->kind != MH_STEP_ONLINE_BLOCK)
			continue;
		if (i > first) {
			exec_progress(x, i, false, 0);
			err = run_step(x, i);
			exec_progress(x, i, true, err ? -err : 0);
		}
		if (!err) {
			x->res->steps_done++;
			mh_block_refresh(x->root, &blk);
			add_name(good, len, s->block, blk.valid_zones[0] ? blk.valid_zones : "online");
			continue;
		}
		ok = false;
		add_name(bad, len, s->block, mh_block_refresh(x->root, &blk) ? "unreadable" :
			 mh_block_state_name(blk.state));
	}
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
		if (x->phase == MH_PHASE_RELEASED || mh_block_refresh(x->root, &blk) < 0) {
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

/* Decide the outcome of a failed run, undoing what can be undone. */
static void fail(struct exec *x, int err)
{
	const struct mh_plan *p = x->plan;
	char good[160], bad[160];

	if (!x->res->error.msg[0])
		exec_say(x, "%s", strerror(-err));
	if (x->phase == MH_PHASE_LEAKED) {
		x->res->outcome = MH_LEAKED;
	} else if (x->phase == MH_PHASE_UNBIND_RUNNING) {
		x->res->outcome = MH_PARTIAL;	/* the journal stays, for recover */
	} else if (x->undo_all && p->steps[x->res->failed_step].kind == MH_STEP_ONLINE_BLOCK) {
		/* The first failure's words stay first; the others' are logged. */
		char first[sizeof(x->res->error.msg)];

		snprintf(first, sizeof(first), "%s", x->res->error.msg);
		undo_rest(x, good, bad, sizeof(bad));
		exec_say(x, "%s; not restored: %s", first, bad);
		if (good[0])
			exec_append(x, "; restored: %s", good);
		x->res->outcome = MH_PARTIAL;
	} else if (x->journal_failed && x->phase == MH_PHASE_UNCHANGED) {
		/* ENOSPC, ELOOP...: nothing was touched, and waiting will not help. */
		x->res->outcome = MH_FAILED;
	} else if (p->op != MH_OP_ONLINE && x->phase < MH_PHASE_UNBOUND &&
		   (x->nr_order || step_of(p->steps[x->res->failed_step].kind)->whole_device)) {
		/* Could not offline the whole device: put back what we took. */
		if (rollback(x, good, bad, sizeof(bad))) {
			x->res->outcome = MH_BUSY;
			if (x->res->rolled_back)
				exec_append(x, "; rolled back: %s", good);
		} else {
			x->res->outcome = MH_PARTIAL;
			exec_append(x, "; not restored: %s", bad);
			if (good[0])
				exec_append(x, "; restored: %s", good);
		}
	} else if (x->phase == MH_PHASE_UNCHANGED) {
		x->res->outcome = mh_classify_errno(-err) == MH_ERR_RETRY ||
			mh_classify_errno(-err) == MH_ERR_DEADLINE ? MH_BUSY : MH_FAILED;
	} else {
		x->res->outcome = MH_PARTIAL;
	}
}

/* A run that goes on from where an interrupted one stopped (recover). */
static void resume(struct exec *x, const struct mh_exec_start *start)
{
	x->phase = start->phase;
	x->undo_all = start->undo;
	if (start->saved_policy && start->saved_policy[0]) {
		snprintf(x->saved_policy, sizeof(x->saved_policy), "%s", start->saved_policy);
		x->policy_changed = true;
		x->res->policy_restored = false;
	}
	/* Past the unbind the rollback's bound is the one given. */
	x->rb_deadline = x->opts->deadline;
}

int mh_exec_from(struct mh_root *root, const struct mh_plan *plan,
		 const struct mh_exec_opts *opts, const struct mh_exec_start *start,
		 struct mh_exec_result *res)
{
	struct exec x = { .root = root, .plan = plan, .opts = opts, .res = res };
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	mh_write_session_begin();
	err = exec_ctx_init(&x);
	if (!err && start)
		resume(&x, start);
	if (err) {
		exec_say(&x, "%s", strerror(-err));
	} else {
		/* The ranges, for the verification once the unbind is done. */
		err = mh_dax_read(root, plan->dev, &x.dax, NULL);
		if (!err)
			err = mh_block_size(root, &x.block_size);
		if (err)
			exec_say(&x, "cannot read %s: %s", plan->dev, strerror(-err));
	}
	if (err) {
		res->outcome = MH_FAILED;
		res->error.err = -err;
		goto out;
	}

	for (i = 0; i < plan->nr_steps; i++) {
		enum mh_step_kind kind = plan->steps[i].kind;

		exec_progress(&x, i, false, 0);
		/*
		 * Once kmem let go of the range there is nothing to undo: the
		 * steps left (verify, bind device_dax, settle) are finished,
		 * bounded by the rollback deadline, whatever the signal or the
		 * deadline says, rather than leaving a device with no driver.
		 */
		if (x.phase >= MH_PHASE_UNBOUND) {
			err = run_step(&x, i);
		} else if (exec_stopped(&x)) {
			err = -EINTR;
			exec_say(&x, "interrupted before %s", mh_step_kind_name(kind));
		} else if (mh_deadline_passed(&opts->deadline) &&
			   !step_of(kind)->past_deadline) {
			err = -ETIMEDOUT;
			exec_say(&x, "deadline reached before %s", mh_step_kind_name(kind));
		} else {
			err = run_step(&x, i);
		}
		/* The writer's batch of offlines ends with the last of them. */
		if (err || i + 1 == plan->nr_steps ||
		    plan->steps[i + 1].kind != MH_STEP_OFFLINE_BLOCK)
			exec_offline_batch_end(&x);
		exec_progress(&x, i, true, err ? -err :
			      kind == MH_STEP_VERIFY_RELEASED ? x.unverified : 0);
		if (err) {
			res->failed_step = (int)i;
			res->error.err = -err;
			break;
		}
		res->steps_done++;
	}
	if (err) {
		fail(&x, err);
	} else if (x.unverified) {
		res->outcome = MH_PARTIAL;
		res->error.err = x.unverified;
	} else {
		res->outcome = MH_DONE;
	}

	/* On every path, signals and failures too. */
	if (exec_restore_policy(&x)) {
		res->policy_restored = false;
		if (res->outcome != MH_LEAKED)
			res->outcome = MH_PARTIAL;
		exec_append(&x, "; auto_online_blocks not restored to %s", x.saved_policy);
	}
	fill_results(&x);
	if (res->outcome == MH_DONE && !res->error.msg[0])
		exec_say(&x, "%s: %s done", plan->dev, mh_op_name(plan->op));
	if (*mh_write_left_running() && x.phase != MH_PHASE_UNBIND_RUNNING)
		exec_append(&x, "; %s", mh_write_left_running());
	err = 0;
out:
	/* A PARTIAL run keeps its journal: `recover` can try again. */
	if (opts->journal && x.journal_written && res->outcome != MH_PARTIAL)
		mh_journal_remove(plan->dev);
	mh_write_session_end();
	exec_ctx_fini(&x);
	return err;
}

int mh_exec(struct mh_root *root, const struct mh_plan *plan,
	    const struct mh_exec_opts *opts, struct mh_exec_result *res)
{
	return mh_exec_from(root, plan, opts, NULL, res);
}
