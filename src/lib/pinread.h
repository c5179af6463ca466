/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memhotctl's own reading of a block whose offline failed while the kernel
 * log named no page of it: the pages of the block that carry no flag at
 * all in /proc/kpageflags, the way a driver's pin in ZONE_MOVABLE does.
 * Made only on that failure path, before any rollback write.
 */
#ifndef MH_PINREAD_H
#define MH_PINREAD_H

#include <stddef.h>
#include <stdint.h>
#include "sysroot.h"

#define MH_PIN_PFNS_MAX	8	/* pfns named, the first ones */

enum mh_pin_status {
	MH_PIN_NONE = 0,	/* not read: no failed offline, or the kernel named a page */
	MH_PIN_UNREAD,		/* the flags could not be read: why_not says why */
	MH_PIN_READ,
};

struct mh_pin_reading {
	enum mh_pin_status status;
	char zone[16];			/* the kernel's word, "Movable"; "" unknown */
	uint64_t count;			/* pages without a flag */
	uint64_t pfn[MH_PIN_PFNS_MAX];	/* the first of them, ascending */
	unsigned nr_pfns;
	int pcp;			/* count fits the zone's per-CPU lists: 1, 0 no, -1 unknown */
	uint64_t pcp_cap;		/* pcp >= 0: what they can hold */
	char why_not[160];
};

/*
 * Read memoryBLOCK's flags (block_size bytes) through root, now. Never
 * fails: a file that cannot be read makes p UNREAD with the reason.
 */
void mh_pin_read(struct mh_root *root, uint64_t block, uint64_t block_size,
		 struct mh_pin_reading *p);
/* One line: "memhotctl's reading of the page flags after the failed offline: ..." */
void mh_pin_describe(const struct mh_pin_reading *p, char *buf, size_t len);
/* What to do about pages found; NULL when none were. */
const char *mh_pin_advice(const struct mh_pin_reading *p);
/* "0x118000-0x118003, 0x118010": the pfns named, runs joined. */
void mh_pin_pfns(const struct mh_pin_reading *p, char *buf, size_t len);

#endif
