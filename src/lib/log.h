/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The library never prints: it reports through the caller's log function. */
#ifndef MH_LOG_H
#define MH_LOG_H

#include <stdarg.h>

enum mh_log_level { MH_LOG_ERR = 3, MH_LOG_WARN = 4, MH_LOG_INFO = 6, MH_LOG_DEBUG = 7 };

typedef void (*mh_log_fn)(enum mh_log_level lvl, const char *fmt, va_list ap);
void mh_set_log_fn(mh_log_fn fn);
void mh_log(enum mh_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define mh_err(...)   mh_log(MH_LOG_ERR, __VA_ARGS__)
#define mh_warn(...)  mh_log(MH_LOG_WARN, __VA_ARGS__)
#define mh_info(...)  mh_log(MH_LOG_INFO, __VA_ARGS__)
#define mh_dbg(...)   mh_log(MH_LOG_DEBUG, __VA_ARGS__)

#endif
