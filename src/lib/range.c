// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole blocks of a range, rounded inward exactly as kmem's probe does. */
#include "range.h"

bool mh_range_blocks(const struct mh_range *r, uint64_t block_size,
		     uint64_t *first, uint64_t *last)
{
	uint64_t f, end_blk;

	if (!block_size || r->start > r->end)
		return false;
	/* start rounded up: the first block that begins inside the range */
	f = r->start / block_size + (r->start % block_size ? 1 : 0);
	/* end + 1 rounded down, without overflowing at UINT64_MAX */
	if (r->end == UINT64_MAX)
		end_blk = UINT64_MAX / block_size + ((UINT64_MAX % block_size) ==
						      block_size - 1 ? 1 : 0);
	else
		end_blk = (r->end + 1) / block_size;
	/* end_blk is one past the last whole block */
	if (end_blk <= f)
		return false;
	*first = f;
	*last = end_blk - 1;
	return true;
}
