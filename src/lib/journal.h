/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small journal of what an operation changed (zones blocks had, the
 * auto-online policy it replaced), so that after SIGKILL the next run, or
 * `memhotctl recover`, can finish or undo the operation.
 */
#ifndef MH_JOURNAL_H
#define MH_JOURNAL_H

#include <stdbool.h>
#include "block.h"
#include "dax.h"
#include "op.h"

#define MH_JOURNAL_ROOT_MAX	400	/* the root a journal belongs to: "/" or a sysroot */
#define MH_JOURNAL_MAX_BYTES	(4u << 20)	/* 16k blocks take under 1 MiB */

/*
 * How far a run got, in order: what its failure leaves to undo, and what
 * recover may do. Before MH_PHASE_UNBOUND a failure is undone; from it on
 * the only way is forward.
 */
enum mh_phase {
	MH_PHASE_UNCHANGED,		/* nothing written yet */
	MH_PHASE_CHANGED,		/* a write took effect */
	MH_PHASE_UNBINDING,		/* all offline twice, the unbind journalled */
	MH_PHASE_UNBIND_RUNNING,	/* its writer outlived the deadline: not undone */
	MH_PHASE_UNBOUND,		/* kmem let go of the range */
	MH_PHASE_RELEASED,		/* verified: no block of the device left */
	MH_PHASE_LEAKED,		/* unbound, the range not released */
};

struct mh_journal {
	enum mh_op op;
	char dev[MH_DAX_NAME_MAX];
	char root[MH_JOURNAL_ROOT_MAX];	/* "/" live, else the sysroot's path */
	char saved_policy[32];		/* "" when the policy was not changed */
	bool unbind_started;		/* past CHECK_OFFLINE: finish, do not undo */
	bool rebind_devdax;		/* the plan binds device_dax after the unbind */
	enum mh_phase phase;		/* how far the run got when last written */
	size_t nr_blocks;
	uint64_t *blocks;		/* blocks this run changed */
	enum mh_zone *orig_zone;
	enum mh_block_state *orig_state;
};

/* Files are <journal_dir>/<dev>.journal, written atomically (rename). */
int mh_journal_write(const struct mh_journal *j);
/*
 * Read and check <dev>.journal: -ENOENT none; -EPERM not root's regular
 * one-link file of mode 0644 at most; -EINVAL content refused (logged,
 * naming the line). Never blocks: FIFOs and devices are refused, the
 * size is capped.
 */
int mh_journal_read(const char *dev, struct mh_journal *j);
/*
 * The strict parser: whole lines of at most 255 bytes, the magic first,
 * op/dev/root/unbind_started/rebind_devdax exactly once, policy at most
 * once and only a value the kernel knows, phase at most once (a journal
 * without it reads as changed or unbinding, by unbind_started) and in
 * agreement with unbind_started, blocks unique, numbers plain
 * decimal without sign or overflow, no unknown key. 0 or -EINVAL (line
 * number in *bad_line when not NULL), -ENOMEM.
 */
int mh_journal_parse(const char *buf, size_t len, struct mh_journal *j, size_t *bad_line);
/* A file <dev>.journal exists (whatever it holds): 1, 0, or -errno. */
int mh_journal_exists(const char *dev);
int mh_journal_remove(const char *dev);
/* Names of devices with a journal; *names malloc'd strings. */
int mh_journal_list(char ***names, size_t *count);
void mh_journal_free(struct mh_journal *j);

#endif
