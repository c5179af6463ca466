// SPDX-License-Identifier: GPL-2.0-or-later
/* Libraries loaded on first use (dlib.h), and the two memhotctl loads so. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cxl.h"
#include "dlib.h"
#include "kmodload.h"
#include "log.h"
#include "tap.h"

static char last_log[512];

static void log_fn(enum mh_log_level lvl, const char *fmt, va_list ap)
{
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

static typeof(strlen) *dl_strlen;
static typeof(strcmp) *dl_strcmp;
static void *dl_no_such_function;

static void test_found(void)
{
	static void *handle;
	static const struct mh_dsym syms[] = { MH_DSYM(strlen), MH_DSYM(strcmp) };
	void *first;

	is_int(mh_dlib_open(&handle, "libc.so.6", syms, 2), 0, "libc: opened");
	ok(handle && dl_strlen && dl_strcmp, "libc: handle and both functions set");
	is_int(dl_strlen ? (long long)dl_strlen("memhot") : -1, 6, "libc: strlen works");
	first = handle;
	is_int(mh_dlib_open(&handle, "libc.so.6", syms, 2), 0, "libc: second open");
	ok(handle == first, "libc: second open keeps the first handle");
}

static void test_missing(void)
{
	static void *handle;
	static const struct mh_dsym syms[] = {
		MH_DSYM(strlen),
		{ "memhotctl_no_such_function", &dl_no_such_function },
	};
	static void *handle2;

	dl_strlen = NULL;
	is_int(mh_dlib_open(&handle, "libc.so.6", syms, 2), -ELIBACC,
	       "missing function: -ELIBACC");
	ok(!handle && !dl_strlen && !dl_no_such_function,
	   "missing function: no slot left filled, no handle");
	ok(strstr(last_log, "memhotctl_no_such_function") != NULL,
	   "missing function: the log names it (%s)", last_log);
	is_int(mh_dlib_open(&handle2, "libmemhotctl-none.so.0", syms, 1), -ELIBACC,
	       "missing library: -ELIBACC");
	ok(!handle2 && strstr(last_log, "libmemhotctl-none.so.0") != NULL,
	   "missing library: no handle, the log names it (%s)", last_log);
}

/* The sonames and every function the adapters use are in this system's libraries. */
static void test_adapters(void)
{
	is_int(mh_kmod_open_lib(), 0, "libkmod.so.2 and its six functions");
	is_int(mh_cxl_open_lib(), 0, "libcxl.so.1 and its nineteen functions");
}

int main(void)
{
	mh_set_log_fn(log_fn);
	test_found();
	test_missing();
	test_adapters();
	return tap_done();
}
