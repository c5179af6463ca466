/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plan: the exact, ordered list of steps an operation takes, computed
 * from a snapshot and nothing else. --dry-run prints it; exec runs it.
 */
#ifndef MH_PLAN_H
#define MH_PLAN_H

#include <sys/types.h>
#include "op.h"
#include "snapshot.h"

enum mh_step_kind {
	MH_STEP_LOAD_KMEM,		/* libkmod: make sure kmem is loaded */
	MH_STEP_SET_POLICY,		/* auto_online_blocks := arg (saved for restore) */
	MH_STEP_UNBIND,			/* unbind dev from its current driver (arg) */
	MH_STEP_BIND_KMEM,
	MH_STEP_ONLINE_BLOCK,		/* block, zone */
	MH_STEP_OFFLINE_BLOCK,		/* block */
	MH_STEP_CHECK_OFFLINE,		/* every block of dev offline, right before unbind */
	MH_STEP_UNBIND_KMEM,
	MH_STEP_VERIFY_RELEASED,	/* blocks gone, /proc/iomem, driver link */
	MH_STEP_BIND_DEVDAX,
	MH_STEP_RESTORE_POLICY,
	MH_STEP_SETTLE_UDEV,
};

struct mh_step {
	enum mh_step_kind kind;
	uint64_t block;		/* ONLINE_BLOCK / OFFLINE_BLOCK */
	enum mh_zone zone;	/* ONLINE_BLOCK */
	char arg[32];		/* policy value, driver name */
};

struct mh_plan_opts {
	enum mh_zone zone;	/* online: movable (default) or normal */
	enum { MH_REBIND_DEVDAX, MH_REBIND_NONE } rebind;	/* remove */
	bool force;		/* skip the free-memory precondition */
};

struct mh_plan {
	enum mh_op op;
	char dev[MH_DAX_NAME_MAX];
	size_t nr_steps;
	struct mh_step *steps;
	/*
	 * State and zone each block had before the plan, for rollback (parallel
	 * to blocks). Blocks that did not exist yet (online of a device not in
	 * kmem mode) are MH_BLOCK_UNKNOWN; offline blocks have MH_ZONE_UNKNOWN.
	 */
	size_t nr_blocks;
	uint64_t *blocks;
	enum mh_zone *orig_zone;
	enum mh_block_state *orig_state;
};

/*
 * Build the plan. Returns 0, or -errno with e (NULL: not said) saying why
 * the operation is refused as the system stands (e.g. block spans zones,
 * not in kmem mode).
 */
struct mh_err;
int mh_plan_build(const struct mh_snapshot *snap, enum mh_op op, const char *dev,
		  const struct mh_plan_opts *opts, struct mh_plan *plan, struct mh_err *e);
void mh_plan_free(struct mh_plan *plan);
const char *mh_step_kind_name(enum mh_step_kind k);
/* Where block id is in plan->blocks (sorted, unique), or -1. */
ssize_t mh_plan_block_index(const struct mh_plan *plan, uint64_t id);
/* One line describing a step, as --dry-run prints it (no newline). */
int mh_step_describe(const struct mh_plan *plan, const struct mh_step *s,
		     char *buf, size_t len);

#endif
