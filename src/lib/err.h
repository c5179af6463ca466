/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one channel a failure's explanation takes from the library to the
 * CLI: the errno, the file it concerns ("" when none or said in msg), and
 * a sentence naming the device or block and the reason.
 */
#ifndef MH_ERR_H
#define MH_ERR_H

#define MH_ERR_PATH_MAX	256
/* a read failure's "cannot read PATH: why" with the longest PATH and why */
#define MH_ERR_MSG_MAX	512

struct mh_err {
	int err;			/* positive errno, 0 none */
	char path[MH_ERR_PATH_MAX];
	char msg[MH_ERR_MSG_MAX];
};

/*
 * Say it in e (NULL: nowhere) and return err (a -errno), so that a
 * failure reads: return mh_err_set(e, -EBUSY, path, "%s: busy", dev);
 * path may be NULL.
 */
int mh_err_set(struct mh_err *e, int err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Add to what e says (the errno and path stay). */
void mh_err_append(struct mh_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* e NULL: nothing to clear. */
void mh_err_clear(struct mh_err *e);

#endif
