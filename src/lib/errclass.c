// SPDX-License-Identifier: GPL-2.0-or-later
/* errno of a memoryN/state write -> what the executor does next. */
#include <errno.h>
#include "errclass.h"

enum mh_err_action mh_classify_errno(int err)
{
	if (err < 0)
		err = -err;	/* be lenient: -errno means the same */
	switch (err) {
	case 0:
		return MH_ERR_DONE;
	case EBUSY:
	case EAGAIN:
		return MH_ERR_RETRY;
	case EINVAL:
		/* already in the target state, or zone "none": re-read decides */
		return MH_ERR_REREAD;
	case EINTR:
	case ETIMEDOUT:
		return MH_ERR_DEADLINE;
	default:
		/*
		 * EPERM (notifier veto), EACCES, EROFS, ENOMEM, EHWPOISON...; and
		 * ENOENT, ENODEV (the block went away): each caller re-reads first.
		 */
		return MH_ERR_FINAL;
	}
}
