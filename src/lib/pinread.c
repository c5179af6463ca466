// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A failed offline the kernel log says nothing about. offline_pages()
 * (6.1 and 6.12, mm/memory_hotplug.c) migrates only what
 * scan_movable_pages() returns, LRU, __PageMovable and hugetlb pages, and
 * prints a page (dump_page()) only when isolating or migrating one of
 * those fails. A page a driver allocated in ZONE_MOVABLE and keeps off
 * the LRU is never scanned, never migrated and never printed:
 * test_pages_isolated() fails on it until the writer has a signal.
 *
 * In /proc/kpageflags such a page is a word of 0. A free page is not: both
 * kernels set KPF_BUDDY on a free block's head and on its tails alike
 * (stable_page_flags(): PageBuddy(), or a page count of 0 and
 * is_free_buddy_page()). What else carries no flag is a free page on a
 * per-CPU list; the zone's per-CPU bound (predict.h) says whether the
 * count can be that. The reading is memhotctl's and is worded so.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "pinread.h"
#include "predict.h"

static void unread(struct mh_root *root, int err, struct mh_pin_reading *p)
{
	p->status = MH_PIN_UNREAD;
	mh_kpageflags_why_not(root, err, p->why_not, sizeof(p->why_not));
}

static void flagless(void *ctx, uint64_t pfn, const uint64_t *flags, size_t n)
{
	struct mh_pin_reading *p = ctx;

	for (size_t i = 0; i < n; i++) {
		if (flags[i])
			continue;
		if (p->nr_pfns < MH_PIN_PFNS_MAX)
			p->pfn[p->nr_pfns++] = pfn + i;
		p->count++;
	}
}

/* Could the flagless pages be free on the zone's per-CPU lists? */
static void pcp_weigh(struct mh_root *root, int node, struct mh_pin_reading *p)
{
	char *zi = NULL;

	p->pcp = -1;
	if (node < 0 || !p->zone[0] || mh_read_file(root, MH_PROC_ZONEINFO, &zi))
		goto out;
	if (!mh_pcp_capacity(zi, node, p->zone, &p->pcp_cap))
		p->pcp = p->count <= p->pcp_cap;
out:
	free(zi);
}

void mh_pin_read(struct mh_root *root, uint64_t block, uint64_t block_size,
		 struct mh_pin_reading *p)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t pages = block_size / (uint64_t)(ps > 0 ? ps : 4096);
	struct mh_block blk;
	int fd, err;

	memset(p, 0, sizeof(*p));
	/* Its zone and node, as they are now: the block is online again. */
	if (!mh_block_read(root, block, &blk, NULL)) {
		size_t n = strcspn(blk.valid_zones, " ");

		if (n < sizeof(p->zone))
			snprintf(p->zone, sizeof(p->zone), "%.*s", (int)n, blk.valid_zones);
	} else {
		blk.node = -1;
	}
	fd = mh_root_openat(root, MH_PROC_KPAGEFLAGS, O_RDONLY);
	if (fd < 0 || !pages) {
		unread(root, fd < 0 ? fd : -EINVAL, p);
		if (fd >= 0)
			close(fd);
		return;
	}
	err = mh_kpageflags_read(fd, block * pages, pages, flagless, p);
	close(fd);
	if (err) {
		memset(p, 0, sizeof(*p));
		unread(root, err, p);
		return;
	}
	p->status = MH_PIN_READ;
	if (p->count)
		pcp_weigh(root, blk.node, p);
}

void mh_pin_pfns(const struct mh_pin_reading *p, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0, j; i < p->nr_pfns && o < len; i = j + 1) {
		for (j = i; j + 1 < p->nr_pfns && p->pfn[j + 1] == p->pfn[j] + 1; j++)
			;
		o += (size_t)snprintf(buf + o, len - o, "%s0x%" PRIx64, i ? ", " : "", p->pfn[i]);
		if (j > i && o < len)
			o += (size_t)snprintf(buf + o, len - o, "-0x%" PRIx64, p->pfn[j]);
	}
	if (p->count > p->nr_pfns && o < len)
		snprintf(buf + o, len - o, ", ...");
}

/* "Movable" -> "ZONE_MOVABLE", "" -> "the block". */
static void zone_words(const struct mh_pin_reading *p, char *buf, size_t len)
{
	size_t o;

	if (!p->zone[0]) {
		snprintf(buf, len, "the block");
		return;
	}
	o = (size_t)snprintf(buf, len, "ZONE_");
	for (size_t i = 0; p->zone[i] && o + 1 < len; i++)
		buf[o++] = (char)(p->zone[i] >= 'a' && p->zone[i] <= 'z' ?
				  p->zone[i] - 'a' + 'A' : p->zone[i]);
	buf[o < len ? o : len - 1] = '\0';
}

void mh_pin_describe(const struct mh_pin_reading *p, char *buf, size_t len)
{
	char zone[32], pfns[160];

	zone_words(p, zone, sizeof(zone));
	switch (p->status) {
	case MH_PIN_NONE:
		snprintf(buf, len, "page flags: not read");
		break;
	case MH_PIN_UNREAD:
		snprintf(buf, len, "page flags not read after the failed offline: %s",
			 p->why_not);
		break;
	case MH_PIN_READ:
		if (!p->count) {
			snprintf(buf, len, "page flags, read by memhotctl after the failed "
				 "offline: no page in %s is without flags; what holds it does "
				 "not show in them (a pinned LRU page looks like any other)", zone);
			break;
		}
		mh_pin_pfns(p, pfns, sizeof(pfns));
		snprintf(buf, len, "page flags, read by memhotctl after the failed offline: "
			 "%" PRIu64 " page%s in %s carr%s no flags (pfn %s): allocated outside "
			 "the LRU, as a driver's pin is%s; the kernel did not report %s",
			 p->count, p->count == 1 ? "" : "s", zone, p->count == 1 ? "ies" : "y",
			 pfns, p->pcp ? ", or free on a per-CPU list" : "",
			 p->count == 1 ? "it" : "them");
		break;
	}
}

const char *mh_pin_advice(const struct mh_pin_reading *p)
{
	if (p->status != MH_PIN_READ || !p->count)
		return NULL;
	return "a page pinned by a device driver: find its user (the pinning module or a "
	       "long-lived DMA/RDMA registration), release it, then retry";
}
