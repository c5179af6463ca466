// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Page classification from /proc/kpageflags, after has_unmovable_pages()
 * (6.1 and 6.12 agree on what matters here):
 *  - a reserved page refuses the offline in every zone;
 *  - in ZONE_MOVABLE nothing else is looked at (pins are not in the flags);
 *  - in kernel zones hugetlb and THP/LRU compound pages are skipped whole,
 *    free (buddy) pages are skipped, hwpoisoned and PageOffline pages too,
 *    LRU and __PageMovable pages migrate, and any other allocated page
 *    refuses: slab and page tables for certain.
 * Every page of a free buddy block, tails too, carries KPF_BUDDY
 * (fs/proc/page.c: page_count() == 0 && is_free_buddy_page()). The flags
 * cannot show a refcount: a page with no flag at all is either free on a
 * per-cpu list (skipped by the kernel) or a bare kernel page, so it is
 * counted apart; predict.c weighs the count against what the zone's
 * per-cpu lists can hold.
 */
#include "pageflags.h"

#define BIT(b)	(1ull << (b))

enum pf_class {
	PF_SLAB = MH_PF_SLAB,
	PF_PGTABLE = MH_PF_PGTABLE,
	PF_RESERVED = MH_PF_RESERVED,
	PF_OTHER = MH_PF_NR_CAUSES,
	PF_MOVABLE,
	PF_HUGETLB,
	PF_FREE,
	PF_UNFLAGGED,
	PF_MEMMAP,
	PF_SKIPPED,
	PF_NOPAGE,
};

/* Flags of pages that user space or the page cache owns: migratable. */
#define PF_USER_BITS	(BIT(MH_KPF_LRU) | BIT(MH_KPF_MMAP) | BIT(MH_KPF_ANON) | \
			 BIT(MH_KPF_SWAPCACHE) | BIT(MH_KPF_SWAPBACKED) | BIT(MH_KPF_THP))

void mh_pf_scan_init(struct mh_pf_scan *s, enum mh_zone zone, uint64_t first_pfn,
		     uint64_t memmap_pages)
{
	s->zone = zone;
	s->pfn = first_pfn;
	s->memmap_end = first_pfn + memmap_pages;
	s->in_memmap = memmap_pages > 0;
	s->tail_class = -1;
}

/* One page in a kernel zone, its compound context aside. */
static enum pf_class kernel_zone_class(uint64_t f)
{
	if (f & BIT(MH_KPF_HUGE))
		return PF_HUGETLB;
	if (f & (BIT(MH_KPF_HWPOISON) | BIT(MH_KPF_OFFLINE)))
		return PF_SKIPPED;
	if (f & BIT(MH_KPF_SLAB))
		return PF_SLAB;
	if (f & BIT(MH_KPF_PGTABLE))
		return PF_PGTABLE;
	if (f & BIT(MH_KPF_BUDDY))
		return PF_FREE;
	if (f & PF_USER_BITS)
		return PF_MOVABLE;
	return f ? PF_OTHER : PF_UNFLAGGED;
}

static enum pf_class classify_one(struct mh_pf_scan *s, uint64_t f)
{
	uint64_t pfn = s->pfn++;
	enum pf_class c;

	if (f & BIT(MH_KPF_NOPAGE))
		return PF_NOPAGE;
	/* The memmap of a memmap_on_memory block: reserved, at its start, never offlined. */
	if (s->in_memmap && pfn < s->memmap_end && (f & BIT(MH_KPF_RESERVED)))
		return PF_MEMMAP;
	s->in_memmap = false;
	if (f & BIT(MH_KPF_RESERVED))
		return PF_RESERVED;
	if (s->zone == MH_ZONE_MOVABLE)
		return PF_MOVABLE;
	/* A tail is what its head is: the kernel skips or refuses compounds whole. */
	if ((f & BIT(MH_KPF_COMPOUND_TAIL)) && s->tail_class >= 0)
		return (enum pf_class)s->tail_class;
	c = kernel_zone_class(f);
	if (f & BIT(MH_KPF_COMPOUND_HEAD))
		s->tail_class = c;
	else if (!(f & BIT(MH_KPF_COMPOUND_TAIL)))
		s->tail_class = -1;
	return c;
}

void mh_pf_classify(struct mh_pf_scan *s, const uint64_t *flags, size_t n,
		    struct mh_pf_count *c)
{
	for (size_t i = 0; i < n; i++) {
		enum pf_class k = classify_one(s, flags[i]);

		c->pages++;
		switch (k) {
		case PF_SLAB:
		case PF_PGTABLE:
		case PF_RESERVED:
			c->cause[k]++;
			break;
		case PF_OTHER: c->other++; break;
		case PF_MOVABLE: c->movable++; break;
		case PF_HUGETLB: c->hugetlb++; break;
		case PF_FREE: c->free++; break;
		case PF_UNFLAGGED: c->unflagged++; break;
		case PF_MEMMAP: c->memmap++; break;
		case PF_SKIPPED: c->skipped++; break;
		case PF_NOPAGE: c->nopage++; break;
		}
	}
}

const char *mh_pf_cause_name(enum mh_pf_cause c)
{
	static const char *const names[MH_PF_NR_CAUSES] = {
		[MH_PF_SLAB] = "slab",
		[MH_PF_PGTABLE] = "page-table",
		[MH_PF_RESERVED] = "reserved",
	};

	return c < MH_PF_NR_CAUSES ? names[c] : "?";
}
