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
#include "err.h"
#include "iomem.h"
#include "log.h"

static int check_blocks(struct mh_root *root, const struct mh_dax_dev *dev,
			uint64_t block_size, struct mh_err *e)
{
	char rel[PATH_MAX];
	uint64_t *ids = NULL;
	int n, i, err = 0;

	n = mh_dax_block_ids(dev, block_size, &ids);
	if (n < 0)
		return mh_err_set(e, n, NULL, "cannot list the blocks of %s: %s", dev->name,
				  strerror(-n));
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
			err = mh_err_set(e, -EBUSY, rel, "memory%llu still present",
					 (unsigned long long)ids[i]);
		} else {
			mh_err_set(e, err, rel, "cannot read memory%llu: %s",
				   (unsigned long long)ids[i], mh_strerror(err));
		}
	}
	free(ids);
	return err;
}

static int check_iomem(struct mh_root *root, const struct mh_dax_dev *dev,
		       struct mh_err *er)
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
		err = err == -EBUSY ? -EIO : err;
		if (err == -EFBIG)
			return mh_err_set(er, err, MH_PROC_IOMEM, "cannot read /proc/iomem: "
					  "larger than %u MiB", MH_READ_FILE_MAX >> 20);
		return mh_err_set(er, err, MH_PROC_IOMEM, "cannot read /proc/iomem: %s",
				  err == -EINVAL ? "unexpected content" : mh_strerror(err));
	}
	for (i = 0; i < dev->nr_ranges && !err; i++) {
		if (mh_iomem_has_kmem(e, count, &dev->ranges[i])) {
			err = mh_err_set(er, -EBUSY, MH_PROC_IOMEM,
					 "%#llx-%#llx still System RAM (kmem) in /proc/iomem",
					 (unsigned long long)dev->ranges[i].start,
					 (unsigned long long)dev->ranges[i].end);
		}
	}
	free(e);
	return err;
}

static int check_driver(struct mh_root *root, const struct mh_dax_dev *dev,
			struct mh_err *e)
{
	char rel[PATH_MAX], drv[64];
	int err;

	snprintf(rel, sizeof(rel), MH_DAX_DEVICES_DIR "/%s/driver", dev->name);
	err = mh_dax_read_driver(root, dev->name, drv, sizeof(drv));
	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return mh_err_set(e, err == -EBUSY ? -EIO : err, rel, "cannot read %s: %s", rel,
				  mh_strerror(err));
	if (!strcmp(drv, "kmem"))
		return mh_err_set(e, -EBUSY, rel, "%s still bound to kmem", dev->name);
	return 0;
}

int mh_verify_released(struct mh_root *root, const struct mh_dax_dev *dev,
		       uint64_t block_size, struct mh_err *e)
{
	int err;

	mh_err_clear(e);
	err = check_blocks(root, dev, block_size, e);
	if (!err)
		err = check_iomem(root, dev, e);
	if (!err)
		err = check_driver(root, dev, e);
	if (err == -EBUSY)
		mh_dbg("%s not released: %s", dev->name, e->msg);
	else if (err && !e->msg[0])
		mh_err_set(e, err, NULL, "cannot check %s: %s", dev->name, mh_strerror(err));
	return err;
}
