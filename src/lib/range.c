// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole blocks of a range, rounded inward exactly as kmem's probe does. */
#include "range.h"

bool mh_range_blocks(const struct mh_range *r, uint64_t block_size,
		     uint64_t *first, uint64_t *last)
{
	uint64_t f, l;

	if (!block_size || r->start > r->end)
		return false;
	/* start rounded up: the first block that begins inside the range */
	f = r->start / block_size + (r->start % block_size ? 1 : 0);
	/*
	 * The last block that ends inside the range, worked out inclusively
	 * so that a range ending at UINT64_MAX cannot overflow.
	 */
	l = r->end / block_size;
	if (r->end % block_size != block_size - 1) {
		if (!l)
			return false;
		l--;
	}
	if (l < f)
		return false;
	*first = f;
	*last = l;
	return true;
}
