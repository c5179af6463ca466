/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What to do after a failed write to memoryN/state. */
#ifndef MH_ERRCLASS_H
#define MH_ERRCLASS_H

enum mh_err_action {
	MH_ERR_DONE = 0,	/* succeeded */
	MH_ERR_RETRY,		/* EBUSY, EAGAIN: bounded backoff */
	MH_ERR_REREAD,		/* EINVAL: re-read; done if target state holds */
	MH_ERR_FINAL,		/* EPERM (notifier veto), EACCES, EROFS, ENOENT, others */
	MH_ERR_DEADLINE,	/* EINTR, ETIMEDOUT: the deadline ended the write */
};

enum mh_err_action mh_classify_errno(int err);	/* err > 0 or 0 */
const char *mh_err_action_name(enum mh_err_action a);

#endif
