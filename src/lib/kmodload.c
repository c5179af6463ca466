// SPDX-License-Identifier: GPL-2.0-or-later
/* libkmod adapter: load a module (kmem) the way modprobe would. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <libkmod.h>

#include "dlib.h"
#include "kmodload.h"
#include "log.h"

static typeof(kmod_new) *dl_kmod_new;
static typeof(kmod_unref) *dl_kmod_unref;
static typeof(kmod_set_log_fn) *dl_kmod_set_log_fn;
static typeof(kmod_module_new_from_name) *dl_kmod_module_new_from_name;
static typeof(kmod_module_probe_insert_module) *dl_kmod_module_probe_insert_module;
static typeof(kmod_module_unref) *dl_kmod_module_unref;

int mh_kmod_open_lib(void)
{
	static void *handle;
	static const struct mh_dsym syms[] = {
		MH_DSYM(kmod_new),
		MH_DSYM(kmod_unref),
		MH_DSYM(kmod_set_log_fn),
		MH_DSYM(kmod_module_new_from_name),
		MH_DSYM(kmod_module_probe_insert_module),
		MH_DSYM(kmod_module_unref),
	};

	return mh_dlib_open(&handle, "libkmod.so.2", syms, sizeof(syms) / sizeof(syms[0]));
}

/* libkmod logs to stderr by default; the library never prints. */
static void kmod_log(void *data, int priority, const char *file, int line,
		     const char *fn, const char *format, va_list args)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), format, args);
	msg[strcspn(msg, "\n")] = '\0';
	mh_log(priority <= LOG_ERR ? MH_LOG_WARN : MH_LOG_DEBUG, "libkmod: %s", msg);
}

int mh_kmod_load(const char *module)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err;

	err = mh_kmod_open_lib();	/* which logs what is missing */
	if (err < 0)
		return err;
	ctx = dl_kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	dl_kmod_set_log_fn(ctx, kmod_log, NULL);
	err = dl_kmod_module_new_from_name(ctx, module, &mod);
	if (err < 0)
		goto out;
	/* Already loaded or built in: 0, as modprobe says nothing then. */
	err = dl_kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	if (err > 0)
		err = -EPERM;	/* blacklisted or refused by an install rule */
	if (err < 0)
		mh_err("cannot load module %s: %s", module, strerror(-err));
	dl_kmod_module_unref(mod);
out:
	dl_kmod_unref(ctx);
	return err;
}
