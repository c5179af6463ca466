/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What /proc/kpageflags says about a block's pages, classified the way the
 * kernel's offline test does (has_unmovable_pages() in mm/page_isolation.c,
 * 6.1 and 6.12): what it cannot migrate away refuses the offline.
 */
#ifndef MH_PAGEFLAGS_H
#define MH_PAGEFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "block.h"

/* Bits of /proc/kpageflags (uapi linux/kernel-page-flags.h; RESERVED: kernel-internal, stable). */
#define MH_KPF_LOCKED		0
#define MH_KPF_UPTODATE		3
#define MH_KPF_LRU		5
#define MH_KPF_SLAB		7
#define MH_KPF_BUDDY		10
#define MH_KPF_MMAP		11
#define MH_KPF_ANON		12
#define MH_KPF_SWAPCACHE	13
#define MH_KPF_SWAPBACKED	14
#define MH_KPF_COMPOUND_HEAD	15
#define MH_KPF_COMPOUND_TAIL	16
#define MH_KPF_HUGE		17
#define MH_KPF_HWPOISON		19
#define MH_KPF_NOPAGE		20
#define MH_KPF_THP		22
#define MH_KPF_OFFLINE		23
#define MH_KPF_PGTABLE		26
#define MH_KPF_RESERVED		32

/* Pages the kernel will not migrate: each refuses the offline. */
enum mh_pf_cause {
	MH_PF_SLAB,
	MH_PF_PGTABLE,
	MH_PF_RESERVED,
	MH_PF_NR_CAUSES,
};

struct mh_pf_count {
	uint64_t pages;			/* pfns classified */
	uint64_t cause[MH_PF_NR_CAUSES];
	/* Allocated, not on an LRU list, none of the above: kernel pages, or movable ones in flight. */
	uint64_t other;
	uint64_t movable;		/* LRU, THP, mapped, page cache: migrate if room */
	uint64_t hugetlb;		/* migrate (or dissolve) if room */
	uint64_t free;			/* free buddy pages, heads and tails */
	uint64_t unflagged;		/* no flag: free on a per-cpu list, or a bare kernel page */
	uint64_t memmap;		/* the block's own memmap (memmap_on_memory): not offlined */
	uint64_t skipped;		/* hwpoisoned, PageOffline: the offline skips them */
	uint64_t nopage;		/* holes */
};

/* State carried from one chunk of a block's flags to the next. */
struct mh_pf_scan {
	enum mh_zone zone;
	uint64_t pfn;			/* pfn of the next flags word */
	uint64_t memmap_end;		/* leading reserved pfns below this: the block's memmap */
	bool in_memmap;
	int tail_class;			/* class of the current compound head, -1 none */
};

void mh_pf_scan_init(struct mh_pf_scan *s, enum mh_zone zone, uint64_t first_pfn,
		     uint64_t memmap_pages);
/* Classify n flag words, for pfns s->pfn on; adds to *c. */
void mh_pf_classify(struct mh_pf_scan *s, const uint64_t *flags, size_t n,
		    struct mh_pf_count *c);
/* "slab", "page-table", "reserved". */
const char *mh_pf_cause_name(enum mh_pf_cause c);

#endif
