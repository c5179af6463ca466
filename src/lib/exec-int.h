/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the executor, shared by its three files: exec.c (the run, the
 * driver and policy steps, rollback and results), exec-offline.c (the
 * offline and online of each block) and exec-unbind.c (the last checks
 * before the kmem unbind, and the unbind). Not for the rest of the library.
 */
#ifndef MH_EXEC_INT_H
#define MH_EXEC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec.h"
#include "journal.h"

struct exec {
	struct mh_root *root;
	const struct mh_plan *plan;
	const struct mh_exec_opts *opts;
	struct mh_exec_result *res;
	struct mh_deadline rb_deadline;	/* set by exec_start_cleanup_deadline() */
	struct mh_udevwatch *uw;
	struct mh_journal j;
	bool journal_written;
	bool journal_failed;		/* before the first change: an error, not busy */
	bool changed;			/* a write of this run took effect */
	bool *offlined;			/* per plan block: this run offlined it */
	size_t *order;			/* plan block indexes, in offline order */
	size_t nr_order;
	size_t recheck_next;		/* round-robin cursor of recheck_offlined() */
	size_t batch_step;		/* the step of the batch's first write */
	int *state_fd;			/* per plan block: its state, kept open; -1 */
	size_t nr_state_fds;		/* how many are open, at most state_fds_max */
	size_t state_fds_max;		/* bound from the descriptor limit, see setup() */
	char saved_policy[32];
	bool policy_changed;
	bool unbind_started, unbound, leaked;
	bool unbind_running;		/* its writer outlived its SIGKILL: not undone */
	bool released;			/* verified: no block of the device is left */
	int unverified;			/* errno: the release could not be checked */
	uint64_t *dev_ids;		/* the device's blocks, read before the unbind */
	size_t nr_dev_ids;
};

/* exec.c: messages, paths and the run's shared state */
void __attribute__((format(printf, 2, 3)))
exec_say(struct exec *x, const char *fmt, ...);
void exec_say_write_ended(struct exec *x, uint64_t block, const char *what, int err);
void exec_state_path(uint64_t id, char *buf, size_t len);
const char *exec_online_cmd(enum mh_zone z);
unsigned exec_next_backoff(unsigned ms);
uint64_t *exec_offlined_ids(const struct exec *x);
ssize_t exec_block_index(const struct mh_plan *p, uint64_t id);
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

/* exec-offline.c */
int exec_check_race(struct exec *x);
int exec_step_offline(struct exec *x, size_t idx, const struct mh_step *s);
int exec_step_online(struct exec *x, const struct mh_step *s);
void exec_offline_batch_end(struct exec *x);

/* exec-unbind.c */
int exec_step_check_offline(struct exec *x);
int exec_step_unbind_kmem(struct exec *x);

#endif
