/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The executor: takes a plan's steps in order, re-reads state after every
 * write, retries what may succeed later, stops at the deadline, rolls back
 * what it can, and reports exactly the state it left behind.
 */
#ifndef MH_EXEC_H
#define MH_EXEC_H

#include "plan.h"
#include "writer.h"
#include "kmsg.h"
#include "pinread.h"
#include "journal.h"
#include "err.h"

/* How an operation ended; the CLI maps this to its exit status. */
enum mh_outcome {
	MH_DONE = 0,		/* every step done and verified */
	MH_BUSY,		/* could not finish; rolled back, nothing changed */
	MH_PARTIAL,		/* state changed and could not be restored */
	MH_LEAKED,		/* unbind done but the range was not released */
	MH_FAILED,		/* a step failed before anything changed */
};

struct mh_block_result {
	uint64_t block;
	enum mh_block_state state;	/* as re-read at the end */
	enum mh_zone zone;
	int err;			/* last errno for this block, 0 none */
	unsigned attempts;
	struct mh_kmsg_reason kmsg;	/* the kernel's words after a failed offline */
	struct mh_pin_reading pins;	/* our reading of its flags when they named no page */
};

struct mh_exec_result {
	enum mh_outcome outcome;
	size_t steps_done;		/* steps completed, in plan order */
	int failed_step;		/* index, -1 none */
	struct mh_err error;		/* the failure (errno 0 none); msg also says
					   how a run that went well ended */
	bool rolled_back;		/* blocks were put back, every one of them */
	size_t nr_offlined;		/* offline writes of this run that took effect */
	bool policy_restored;
	bool raced;			/* another agent onlined a block we offlined */
	size_t nr_blocks;
	struct mh_block_result *blocks;	/* every block of the plan, final state */
	char final_driver[32];
};

/* Called before and after each step, and per retry: the CLI shows progress. */
struct mh_exec_progress {
	void (*step)(void *ctx, const struct mh_plan *plan, size_t idx, bool done, int err);
	void *ctx;
};

struct mh_exec_opts {
	struct mh_deadline deadline;
	unsigned max_retries;		/* per block, for EBUSY/EAGAIN */
	unsigned backoff_ms;		/* first backoff, doubled each retry */
	bool use_udev;			/* live system with udevd */
	bool journal;			/* write the journal (live runs) */
	const volatile int *stop;	/* set by SIGINT/SIGTERM: end like a deadline */
	double rollback_seconds;	/* bound of rollback and policy restore, which
					   run past the deadline and stop; 0: 30 s */
	struct mh_exec_progress progress;
};

/*
 * The retry policy for a busy block (EBUSY/EAGAIN): up to 10 retries, the
 * first after 50 ms, each wait doubled up to a cap, all within the deadline.
 */
#define MH_EXEC_MAX_RETRIES 10
#define MH_EXEC_BACKOFF_MS 50

/* eo with the library's defaults and deadline d: no udev, journal or stop flag. */
static inline void mh_exec_opts_init(struct mh_exec_opts *eo, const struct mh_deadline *d)
{
	*eo = (struct mh_exec_opts){
		.deadline = *d,
		.max_retries = MH_EXEC_MAX_RETRIES,
		.backoff_ms = MH_EXEC_BACKOFF_MS,
	};
}

/*
 * Run the plan. 0: it ran, res says how it ended; -errno: it could not
 * start (no memory, the device unreadable), nothing changed, res->outcome
 * MH_FAILED and res->error says why.
 */
int mh_exec(struct mh_root *root, const struct mh_plan *plan,
	    const struct mh_exec_opts *opts, struct mh_exec_result *res);
/*
 * Where a run starts when it goes on from an interrupted one (recover):
 * the phase that run reached, the policy it had replaced ("" or NULL:
 * none), restored at the end. The deadline bounds what runs past the unbind.
 */
struct mh_exec_start {
	enum mh_phase phase;
	const char *saved_policy;
	bool undo;	/* going back: a block that will not come online stops no other */
};
int mh_exec_from(struct mh_root *root, const struct mh_plan *plan,
		 const struct mh_exec_opts *opts, const struct mh_exec_start *start,
		 struct mh_exec_result *res);
void mh_exec_result_free(struct mh_exec_result *res);
const char *mh_outcome_name(enum mh_outcome o);

/*
 * Finish or undo an operation interrupted by SIGKILL, from its journal:
 * once kmem let go, finish the remove; otherwise put blocks back to their
 * journalled zones and restore the policy. The plan of that, from the
 * journal and the driver read now: mh_recover_plan() (plan->op is the
 * interrupted run's; *undo says which way). 0, -ENOENT no journal, else
 * -errno with e saying it; mh_plan_free() the plan.
 */
int mh_recover_plan(struct mh_root *root, const char *dev, struct mh_plan *plan,
		    bool *undo, struct mh_err *e);
int mh_recover(struct mh_root *root, const char *dev, const struct mh_exec_opts *opts,
	       struct mh_exec_result *res);

#endif
