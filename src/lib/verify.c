// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * After the kmem unbind: was the range really released? The unbind write
 * returns success even when remove_memory() refused (a block was online):
 * kmem then keeps the memory as System RAM until the next reboot. Only
 * the blocks, /proc/iomem and the driver link tell.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "iomem.h"
#include "log.h"

static int check_blocks(struct mh_root *root, const struct mh_dax_dev *dev,
			uint64_t block_size, char *what, size_t len)
{
	char rel[PATH_MAX];
	uint64_t *ids = NULL;
	int n, i, err = 0;

	n = mh_dax_block_ids(dev, block_size, &ids);
	if (n < 0)
		return n;
	for (i = 0; i < n && !err; i++) {
		snprintf(rel, sizeof(rel), MH_MEMORY_DIR "/memory%llu",
			 (unsigned long long)ids[i]);
		if (mh_path_exists(root, rel)) {
			snprintf(what, len, "memory%llu still present",
				 (unsigned long long)ids[i]);
			err = -EBUSY;
		}
	}
	free(ids);
	return err;
}

static int check_iomem(struct mh_root *root, const struct mh_dax_dev *dev,
		       char *what, size_t len)
{
	struct mh_iomem_entry *e = NULL;
	size_t count = 0, i;
	int err;

	err = mh_iomem_read(root, &e, &count);
	if (err == -ENOENT && !mh_root_is_live(root)) {
		/* A sysroot without proc/: the other checks must do. */
		mh_dbg("no %s under %s: not checked", MH_PROC_IOMEM, mh_root_path(root));
		return 0;
	}
	if (err) {
		snprintf(what, len, "cannot read /proc/iomem: %s", strerror(-err));
		return -EBUSY;
	}
	for (i = 0; i < dev->nr_ranges && !err; i++) {
		if (mh_iomem_has_kmem(e, count, &dev->ranges[i])) {
			snprintf(what, len,
				 "%#llx-%#llx still System RAM (kmem) in /proc/iomem",
				 (unsigned long long)dev->ranges[i].start,
				 (unsigned long long)dev->ranges[i].end);
			err = -EBUSY;
		}
	}
	free(e);
	return err;
}

static int check_driver(struct mh_root *root, const struct mh_dax_dev *dev,
			char *what, size_t len)
{
	char rel[PATH_MAX], drv[64];
	int err;

	snprintf(rel, sizeof(rel), MH_DAX_DEVICES_DIR "/%s/driver", dev->name);
	err = mh_read_link_name(root, rel, drv, sizeof(drv));
	if (err == -ENOENT)
		return 0;
	if (err < 0) {
		snprintf(what, len, "cannot read %s: %s", rel, strerror(-err));
		return -EBUSY;
	}
	if (!strcmp(drv, "kmem")) {
		snprintf(what, len, "%s still bound to kmem", dev->name);
		return -EBUSY;
	}
	return 0;
}

int mh_verify_released(struct mh_root *root, const struct mh_dax_dev *dev,
		       uint64_t block_size, char *what, size_t len)
{
	int err;

	if (len)
		what[0] = '\0';
	err = check_blocks(root, dev, block_size, what, len);
	if (!err)
		err = check_iomem(root, dev, what, len);
	if (!err)
		err = check_driver(root, dev, what, len);
	if (err == -EBUSY)
		mh_dbg("%s not released: %s", dev->name, what);
	else if (err)
		snprintf(what, len, "cannot check %s: %s", dev->name, strerror(-err));
	return err ? -EBUSY : 0;
}
