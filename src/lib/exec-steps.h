/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The executor's steps, its middle layer: each runs one plan step against
 * the run context (exec-ctx.h) and calls nothing but that and the device
 * operations. The loop (exec.c) calls them through its step table.
 * Returns 0 or -errno, with res->error naming the block or file.
 */
#ifndef MH_EXEC_STEPS_H
#define MH_EXEC_STEPS_H

#include "exec-ctx.h"

typedef int exec_step_fn(struct exec *x, size_t idx, const struct mh_step *s);

/* exec-offline.c: blocks */
exec_step_fn exec_step_offline;
exec_step_fn exec_step_online;
/* The writer's batch of offlines ends: its writes no step took are counted. */
void exec_offline_batch_end(struct exec *x);

/* exec-unbind.c: the last checks, and the guarded unbind */
exec_step_fn exec_step_check_offline;
exec_step_fn exec_step_unbind_kmem;

/* exec-steps.c: driver, policy, verify, settle */
exec_step_fn exec_step_load_kmem;
exec_step_fn exec_step_set_policy;
exec_step_fn exec_step_unbind;
exec_step_fn exec_step_bind_kmem;
exec_step_fn exec_step_verify;
exec_step_fn exec_step_bind_devdax;
exec_step_fn exec_step_restore_policy;
exec_step_fn exec_step_settle;
/* Put the policy back if this run changed it: 0, or -errno (logged). */
int exec_restore_policy(struct exec *x);

#endif
