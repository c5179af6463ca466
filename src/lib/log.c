// SPDX-License-Identifier: GPL-2.0-or-later
/* The library's only way to say something: the caller's log function. */
#include <stdarg.h>
#include "log.h"

static mh_log_fn log_fn;

void mh_set_log_fn(mh_log_fn fn)
{
	log_fn = fn;
}

void mh_log(enum mh_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	/* Silent until the caller installs a function: never print by itself. */
	if (!log_fn)
		return;
	va_start(ap, fmt);
	log_fn(lvl, fmt, ap);
	va_end(ap);
}
