// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The read side and the planner on generated sysfs trees
 * (tests/sysroot/mktree.sh): membership, verdicts, exact plans, refusals,
 * and the file named when an attribute is malformed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "block.h"
#include "dax.h"
#include "iomem.h"
#include "meminfo.h"
#include "err.h"
#include "plan.h"
#include "snapshot.h"
#include "sysroot.h"
#include "tap.h"

#ifndef MH_TOP_SRCDIR
#define MH_TOP_SRCDIR "."
#endif

#define BS 0x8000000ULL
#define END NULL

static char tmp[PATH_MAX];

static struct mh_root *open_tree(const char *name)
{
	char dir[PATH_MAX + 64];
	struct mh_root *root = NULL;

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	if (mh_root_open(dir, &root)) {
		printf("Bail out! cannot open %s\n", dir);
		exit(99);
	}
	return root;
}

static void take(struct mh_root *root, struct mh_snapshot *snap, bool all)
{
	struct mh_err e = { 0 };
	int ret = mh_snapshot_take(root, NULL, 0, all, snap, &e);

	if (!ok(ret == 0, "snapshot of %s", mh_root_path(root))) {
		printf("# ret %d: %s\n", ret, e.msg);
		exit(1);
	}
}

/*
 * Build op's plan for dev and compare its described steps with the
 * expected lines (NULL-terminated), or the refusal with want_ret/why.
 */
static void check_plan(const struct mh_snapshot *snap, enum mh_op op, const char *dev,
		       const struct mh_plan_opts *opts, int want_ret,
		       const char *want_why, ...)
{
	struct mh_plan plan;
	struct mh_err e;
	char line[128];
	const char *want;
	va_list ap;
	size_t i = 0;
	int ret, same = 1;

	ret = mh_plan_build(snap, op, dev, opts, &plan, &e);
	is_int(ret, want_ret, "plan result");
	if (want_why)
		ok(strstr(e.msg, want_why) != NULL, "why \"%s\" has \"%s\"", e.msg, want_why);
	if (ret < 0)
		return;
	ok(!strcmp(plan.dev, dev) && plan.op == op, "plan names %s %s", mh_op_name(op), dev);
	va_start(ap, want_why);
	while ((want = va_arg(ap, const char *))) {
		if (i >= plan.nr_steps) {
			printf("# missing step %zu: %s\n", i + 1, want);
			same = 0;
		} else {
			mh_step_describe(&plan, &plan.steps[i], line, sizeof(line));
			if (strcmp(line, want)) {
				printf("# step %zu: got \"%s\", want \"%s\"\n", i + 1, line, want);
				same = 0;
			}
		}
		i++;
	}
	va_end(ap);
	for (; i < plan.nr_steps; i++) {
		mh_step_describe(&plan, &plan.steps[i], line, sizeof(line));
		printf("# extra step %zu: %s\n", i + 1, line);
		same = 0;
	}
	ok(same, "%s %s: exact steps", mh_op_name(op), dev);
	mh_plan_free(&plan);
}

static const struct mh_dax_dev *dev_of(const struct mh_snapshot *s, const char *name)
{
	const struct mh_dax_dev *d = mh_dax_find(&s->devs, name);

	if (!ok(d != NULL, "%s found", name))
		exit(1);
	return d;
}

static void test_kmem_movable(void)
{
	struct mh_root *root = open_tree("kmem-movable");
	struct mh_plan_opts none = { .zone = MH_ZONE_MOVABLE, .rebind = MH_REBIND_NONE };
	struct mh_plan_opts normal = { .zone = MH_ZONE_NORMAL };
	struct mh_iomem_entry *io = NULL;
	const struct mh_dax_dev *d;
	struct mh_snapshot s;
	struct mh_dev_view v;
	struct mh_plan plan;
	struct mh_err e;
	size_t nio = 0, i;

	take(root, &s, false);
	is_int(s.block_size, BS, "block size");
	is_str(s.auto_online, "offline", "policy");
	is_int(s.mem.available_kb, 786432, "MemAvailable");
	is_int(s.mem.nr_nodes, 2, "two nodes with meminfo");
	ok(mh_meminfo_node(&s.mem, 1) && mh_meminfo_node(&s.mem, 1)->total_kb == 655360 &&
	   mh_meminfo_node(&s.mem, 1)->free_kb == 524288, "node 1: MemTotal, MemFree");
	d = dev_of(&s, "dax0.0");
	is_int(d->driver, MH_DRIVER_KMEM, "driver kmem");
	is_str(d->driver_name, "kmem", "driver name from link");
	is_int(d->kind, MH_KIND_NVDIMM, "kind nvdimm from the resolved path");
	is_str(d->backing, "region0", "backing");
	is_int(d->size, 5 * BS, "size");
	is_int(d->target_node, 1, "target_node");
	is_int(d->numa_node, 0, "numa_node");
	is_int(d->nr_ranges, 1, "one mapping");
	ok(d->ranges[0].start == 34 * BS && d->ranges[0].end == 39 * BS - 1, "mapping0");
	is_int(s.blocks.count, 5, "only the device's blocks read");
	ok(s.blocks.count == 5 && s.blocks.v[0].id == 34 && s.blocks.v[0].node == 1 &&
	   s.blocks.v[0].removable == -1 &&
	   !strcmp(s.blocks.v[0].valid_zones, "Movable"),
	   "memory34 attributes (removable not read for a device)");

	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(v.nr_total == 5 && v.nr_blocks == 5 && v.nr_online == 5 && v.nr_offline == 0 &&
	   v.nr_missing == 0, "view counts");
	ok(v.removable && !v.reason[0], "removable, no reason (\"%s\")", v.reason);
	mh_dev_view_free(&v);

	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL,
		   "offline-block memory35", "offline-block memory36",
		   "offline-block memory37", "offline-block memory38",
		   "offline-block memory34", "check-offline dax0.0", "unbind-kmem dax0.0",
		   "verify-released dax0.0", "bind-devdax dax0.0", "settle-udev", END);
	check_plan(&s, MH_OP_REMOVE, "dax0.0", &none, 0, NULL,
		   "offline-block memory35", "offline-block memory36",
		   "offline-block memory37", "offline-block memory38",
		   "offline-block memory34", "check-offline dax0.0", "unbind-kmem dax0.0",
		   "verify-released dax0.0", "settle-udev", END);
	check_plan(&s, MH_OP_OFFLINE, "dax0.0", NULL, 0, NULL,
		   "offline-block memory35", "offline-block memory36",
		   "offline-block memory37", "offline-block memory38",
		   "offline-block memory34", END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, 0, NULL, END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", &normal, -EINVAL,
		   "memory34 is already online in Movable, not normal", END);
	check_plan(&s, MH_OP_REMOVE, "dax9.9", NULL, -ENODEV, "dax9.9: no such device", END);
	check_plan(&s, MH_OP_REMOVE, "../dax0.0", NULL, -EINVAL, "not a dax device name", END);

	/* the rollback record */
	is_int(mh_plan_build(&s, MH_OP_REMOVE, "dax0.0", NULL, &plan, &e), 0,
	       "remove plan");
	is_int(plan.nr_blocks, 5, "plan records 5 blocks");
	for (i = 0; i < plan.nr_blocks; i++)
		if (plan.orig_state[i] != MH_BLOCK_ONLINE || plan.orig_zone[i] != MH_ZONE_MOVABLE)
			break;
	ok(i == 5 && plan.blocks[0] == 34 && plan.blocks[4] == 38,
	   "orig state online, zone movable");
	ok(plan.steps[0].kind == MH_STEP_OFFLINE_BLOCK && plan.steps[0].block == 35 &&
	   plan.steps[4].kind == MH_STEP_OFFLINE_BLOCK && plan.steps[4].block == 34,
	   "offline from memory35 up, the lowest (memory34) last");
	mh_plan_free(&plan);

	/*
	 * Room elsewhere: node 1 holds dax0.0 (640 MiB online) and another
	 * 640 MiB; 580 MiB of it in use, 700 MiB free. MemAvailable 760 MiB
	 * covers the device's size, but only 60 MiB of it is on other nodes.
	 */
	{
		struct mh_node_mem *n1 = (struct mh_node_mem *)mh_meminfo_node(&s.mem, 1);
		unsigned long long avail = s.mem.available_kb;
		struct mh_node_mem keep = *n1;

		n1->total_kb = 1280 * 1024;
		n1->free_kb = 700 * 1024;
		s.mem.available_kb = 760 * 1024;
		check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, -ENOMEM,
			   "580 MiB in use on dax0.0 (node 1), 60 MiB available on the other nodes", END);
		/* 100 MiB in use of the device: fits into those 60 + 40 MiB */
		n1->free_kb = 1180 * 1024;
		s.mem.available_kb = 1280 * 1024;
		check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL,
			   "offline-block memory35", "offline-block memory36",
			   "offline-block memory37", "offline-block memory38",
			   "offline-block memory34", "check-offline dax0.0",
			   "unbind-kmem dax0.0", "verify-released dax0.0",
			   "bind-devdax dax0.0", "settle-udev", END);
		*n1 = keep;
		s.mem.available_kb = avail;
	}

	/* no per-node figures: the device's online size against MemAvailable */
	s.mem.nr_nodes = 0;
	s.mem.available_kb = 100 * 1024;
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, -ENOMEM, "not enough free memory", END);
	{
		struct mh_plan_opts force = { .zone = MH_ZONE_MOVABLE, .force = true };

		is_int(mh_plan_build(&s, MH_OP_REMOVE, "dax0.0", &force, &plan, &e), 0, "--force plans anyway");
		mh_plan_free(&plan);
	}

	is_int(mh_iomem_read(root, &io, &nio), 0, "proc/iomem read");
	ok(mh_iomem_has_kmem(io, nio, &d->ranges[0]), "range is System RAM (kmem)");
	free(io);
	mh_snapshot_free(&s);
	mh_root_close(root);
}

static void test_offline_trees(void)
{
	struct mh_plan_opts normal = { .zone = MH_ZONE_NORMAL };
	struct mh_root *root = open_tree("already-offline");
	struct mh_snapshot s;
	struct mh_plan plan;
	struct mh_err e;

	take(root, &s, false);
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL,
		   "check-offline dax0.0", "unbind-kmem dax0.0", "verify-released dax0.0",
		   "bind-devdax dax0.0", "settle-udev", END);
	check_plan(&s, MH_OP_OFFLINE, "dax0.0", NULL, 0, NULL, END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, 0, NULL,
		   "online-block memory38 movable", "online-block memory37 movable",
		   "online-block memory36 movable", "online-block memory35 movable",
		   "online-block memory34 movable", END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", &normal, 0, NULL,
		   "online-block memory38 normal", "online-block memory37 normal",
		   "online-block memory36 normal", "online-block memory35 normal",
		   "online-block memory34 normal", END);
	is_int(mh_plan_build(&s, MH_OP_ONLINE, "dax0.0", NULL, &plan, &e), 0,
	       "online plan");
	ok(plan.nr_blocks == 5 && plan.orig_state[0] == MH_BLOCK_OFFLINE &&
	   plan.orig_zone[0] == MH_ZONE_UNKNOWN, "orig state offline");
	mh_plan_free(&plan);
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("half-offline");
	take(root, &s, false);
	is_str(s.auto_online, "online_movable", "policy online_movable");
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL,
		   "offline-block memory37", "offline-block memory38",
		   "offline-block memory36", "check-offline dax0.0", "unbind-kmem dax0.0",
		   "verify-released dax0.0", "bind-devdax dax0.0", "settle-udev", END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, 0, NULL,
		   "online-block memory35 movable", "online-block memory34 movable", END);
	is_int(mh_plan_build(&s, MH_OP_OFFLINE, "dax0.0", NULL, &plan, &e), 0,
	       "offline plan");
	ok(plan.nr_blocks == 5 && plan.orig_state[0] == MH_BLOCK_OFFLINE &&
	   plan.orig_state[2] == MH_BLOCK_ONLINE && plan.orig_zone[2] == MH_ZONE_MOVABLE,
	   "orig states mixed");
	mh_plan_free(&plan);
	mh_snapshot_free(&s);
	mh_root_close(root);
}

static void test_not_kmem(void)
{
	struct mh_root *root = open_tree("devdax");
	const struct mh_dax_dev *d;
	struct mh_snapshot s;
	struct mh_dev_view v;
	struct mh_plan plan;
	struct mh_err e;

	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(d->driver, MH_DRIVER_DEVICE_DAX, "driver device_dax");
	is_int(s.blocks.count, 0, "no blocks exist yet");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(!v.removable, "devdax not removable");
	is_str(v.reason, "not in system-ram mode (driver device_dax)", "devdax reason");
	ok(v.nr_total == 5 && v.nr_missing == 0, "5 blocks to be, none missing");
	mh_dev_view_free(&v);
	/* remove converges: already device_dax is nothing to do, not a refusal */
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL, END);
	{
		struct mh_plan_opts none = { .rebind = MH_REBIND_NONE };

		check_plan(&s, MH_OP_REMOVE, "dax0.0", &none, -EINVAL,
			   "dax0.0 is not in system-ram mode (driver device_dax)", END);
	}
	check_plan(&s, MH_OP_OFFLINE, "dax0.0", NULL, -EINVAL,
		   "dax0.0 is not in system-ram mode (driver device_dax)", END);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, 0, NULL,
		   "load-kmem", "set-policy auto_online_blocks=offline",
		   "unbind dax0.0 from device_dax", "bind-kmem dax0.0",
		   "online-block memory38 movable", "online-block memory37 movable",
		   "online-block memory36 movable", "online-block memory35 movable",
		   "online-block memory34 movable", "restore-policy auto_online_blocks=online",
		   "settle-udev", END);
	is_int(mh_plan_build(&s, MH_OP_ONLINE, "dax0.0", NULL, &plan, &e), 0,
	       "online plan");
	ok(plan.nr_blocks == 5 && plan.orig_state[4] == MH_BLOCK_UNKNOWN,
	   "blocks that do not exist yet recorded as unknown");
	ok(!strcmp(plan.steps[2].arg, "device_dax") && !strcmp(plan.steps[1].arg, "offline"),
	   "step args");
	mh_plan_free(&plan);
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("nodriver");
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(d->driver, MH_DRIVER_NONE, "no driver link: none");
	is_int(d->kind, MH_KIND_HMEM, "kind hmem");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	is_str(v.reason, "not in system-ram mode (driver none)", "no-driver reason");
	mh_dev_view_free(&v);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, 0, NULL,
		   "load-kmem", "bind-kmem dax0.0",
		   "online-block memory38 movable", "online-block memory37 movable",
		   "online-block memory36 movable", "online-block memory35 movable",
		   "online-block memory34 movable", "settle-udev", END);
	mh_snapshot_free(&s);
	mh_root_close(root);
}

static void test_shapes(void)
{
	struct mh_root *root = open_tree("multirange");
	const struct mh_dax_dev *d;
	struct mh_snapshot s;
	struct mh_dev_view v;

	take(root, &s, false);
	d = dev_of(&s, "dax1.0");
	ok(d->nr_ranges == 2 && d->ranges[0].start == 60 * BS &&
	   d->ranges[1].start == 50 * BS, "mapping1 below mapping0 kept in order");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(v.nr_blocks == 4 && v.blocks[0]->id == 50 && v.blocks[1]->id == 51 &&
	   v.blocks[2]->id == 60 && v.blocks[3]->id == 61, "blocks 50,51,60,61 only");
	ok(v.blocks[0]->node == 2, "node from link name");
	mh_dev_view_free(&v);
	{
		/* full scan: nodes from node/nodeX/memoryN, else the block's link */
		struct mh_blocks b;

		is_int(mh_blocks_scan(root, &b, NULL), 0, "full scan");
		is_int(b.count, 20, "20 blocks");
		ok(mh_blocks_find(&b, 50) && mh_blocks_find(&b, 50)->node == 2 &&
		   mh_blocks_find(&b, 3)->node == 0 && mh_blocks_find(&b, 52)->node == 0,
		   "nodes from the node dirs");
		ok(mh_blocks_find(&b, 61) && mh_blocks_find(&b, 61)->node == 2,
		   "memory61, not in a node dir: from its own link");
		mh_blocks_free(&b);
	}
	check_plan(&s, MH_OP_REMOVE, "dax1.0", NULL, 0, NULL,
		   "offline-block memory51", "offline-block memory60",
		   "offline-block memory61", "offline-block memory50",
		   "check-offline dax1.0", "unbind-kmem dax1.0", "verify-released dax1.0",
		   "bind-devdax dax1.0", "settle-udev", END);
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("partial");
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(d->kind, MH_KIND_E820, "kind e820");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(v.nr_total == 4 && v.nr_blocks == 4 && v.blocks[0]->id == 35 &&
	   v.blocks[3]->id == 38, "partial head and tail blocks left out");
	ok(v.removable, "partial device removable");
	mh_dev_view_free(&v);
	check_plan(&s, MH_OP_OFFLINE, "dax0.0", NULL, 0, NULL,
		   "offline-block memory36", "offline-block memory37",
		   "offline-block memory38", "offline-block memory35", END);
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("zone-none");
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(!v.removable, "zone none: not removable");
	is_str(v.reason, "memory40 spans zones", "zone none reason");
	mh_dev_view_free(&v);
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, -EINVAL, "memory40 of dax0.0 spans zones",
		   END);
	check_plan(&s, MH_OP_OFFLINE, "dax0.0", NULL, -EINVAL, "memory40", END);
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("kmem-normal");
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(!v.removable, "online in Normal: not removable as it is");
	is_str(v.reason, "memory34 is online in Normal: kernel allocations may pin it; "
	       "offline it and online --zone movable first", "Normal reason");
	mh_dev_view_free(&v);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, -EINVAL,
		   "memory34 is already online in Normal, not movable", END);
	{
		struct mh_plan_opts normal = { .zone = MH_ZONE_NORMAL };

		check_plan(&s, MH_OP_ONLINE, "dax0.0", &normal, 0, NULL, END);
	}
	mh_snapshot_free(&s);
	mh_root_close(root);

	root = open_tree("noblock");
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	is_int(d->kind, MH_KIND_CXL, "kind cxl");
	is_int(mh_dev_view(&s, d, &v), 0, "view");
	ok(v.nr_total == 0 && v.nr_blocks == 0 && !v.removable, "no whole block");
	is_str(v.reason, "no whole memory block in its ranges", "no-block reason");
	mh_dev_view_free(&v);
	check_plan(&s, MH_OP_ONLINE, "dax0.0", NULL, -EINVAL, "no whole memory block", END);
	mh_snapshot_free(&s);
	mh_root_close(root);
}

static void expect_bad(const char *tree, bool all, int want, const char *suffix)
{
	struct mh_root *root = open_tree(tree);
	struct mh_err e = { 0 };
	struct mh_snapshot s;
	size_t el, sl = strlen(suffix);
	char msg[MH_ERR_MSG_MAX];
	int ret;

	ret = mh_snapshot_take(root, NULL, 0, all, &s, &e);
	is_int(ret, want, tree);
	el = strlen(e.path);
	ok(el > sl && !strcmp(e.path + el - sl, suffix) &&
	   !strncmp(e.path, mh_root_path(root), strlen(mh_root_path(root))),
	   "path \"%s\" names %s", e.path, suffix);
	is_int(e.err, -want, "its errno");
	snprintf(msg, sizeof(msg), "unexpected content in %s", e.path);
	if (want == -EINVAL)
		is_str(e.msg, msg, "said as content, not as a read");
	if (!ret)
		mh_snapshot_free(&s);
	mh_root_close(root);
}

static void test_malformed(void)
{
	struct mh_root *root = open_tree("kmem-movable");
	const char *const names[] = { "dax7.0" };
	struct mh_err e = { 0 };
	struct mh_snapshot s;

	expect_bad("bad-state", false, -EINVAL, "/sys/devices/system/memory/memory35/state");
	{
		struct mh_root *bad = open_tree("bad-index");
		const uint64_t ids[] = { 2, 3, 4 };
		struct mh_blocks b;

		/* ids come from the names, as lsmem takes them: phys_index is not read */
		is_int(mh_blocks_scan_ids(bad, ids, 3, &b, NULL),
		       0, "device scan does not read phys_index");
		ok(b.count == 3 && b.v[1].id == 3, "memory3: id from the name");
		mh_blocks_free(&b);
		is_int(mh_blocks_scan(bad, &b, NULL), 0,
		       "full scan does not read phys_index");
		mh_blocks_free(&b);
		mh_root_close(bad);
	}
	expect_bad("bad-mapping", false, -EINVAL, "/dax0.0/mapping0/end");
	is_int(mh_snapshot_take(root, names, 1, false, &s, &e), -ENODEV, "unknown device");
	ok(strstr(e.path, "sys/bus/dax/devices/dax7.0") != NULL, "path %s", e.path);
	ok(!strncmp(e.msg, "cannot read ", 12) && strstr(e.msg, ": No such device"),
	   "said (%s)", e.msg);
	mh_root_close(root);
}

static void test_holes_and_io(void)
{
	struct mh_root *root = open_tree("holes");
	struct mh_blocks b;
	const struct mh_dax_dev *d;
	struct mh_snapshot s;
	struct mh_block blk;
	char rel[128], buf[64];
	struct mh_err e = { 0 };
	uint64_t bs = 0;

	is_int(mh_blocks_scan(root, &b, NULL), 0, "scan with holes");
	is_int(b.count, 14, "14 blocks");
	ok(b.count == 14 && b.v[7].id == 7 && b.v[8].id == 8192 && b.v[13].id == 8199,
	   "sorted by id");
	ok(!mh_blocks_find(&b, 8196) && mh_blocks_find(&b, 8195), "hole at 8196");
	ok(mh_blocks_find(&b, 8192)->id == 8192, "a large id");
	mh_blocks_free(&b);
	{
		uint64_t ids[11];

		for (size_t i = 0; i < 11; i++)
			ids[i] = 8190 + i;
		is_int(mh_blocks_scan_ids(root, ids, 11, &b, NULL), 0,
		       "scan of ids 8190..8200");
	}
	ok(b.count == 6 && b.v[0].id == 8192 && b.v[5].id == 8199, "ids scan skips holes");
	mh_blocks_free(&b);
	is_int(mh_block_size(root, &bs), 0, "block size");
	is_int(bs, BS, "block size value");

	/* the bus link is absolute: it must resolve inside the sysroot */
	take(root, &s, false);
	d = dev_of(&s, "dax0.0");
	ok(d->driver == MH_DRIVER_KMEM && d->kind == MH_KIND_HMEM, "absolute link rooted");
	ok(d->target_node == -1 && d->numa_node == -1, "absent nodes are -1");
	check_plan(&s, MH_OP_REMOVE, "dax0.0", NULL, 0, NULL,
		   "check-offline dax0.0", "unbind-kmem dax0.0", "verify-released dax0.0",
		   "bind-devdax dax0.0", "settle-udev", END);
	mh_snapshot_free(&s);

	/* writes truncate: "online" over "offline\n" does not leave "onlinee" */
	mh_block_attr_path(8198, "state", rel, sizeof(rel));
	is_str(rel, "sys/devices/system/memory/memory8198/state", "attr path");
	is_int(mh_write_attr(root, rel, "online"), 0, "write state");
	is_int(mh_read_attr(root, rel, buf, sizeof(buf)), 6, "read back");
	is_str(buf, "online", "no leftover bytes");
	is_int(mh_block_read(root, 8198, &blk, NULL), 0, "block read");
	is_int(blk.state, MH_BLOCK_ONLINE, "state re-read");
	mh_write_attr(root, rel, "offline\n");
	is_int(mh_block_refresh(root, &blk), 0, "refresh");
	is_int(blk.state, MH_BLOCK_OFFLINE, "refresh sees offline");
	is_int(mh_block_read(root, 8196, &blk, &e), -ENOENT, "missing block: -ENOENT");
	ok(e.err == ENOENT && !strcmp(e.path + strlen(e.path) - 11, "/memory8196"),
	   "said of its directory (%s)", e.path);
	{
		enum mh_block_state st;
		char path[PATH_MAX];

		is_int(mh_block_read_state(root, 8196, &st), -ENOENT,
		       "state of a block without a directory: -ENOENT (gone)");
		/* a directory without a readable state is not a removed block */
		mh_write_attr(root, rel, "offline\n");
		mh_root_errpath(root, rel, path, sizeof(path));
		ok(!unlink(path), "state file removed (%s)", path);
		is_int(mh_block_read_state(root, 8198, &st), -EIO,
		       "state missing, directory there: -EIO, never -ENOENT");
		blk.id = 8198;
		is_int(mh_block_refresh(root, &blk), -EIO, "refresh: -EIO too");
	}
	is_int(mh_read_attr(root, "sys/devices/system/memory/block_size_bytes", buf, 4),
	       -EFBIG, "too small a buffer: -EFBIG");
	is_int(mh_read_link_name(root, "sys/devices/system/memory/memory0/node0", buf,
				 sizeof(buf)), 5, "dangling link name");
	is_str(buf, "node0", "link name");
	ok(!mh_root_is_live(root), "a sysroot is not live");
	mh_root_errpath(root, "proc/iomem", buf, sizeof(buf));
	ok(strlen(buf) > 17 && !strcmp(buf + strlen(buf) - 17, "/holes/proc/iomem"),
	   "errpath %s", buf);
	mh_root_close(root);

	is_int(mh_root_open("/", &root), 0, "open /");
	ok(mh_root_is_live(root), "/ is live");
	mh_root_errpath(root, "proc/iomem", buf, sizeof(buf));
	is_str(buf, "/proc/iomem", "live errpath");
	mh_root_close(root);
	ok(mh_root_open("/nonexistent-memhotctl", &root) == -ENOENT, "missing root");
}

int main(void)
{
	char cmd[PATH_MAX * 2 + 64];
	const char *top = getenv("MEMHOTCTL_TOP_SRCDIR");
	int ret;

	if (!top)
		top = MH_TOP_SRCDIR;
	snprintf(tmp, sizeof(tmp), "%s/memhotctl-trees.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp\n");
		return 99;
	}
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/sysroot/mktree.sh' '%s'", top, tmp);
	if (system(cmd)) {
		printf("Bail out! %s failed\n", cmd);
		return 99;
	}
	test_kmem_movable();
	test_offline_trees();
	test_not_kmem();
	test_shapes();
	test_malformed();
	test_holes_and_io();
	ret = tap_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (!ret && system(cmd))
		printf("# could not remove %s\n", tmp);
	return ret;
}
