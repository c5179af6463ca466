// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Full block scans of more blocks than the two-thread threshold: the
 * halves must come back whole, in id order, holes skipped, each block
 * with its own node and zones, and a bad attribute in the second half
 * reported by its path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "block.h"
#include "sysroot.h"
#include "tap.h"

#define NBLOCKS 6000u		/* ids 0..NBLOCKS-1, every 7th missing */

static char dir[64];
static char memdir[512];

static void put(const char *rel, const char *s)
{
	char p[768];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", memdir, rel);
	f = fopen(p, "w");
	if (!f || fputs(s, f) < 0 || fclose(f)) {
		perror(p);
		exit(1);
	}
}

static int node_of(unsigned id)
{
	return (int)(id / 1000) % 3;	/* runs of 1000: the node guess misses at each edge */
}

static void make_tree(void)
{
	char rel[128], p[768];
	unsigned id;

	snprintf(memdir, sizeof(memdir), "%s/sys/devices/system/memory", dir);
	snprintf(p, sizeof(p), "mkdir -p %s", memdir);
	if (system(p))
		exit(1);
	put("block_size_bytes", "8000000\n");
	for (id = 0; id < NBLOCKS; id++) {
		if (id % 7 == 3)
			continue;
		snprintf(rel, sizeof(rel), "memory%u", id);
		snprintf(p, sizeof(p), "%s/%s", memdir, rel);
		mkdir(p, 0755);
		snprintf(rel, sizeof(rel), "memory%u/state", id);
		put(rel, id % 2 ? "online\n" : "offline\n");
		snprintf(rel, sizeof(rel), "memory%u/valid_zones", id);
		put(rel, id % 2 ? "Movable\n" : "Normal Movable\n");
		snprintf(rel, sizeof(rel), "memory%u/removable", id);
		put(rel, "1\n");
		snprintf(p, sizeof(p), "%s/memory%u/node%d", memdir, id, node_of(id));
		if (symlink("../../node/nodeX", p))
			exit(1);
	}
}

int main(void)
{
	struct mh_root *root;
	struct mh_blocks b;
	char errpath[4096] = "", cmd[600];
	size_t i, bad = 0;
	unsigned want = 0, id;

	/* a tmpfs when there is one: ~20,000 small files */
	snprintf(dir, sizeof(dir), "%s/mh-scanbig-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		return 1;
	make_tree();
	for (id = 0; id < NBLOCKS; id++)
		want += id % 7 != 3;
	if (mh_root_open(dir, &root))
		return 1;

	is_int(mh_blocks_scan(root, &b, errpath, sizeof(errpath)), 0, "scan of 6000 ids");
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
	put("memory5500/state", "sideways\n");
	is_int(mh_blocks_scan(root, &b, errpath, sizeof(errpath)), -EINVAL,
	       "bad state in the second half: EINVAL");
	ok(strstr(errpath, "memory5500/state") != NULL, "its path is named (%s)", errpath);
	is_int(b.count, 0, "nothing returned on error");
	put("memory1000/state", "sideways\n");
	errpath[0] = '\0';
	is_int(mh_blocks_scan(root, &b, errpath, sizeof(errpath)), -EINVAL,
	       "bad state in both halves: EINVAL");
	ok(strstr(errpath, "memory1000/state") != NULL, "the lower id is named (%s)", errpath);

	mh_root_close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
