/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own words about a failed offline: the position in the
 * kernel log (/dev/kmsg, or the tree's dev/kmsg under a sysroot) noted
 * before the write, and after a failed one the records since then that
 * concern the block's page frames: the page the kernel dumped ("page
 * dumped because: unmovable page", with its flags and type lines) and
 * "memory offlining [mem A-B] failed due to R" (a pr_debug: printed only
 * where dynamic debug enabled it; memhotctl reads it, never enables it).
 */
#ifndef MH_KMSG_H
#define MH_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mh_root;

#define MH_KMSG_RECORDS_MAX	512	/* read at most this many after a failure */
#define MH_KMSG_BYTES_MAX	(256u << 10)

enum mh_kmsg_status {
	MH_KMSG_NONE = 0,	/* no failed offline: nothing looked for */
	MH_KMSG_UNREAD,		/* the log could not be read: why_not says why */
	MH_KMSG_SILENT,		/* read: nothing about this block's range */
	MH_KMSG_FOUND,		/* page and/or failed says what */
};

/* What the kernel said about one block's failed offline, escaped. */
struct mh_kmsg_reason {
	enum mh_kmsg_status status;
	char page[200];		/* the dumped page: "pfn:0x... refcount:1 ...; flags: ..." */
	char because[48];	/* its "page dumped because:" words */
	char failed[64];	/* "failed due to" words of the block's range */
	char why_not[72];	/* MH_KMSG_UNREAD: what kept us from the log */
	unsigned pages;		/* pages dumped in the range (the first is quoted) */
};

/* The log, open at a position; fd -1 when it could not be opened (err). */
struct mh_kmsg {
	int fd;
	int err;
	bool tree;		/* a sysroot's recording, not the live log */
};

/* Open the log; on failure fd is -1 and err says why. Never fails otherwise. */
void mh_kmsg_open(struct mh_kmsg *k, struct mh_root *root);
/* Note the position: only records after it are read. */
void mh_kmsg_mark(struct mh_kmsg *k);
/*
 * Read the records since the mark (bounded: MH_KMSG_RECORDS_MAX records,
 * MH_KMSG_BYTES_MAX bytes) and fill r with what concerns the physical
 * range [start, end). An earlier FOUND r is kept when nothing new is said.
 */
void mh_kmsg_collect(struct mh_kmsg *k, uint64_t start, uint64_t end,
		     struct mh_kmsg_reason *r);
void mh_kmsg_close(struct mh_kmsg *k);

/*
 * The parser, on its own for the tests: feed it the log's text, one line
 * or many at a time (a record: "PRIO,SEQ,TS,FLAGS;text", dictionary lines
 * start with a space; a bare "text" line is taken as a record too).
 */
struct mh_kmsg_scan {
	uint64_t start, end;		/* physical range of interest */
	struct mh_kmsg_reason *r;
	bool in_dump;			/* between "page:" and "page dumped because:" */
	uint64_t pfn;			/* of the dump in progress */
	bool have_pfn;
	char dump[200];			/* its lines so far */
	unsigned records;
};

void mh_kmsg_scan_init(struct mh_kmsg_scan *s, uint64_t start, uint64_t end,
		       struct mh_kmsg_reason *r);
void mh_kmsg_scan_line(struct mh_kmsg_scan *s, const char *line, size_t len);

/*
 * What an administrator can do about a reason, one sentence; NULL when
 * the reason does not say enough to advise.
 */
const char *mh_kmsg_advice(const struct mh_kmsg_reason *r, bool timed_out);
/* One line for a block's result: "kernel: ..." or "kernel log not read: ..." */
void mh_kmsg_describe(const struct mh_kmsg_reason *r, char *buf, size_t len);

#endif
