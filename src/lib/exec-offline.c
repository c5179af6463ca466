// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's block steps: offline a block (retried while the kernel
 * says busy, with backoff, bounded by the deadline), watching for another
 * agent that onlines the blocks this run offlined; online a block into a
 * zone, moving one the kernel auto-onlined elsewhere.
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
#include "names.h"
#include "errclass.h"
#include "kmsg.h"
#include "block.h"
#include "log.h"
#include "udevwatch.h"

#define UDEV_CONFIRM_MS		500
#define RECHECK_RECENT		1	/* before each offline: the last offlined but one ... */
#define RECHECK_SWEEP		2	/* ... and this many older ones, in turn */

/* Fill r from one failed write; returns err for the caller to pass on. */
static int block_failed(struct mh_block_result *r, int err)
{
	if (r)
		r->err = -err;
	return err;
}

static void note_attempt(struct mh_block_result *r)
{
	if (r)
		r->attempts++;
}

static int recheck_one(struct exec *x, size_t k)
{
	uint64_t id = x->plan->blocks[x->order[k]];
	enum mh_block_state st;

	if (exec_read_state(x, id, x->order[k], &st) == 0 && st == MH_BLOCK_ONLINE) {
		x->res->raced = true;
		exec_say(x, "memory%" PRIu64 " was onlined again by another agent", id);
		return -EBUSY;
	}
	return 0;
}

/*
 * A block this run offlined that reads online again means another agent
 * (a udev rule, a script) is onlining behind us, whether or not udev told
 * us: stop early, long before the unbind. Re-reading every offlined block
 * before each offline made a run quadratic in its blocks (2,016 re-reads
 * for 64); a racer strikes the block just offlined first (a rule on its
 * uevent, a loop over the offline ones), so the RECHECK_RECENT before the
 * last are re-read every time and the older ones RECHECK_SWEEP at a time
 * in turn. Not the last: its step has just read it back, too recently for
 * a rule on its uevent to have acted (reading it again found nothing that
 * the read one step later does not).
 * The guarantee is exec_step_check_offline(), which reads every block, twice.
 */
static int recheck_offlined(struct exec *x)
{
	size_t n = x->nr_order ? x->nr_order - 1 : 0;	/* the last is left out */
	size_t recent = n < RECHECK_RECENT ? n : RECHECK_RECENT;
	size_t older = n - recent, i;
	int err = 0;

	for (i = 0; i < recent && !err; i++)
		err = recheck_one(x, n - 1 - i);
	for (i = 0; i < RECHECK_SWEEP && i < older && !err; i++)
		err = recheck_one(x, x->recheck_next++ % older);
	return err;
}

/*
 * Block bi (its result r) is offline, by this run's write if ours (a
 * write that took effect: "N blocks offlined" counts those, not a block
 * another agent offlined before our write got EINVAL).
 */
static void mark_offlined(struct exec *x, ssize_t bi, struct mh_block_result *r,
			  bool ours)
{
	if (ours && !(bi >= 0 && x->offlined[bi]))
		x->res->nr_offlined++;
	if (bi >= 0 && !x->offlined[bi]) {
		x->offlined[bi] = true;
		x->order[x->nr_order++] = (size_t)bi;
	}
	exec_mark_changed(x);
	if (r)
		r->err = 0;
}

/* A write of the batch that no step took: its block is offline all the same. */
static void batch_done(void *ctx, size_t i, bool maybe)
{
	struct exec *x = ctx;
	ssize_t bi = mh_plan_block_index(x->plan, x->plan->steps[x->batch_step + i].block);
	struct mh_block_result *r;
	enum mh_block_state st;

	if (bi < 0)
		return;
	/* Killed in that write: the block says whether it took effect. */
	if (maybe && (exec_read_state(x, x->plan->blocks[bi], (size_t)bi, &st) ||
		      st != MH_BLOCK_OFFLINE))
		return;
	r = &x->res->blocks[bi];
	note_attempt(r);
	mark_offlined(x, bi, r, true);
	mh_dbg("memory%" PRIu64 ": offlined by the batch after its step ended",
	       x->plan->blocks[bi]);
}

void exec_offline_batch_end(struct exec *x)
{
	mh_write_batch_end(batch_done, x);
}

/*
 * From step idx on, the offline steps in a row go to the writer as one
 * batch: it writes them back to back while we check each as its report
 * comes. Only when there are two or more: one is an ordinary write.
 */
static void batch_start(struct exec *x, size_t idx)
{
	const struct mh_plan *p = x->plan;
	char (*paths)[64] = NULL;
	const char **rels = NULL;
	size_t n = 0, k;

	while (idx + n < p->nr_steps && p->steps[idx + n].kind == MH_STEP_OFFLINE_BLOCK)
		n++;
	if (n < 2)
		return;
	paths = calloc(n, sizeof(*paths));
	rels = calloc(n, sizeof(*rels));
	if (paths && rels) {
		for (k = 0; k < n; k++) {
			exec_state_path(p->steps[idx + k].block, paths[k], sizeof(paths[k]));
			rels[k] = paths[k];
		}
		x->batch_step = idx;
		mh_write_batch_begin(x->root, rels, n, "offline");
	}
	free(paths);
	free(rels);
}

/*
 * A block no batch has written: its state first (offline already, or no
 * such block: 1, nothing to do), then the journal before the first change,
 * then a batch from this block on. Only the state: the plan refused
 * blocks that span zones, and should one span zones by now, the kernel
 * refuses its offline (EINVAL) and the failure path reads valid_zones.
 */
static int before_first_write(struct exec *x, size_t idx, const struct mh_step *s,
			      ssize_t bi)
{
	enum mh_block_state st;
	int err;

	exec_offline_batch_end(x);	/* one that does not go on with this block */
	err = exec_read_state(x, s->block, bi >= 0 ? (size_t)bi : 0, &st);
	if (err == -ENOENT)
		return 1;
	if (err < 0) {
		exec_say(x, "cannot read memory%" PRIu64 ": %s", s->block, strerror(-err));
		return err;
	}
	if (st == MH_BLOCK_OFFLINE)
		return 1;
	err = exec_before_change(x);
	/* Past the deadline or stopped: no batch, the single write refuses to start. */
	if (!err && !exec_stopped(x) && !mh_deadline_passed(&x->opts->deadline))
		batch_start(x, idx);
	return err;
}

/* After a failed offline: what the kernel logged about the block's range. */
static void kernel_reason(struct exec *x, uint64_t id, struct mh_block_result *r,
			  struct mh_kmsg *k)
{
	if (r && x->block_size)
		mh_kmsg_collect(k, id * x->block_size, (id + 1) * x->block_size, &r->kmsg);
}

/*
 * The offline of block id ended busy, by the deadline or a stop, and the
 * kernel log named no page of it (a pin in ZONE_MOVABLE is never dumped,
 * pinread.c): read its flags now, before a rollback write changes what
 * the block holds. Not for a write that never started (it waited for the
 * kernel's lock), nor for a block that stopped nothing: a run whose
 * offlines all went never reads them.
 */
static void read_pins(struct exec *x, uint64_t id, struct mh_block_result *r, int err)
{
	if (!r || !r->attempts || (r->kmsg.status == MH_KMSG_FOUND && r->kmsg.page[0]))
		return;
	if (err != -EBUSY && err != -EAGAIN && err != -ETIMEDOUT && err != -EINTR)
		return;
	if (mh_write_last_was_stuck() || !x->block_size)
		return;
	mh_pin_read(x->root, id, x->block_size, &r->pins);
}

static int step_offline(struct exec *x, size_t idx, const struct mh_step *s,
			struct mh_kmsg *k)
{
	struct mh_block_result *r = exec_result_of(x, s->block);
	ssize_t bi = mh_plan_block_index(x->plan, s->block);
	struct mh_block blk = { .id = s->block };
	unsigned backoff = x->opts->backoff_ms, tries = 0;
	bool read_before = false;
	char rel[PATH_MAX];
	int err, rd;

	err = exec_check_race(x);
	if (!err)
		err = recheck_offlined(x);
	if (err)
		return err;
	exec_state_path(s->block, rel, sizeof(rel));
	/* Written already by the batch (1: not in one). */
	err = mh_write_batch_next(rel, &x->opts->deadline, x->opts->stop);
	if (err == 1) {
		err = before_first_write(x, idx, s, bi);
		if (err)
			return err < 0 ? err : 0;
		read_before = true;
		err = mh_write_batch_next(rel, &x->opts->deadline, x->opts->stop);
	}
	for (;;) {
		if (err == 1) {	/* not written yet */
			mh_kmsg_mark(k);
			err = exec_write(x, rel, "offline");
		}
		note_attempt(r);
		tries++;
		rd = exec_read_state(x, s->block, bi >= 0 ? (size_t)bi : 0, &blk.state);
		if (rd == 0 && blk.state != MH_BLOCK_OFFLINE)
			rd = mh_block_refresh(x->root, &blk);	/* and the zones */
		if (rd == -ENOENT)
			return 0;	/* went away: nothing left to offline */
		/*
		 * The batch wrote without our read before: its EINVAL on an
		 * offline block is the kernel's "already offline", not ours.
		 */
		if (rd == 0 && blk.state == MH_BLOCK_OFFLINE && err == -EINVAL &&
		    !read_before && tries == 1)
			return 0;
		if (rd == 0 && blk.state == MH_BLOCK_OFFLINE) {
			/* Done, also when the write failed (EINVAL: already offline). */
			mark_offlined(x, bi, r, !err);
			if (x->uw) {
				struct mh_deadline d;

				mh_deadline_set(&d, UDEV_CONFIRM_MS / 1000.0);
				if (mh_udevwatch_wait_offline(x->uw, s->block, &d))
					mh_dbg("memory%" PRIu64 ": no offline uevent", s->block);
			}
			return 0;
		}
		if (rd < 0) {
			exec_say(x, "cannot read memory%" PRIu64 ": %s", s->block, strerror(-rd));
			return block_failed(r, rd);
		}
		if (!err)
			err = -EAGAIN;	/* took no effect (going-offline): again */
		block_failed(r, err);
		kernel_reason(x, s->block, r, k);
		switch (mh_classify_errno(-err)) {
		case MH_ERR_RETRY:
			if (tries > x->opts->max_retries) {
				exec_say(x, "memory%" PRIu64 " still busy after %u attempts (%s)",
					 s->block, tries, strerror(-err));
				return err;
			}
			exec_progress(x, idx, false, -err);
			mh_sleep_ms(backoff, &x->opts->deadline, x->opts->stop);
			backoff = exec_next_backoff(backoff);
			if (exec_stopped(x) || mh_deadline_passed(&x->opts->deadline)) {
				err = exec_stopped(x) ? -EINTR : -ETIMEDOUT;
				exec_say(x, "memory%" PRIu64 ": %s while retrying", s->block,
					 exec_stopped(x) ? "interrupted" : "deadline reached");
				return block_failed(r, err);
			}
			err = 1;	/* write it again */
			continue;
		case MH_ERR_REREAD:
			if (mh_block_spans_zones(&blk))
				exec_say(x, "memory%" PRIu64 " spans zones (valid_zones none)",
					 s->block);
			else
				exec_say(x, "memory%" PRIu64 ": offline refused (%s), state %s",
					 s->block, strerror(-err), mh_block_state_name(blk.state));
			return err;
		case MH_ERR_DEADLINE:
			exec_say_write_ended(x, s->block, "offline", err);
			return err;
		default:
			exec_say(x, "memory%" PRIu64 ": offline failed: %s", s->block,
				 strerror(-err));
			return err;
		}
	}
}

/*
 * The kernel log, opened once a run at its first offline (about 100 us an
 * open) and closed with the run, has its position noted at each step and
 * before each write: a batched write (already under way) counts from the
 * step's start, and records are matched to the block by the page frames
 * they name.
 */
int exec_step_offline(struct exec *x, size_t idx, const struct mh_step *s)
{
	int err;

	if (!x->kmsg_opened) {
		mh_kmsg_open(&x->kmsg, x->root);
		x->kmsg_opened = true;
	}
	mh_kmsg_mark(&x->kmsg);
	err = step_offline(x, idx, s, &x->kmsg);
	if (err < 0)
		read_pins(x, s->block, exec_result_of(x, s->block), err);
	return err;
}

/* Online block into s->zone; an auto-onlined block in another zone is moved. */
int exec_step_online(struct exec *x, size_t idx, const struct mh_step *s)
{
	struct mh_block_result *r = exec_result_of(x, s->block);
	struct mh_block blk = { .id = s->block };
	unsigned moves = 0, tries = 0, backoff = x->opts->backoff_ms;
	char rel[PATH_MAX];
	int err = 0, rd;

	exec_state_path(s->block, rel, sizeof(rel));
	for (;;) {
		enum mh_zone z;

		rd = mh_block_refresh(x->root, &blk);
		if (rd < 0) {
			exec_say(x, "cannot read memory%" PRIu64 ": %s", s->block, strerror(-rd));
			return block_failed(r, rd);
		}
		z = mh_zone_from_valid_zones(blk.valid_zones);
		if (blk.state == MH_BLOCK_ONLINE &&
		    (s->zone == MH_ZONE_UNKNOWN || z == s->zone)) {
			if (r)
				r->err = 0;
			return 0;
		}
		if (tries > x->opts->max_retries || moves > 2) {
			exec_say(x, "memory%" PRIu64 ": cannot online into %s: %s (%s, %s)",
				 s->block, mh_zone_name(s->zone), strerror(err ? -err : EBUSY),
				 mh_block_state_name(blk.state), blk.valid_zones);
			return block_failed(r, err ? err : -EBUSY);
		}
		err = exec_before_change(x);
		if (err)
			return err;
		if (blk.state == MH_BLOCK_ONLINE) {
			/* Onlined by the policy or a udev rule, into another zone. */
			mh_info("memory%" PRIu64 " was onlined into %s, moving it to %s",
				s->block, blk.valid_zones, mh_zone_name(s->zone));
			moves++;
			err = exec_write(x, rel, "offline");
		} else {
			err = exec_write(x, rel, mh_zone_online_cmd(s->zone));
		}
		note_attempt(r);
		tries++;
		exec_mark_changed(x);
		if (!err)
			continue;	/* the re-read decides */
		block_failed(r, err);
		switch (mh_classify_errno(-err)) {
		case MH_ERR_RETRY:
			mh_sleep_ms(backoff, &x->opts->deadline, x->opts->stop);
			backoff = exec_next_backoff(backoff);
			continue;
		case MH_ERR_REREAD:
			continue;	/* raced with another onliner: re-read */
		case MH_ERR_DEADLINE:
			exec_say_write_ended(x, s->block, "online", err);
			return err;
		default:
			exec_say(x, "memory%" PRIu64 ": online failed: %s", s->block,
				 strerror(-err));
			return err;
		}
	}
}
