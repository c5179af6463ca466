// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pure functions of the read side: strict parsers, block rounding, name
 * checks, zone words, errno classes, /proc/iomem, /proc/net/netlink's uevent
 * listeners, device kind from a path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "block.h"
#include "dax.h"
#include "errclass.h"
#include "iomem.h"
#include "listeners.h"
#include "names.h"
#include "plan.h"
#include "range.h"
#include "sysroot.h"
#include "tap.h"

#define BS 0x8000000ULL

static void test_u64(void)
{
	uint64_t v = 0;
	int i;

	is_int(mh_parse_u64("8000000", 16, &v), 0, "hex block_size_bytes parses");
	is_int(v, 0x8000000, "hex value");
	is_int(mh_parse_u64("00002000", 16, &v), 0, "hex with leading zeros");
	is_int(v, 8192, "phys_index 00002000 = 8192");
	is_int(mh_parse_u64("ffffffffffffffff", 16, &v), 0, "max u64");
	ok(v == UINT64_MAX, "max u64 value");
	is_int(mh_parse_u64("790626304", 10, &v), 0, "decimal size");
	is_int(v, 790626304, "decimal value");
	{
		static const char *const bad16[] = {
			"", "0x8000000", "0X10", " 10", "10 ", "-1", "+1", "8000000\t",
			"xyz", "10000000000000000", "1g", NULL
		};
		for (i = 0; bad16[i]; i++)
			is_int(mh_parse_u64(bad16[i], 16, &v), -EINVAL, bad16[i]);
	}
	{
		static const char *const bad10[] = {
			"", "12a", "-5", "18446744073709551616", " 1", "1.5", NULL
		};
		for (i = 0; bad10[i]; i++)
			is_int(mh_parse_u64(bad10[i], 10, &v), -EINVAL, bad10[i]);
	}
}

static void test_int(void)
{
	int v = 0;

	is_int(mh_parse_int("-1", &v), 0, "int -1 parses");
	is_int(v, -1, "int -1 value");
	is_int(mh_parse_int("12", &v), 0, "int 12 parses");
	is_int(v, 12, "int 12 value");
	is_int(mh_parse_int("2147483648", &v), -EINVAL, "int overflow refused");
	is_int(mh_parse_int("", &v), -EINVAL, "empty int refused");
	is_int(mh_parse_int("1 ", &v), -EINVAL, "trailing space refused");
	is_int(mh_parse_int("+1", &v), -EINVAL, "plus sign refused");
}

static void test_range(void)
{
	struct mh_range r;
	uint64_t f = 0, l = 0;

	r.start = 34 * BS;
	r.end = 39 * BS - 1;
	ok(mh_range_blocks(&r, BS, &f, &l) && f == 34 && l == 38, "aligned 34-38");
	r.start = 34 * BS + 4096;
	r.end = 39 * BS - 1;
	ok(mh_range_blocks(&r, BS, &f, &l) && f == 35 && l == 38, "head rounded up");
	r.start = 34 * BS;
	r.end = 39 * BS - 2;
	ok(mh_range_blocks(&r, BS, &f, &l) && f == 34 && l == 37, "tail rounded down");
	r.start = 34 * BS + 1;
	r.end = 35 * BS + BS / 2;
	ok(!mh_range_blocks(&r, BS, &f, &l), "straddling two blocks, none whole");
	r.start = 34 * BS;
	r.end = 34 * BS + BS / 2;
	ok(!mh_range_blocks(&r, BS, &f, &l), "half a block: none");
	r.start = 0;
	r.end = BS - 1;
	ok(mh_range_blocks(&r, BS, &f, &l) && f == 0 && l == 0, "block 0 exactly");
	r.start = UINT64_MAX - 2 * BS + 1;
	r.end = UINT64_MAX;
	ok(mh_range_blocks(&r, BS, &f, &l) && l == UINT64_MAX / BS &&
	   f == l - 1, "range ending at 2^64-1 does not overflow");
	r.start = 5;
	r.end = 4;
	ok(!mh_range_blocks(&r, BS, &f, &l), "end before start");
	r.start = 0;
	r.end = BS - 1;
	ok(!mh_range_blocks(&r, 0, &f, &l), "block size 0");
}

static void test_dax_ids(void)
{
	struct mh_dax_dev d;
	uint64_t *ids = NULL;
	int n;

	memset(&d, 0, sizeof(d));
	d.nr_ranges = 3;
	d.ranges[0].start = 60 * BS;		/* mapping0: blocks 60-61 */
	d.ranges[0].end = 62 * BS - 1;
	d.ranges[1].start = 50 * BS + 1;	/* mapping1, below: 51 only */
	d.ranges[1].end = 52 * BS - 1;
	d.ranges[2].start = 70 * BS;		/* smaller than a block */
	d.ranges[2].end = 70 * BS + 4095;
	n = mh_dax_block_ids(&d, BS, &ids);
	is_int(n, 3, "multi-range block count");
	ok(n == 3 && ids[0] == 51 && ids[1] == 60 && ids[2] == 61,
	   "ids sorted across ranges, rounded inward");
	free(ids);

	d.nr_ranges = 1;
	d.ranges[0] = d.ranges[2];
	ids = (uint64_t *)&d;
	n = mh_dax_block_ids(&d, BS, &ids);
	is_int(n, 0, "no whole block: count 0");
	ok(ids == NULL, "no whole block: ids NULL");
}

static void test_names(void)
{
	static const char *const good[] = { "dax0.0", "dax1.12", "dax123.4", NULL };
	static const char *const bad[] = {
		"", "dax", "dax0", "dax0.", "dax.0", "dax0.0/", "/", "..", "../dax0.0",
		"dax0.0.0", "Dax0.0", "dax-1.0", "dax01.0", "dax0.00", "dax0.0 ",
		" dax0.0", "dax1234567890.0", "region0", "dax0.0\n", NULL
	};
	unsigned r = 0, i = 0;
	int k;

	for (k = 0; good[k]; k++)
		is_int(mh_dax_name_valid(good[k]), 0, good[k]);
	for (k = 0; bad[k]; k++)
		ok(mh_dax_name_valid(bad[k]) == -EINVAL, "bad name #%d refused", k);
	ok(mh_dax_name_valid(NULL) == -EINVAL, "NULL refused");
	ok(!mh_dax_name_parse("dax12.3", &r, &i) && r == 12 && i == 3, "parse 12.3");
}

static void test_zones(void)
{
	enum mh_block_state st = MH_BLOCK_UNKNOWN;
	enum mh_zone z = MH_ZONE_UNKNOWN;

	is_int(mh_zone_from_valid_zones("Movable"), MH_ZONE_MOVABLE, "Movable");
	is_int(mh_zone_from_valid_zones("Normal"), MH_ZONE_NORMAL, "Normal");
	is_int(mh_zone_from_valid_zones("DMA32 Normal"), MH_ZONE_NORMAL, "DMA32 first");
	is_int(mh_zone_from_valid_zones("DMA"), MH_ZONE_NORMAL, "DMA is a kernel zone");
	is_int(mh_zone_from_valid_zones("none"), MH_ZONE_NONE, "none");
	is_int(mh_zone_from_valid_zones("Movable Normal"), MH_ZONE_MOVABLE,
	       "offline block: first word");
	is_int(mh_zone_from_valid_zones(""), MH_ZONE_UNKNOWN, "empty: unknown");
	is_int(mh_zone_from_valid_zones("Movablex"), MH_ZONE_UNKNOWN, "garbage");
	ok(mh_valid_zones_allow("Normal Movable", MH_ZONE_MOVABLE), "allow movable");
	ok(!mh_valid_zones_allow("DMA32 Normal", MH_ZONE_MOVABLE), "deny movable");
	ok(mh_valid_zones_allow("DMA32 Normal", MH_ZONE_NORMAL), "allow normal");

	is_int(mh_parse_zone_option("movable", &z), 0, "--zone movable");
	is_int(z, MH_ZONE_MOVABLE, "movable value");
	is_int(mh_parse_zone_option("normal", &z), 0, "--zone normal");
	is_int(z, MH_ZONE_NORMAL, "normal value");
	is_int(mh_parse_zone_option("none", &z), -EINVAL, "--zone none refused");
	is_int(mh_parse_zone_option("Movable", &z), -EINVAL, "case matters");
	is_str(mh_zone_name(MH_ZONE_MOVABLE), "movable", "zone name");

	is_int(mh_parse_block_state("going-offline", &st), 0, "going-offline");
	is_int(st, MH_BLOCK_GOING_OFFLINE, "going-offline value");
	is_int(mh_parse_block_state("onlinee", &st), -EINVAL, "onlinee refused");
	is_int(mh_parse_block_state("", &st), -EINVAL, "empty state refused");
	is_str(mh_block_state_name(MH_BLOCK_OFFLINE), "offline", "state name");
}

/* The one removability rule: status, the planner and lsmem's column. */
static void test_removable(void)
{
	struct mh_block b = { .state = MH_BLOCK_ONLINE, .removable = -1 };

	strcpy(b.valid_zones, "Movable");
	ok(mh_block_removable(&b) && !mh_block_spans_zones(&b), "online Movable: removable");
	b.removable = 0;
	ok(!mh_block_removable(&b), "legacy removable 0 vetoes");
	b.removable = 1;
	strcpy(b.valid_zones, "none");
	ok(!mh_block_removable(&b) && mh_block_spans_zones(&b), "spanning zones: not removable");
	b.state = MH_BLOCK_OFFLINE;
	ok(mh_block_removable(&b), "offline: removable");
	b.state = MH_BLOCK_GOING_OFFLINE;
	ok(!mh_block_removable(&b), "going offline: not removable");
}

/* One parser for "memoryN": scans, node links and uevents. */
static void test_block_names(void)
{
	const char *const bad[] = {
		"memory", "memory-1", "memory+1", "memory 1", "memory1x", "memory0x10",
		"Memory1", "node1", "memory18446744073709551616",
	};
	uint64_t id = 0;
	size_t k;

	ok(!mh_block_id_from_name("memory34", &id) && id == 34, "memory34");
	ok(!mh_block_id_from_name("memory0", &id) && id == 0, "memory0");
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		is_int(mh_block_id_from_name(bad[k], &id), -EINVAL, bad[k]);
}

static void test_errclass(void)
{
	is_int(mh_classify_errno(0), MH_ERR_DONE, "0 done");
	is_int(mh_classify_errno(EBUSY), MH_ERR_RETRY, "EBUSY retry");
	is_int(mh_classify_errno(EAGAIN), MH_ERR_RETRY, "EAGAIN retry");
	is_int(mh_classify_errno(EINVAL), MH_ERR_REREAD, "EINVAL reread");
	is_int(mh_classify_errno(EPERM), MH_ERR_FINAL, "EPERM final");
	is_int(mh_classify_errno(EACCES), MH_ERR_FINAL, "EACCES final");
	is_int(mh_classify_errno(EROFS), MH_ERR_FINAL, "EROFS final");
	is_int(mh_classify_errno(ENOMEM), MH_ERR_FINAL, "ENOMEM final");
	is_int(mh_classify_errno(ENOENT), MH_ERR_FINAL, "ENOENT final");
	is_int(mh_classify_errno(ENODEV), MH_ERR_FINAL, "ENODEV final");
	is_int(mh_classify_errno(EINTR), MH_ERR_DEADLINE, "EINTR deadline");
	is_int(mh_classify_errno(ETIMEDOUT), MH_ERR_DEADLINE, "ETIMEDOUT deadline");
	is_int(mh_classify_errno(-EBUSY), MH_ERR_RETRY, "negative errno too");
	is_str(mh_err_action_name(MH_ERR_REREAD), "reread", "action name");
}

static void test_iomem(void)
{
	static const char text[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009fbff : System RAM\n"
		"100000000-10fffffff : System RAM\n"
		"  100000000-100ffffff : Kernel code\n"
		"110000000-137ffffff : dax0.0\n"
		"  110000000-137ffffff : System RAM (kmem)\n"
		"140000000-147ffffff : dax1.0\n";
	struct mh_iomem_entry *e = NULL;
	struct mh_range r;
	size_t n = 0;

	is_int(mh_iomem_parse(text, &e, &n), 0, "iomem parses");
	is_int(n, 7, "iomem entries");
	if (n == 7) {
		is_int(e[3].depth, 1, "nested depth");
		is_str(e[5].name, "System RAM (kmem)", "kmem name");
		ok(e[4].r.start == 0x110000000ULL && e[4].r.end == 0x137ffffffULL,
		   "dax0.0 range");
	}
	r.start = 0x120000000ULL;
	r.end = 0x127ffffffULL;
	ok(mh_iomem_has_kmem(e, n, &r), "overlapping kmem found");
	r.start = 0x140000000ULL;
	r.end = 0x147ffffffULL;
	ok(!mh_iomem_has_kmem(e, n, &r), "released range: no kmem");
	free(e);

	e = NULL;
	is_int(mh_iomem_parse("0-fff Reserved\n", &e, &n), -EINVAL, "no colon");
	is_int(mh_iomem_parse("zz-fff : x\n", &e, &n), -EINVAL, "bad hex");
	is_int(mh_iomem_parse("1000-fff : x\n", &e, &n), -EINVAL, "end < start");
	is_int(mh_iomem_parse("", &e, &n), 0, "empty text");
	is_int(n, 0, "empty: no entries");
	free(e);
}

/* Rows as 6.1 prints them: the kernel's socket, udevd's, a udev monitor's. */
#define NL_HEAD "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
#define NL_KERNEL "0000000000000000 15  0          00000000 0        0        0     2        0        8\n"
#define NL_UDEVD "ffff8880042e4000 15  171        00000001 0        0        0     2        0        1517\n"
#define NL_MONITOR "ffff8880042e5000 15  -4133      00000002 0        0        0     2        0        1530\n"
#define NL_ROUTE "ffff8880042e6000 0   171        00000551 0        0        0     2        0        1520\n"

static void test_listeners(void)
{
	const unsigned long own[] = { 1517 };
	char dir[] = "/tmp/mh-listeners-XXXXXX", path[128];
	struct mh_root *root = NULL;
	unsigned n = 99;
	int fd;

	is_int(mh_uevent_listeners_parse(NL_HEAD NL_KERNEL, NULL, 0, &n), 0, "kernel only");
	is_int(n, 0, "the kernel's own socket is no listener");
	is_int(mh_uevent_listeners_parse(NL_HEAD NL_KERNEL NL_UDEVD NL_MONITOR NL_ROUTE,
					 NULL, 0, &n), 0, "four sockets");
	is_int(n, 1, "only the group-1 uevent socket listens to the kernel");
	is_int(mh_uevent_listeners_parse(NL_HEAD NL_UDEVD NL_UDEVD, own, 1, &n), 0, "own");
	is_int(n, 0, "own sockets are not counted");
	is_int(mh_uevent_listeners_parse("sk Pid Eth Inode Groups\nx 1 15 7 3\n", NULL, 0, &n),
	       0, "columns found by name");
	is_int(n, 1, "reordered columns: one listener");
	is_int(mh_uevent_listeners_parse("sk Eth Pid Inode\nx 15 1 7\n", NULL, 0, &n),
	       -EINVAL, "no Groups column");
	is_int(mh_uevent_listeners_parse(NL_HEAD "ffff 15 1 zz 0 0 0 2 0 9\n", NULL, 0, &n),
	       -EINVAL, "groups not hex");
	is_int(mh_uevent_listeners_parse(NL_HEAD "ffff 15 1\n", NULL, 0, &n),
	       -EINVAL, "short row");
	is_int(mh_uevent_listeners_parse("", NULL, 0, &n), -EINVAL, "empty table");

	/* Read through a sysroot, as the executor does. */
	ok(mkdtemp(dir) != NULL, "temp sysroot");
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/net", dir);
	mkdir(path, 0755);
	is_int(mh_root_open(dir, &root), 0, "open sysroot");
	is_int(mh_uevent_listeners(root, &n), -ENOENT, "no table: -ENOENT");
	snprintf(path, sizeof(path), "%s/" MH_PROC_NETLINK, dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, NL_HEAD NL_KERNEL NL_UDEVD, strlen(NL_HEAD NL_KERNEL NL_UDEVD)) > 0,
	   "write table");
	if (fd >= 0)
		close(fd);
	n = 99;
	is_int(mh_uevent_listeners(root, &n), 0, "table read from the sysroot");
	is_int(n, 1, "one listener in it");
	mh_root_close(root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc/net", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_kind(void)
{
	char bk[128];

	is_int(mh_dax_kind_from_path("../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/"
				     "ndbus0/region0/dax0.0/dax0.0", bk, sizeof(bk)),
	       MH_KIND_NVDIMM, "nfit path: nvdimm");
	is_str(bk, "region0", "nvdimm backing");
	is_int(mh_dax_kind_from_path("../../../devices/platform/e820_pmem/ndbus0/"
				     "region1/namespace1.0/dax1.0", bk, sizeof(bk)),
	       MH_KIND_E820, "e820 path");
	is_str(bk, "region1 namespace1.0", "e820 backing");
	is_int(mh_dax_kind_from_path("../../../devices/platform/hmem.0/dax0.0",
				     bk, sizeof(bk)), MH_KIND_HMEM, "hmem");
	is_str(bk, "hmem.0", "hmem backing");
	is_int(mh_dax_kind_from_path("../../../devices/platform/ACPI0017:00/root0/"
				     "decoder0.0/region3/dax_region3/dax3.0", bk, sizeof(bk)),
	       MH_KIND_CXL, "cxl");
	is_str(bk, "region3", "cxl backing");
	is_int(mh_dax_kind_from_path("dax0.0", bk, sizeof(bk)), MH_KIND_UNKNOWN,
	       "plain: unknown");
	is_str(bk, "", "plain: no backing");
	is_str(mh_dax_kind_name(MH_KIND_CXL), "cxl", "kind name");
}

static void test_step_names(void)
{
	static const char *const names[] = {
		"load-kmem", "set-policy", "unbind", "bind-kmem", "online-block",
		"offline-block", "check-offline", "unbind-kmem", "verify-released",
		"bind-devdax", "restore-policy", "settle-udev",
	};
	unsigned k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		is_str(mh_step_kind_name((enum mh_step_kind)k), names[k], "step name");
	is_str(mh_op_name(MH_OP_REMOVE), "remove", "op name");
}

/* One table per enum: every name reads back as its value, every spelling agrees. */
static void test_name_tables(void)
{
	enum mh_block_state st;
	enum mh_zone z;
	enum mh_op op;
	int k;

	for (k = MH_ZONE_UNKNOWN; k <= MH_ZONE_NONE; k++) {
		ok(!mh_parse_zone(mh_zone_name((enum mh_zone)k), &z) && z == (enum mh_zone)k,
		   "zone %s reads back", mh_zone_name((enum mh_zone)k));
		/* results print the kernel's word: it must name the same zone */
		if (k != MH_ZONE_UNKNOWN)
			ok(mh_zone_from_valid_zones(mh_zone_word((enum mh_zone)k)) ==
			   (enum mh_zone)k, "word %s is that zone", mh_zone_word((enum mh_zone)k));
	}
	is_str(mh_zone_word(MH_ZONE_UNKNOWN), "", "no word for an unknown zone");
	is_str(mh_zone_online_cmd(MH_ZONE_MOVABLE), "online_movable", "movable: online_movable");
	is_str(mh_zone_online_cmd(MH_ZONE_NORMAL), "online_kernel", "normal: online_kernel");
	is_str(mh_zone_online_cmd(MH_ZONE_UNKNOWN), "online", "unknown: plain online");
	ok(mh_policy_valid(mh_zone_online_cmd(MH_ZONE_MOVABLE)) &&
	   mh_policy_valid(mh_zone_online_cmd(MH_ZONE_NORMAL)) && mh_policy_valid("offline"),
	   "online commands are policies too");
	ok(!mh_policy_valid("Online") && !mh_policy_valid(""), "policy case and empty refused");
	for (k = MH_BLOCK_ONLINE; k <= MH_BLOCK_GOING_OFFLINE; k++)
		ok(!mh_parse_block_state(mh_block_state_name((enum mh_block_state)k), &st) &&
		   st == (enum mh_block_state)k, "state %d reads back", k);
	is_int(mh_parse_block_state("unknown", &st), -EINVAL, "sysfs never says unknown");
	for (k = MH_OP_ONLINE; k <= MH_OP_REMOVE; k++)
		ok(!mh_parse_op(mh_op_name((enum mh_op)k), &op) && op == (enum mh_op)k,
		   "op %s reads back", mh_op_name((enum mh_op)k));
	is_int(mh_parse_op("Remove", &op), -EINVAL, "op case matters");
	is_str(mh_dax_mode_name(MH_DRIVER_KMEM), "system-ram", "kmem mode");
	is_str(mh_dax_mode_name(MH_DRIVER_DEVICE_DAX), "devdax", "device_dax mode");
	is_str(mh_dax_mode_name(MH_DRIVER_OTHER), "none", "another driver: no mode");
}

int main(void)
{
	test_u64();
	test_int();
	test_range();
	test_dax_ids();
	test_names();
	test_zones();
	test_block_names();
	test_removable();
	test_errclass();
	test_iomem();
	test_listeners();
	test_kind();
	test_step_names();
	test_name_tables();
	return tap_done();
}
