/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CXL region and memdevs behind a dax device, through libcxl. libcxl
 * reads the live /sys only: with a sysroot other than / nothing is looked
 * up. The nd region in a CXL pmem dax device's path (nvdimm-bridgeN/ndbusN/
 * regionM) is the nvdimm view of the region, not the CXL region: the CXL
 * region is the one whose host physical range holds the device's ranges.
 */
#ifndef MH_CXL_H
#define MH_CXL_H

#include "sysroot.h"
#include "dax.h"

/* libcxl itself, loaded on first use (dlib.h): 0 or -ELIBACC. */
int mh_cxl_open_lib(void);

/*
 * Fill cxl_region and cxl_memdevs of every device of kind CXL in l.
 * Returns the number of devices filled, or -EOPNOTSUPP when root is not the
 * live / (nothing filled), or a negative errno when libcxl fails.
 */
int mh_cxl_lookup(struct mh_root *root, struct mh_dax_list *l);

#endif
