// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mh_recover() on a plain-file tree: a run killed before the unbind is
 * undone (blocks back into their zones, policy restored); one killed after
 * the unbind started is finished (verify, rebind device_dax).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "exec.h"
#include "journal.h"
#include "log.h"
#include "paths.h"
#include "tap.h"
#include "test-exec-tree.h"

#define MEM MH_MEMORY_DIR "/"

static uint64_t blocks[T_NBLOCKS];
static enum mh_zone zones[T_NBLOCKS];
static enum mh_block_state states[T_NBLOCKS];

static void write_journal(struct tree *t, bool unbind_started, const char *policy)
{
	struct mh_journal j = {
		.op = MH_OP_REMOVE, .unbind_started = unbind_started,
		.phase = unbind_started ? MH_PHASE_UNBINDING : MH_PHASE_CHANGED,
		.rebind_devdax = true, .nr_blocks = T_NBLOCKS, .blocks = blocks,
		.orig_zone = zones, .orig_state = states,
	};
	int i;

	snprintf(j.dev, sizeof(j.dev), "%s", T_DEV);
	snprintf(j.root, sizeof(j.root), "%s", mh_root_path(t->root));
	snprintf(j.saved_policy, sizeof(j.saved_policy), "%s", policy);
	for (i = 0; i < T_NBLOCKS; i++) {
		blocks[i] = T_FIRST + i;
		zones[i] = i == 1 ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;
		states[i] = MH_BLOCK_ONLINE;
	}
	if (mh_journal_write(&j))
		printf("# cannot write the journal\n");
}

static void chmod_journal(struct tree *t)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/" T_DEV ".journal", t->rundir);
	chmod(p, 0644);
}

static struct mh_exec_opts opts(void)
{
	struct mh_exec_opts o = { .max_retries = 2, .backoff_ms = 1 };

	mh_deadline_set(&o.deadline, 10);
	return o;
}

static void test_undo(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;
	char b[32];
	int err;

	tree_create(&t, "offline", "kmem", "Movable");
	/* Killed after offlining 34 and 35; 35 was in ZONE_NORMAL. */
	tree_block(&t, 34, "offline", "Movable");
	tree_block(&t, 35, "offline", "Normal Movable");
	tree_put(&t, MEM "auto_online_blocks", "offline");
	write_journal(&t, false, "online");
	sim_install(&s, &t);
	err = mh_recover(t.root, T_DEV, &o, &r);	/* is_int evaluates twice */
	is_int(err, 0, "undo: returns 0");
	is_str(mh_outcome_name(r.outcome), "done", "undo: done");
	is_str(sim_dump(&s), "memory34/state=online_movable memory35/state=online_kernel "
	       "auto_online_blocks=online", "undo: blocks back into their zones, policy");
	is_str(tree_get(&t, MEM "memory35/valid_zones", b, sizeof(b)), "Normal",
	       "undo: memory35 in Normal");
	ok(r.rolled_back && r.policy_restored, "undo: flags");
	ok(!tree_exists(&t, "run/" T_DEV ".journal"), "undo: journal removed");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}

/*
 * Going back brings back every block it can: memory34 will not come
 * online (its write fails), memory35 and 36 after it still must, and
 * the outcome is partial, naming memory34, with the journal kept.
 */
static void test_undo_keeps_going(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;
	char b[32];
	size_t i;

	tree_create(&t, "offline", "kmem", "Movable");
	tree_block(&t, 34, "offline", "Movable");
	tree_block(&t, 35, "offline", "Normal Movable");
	tree_block(&t, 36, "offline", "Movable");
	tree_put(&t, MEM "auto_online_blocks", "offline");
	write_journal(&t, false, "online");
	sim_install(&s, &t);
	sim_inject(&s, "memory34/state", "online_movable", EIO, 0);
	mh_recover(t.root, T_DEV, &o, &r);
	is_str(mh_outcome_name(r.outcome), "partial", "failed undo: partial");
	ok(sim_find(&s, "memory35/state=online_kernel") >= 0 &&
	   sim_find(&s, "memory36/state=online_movable") >= 0,
	   "failed undo: the blocks after it still onlined (%s)", sim_dump(&s));
	is_str(tree_get(&t, MEM "memory35/valid_zones", b, sizeof(b)), "Normal",
	       "failed undo: memory35 back in Normal");
	is_str(tree_get(&t, MEM "memory36/state", b, sizeof(b)), "online",
	       "failed undo: memory36 back online");
	is_str(tree_get(&t, MEM "memory34/state", b, sizeof(b)), "offline",
	       "failed undo: memory34 still offline");
	ok(strstr(r.error.msg, "not restored: memory34 offline") != NULL &&
	   !strstr(r.error.msg, "not restored: memory34 offline,"),
	   "failed undo: names memory34 alone as not brought back (%s)", r.error.msg);
	is_str(tree_get(&t, MEM "auto_online_blocks", b, sizeof(b)), "online",
	       "failed undo: policy restored");
	ok(tree_exists(&t, "run/" T_DEV ".journal"), "failed undo: journal kept");
	for (i = 0; i < r.nr_blocks && r.blocks[i].block != 34; i++)
		;
	ok(i < r.nr_blocks && r.blocks[i].err == EIO && r.blocks[i].state == MH_BLOCK_OFFLINE,
	   "failed undo: memory34's result says offline, EIO");
	printf("# %s\n", r.error.msg);
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}

/* A journal is evidence: what it asks for is checked first, nothing written. */
static void refused_case(const char *what, void (*spoil)(struct tree *t))
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;
	char l[160];

	tree_create(&t, "offline", "kmem", "Movable");
	tree_block(&t, 34, "offline", "Movable");
	write_journal(&t, false, "online");
	spoil(&t);
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	snprintf(l, sizeof(l), "%s: failed", what);
	is_str(mh_outcome_name(r.outcome), "failed", l);
	snprintf(l, sizeof(l), "%s: nothing written", what);
	is_str(sim_dump(&s), "", l);
	snprintf(l, sizeof(l), "%s: journal kept", what);
	ok(tree_exists(&t, "run/" T_DEV ".journal"), "%s", l);
	printf("# %s: %s\n", what, r.error.msg);
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}

static void put_journal(struct tree *t, const char *body)
{
	char c[PATH_MAX + 512], root[PATH_MAX];

	snprintf(root, sizeof(root), "%s", mh_root_path(t->root));
	snprintf(c, sizeof(c), "memhotctl-journal 1\nop remove\ndev dax0.0\nroot %s\n%s",
		 root, body);
	tree_put(t, "run/" T_DEV ".journal", c);
	chmod_journal(t);
}

static void foreign_block(struct tree *t)
{
	/* memory40 is not dax0.0's (34..38): another device's block. */
	put_journal(t, "unbind_started 0\nrebind_devdax 1\nblock 34 movable online\n"
		    "block 40 movable online");
}

static void garbage_policy(struct tree *t)
{
	put_journal(t, "policy xyz_garbage\nunbind_started 0\nrebind_devdax 1\n"
		    "block 34 movable online");
}

static void other_root(struct tree *t)
{
	tree_put(t, "run/" T_DEV ".journal", "memhotctl-journal 1\nop remove\ndev dax0.0\n"
		 "root /\nunbind_started 0\nrebind_devdax 1\nblock 34 movable online");
	chmod_journal(t);
}

static void test_refused(void)
{
	refused_case("block of another device", foreign_block);
	refused_case("policy not the kernel's", garbage_policy);
	refused_case("journal of another root", other_root);
}

/* --timeout bounds recovery too: a deadline already passed writes nothing. */
static void test_timeout(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;

	tree_create(&t, "offline", "kmem", "Movable");
	tree_block(&t, 34, "offline", "Movable");
	write_journal(&t, false, "");
	mh_deadline_set(&o.deadline, 0.000001);
	usleep(1000);
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	ok(r.outcome != MH_DONE, "passed --timeout: not done (%s)", mh_outcome_name(r.outcome));
	ok(tree_exists(&t, "run/" T_DEV ".journal"), "passed --timeout: journal kept");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}

/*
 * A device killed right after the unbind: its blocks gone, no driver bound,
 * and /proc/iomem as given (NULL: as the tree has it, kmem's range there).
 */
static void tree_unbound(struct tree *t, const char *iomem)
{
	char cmd[PATH_MAX + 64];

	tree_create(t, "offline", "kmem", "Movable");
	snprintf(cmd, sizeof(cmd), "rm -rf %s/" MEM "memory3[4-8]", t->dir);
	if (system(cmd))
		printf("# rm failed\n");
	if (iomem)
		tree_put(t, "proc/iomem", iomem);
	tree_set_driver(t, NULL);
}

/*
 * The direction comes from the driver now: unbind_started 0 (its update
 * failed) on a device kmem already let go is finished, not "undone".
 */
static void test_direction(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;

	tree_unbound(&t, "110000000-137ffffff : dax0.0");
	write_journal(&t, false, "");
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	is_str(mh_outcome_name(r.outcome), "done", "flag 0, no driver: done");
	is_str(sim_dump(&s), "device_dax/bind=dax0.0", "flag 0, no driver: finished, devdax bound");
	is_str(r.final_driver, "device_dax", "flag 0, no driver: device_dax");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}


static void test_finish(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	struct sim s;

	/* Killed right after the unbind: blocks gone, iomem free, no driver. */
	tree_unbound(&t, "110000000-137ffffff : dax0.0");
	write_journal(&t, true, "");
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	is_str(mh_outcome_name(r.outcome), "done", "finish: done");
	is_str(sim_dump(&s), "device_dax/bind=dax0.0", "finish: only the devdax bind");
	is_str(r.final_driver, "device_dax", "finish: device_dax");
	ok(!tree_exists(&t, "run/" T_DEV ".journal"), "finish: journal removed");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);

	/* The range is still System RAM: leaked, no bind. */
	tree_unbound(&t, NULL);
	write_journal(&t, true, "");
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	is_str(mh_outcome_name(r.outcome), "leaked", "finish: iomem kmem -> leaked");
	is_int(s.n, 0, "leaked: nothing written");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);

	/* /proc/iomem unreadable: not known, so not leaked; the journal stays. */
	tree_unbound(&t, "110000000-137ffffff dax0.0");
	write_journal(&t, true, "");
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	ok(r.outcome == MH_PARTIAL, "finish: malformed iomem -> partial (%s: %s)",
	   mh_outcome_name(r.outcome), r.error.msg);
	ok(tree_exists(&t, "run/" T_DEV ".journal"), "finish: unverified, journal kept");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);

	/* Killed before the unbind write took: kmem still bound -> undo. */
	tree_create(&t, "offline", "kmem", "Movable");
	tree_block(&t, 34, "offline", "Movable");
	write_journal(&t, true, "");
	sim_install(&s, &t);
	mh_recover(t.root, T_DEV, &o, &r);
	is_str(mh_outcome_name(r.outcome), "done", "kmem still bound: undone");
	is_str(sim_dump(&s), "memory34/state=online_movable", "kmem still bound: online again");
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
}

static void test_nothing(void)
{
	struct mh_exec_opts o = opts();
	struct mh_exec_result r;
	struct tree t;
	int err;

	tree_create(&t, "offline", "kmem", "Movable");
	err = mh_recover(t.root, T_DEV, &o, &r);
	is_int(err, 0, "no journal: returns 0");
	is_str(mh_outcome_name(r.outcome), "done", "no journal: done");
	ok(strstr(r.error.msg, "nothing") != NULL, "no journal: says so");
	mh_exec_result_free(&r);
	tree_destroy(&t);
}

/* The steps of a plan, as --dry-run prints them, joined by "; ". */
static const char *steps_of(const struct mh_plan *p, char *buf, size_t len)
{
	char line[160];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nr_steps && used < len; i++) {
		mh_step_describe(p, &p->steps[i], line, sizeof(line));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "; " : "", line);
	}
	return buf;
}

/*
 * recover --dry-run prints the library's plan, the one mh_recover() runs:
 * back, the blocks that read offline now (memory36 is online already:
 * nothing to undo) and the policy; forward, verify and bind device_dax.
 */
static void test_plan(void)
{
	struct mh_plan p;
	struct tree t;
	struct mh_err e = { 0 };
	char b[512];
	bool undo = false;
	int err;

	tree_create(&t, "offline", "kmem", "Movable");
	tree_block(&t, 34, "offline", "Movable");
	tree_block(&t, 35, "offline", "Normal Movable");
	write_journal(&t, false, "online");
	err = mh_recover_plan(t.root, T_DEV, &p, &undo, &e);
	ok(!err, "undo plan built (%s)", e.msg);
	ok(undo, "kmem bound: the way is back");
	is_str(err ? "" : steps_of(&p, b, sizeof(b)), "online-block memory34 movable; "
	       "online-block memory35 normal; restore-policy auto_online_blocks=online",
	       "undo plan: the offline blocks into their zones, then the policy");
	if (!err)
		mh_plan_free(&p);
	tree_destroy(&t);

	tree_unbound(&t, "110000000-137ffffff : dax0.0");
	write_journal(&t, true, "");
	err = mh_recover_plan(t.root, T_DEV, &p, &undo, &e);
	ok(!err, "finish plan built (%s)", e.msg);
	ok(!undo, "kmem let go: the way is forward");
	is_str(err ? "" : steps_of(&p, b, sizeof(b)), "verify-released dax0.0; bind-devdax dax0.0",
	       "finish plan: verify, bind device_dax");
	if (!err)
		mh_plan_free(&p);
	tree_destroy(&t);
}

int main(void)
{
	test_plan();
	test_undo();
	test_undo_keeps_going();
	test_finish();
	test_nothing();
	test_refused();
	test_timeout();
	test_direction();
	return tap_done();
}
