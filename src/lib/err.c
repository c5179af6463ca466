// SPDX-License-Identifier: GPL-2.0-or-later
/* struct mh_err's setters: see err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int mh_err_set(struct mh_err *e, int err, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	e->err = err < 0 ? -err : err;
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}

void mh_err_append(struct mh_err *e, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!e)
		return;
	used = strlen(e->msg);
	va_start(ap, fmt);
	if (used < sizeof(e->msg))
		vsnprintf(e->msg + used, sizeof(e->msg) - used, fmt, ap);
	va_end(ap);
}

void mh_err_clear(struct mh_err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}
