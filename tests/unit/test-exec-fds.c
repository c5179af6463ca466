// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's kept state descriptors (exec-ctx.c): a device of more
 * blocks than the cache holds keeps the fds of the blocks read last (the
 * ones its checks re-read), closes the oldest for a new one, holds no more
 * than its bound, and a kept fd that fails is dropped once, not twice.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec-ctx.h"
#include "paths.h"
#include "tap.h"
#include "test-exec-tree.h"

#define NB	12u
#define KEEP	4u

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3;	/* ".", ".." and the dir's own fd */
}

/* Which plan blocks have a kept fd: block i as the letter 'a' + i, '-' for none. */
static const char *kept(const struct exec *x)
{
	static char s[NB + 1];

	for (unsigned i = 0; i < NB; i++)
		s[i] = x->state_fd[i] >= 0 ? (char)('a' + i) : '-';
	s[NB] = '\0';
	return s;
}

static bool read_ok(struct exec *x, unsigned i, enum mh_block_state want)
{
	enum mh_block_state st = MH_BLOCK_UNKNOWN;

	return exec_read_state(x, x->plan->blocks[i], i, &st) == 0 && st == want;
}

int main(void)
{
	struct mh_exec_result res = { 0 };
	struct mh_exec_opts eo = { 0 };
	struct mh_plan plan;
	struct exec x = { 0 };
	struct tree t;
	char why[256], rel[64];
	unsigned base, i;
	bool good = true;
	int fd9;

	tree_nblocks = NB;
	if (tree_create(&t, "offline", "kmem", "Movable") ||
	    tree_plan(&t, MH_OP_OFFLINE, MH_ZONE_UNKNOWN, &plan, why, sizeof(why))) {
		ok(0, "a tree of %u blocks and its plan", NB);
		return tap_done();
	}
	ok(plan.nr_blocks == NB, "the plan has the %u blocks", NB);
	x.root = t.root;
	x.plan = &plan;
	x.opts = &eo;
	x.res = &res;
	base = open_fds();
	ok(exec_ctx_init(&x) == 0, "run context");
	ok(x.state_fds_max >= KEEP, "room for %u kept fds (%zu)", KEEP, x.state_fds_max);
	x.state_fds_max = KEEP;

	for (i = 0; i < NB; i++)
		good &= read_ok(&x, i, MH_BLOCK_ONLINE);
	ok(good, "every block reads online");
	ok(!strcmp(kept(&x), "--------ijkl"), "the last %u read are kept: %s", KEEP, kept(&x));
	ok(open_fds() == base + KEEP, "%u fds open beyond the start (%u)", KEEP,
	   open_fds() - base);

	/* A kept fd reads what the attribute says now, and stays the same fd. */
	fd9 = x.state_fd[9];
	snprintf(rel, sizeof(rel), MH_MEMORY_DIR "/memory%" PRIu64 "/state", plan.blocks[9]);
	tree_put(&t, rel, "offline");
	ok(read_ok(&x, 9, MH_BLOCK_OFFLINE) && x.state_fd[9] == fd9,
	   "a re-read through the kept fd sees the new state");

	/* One more block: the oldest kept one (i) gives its fd up. */
	ok(read_ok(&x, 0, MH_BLOCK_ONLINE) && !strcmp(kept(&x), "a--------jkl"),
	   "a new block takes the oldest's place: %s", kept(&x));

	/* A kept fd that fails (closed under us): dropped, the read done afresh. */
	close(x.state_fd[10]);
	ok(read_ok(&x, 10, MH_BLOCK_ONLINE), "a failed kept fd: the block still reads");
	ok(x.state_fd[10] < 0, "its fd is dropped: %s", kept(&x));
	/* Its slot, when it comes round, closes nothing (nothing twice). */
	for (i = 1; i <= 4; i++)
		read_ok(&x, i, MH_BLOCK_ONLINE);
	ok(!strcmp(kept(&x), "-bcde-------"), "four more turn the ring over: %s", kept(&x));
	ok(open_fds() == base + KEEP, "still %u fds open (%u)", KEEP, open_fds() - base);

	exec_drop_state_fds(&x);
	ok(open_fds() == base, "none left after the drop (%u)", open_fds() - base);
	ok(read_ok(&x, 5, MH_BLOCK_ONLINE) && !strcmp(kept(&x), "-----f------"),
	   "the cache fills again: %s", kept(&x));

	exec_ctx_fini(&x);
	ok(open_fds() == base, "none left after the run (%u)", open_fds() - base);
	mh_exec_result_free(&res);
	mh_plan_free(&plan);
	tree_destroy(&t);
	return tap_done();
}
