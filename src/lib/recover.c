// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Recovery after a run was killed (SIGKILL, power-cut of the tool, OOM):
 * its journal says what it was changing. Once kmem let go of the device,
 * the only way is forward (verify, rebind device_dax); while kmem holds
 * it, the way is back (blocks online into the zones they had, policy
 * restored). The journal is evidence, not orders: the direction comes
 * from the driver read now, its blocks must be the device's own, its
 * policy one the kernel knows, and it must belong to this root. Either
 * way is a plan, run by the executor from the phase the journal left.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "exec-dev.h"
#include "range.h"
#include "journal.h"
#include "names.h"
#include "log.h"

#define RECOVER_SECONDS		30.0

/* Every block the journal names is one of the device's own: 0 or -EINVAL (said). */
static int check_blocks(struct mh_root *root, const struct mh_journal *j,
			struct mh_err *e)
{
	struct mh_dax_dev dev;
	uint64_t bs, first, last;
	size_t i, r;
	int err;

	if (!j->nr_blocks)
		return 0;
	err = mh_dax_read(root, j->dev, &dev, NULL);
	if (!err)
		err = mh_block_size(root, &bs);
	if (err)
		return mh_err_set(e, err, NULL, "%s: cannot read the device to check the "
				  "journal: %s", j->dev, strerror(-err));
	for (i = 0; i < j->nr_blocks; i++) {
		bool own = false;

		for (r = 0; r < dev.nr_ranges && !own; r++)
			own = mh_range_blocks(&dev.ranges[r], bs, &first, &last) &&
			      j->blocks[i] >= first && j->blocks[i] <= last;
		if (!own)
			return mh_err_set(e, -EINVAL, NULL, "%s: the journal names memory%" PRIu64
					  ", not a block of %s: refused", j->dev, j->blocks[i],
					  j->dev);
	}
	return 0;
}

/* The journal, read and checked: refused, said in e, when not this root's or device's. */
static int read_journal(struct mh_root *root, const char *dev, struct mh_journal *j,
			struct mh_err *e)
{
	const char *here = mh_root_is_live(root) ? "/" : mh_root_path(root);
	int err;

	err = mh_journal_read(dev, j);
	if (err == -ENOENT)
		return err;
	if (err)
		return mh_err_set(e, err, NULL, "%s: cannot use the journal: %s", dev,
				  err == -EINVAL ? "not valid" : strerror(-err));
	if (strcmp(j->root, here))
		err = mh_err_set(e, -EXDEV, NULL, "%s: the journal belongs to root %s, "
				 "not %s: refused", dev, j->root, here);
	else
		err = check_blocks(root, j, e);
	if (err)
		mh_journal_free(j);
	return err;
}

static struct mh_step *add_step(struct mh_plan *p, enum mh_step_kind kind)
{
	struct mh_step *s = &p->steps[p->nr_steps++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

/*
 * Forward, once kmem let go: verify the release, bind device_dax when the
 * run would have. Back, while kmem holds the device: online again, into
 * the zone it had, each block the run found online and that reads offline
 * now (online already or gone: nothing of ours to undo; offline in the
 * journal: the online run was bringing it up, left as it is). Both end
 * by restoring the policy the run replaced.
 */
static int build_plan(struct mh_root *root, const struct mh_journal *j, bool undo,
		      struct mh_plan *p)
{
	size_t i, n = j->nr_blocks;

	memset(p, 0, sizeof(*p));
	p->op = j->op;
	snprintf(p->dev, sizeof(p->dev), "%s", j->dev);
	p->steps = calloc(n + 3, sizeof(*p->steps));
	p->blocks = calloc(n + 1, sizeof(*p->blocks));
	p->orig_zone = calloc(n + 1, sizeof(*p->orig_zone));
	p->orig_state = calloc(n + 1, sizeof(*p->orig_state));
	if (!p->steps || !p->blocks || !p->orig_zone || !p->orig_state) {
		mh_plan_free(p);
		return -ENOMEM;
	}
	p->nr_blocks = n;
	for (i = 0; i < n; i++) {
		struct mh_block blk = { .id = j->blocks[i] };
		struct mh_step *s;
		int err;

		p->blocks[i] = j->blocks[i];
		p->orig_zone[i] = j->orig_zone[i];
		p->orig_state[i] = j->orig_state[i];
		if (!undo || j->orig_state[i] != MH_BLOCK_ONLINE)
			continue;
		/* Unreadable: the step says so when it runs. */
		err = mh_block_refresh(root, &blk);
		if (err == -ENOENT || (!err && blk.state == MH_BLOCK_ONLINE))
			continue;
		s = add_step(p, MH_STEP_ONLINE_BLOCK);
		s->block = j->blocks[i];
		s->zone = j->orig_zone[i];
	}
	if (!undo) {
		add_step(p, MH_STEP_VERIFY_RELEASED);
		if (j->rebind_devdax)
			snprintf(add_step(p, MH_STEP_BIND_DEVDAX)->arg, sizeof(p->steps->arg),
				 "device_dax");
	}
	if (j->saved_policy[0])
		snprintf(add_step(p, MH_STEP_RESTORE_POLICY)->arg, sizeof(p->steps->arg), "%s",
			 j->saved_policy);
	return 0;
}

/*
 * Direction from the driver now, not from the journal's phase: a remove
 * killed after kmem let go (or whose phase update failed) can only be
 * finished; while kmem holds the device, it is undone.
 */
static bool undo_direction(struct mh_root *root, const struct mh_journal *j)
{
	char drv[32];

	mh_exec_read_driver(root, j->dev, drv, sizeof(drv));
	return j->op != MH_OP_REMOVE || !strcmp(drv, "kmem");
}

int mh_recover_plan(struct mh_root *root, const char *dev, struct mh_plan *plan,
		    bool *undo, struct mh_err *e)
{
	struct mh_journal j;
	int err;

	err = read_journal(root, dev, &j, e);
	if (err)
		return err;
	*undo = undo_direction(root, &j);
	err = build_plan(root, &j, *undo, plan);
	if (err)
		mh_err_set(e, err, NULL, "%s: %s", dev, strerror(-err));
	mh_journal_free(&j);
	return err;
}

int mh_recover(struct mh_root *root, const char *dev, const struct mh_exec_opts *opts,
	       struct mh_exec_result *res)
{
	struct mh_exec_opts o = *opts;
	struct mh_exec_start start = { 0 };
	struct mh_journal j;
	struct mh_plan plan;
	bool undo, have_journal;
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	res->failed_step = -1;
	res->policy_restored = true;
	err = read_journal(root, dev, &j, &res->error);
	if (err == -ENOENT) {
		res->outcome = MH_DONE;
		mh_exec_read_driver(root, dev, res->final_driver, sizeof(res->final_driver));
		snprintf(res->error.msg, sizeof(res->error.msg), "%s: nothing to recover", dev);
		return 0;
	}
	have_journal = !err;
	undo = !err && undo_direction(root, &j);
	if (!err)
		err = build_plan(root, &j, undo, &plan);
	if (err) {
		if (!res->error.msg[0])
			mh_err_set(&res->error, err, NULL, "%s: %s", dev, strerror(-err));
		res->outcome = MH_FAILED;
		if (err != -ENOMEM)
			err = 0;	/* refused: said, nothing changed */
		goto out;
	}
	/* --timeout when given; else the rollback's own bound. Signals: see it through. */
	if (!o.deadline.end_ns)
		mh_deadline_set(&o.deadline, o.rollback_seconds > 0 ? o.rollback_seconds
								     : RECOVER_SECONDS);
	o.stop = NULL;
	o.journal = false;	/* the one on disk stays until the end */
	o.use_udev = false;
	o.progress.step = NULL;
	start.phase = undo ? MH_PHASE_CHANGED : MH_PHASE_UNBOUND;
	start.saved_policy = j.saved_policy;
	start.undo = undo;
	mh_exec_from(root, &plan, &o, &start, res);
	if (res->outcome == MH_DONE) {
		snprintf(res->error.msg, sizeof(res->error.msg), "%s: %s %s", dev,
			 mh_op_name(j.op), undo ? "undone" : "finished");
		for (i = 0; undo && i < res->nr_blocks; i++)
			res->rolled_back |= res->blocks[i].attempts > 0;
	}
	/* Keep the journal while there is still something to recover. */
	if (res->outcome == MH_DONE || res->outcome == MH_LEAKED)
		mh_journal_remove(dev);
	mh_plan_free(&plan);
out:
	if (have_journal)
		mh_journal_free(&j);
	return err;
}
