/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One consistent read of what the plan needs: blocks, devices, policy. */
#ifndef MH_SNAPSHOT_H
#define MH_SNAPSHOT_H

#include "block.h"
#include "dax.h"
#include "meminfo.h"

struct mh_snapshot {
	uint64_t block_size;
	char auto_online[32];		/* auto_online_blocks, "" when absent */
	struct mh_dax_list devs;
	/* Blocks of the devices asked for only (or every block with all_blocks). */
	struct mh_blocks blocks;
	struct mh_meminfo mem;		/* MemAvailable and per-node free memory */
};

struct mh_err;
/*
 * names: the devices of interest (NULL/0 = every device). all_blocks: read
 * every block of the system too (status --blocks). A failure is said in e
 * (NULL: nowhere), with the file that was unreadable or malformed.
 */
int mh_snapshot_take(struct mh_root *root, const char *const *names, size_t nr_names,
		     bool all_blocks, struct mh_snapshot *snap, struct mh_err *e);
void mh_snapshot_free(struct mh_snapshot *snap);

/* Per-device view used by status and the planner. */
struct mh_dev_view {
	const struct mh_dax_dev *dev;
	size_t nr_blocks;
	const struct mh_block **blocks;	/* into snap->blocks; malloc'd array */
	size_t nr_online, nr_offline;
	size_t nr_total;		/* whole blocks of its ranges (kmem rounding) */
	size_t nr_missing;		/* kmem: whole-block ids with no memoryN dir */
	bool removable;			/* can `remove` work now */
	char reason[160];		/* why not, or "" */
};

int mh_dev_view(const struct mh_snapshot *snap, const struct mh_dax_dev *dev,
		struct mh_dev_view *view);
void mh_dev_view_free(struct mh_dev_view *view);

#endif
