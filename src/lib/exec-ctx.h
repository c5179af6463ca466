/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The executor's run context, its bottom layer: the state of one run
 * (struct exec) and what every step does with it (say, read a block's
 * state, write, sync the journal, check for a racer). It calls nothing
 * of the layers above: the steps (exec-steps.h) and the loop (exec.c).
 * Not for the rest of the library.
 */
#ifndef MH_EXEC_CTX_H
#define MH_EXEC_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dax.h"
#include "exec-dev.h"
#include "exec.h"
#include "journal.h"
#include "kmsg.h"

struct exec {
	struct mh_root *root;
	const struct mh_plan *plan;
	const struct mh_exec_opts *opts;
	struct mh_exec_result *res;
	enum mh_phase phase;		/* how far the run got: the outcome's basis */
	struct mh_dax_dev dax;		/* the ranges, read at the start, to verify */
	uint64_t block_size;
	struct mh_deadline rb_deadline;	/* set by exec_start_cleanup_deadline() */
	struct mh_udevwatch *uw;
	struct mh_journal j;
	bool journal_written;
	bool journal_failed;		/* before the first change: an error, not busy */
	bool *offlined;			/* per plan block: this run offlined it */
	size_t *order;			/* plan block indexes, in offline order */
	size_t nr_order;
	size_t recheck_next;		/* round-robin cursor of recheck_offlined() */
	size_t batch_step;		/* the step of the batch's first write */
	int *state_fd;			/* per plan block: its state, kept open; -1 */
	size_t nr_state_fds;		/* slots of state_fd_ring in use */
	size_t *state_fd_ring;		/* plan indexes of the kept fds, in the order kept */
	size_t state_fd_oldest;		/* the ring's slot to reuse next once full */
	size_t state_fds_max;		/* bound from the descriptor limit, see exec_ctx_init() */
	char saved_policy[32];
	bool policy_changed;
	bool undo_all;			/* recovery going back: try every block */
	int unverified;			/* errno: the release could not be checked */
	uint64_t *dev_ids;		/* the device's blocks, read before the unbind */
	size_t nr_dev_ids;
	struct mh_kmsg kmsg;		/* the kernel log, opened at the first offline */
	bool kmsg_opened;
};

int exec_ctx_init(struct exec *x);
void exec_ctx_fini(struct exec *x);

/* A write of this run took effect: the run has changed something. */
void exec_mark_changed(struct exec *x);

void __attribute__((format(printf, 2, 3)))
exec_say(struct exec *x, const char *fmt, ...);
void __attribute__((format(printf, 2, 3)))
exec_append(struct exec *x, const char *fmt, ...);
void exec_say_write_ended(struct exec *x, uint64_t block, const char *what, int err);
uint64_t *exec_offlined_ids(const struct exec *x);
int exec_read_state(struct exec *x, uint64_t id, size_t hint,
		      enum mh_block_state *st);
void exec_drop_state_fds(struct exec *x);
/* How many fds this process may still open, about: the soft limit less a margin. */
size_t exec_fd_budget(void);
struct mh_block_result *exec_result_of(struct exec *x, uint64_t id);
void exec_progress(struct exec *x, size_t idx, bool done, int err);
bool exec_stopped(struct exec *x);
int exec_write(struct exec *x, const char *rel, const char *val);
int exec_journal_sync(struct exec *x);
void exec_start_cleanup_deadline(struct exec *x);
int exec_before_change(struct exec *x);
int exec_check_race(struct exec *x);

#endif
