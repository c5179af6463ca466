/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Will the kernel offline this block? A verdict per online block from its
 * page flags (pageflags.h), made before anything changes.
 */
#ifndef MH_PREDICT_H
#define MH_PREDICT_H

#include <stdint.h>
#include "block.h"
#include "pageflags.h"
#include "sysroot.h"

#define MH_PROC_KPAGEFLAGS	"proc/kpageflags"
#define MH_PROC_ZONEINFO	"proc/zoneinfo"

enum mh_verdict {
	MH_VERDICT_NONE = 0,	/* not predicted: the flags could not be read */
	MH_VERDICT_GO,		/* nothing in the flags stops it */
	MH_VERDICT_REFUSED,	/* pages the kernel cannot migrate: count.cause[] */
	MH_VERDICT_UNCERTAIN,	/* the flags cannot tell: why[] */
};

struct mh_prediction {
	uint64_t block;
	enum mh_zone zone;
	char zone_name[16];	/* "NORMAL", "MOVABLE", "DMA32": from valid_zones */
	enum mh_verdict verdict;
	struct mh_pf_count count;
	/* Unflagged pages beyond what the zone's per-CPU lists can hold: kernel pages, at least. */
	uint64_t kernel_unflagged;
	char why[256];		/* NONE, UNCERTAIN: the reason; "" otherwise */
};

/* An open /proc/kpageflags and what a block's pfns are. */
struct mh_predictor {
	struct mh_root *root;
	int fd;			/* -1: not readable, err says why */
	int err;
	uint64_t block_pages;
	uint64_t memmap_pages;	/* a memmap_on_memory block's own memmap */
	unsigned page_size;
	char *zoneinfo;		/* /proc/zoneinfo, read at the first unflagged page */
	int zoneinfo_err;	/* 0 not read yet, 1 read, -errno */
};

/* Never fails: a file that cannot be opened makes every verdict NONE. */
void mh_predict_open(struct mh_root *root, uint64_t block_size, struct mh_predictor *pr);
void mh_predict_close(struct mh_predictor *pr);
/* The verdict for one online block. */
void mh_predict_block(struct mh_predictor *pr, const struct mh_block *blk,
		      struct mh_prediction *p);
/*
 * The most free pages the per-CPU lists of zone ZONE ("Normal") on NODE can
 * hold, from the text of /proc/zoneinfo: 0, -ENOENT (no such zone) or
 * -EINVAL (no per-CPU entries in it, or neither high_max nor managed).
 */
int mh_pcp_capacity(const char *zoneinfo, int node, const char *zone, uint64_t *pages);

/*
 * The flag words of pages [first, first + pages) from an open
 * /proc/kpageflags, a chunk at a time, each handed to fn with the pfn of
 * its first word: 0 or -errno (-ENODATA: the file ends before the pages).
 */
typedef void mh_kpf_chunk_fn(void *ctx, uint64_t pfn, const uint64_t *flags, size_t n);
int mh_kpageflags_read(int fd, uint64_t first, uint64_t pages, mh_kpf_chunk_fn *fn,
		       void *ctx);
/* Why the flags were not read (err from the open or mh_kpageflags_read), for the user. */
void mh_kpageflags_why_not(struct mh_root *root, int err, char *buf, size_t len);
/* "will-go", "refused", "uncertain", "not-predicted". */
const char *mh_verdict_name(enum mh_verdict v);
/* "1,214 slab pages, 3 page-table pages in ZONE_NORMAL", or why. */
void mh_prediction_describe(const struct mh_prediction *p, char *buf, size_t len);

#endif
