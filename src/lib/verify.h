/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks after the unbind: was the range really released? */
#ifndef MH_VERIFY_H
#define MH_VERIFY_H

#include <stddef.h>
#include "dax.h"

/*
 * 0 when every block dir of dev is gone, /proc/iomem has no "System RAM
 * (kmem)" over its ranges and its driver is no longer kmem. -EBUSY only
 * when one of them was seen still there (the range leaked); another
 * -errno when a check could not be made (ENOMEM, a malformed or
 * unreadable /proc/iomem): then nothing is known. e says which, and
 * the file (e->path) where there is one.
 */
struct mh_err;
int mh_verify_released(struct mh_root *root, const struct mh_dax_dev *dev,
		       uint64_t block_size, struct mh_err *e);

#endif
