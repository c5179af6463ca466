// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Full block scans of more blocks than the two-thread threshold: the
 * halves must come back whole, in id order, holes skipped, each block
 * with its own node and zones, and a bad attribute in the second half
 * reported by its path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "block.h"
#include "err.h"
#include "tap.h"
#include "test-exec-tree.h"

#define NBLOCKS 6000u		/* ids 0..NBLOCKS-1, every 7th missing */
#define MEM "sys/devices/system/memory/"

static int node_of(unsigned id)
{
	return (int)(id / 1000) % 3;	/* runs of 1000: the node guess misses at each edge */
}

static int make_tree(struct tree *t)
{
	unsigned id;
	int err;

	/* a tmpfs when there is one: ~30,000 small files */
	tree_base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	err = tree_empty(t);
	if (err)
		return err;
	for (id = 0; id < NBLOCKS; id++) {
		if (id % 7 == 3)
			continue;
		tree_block_node(t, id, id % 2 ? "online" : "offline",
				id % 2 ? "Movable" : "Normal Movable", node_of(id));
	}
	return tree_open(t);
}

int main(void)
{
	struct tree t;
	struct mh_root *root;
	struct mh_blocks b;
	struct mh_err e = { 0 };
	size_t i, bad = 0;
	unsigned want = 0, id;

	if (make_tree(&t))
		return 1;
	root = t.root;
	for (id = 0; id < NBLOCKS; id++)
		want += id % 7 != 3;

	is_int(mh_blocks_scan(root, &b, &e), 0, "scan of 6000 ids");
	is_int(b.count, want, "every present block, none twice, holes skipped");
	for (i = 0; i < b.count; i++) {
		const struct mh_block *k = &b.v[i];

		if ((i && k->id <= b.v[i - 1].id) || k->id % 7 == 3 ||
		    k->node != node_of((unsigned)k->id) ||
		    k->state != (k->id % 2 ? MH_BLOCK_ONLINE : MH_BLOCK_OFFLINE) ||
		    strcmp(k->valid_zones, k->id % 2 ? "Movable" : "Normal Movable") ||
		    k->removable != 1)
			bad++;
	}
	is_int(bad, 0, "each block: id order, node, state, zones, removable");
	ok(b.count && b.v[b.count - 1].id == NBLOCKS - 1, "last block is the highest id");
	mh_blocks_free(&b);

	/* A bad attribute late in the second half, and one in the first half. */
	tree_put(&t, MEM "memory5500/state", "sideways");
	is_int(mh_blocks_scan(root, &b, &e), -EINVAL,
	       "bad state in the second half: EINVAL");
	ok(strstr(e.path, "memory5500/state") != NULL, "its path is named (%s)", e.path);
	ok(e.err == EINVAL && !strncmp(e.msg, "unexpected content in ", 22) &&
	   !strcmp(e.msg + 22, e.path), "said from the other thread (%s)", e.msg);
	is_int(b.count, 0, "nothing returned on error");
	tree_put(&t, MEM "memory1000/state", "sideways");
	mh_err_clear(&e);
	is_int(mh_blocks_scan(root, &b, &e), -EINVAL,
	       "bad state in both halves: EINVAL");
	ok(strstr(e.path, "memory1000/state") != NULL, "the lower id is named (%s)", e.path);

	tree_destroy(&t);
	return tap_done();
}
