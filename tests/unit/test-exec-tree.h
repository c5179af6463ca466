/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' one sysfs-tree builder: a writable tree of plain files
 * (tree_*); and for the executor tests a small "kernel" behind the write
 * hook that does what the real one would (onlining sets the zone, the kmem
 * unbind removes the blocks and the iomem entry...).
 */
#ifndef MH_TEST_EXEC_TREE_H
#define MH_TEST_EXEC_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "plan.h"
#include "sysroot.h"

#define T_DEV		"dax0.0"
#define T_FIRST		34	/* blocks 34..38, 128 MiB each */
#define T_NBLOCKS	5
#define T_MAX_TRACE	128

/* Blocks of dax0.0 in the trees made from now on (T_NBLOCKS unless set). */
extern unsigned tree_nblocks;
/* Where the trees are made ("/tmp"; a tmpfs for the big ones). */
extern const char *tree_base;

struct tree {
	char dir[64];
	char rundir[80];	/* MEMHOTCTL_RUNDIR */
	struct mh_root *root;
};

/*
 * A machine with dax0.0 over blocks 34..38 and the given auto_online
 * policy; driver "kmem" (blocks online in zone, e.g. "Movable") or
 * "device_dax" (no blocks yet).
 */
int tree_create(struct tree *t, const char *policy, const char *driver, const char *zone);
/* A machine of nothing but block_size_bytes (128 MiB); its root not open yet. */
int tree_empty(struct tree *t);
/* Open t->root on the tree as it is now. */
int tree_open(struct tree *t);
void tree_destroy(struct tree *t);
/*
 * The planner's plan for op on dax0.0 as the tree stands (online: into
 * zone; remove: device_dax bound again; no free-memory check), as the CLI
 * builds it. 0, or -errno with why[] saying why.
 */
int tree_plan(struct tree *t, enum mh_op op, enum mh_zone zone, struct mh_plan *plan,
	      char *why, size_t len);
void tree_put(struct tree *t, const char *rel, const char *content);
/* Content with the newline stripped, "" when missing. */
const char *tree_get(struct tree *t, const char *rel, char *buf, size_t len);
bool tree_exists(struct tree *t, const char *rel);
/* Make rel a symlink to itself: any open of it fails with ELOOP. */
void tree_loop(struct tree *t, const char *rel);
/* memoryID with its state, valid_zones, phys_index, removable and node link. */
void tree_block_node(struct tree *t, uint64_t id, const char *state, const char *zones,
		     int node);
void tree_block(struct tree *t, uint64_t id, const char *state, const char *zones); /* node1 */
void tree_set_driver(struct tree *t, const char *driver);	/* NULL: none */

/* The simulated kernel, tracing every write as "memory34/state=offline[:EBUSY]". */
struct sim {
	struct tree *t;
	size_t n;
	char trace[T_MAX_TRACE][96];
	char journal[T_MAX_TRACE];	/* per write: '-' none, '0'/'1' unbind_started */
	struct {
		char rel[96], val[32];
		int err, times;		/* times 0: always */
	} inj[8];
	size_t ninj;
	struct {
		char rel[96], val[32], set_rel[96], set_val[256];
		bool done;
	} after[8];
	size_t nafter;
	struct {
		char rel[96], val[32], set_rel[96], set_val[64];
		bool done;
	} before[4];
	size_t nbefore;
	bool leak_on_unbind;		/* kmem unbind keeps the range (a block was online) */
	unsigned offline_delay_ms;	/* each "offline" write takes this long (a slow kernel) */
	const char *stop_after;		/* rel+"="+val that sets *stop */
	volatile int *stop;
};

void sim_install(struct sim *s, struct tree *t);
void sim_remove(void);
/* Fail a write of val (NULL: any) to rel (short form) with -err, times times. */
void sim_inject(struct sim *s, const char *rel, const char *val, int err, int times);
/* After the first write of val to rel (done or failed), set set_rel to set_val. */
void sim_after(struct sim *s, const char *rel, const char *val,
	       const char *set_rel, const char *set_val);
/* Right before the first write of val to rel, set set_rel to set_val (SIM_LOOP: tree_loop()). */
#define SIM_LOOP	"@loop"
void sim_before(struct sim *s, const char *rel, const char *val,
		const char *set_rel, const char *set_val);
/* Index of "rel=val" (short form, without error) in the trace, -1 when absent. */
int sim_find(const struct sim *s, const char *entry);
/* The whole trace on one line, for failure messages. */
const char *sim_dump(const struct sim *s);

#endif
