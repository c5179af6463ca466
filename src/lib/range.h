/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Physical ranges and their whole memory blocks, rounded as kmem does. */
#ifndef MH_RANGE_H
#define MH_RANGE_H

#include <stdint.h>
#include <stdbool.h>

struct mh_range {
	uint64_t start;
	uint64_t end;	/* inclusive, as in mappingN/end and /proc/iomem */
};

/*
 * Whole blocks inside [start, end]: start rounded up, end+1 rounded down
 * to block_size. Returns false when no whole block fits.
 */
bool mh_range_blocks(const struct mh_range *r, uint64_t block_size,
		     uint64_t *first, uint64_t *last);

#endif
