/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small journal of what an operation changed (zones blocks had, the
 * auto-online policy it replaced), so that after SIGKILL the next run, or
 * `memhotctl recover`, can finish or undo the operation.
 */
#ifndef MH_JOURNAL_H
#define MH_JOURNAL_H

#include <stdbool.h>
#include "plan.h"

struct mh_journal {
	enum mh_op op;
	char dev[MH_DAX_NAME_MAX];
	char saved_policy[32];		/* "" when the policy was not changed */
	bool unbind_started;		/* past CHECK_OFFLINE: finish, do not undo */
	bool rebind_devdax;		/* the plan binds device_dax after the unbind */
	size_t nr_blocks;
	uint64_t *blocks;		/* blocks this run changed */
	enum mh_zone *orig_zone;
	enum mh_block_state *orig_state;
};

/* Files are <journal_dir>/<dev>.journal, written atomically (rename). */
int mh_journal_write(const struct mh_journal *j);
int mh_journal_read(const char *dev, struct mh_journal *j);	/* -ENOENT: none */
int mh_journal_remove(const char *dev);
/* Names of devices with a journal; *names malloc'd strings. */
int mh_journal_list(char ***names, size_t *count);
void mh_journal_free(struct mh_journal *j);

#endif
