// SPDX-License-Identifier: GPL-2.0-or-later
/* libkmod adapter: load a module (kmem) the way modprobe would. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <libkmod.h>

#include "kmodload.h"
#include "log.h"

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

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_fn(ctx, kmod_log, NULL);
	err = kmod_module_new_from_name(ctx, module, &mod);
	if (err < 0)
		goto out;
	/* Already loaded or built in: 0, as modprobe says nothing then. */
	err = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL, NULL);
	if (err > 0)
		err = -EPERM;	/* blacklisted or refused by an install rule */
	if (err < 0)
		mh_err("cannot load module %s: %s", module, strerror(-err));
	kmod_module_unref(mod);
out:
	kmod_unref(ctx);
	return err;
}
