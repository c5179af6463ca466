/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device operations (exec-dev.c), each checked by a re-read: bind a
 * driver, online a block, set the auto-online policy. They know nothing
 * of a run (no struct exec): the executor's lowest layer, under
 * exec-ctx.c, and what recover.c reads the driver with.
 */
#ifndef MH_EXEC_DEV_H
#define MH_EXEC_DEV_H

#include <stdint.h>
#include <stddef.h>
#include "block.h"
#include "err.h"
#include "sysroot.h"

struct mh_deadline;

/*
 * Bind dev to drv ("kmem", "device_dax"): unbind another driver first,
 * new_id when bind finds no match (ENODEV), then check the driver link.
 * e says what failed.
 */
int mh_exec_bind_driver(struct mh_root *root, const char *dev, const char *drv,
			const struct mh_deadline *d, const volatile int *stop,
			struct mh_err *e);
/* The driver dev is bound to, "none" when unbound or unreadable. */
void mh_exec_read_driver(struct mh_root *root, const char *dev, char *buf, size_t len);
/* Write attr ("bind", "unbind", "new_id") of driver drv with dev, bounded. */
int exec_driver_write(struct mh_root *root, const char *drv, const char *attr,
		      const char *dev, const struct mh_deadline *d,
		      const volatile int *stop);

/* Online block id into zone (UNKNOWN: plain "online"), retrying EBUSY. */
int mh_exec_online_block(struct mh_root *root, uint64_t id, enum mh_zone zone,
			 const struct mh_deadline *d, unsigned max_retries,
			 unsigned backoff_ms, unsigned *attempts);
/* "memoryID/state" under the memory directory. */
void exec_state_path(uint64_t id, char *buf, size_t len);
/* The next wait of a busy block: doubled, capped. */
unsigned exec_next_backoff(unsigned ms);

/* auto_online_blocks: read it; set it to want, 0 once it reads want back. */
int mh_exec_read_policy(struct mh_root *root, char *buf, size_t len);
int mh_exec_set_policy(struct mh_root *root, const char *want,
		       const struct mh_deadline *d, const volatile int *stop);

#endif
