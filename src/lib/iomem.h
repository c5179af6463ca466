/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/iomem: is a range still "System RAM (kmem)"? */
#ifndef MH_IOMEM_H
#define MH_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include "sysroot.h"
#include "range.h"

struct mh_iomem_entry {
	struct mh_range r;
	int depth;		/* indentation level */
	char name[64];
};

/* Parse text (for unit tests) or the root's proc/iomem. Caller frees *out. */
int mh_iomem_parse(const char *text, struct mh_iomem_entry **out, size_t *count);
int mh_iomem_read(struct mh_root *root, struct mh_iomem_entry **out, size_t *count);
/* True when any "System RAM (kmem)" entry overlaps r. */
bool mh_iomem_has_kmem(const struct mh_iomem_entry *e, size_t count,
		       const struct mh_range *r);

#endif
