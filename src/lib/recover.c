// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Recovery after a run was killed (SIGKILL, power-cut of the tool, OOM):
 * its journal says what it was changing. Once kmem let go of the device,
 * the only way is forward (verify, rebind device_dax); while kmem holds
 * it, the way is back (blocks online into the zones they had, policy
 * restored). The journal is evidence, not orders: the direction comes
 * from the driver read now, its blocks must be the device's own, its
 * policy one the kernel knows, and it must belong to this root.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "range.h"
#include "journal.h"
#include "log.h"
#include "verify.h"

#define RECOVER_SECONDS		30.0

static void __attribute__((format(printf, 2, 3)))
say(struct mh_exec_result *res, const char *fmt, ...)
{
	size_t used = strlen(res->message);
	va_list ap;

	va_start(ap, fmt);
	if (used < sizeof(res->message))
		vsnprintf(res->message + used, sizeof(res->message) - used, fmt, ap);
	va_end(ap);
}

/* Forward: the unbind was started. */
static enum mh_outcome finish_remove(struct mh_root *root, const struct mh_journal *j,
				     const struct mh_deadline *d,
				     struct mh_exec_result *res)
{
	struct mh_dax_dev dev;
	char what[160];
	uint64_t bs;
	int err;

	err = mh_dax_read(root, j->dev, &dev, NULL, 0);
	if (!err)
		err = mh_block_size(root, &bs);
	if (err) {
		say(res, "cannot read %s: %s", j->dev, strerror(-err));
		res->err = -err;
		return MH_PARTIAL;
	}
	err = mh_verify_released(root, &dev, bs, what, sizeof(what));
	if (err == -EBUSY) {
		say(res, "%s: range not released (%s): reboot needed to reuse it",
		    j->dev, what);
		return MH_LEAKED;
	}
	if (err) {
		/* Not known: the journal stays for another try. */
		say(res, "%s: cannot verify that the range was released (%s)",
		    j->dev, what);
		res->err = -err;
		return MH_PARTIAL;
	}
	if (j->rebind_devdax) {
		err = mh_exec_bind_driver(root, j->dev, "device_dax", d, NULL,
					  what, sizeof(what));
		if (err) {
			say(res, "%s", what);
			res->err = -err;
			return MH_PARTIAL;
		}
	}
	say(res, "%s: remove finished", j->dev);
	return MH_DONE;
}

/* Back: blocks the run offlined go online again, into the zone they had. */
static bool undo_blocks(struct mh_root *root, const struct mh_journal *j,
			const struct mh_exec_opts *opts, const struct mh_deadline *d,
			struct mh_exec_result *res)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < j->nr_blocks; i++) {
		struct mh_block_result *r = &res->blocks[i];
		struct mh_block blk = { .id = j->blocks[i] };
		enum mh_zone want = j->orig_zone[i];
		int err;

		/* Onlining is what an online run was doing: leave it. */
		if (j->orig_state[i] != MH_BLOCK_ONLINE)
			continue;
		/* Online (or gone) already: nothing of ours to undo there. */
		err = mh_block_refresh(root, &blk);
		if (err == -ENOENT || (!err && blk.state == MH_BLOCK_ONLINE))
			continue;
		err = mh_exec_online_block(root, blk.id, want, d, opts->max_retries,
					   opts->backoff_ms, &r->attempts);
		if (!err)
			err = mh_block_refresh(root, &blk);
		if (!err && (want == MH_ZONE_UNKNOWN || want == MH_ZONE_NONE ||
			     mh_zone_from_valid_zones(blk.valid_zones) == want)) {
			res->rolled_back |= r->attempts > 0;
			continue;
		}
		ok = false;
		r->err = err ? -err : EINVAL;
		say(res, "%smemory%" PRIu64 " %s", res->message[0] ? ", " : "not restored: ",
		    blk.id, err ? strerror(-err) : blk.valid_zones);
	}
	return ok;
}

static bool undo_policy(struct mh_root *root, const struct mh_journal *j,
			const struct mh_deadline *d, struct mh_exec_result *res)
{
	char cur[32];

	if (!j->saved_policy[0])
		return true;
	if (!mh_journal_policy_valid(j->saved_policy)) {
		say(res, "%sjournal policy not one the kernel knows", res->message[0] ? "; " : "");
		return false;
	}
	if (mh_exec_read_policy(root, cur, sizeof(cur)) >= 0 && !strcmp(cur, j->saved_policy))
		return true;
	if (!mh_exec_set_policy(root, j->saved_policy, d, NULL))
		return true;
	say(res, "%sauto_online_blocks not restored to %s", res->message[0] ? "; " : "",
	    j->saved_policy);
	return false;
}

static void fill_results(struct mh_root *root, const struct mh_journal *j,
			 struct mh_exec_result *res)
{
	size_t i;

	for (i = 0; i < res->nr_blocks; i++) {
		struct mh_block_result *r = &res->blocks[i];
		struct mh_block blk = { .id = j->blocks[i] };

		r->block = blk.id;
		if (mh_block_refresh(root, &blk) < 0) {
			r->state = MH_BLOCK_UNKNOWN;
			r->zone = MH_ZONE_UNKNOWN;
			continue;
		}
		r->state = blk.state;
		r->zone = blk.state == MH_BLOCK_ONLINE ?
			mh_zone_from_valid_zones(blk.valid_zones) : j->orig_zone[i];
	}
	mh_exec_read_driver(root, j->dev, res->final_driver, sizeof(res->final_driver));
}

/* Every block the journal names is one of the device's own: 0 or -EINVAL (said). */
static int check_blocks(struct mh_root *root, const struct mh_journal *j,
			struct mh_exec_result *res)
{
	struct mh_dax_dev dev;
	uint64_t bs, first, last;
	size_t i, r;
	int err;

	if (!j->nr_blocks)
		return 0;
	err = mh_dax_read(root, j->dev, &dev, NULL, 0);
	if (!err)
		err = mh_block_size(root, &bs);
	if (err) {
		say(res, "%s: cannot read the device to check the journal: %s", j->dev,
		    strerror(-err));
		return err;
	}
	for (i = 0; i < j->nr_blocks; i++) {
		bool own = false;

		for (r = 0; r < dev.nr_ranges && !own; r++)
			own = mh_range_blocks(&dev.ranges[r], bs, &first, &last) &&
			      j->blocks[i] >= first && j->blocks[i] <= last;
		if (!own) {
			say(res, "%s: the journal names memory%" PRIu64
			    ", not a block of %s: refused", j->dev, j->blocks[i], j->dev);
			return -EINVAL;
		}
	}
	return 0;
}

static int refused(struct mh_exec_result *res, struct mh_journal *j, int err)
{
	mh_journal_free(j);
	res->outcome = MH_FAILED;
	res->err = -err;
	return 0;
}

int mh_recover(struct mh_root *root, const char *dev, const struct mh_exec_opts *opts,
	       struct mh_exec_result *res)
{
	const char *here = mh_root_is_live(root) ? "/" : mh_root_path(root);
	struct mh_deadline d;
	struct mh_journal j;
	char drv[32];
	int err;

	memset(res, 0, sizeof(*res));
	res->failed_step = -1;
	res->policy_restored = true;
	err = mh_journal_read(dev, &j);
	if (err == -ENOENT) {
		res->outcome = MH_DONE;
		mh_exec_read_driver(root, dev, res->final_driver, sizeof(res->final_driver));
		say(res, "%s: nothing to recover", dev);
		return 0;
	}
	if (err) {
		res->outcome = MH_FAILED;
		res->err = -err;
		say(res, "%s: cannot use the journal: %s", dev,
		    err == -EINVAL ? "not valid" : strerror(-err));
		return 0;
	}
	if (strcmp(j.root, here)) {
		say(res, "%s: the journal belongs to root %s, not %s: refused", dev, j.root,
		    here);
		return refused(res, &j, -EXDEV);
	}
	err = check_blocks(root, &j, res);
	if (err)
		return refused(res, &j, err);
	/* --timeout when given; else the rollback's own bound. */
	if (opts->deadline.end_ns)
		d = opts->deadline;
	else
		mh_deadline_set(&d, opts->rollback_seconds > 0 ? opts->rollback_seconds
							       : RECOVER_SECONDS);
	res->nr_blocks = j.nr_blocks;
	res->blocks = calloc(j.nr_blocks + 1, sizeof(*res->blocks));
	if (!res->blocks) {
		mh_journal_free(&j);
		res->outcome = MH_FAILED;
		res->err = ENOMEM;
		return -ENOMEM;
	}
	fill_results(root, &j, res);

	/*
	 * Direction from the driver now, not from unbind_started: a remove
	 * killed after kmem let go (or whose flag update failed) can only be
	 * finished; while kmem holds the device, it is undone.
	 */
	mh_exec_read_driver(root, j.dev, drv, sizeof(drv));
	if (j.op == MH_OP_REMOVE && strcmp(drv, "kmem")) {
		res->outcome = finish_remove(root, &j, &d, res);
	} else {
		res->outcome = undo_blocks(root, &j, opts, &d, res) ? MH_DONE : MH_PARTIAL;
		if (res->outcome == MH_DONE)
			say(res, "%s: %s undone", j.dev, mh_op_name(j.op));
	}
	if (!undo_policy(root, &j, &d, res)) {
		res->policy_restored = false;
		if (res->outcome == MH_DONE)
			res->outcome = MH_PARTIAL;
	}
	fill_results(root, &j, res);
	/* Keep the journal while there is still something to recover. */
	if (res->outcome == MH_DONE || res->outcome == MH_LEAKED)
		mh_journal_remove(j.dev);
	mh_journal_free(&j);
	return 0;
}
