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
	if (n < 0) {
		snprintf(what, len, "cannot list the blocks of %s: %s", dev->name,
			 strerror(-n));
		return n;
	}
	for (i = 0; i < n && !err; i++) {
		snprintf(rel, sizeof(rel), MH_MEMORY_DIR "/memory%llu",
			 (unsigned long long)ids[i]);
		/* the entry, a link not followed: present in any form is present */
		err = mh_path_check(root, rel, false);
		if (err == -EBUSY)
			err = -EIO;	/* -EBUSY says "seen": this was not */
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
		} else if (!err) {
			snprintf(what, len, "memory%llu still present",
				 (unsigned long long)ids[i]);
			err = -EBUSY;
		} else {
			snprintf(what, len, "cannot read memory%llu: %s",
				 (unsigned long long)ids[i], mh_strerror(err));
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
		/* ENOMEM, a malformed line, too big: not checked, not leaked */
		if (err == -EFBIG)
			snprintf(what, len, "cannot read /proc/iomem: larger than %u MiB",
				 MH_READ_FILE_MAX >> 20);
		else
			snprintf(what, len, "cannot read /proc/iomem: %s",
				 err == -EINVAL ? "unexpected content" : mh_strerror(err));
		return err == -EBUSY ? -EIO : err;
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
	err = mh_dax_read_driver(root, dev->name, drv, sizeof(drv));
	if (err == -ENOENT)
		return 0;
	if (err < 0) {
		snprintf(what, len, "cannot read %s: %s", rel, mh_strerror(err));
		return err == -EBUSY ? -EIO : err;
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
	else if (err && len && !what[0])
		snprintf(what, len, "cannot check %s: %s", dev->name, mh_strerror(err));
	return err;
}
