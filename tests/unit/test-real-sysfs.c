// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Block scanning on real machines' sysfs trees (captured by util-linux for
 * lsmem): counts, holes, large ids, zones, dangling node links. The trees
 * live outside the repository; without them the test is skipped (77).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "block.h"
#include "snapshot.h"
#include "sysroot.h"
#include "tap.h"

#ifndef MH_TOP_SRCDIR
#define MH_TOP_SRCDIR "."
#endif

#define MIB (1024ULL * 1024)

/* What /work/shared/fixtures/real-sysfs/README.md documents for each. */
struct fixture {
	const char *tarball;
	size_t count;
	uint64_t first, last;		/* lowest and highest id */
	uint64_t hole_first, hole_last;	/* missing ids (hole_last < hole_first: none) */
	uint64_t block_size;
	size_t offline;
	size_t zone_none;		/* online blocks in valid_zones "none" */
	size_t zone_movable;		/* first word Movable */
	size_t multi_word;		/* valid_zones like "DMA Normal" */
	size_t legacy_unremovable;	/* removable 0 */
	const char *auto_online;
};

static const struct fixture fixtures[] = {
	{ "x86_64-16g.tar.bz2", 128, 0, 135, 24, 31, 128 * MIB, 0, 2, 0, 0, 75, "online" },
	{ "s390-zvm-6g.tar.bz2", 24, 0, 23, 1, 0, 256 * MIB, 5, 0, 6, 3, 5, "offline" },
	{ "aarch64_16K_16g.tar.bz2", 126, 8192, 8319, 8317, 8318, 128 * MIB, 0, 0, 0, 0, 0,
	  "online" },
	{ "chmem-x86_64_16g.tar.bz2", 127, 0, 145, 13, 31, 128 * MIB, 0, 1, 0, 0, 0,
	  "online" },
};

/* The unpacked tarball's top directory: the one holding sys/. */
static int find_root(const char *dir, char *out, size_t len)
{
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(out, len, "%s/%s/sys/devices/system/memory", dir, de->d_name);
		if (n < 0 || (size_t)n >= len || stat(out, &st))
			continue;
		n = snprintf(out, len, "%s/%s", dir, de->d_name);
		closedir(d);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	closedir(d);
	return -ENOENT;
}

static void check(const char *dir, const struct fixture *f)
{
	char tmp[PATH_MAX], cmd[PATH_MAX * 3], top[PATH_MAX];
	size_t i, offline = 0, none = 0, movable = 0, multi = 0, unrem = 0, bad = 0;
	struct mh_snapshot snap;
	struct mh_root *root;
	struct mh_blocks b;
	uint64_t id;

	snprintf(tmp, sizeof(tmp), "%s/memhotctl-real.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		ok(0, "%s: mkdtemp", f->tarball);
		return;
	}
	snprintf(cmd, sizeof(cmd), "tar --no-same-owner -xjf '%s/%s' -C '%s'", dir,
		 f->tarball, tmp);
	if (!ok(system(cmd) == 0, "%s: unpacked", f->tarball) ||
	    !ok(find_root(tmp, top, sizeof(top)) == 0, "%s: has a memory dir", f->tarball) ||
	    !ok(mh_root_open(top, &root) == 0, "%s: root opens", f->tarball))
		goto out;

	is_int(mh_blocks_scan(root, &b, NULL), 0, f->tarball);
	is_int(b.count, f->count, "block count");
	is_int(b.block_size, f->block_size, "block size");
	if (b.count) {
		is_int(b.v[0].id, f->first, "first id");
		is_int(b.v[b.count - 1].id, f->last, "last id");
	}
	for (id = f->hole_first; id <= f->hole_last; id++)
		if (mh_blocks_find(&b, id))
			break;
	ok(f->hole_last < f->hole_first || id > f->hole_last, "ids %llu-%llu missing",
	   (unsigned long long)f->hole_first, (unsigned long long)f->hole_last);
	/* every id between first and last outside the hole is there */
	for (id = f->first; id <= f->last; id++)
		if (!(id >= f->hole_first && id <= f->hole_last) && !mh_blocks_find(&b, id))
			bad++;
	is_int(bad, 0, "no other holes");
	for (i = 1; i < b.count; i++)
		if (b.v[i - 1].id >= b.v[i].id)
			bad++;
	is_int(bad, 0, "sorted by id");
	for (i = 0; i < b.count; i++) {
		const struct mh_block *k = &b.v[i];
		enum mh_zone z = mh_zone_from_valid_zones(k->valid_zones);

		offline += k->state == MH_BLOCK_OFFLINE;
		none += z == MH_ZONE_NONE;
		movable += z == MH_ZONE_MOVABLE;
		multi += strchr(k->valid_zones, ' ') != NULL;
		unrem += k->removable == 0;
		if (k->node != 0 || z == MH_ZONE_UNKNOWN)
			bad++;
	}
	is_int(offline, f->offline, "offline blocks");
	is_int(none, f->zone_none, "zone none");
	is_int(movable, f->zone_movable, "zone Movable");
	is_int(multi, f->multi_word, "multi-zone valid_zones");
	is_int(unrem, f->legacy_unremovable, "legacy removable 0");
	is_int(bad, 0, "node 0 from dangling links, zones known");
	mh_blocks_free(&b);

	/* a snapshot of a machine without a dax bus: no devices, no error */
	is_int(mh_snapshot_take(root, NULL, 0, true, &snap, NULL), 0,
	       "snapshot");
	ok(snap.devs.count == 0 && snap.blocks.count == f->count, "no devices, all blocks");
	is_str(snap.auto_online, f->auto_online, "auto_online_blocks");
	mh_snapshot_free(&snap);
	mh_root_close(root);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd))
		printf("# could not remove %s\n", tmp);
}

int main(void)
{
	char dir[PATH_MAX];
	const char *shared = getenv("MEMHOTCTL_SHARED");
	struct stat st;
	size_t i;

	if (shared)
		snprintf(dir, sizeof(dir), "%s/fixtures/real-sysfs", shared);
	else
		snprintf(dir, sizeof(dir), "%s/../shared/fixtures/real-sysfs", MH_TOP_SRCDIR);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		printf("1..0 # SKIP no real sysfs fixtures at %s\n", dir);
		return 77;
	}
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		check(dir, &fixtures[i]);
	}
	return tap_done();
}
