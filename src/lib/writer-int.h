/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between writer.c (the parent's side of the bounded writes) and
 * writer-child.c (the child that makes them): the requests and reports
 * on their socket, and what the child inherits. Not for the rest of the
 * library.
 */
#ifndef MH_WRITER_INT_H
#define MH_WRITER_INT_H

#include <limits.h>
#include <sys/types.h>

#include "writer.h"

#define REQ_MAX		(2 * PATH_MAX)	/* a single write's request */

/*
 * One request: the header, then str and count rels, each NUL-terminated.
 * A write has one rel; a batch up to BATCH_MAX; a cancel none.
 */
enum req_kind { REQ_WRITE, REQ_BATCH, REQ_CANCEL };
struct req_hdr {
	int restarts;
	unsigned kind, count, len;	/* len: the bytes after the header */
};

/*
 * One report: the result of the index-th write of the request (0 for a
 * single write), or the end of a batch: REPORT_END when it ended by
 * itself (all written, a write failed, a SIGINT), REPORT_CANCELLED in
 * answer to a cancel (one per cancel, also when idle).
 */
#define REPORT_END		(-1)
#define REPORT_CANCELLED	(-2)
#define REPORT_GONE		(-3)	/* not from the child: it died */
struct report {
	int err;
	int index;
};

#define BATCH_MAX	256
#define BATCH_BUF	16384

/* A guard's check refused the write: reported as GUARD_REFUSED + errno. */
#define GUARD_REFUSED	0x10000
/* The guard's prepare failed: nothing written, PREPARE_FAILED + errno. */
#define PREPARE_FAILED	0x20000

/* Set in the parent, read by the child it forks. */
extern struct mh_write_tunables mh_writer_tun;
extern pid_t mh_writer_parent;

/* The child's two lives; neither returns. */
void __attribute__((noreturn))
mh_writer_child_one(struct mh_root *root, const char *rel, const char *str,
		    const struct mh_write_guard *g, int wfd);
void __attribute__((noreturn))
mh_writer_child_session(struct mh_root *root, int sock);

#endif
