// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor's device-wide steps: load kmem, set and restore the
 * auto-online policy, unbind and bind drivers, verify the release, let
 * udev settle. Each re-reads what it wrote: sysfs is the truth.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exec-steps.h"
#include "kmodload.h"
#include "log.h"
#include "udevwatch.h"
#include "err.h"
#include "verify.h"

#define SETTLE_CAP_MS		10000

int exec_step_load_kmem(struct exec *x, size_t idx, const struct mh_step *s)
{
	int err = 0;

	/*
	 * libkmod knows the live system's modules only. Loaded already (or
	 * built in): nothing to load, and libkmod's index reads cost 0.1-0.25 s
	 * of a B1 online in a TCG guest.
	 */
	if (mh_root_is_live(x->root) && !mh_path_exists(x->root, MH_DAX_DRIVERS_DIR "/kmem"))
		err = mh_kmod_load("kmem");
	if (!mh_path_exists(x->root, MH_DAX_DRIVERS_DIR "/kmem")) {
		exec_say(x, "the kmem driver is not available%s%s",
			 err ? ": " : "", err ? strerror(-err) : "");
		return err ? err : -ENOENT;
	}
	return 0;
}

int exec_step_set_policy(struct exec *x, size_t idx, const struct mh_step *s)
{
	char cur[32];
	int err;

	err = mh_exec_read_policy(x->root, cur, sizeof(cur));
	if (err < 0) {
		exec_say(x, "cannot read auto_online_blocks: %s", strerror(-err));
		return err;
	}
	if (!strcmp(cur, s->arg))
		return 0;
	snprintf(x->saved_policy, sizeof(x->saved_policy), "%s", cur);
	x->policy_changed = true;	/* journalled before the write */
	x->res->policy_restored = false;
	err = exec_before_change(x);
	if (!err && x->journal_written)
		err = exec_journal_sync(x);
	if (err) {
		x->policy_changed = false;
		x->res->policy_restored = true;
		return err;
	}
	err = mh_exec_set_policy(x->root, s->arg, &x->opts->deadline, x->opts->stop);
	if (!err) {
		exec_mark_changed(x);
		return 0;
	}
	if (mh_exec_read_policy(x->root, cur, sizeof(cur)) >= 0 &&
	    !strcmp(cur, x->saved_policy)) {
		x->policy_changed = false;
		x->res->policy_restored = true;
	}
	exec_say(x, "cannot set auto_online_blocks to %s: %s", s->arg, strerror(-err));
	return err;
}

int exec_restore_policy(struct exec *x)
{
	int err;

	if (!x->policy_changed)
		return 0;
	exec_start_cleanup_deadline(x);
	err = mh_exec_set_policy(x->root, x->saved_policy, &x->rb_deadline, NULL);
	if (!err) {
		x->policy_changed = false;
		x->res->policy_restored = true;
		return 0;
	}
	mh_err("cannot restore auto_online_blocks to %s: %s", x->saved_policy,
	       strerror(-err));
	return err;
}

int exec_step_unbind(struct exec *x, size_t idx, const struct mh_step *s)
{
	char cur[32];
	int err;

	mh_exec_read_driver(x->root, x->plan->dev, cur, sizeof(cur));
	if (!strcmp(cur, "none"))
		return 0;
	if (s->arg[0] && strcmp(cur, s->arg))
		mh_warn("%s: bound to %s, not %s", x->plan->dev, cur, s->arg);
	err = exec_before_change(x);
	if (err)
		return err;
	err = exec_driver_write(x->root, cur, "unbind", x->plan->dev, &x->opts->deadline,
			   x->opts->stop);
	mh_exec_read_driver(x->root, x->plan->dev, cur, sizeof(cur));
	if (strcmp(cur, "none")) {
		exec_say(x, "%s: unbind from %s failed: %s", x->plan->dev, cur,
			 strerror(err ? -err : EBUSY));
		return err ? err : -EBUSY;
	}
	exec_mark_changed(x);
	return 0;
}

static int bind(struct exec *x, const char *drv)
{
	int err;

	err = exec_before_change(x);
	if (err)
		return err;
	/* After the unbind (see mh_exec()): bounded by the rollback deadline. */
	err = mh_exec_bind_driver(x->root, x->plan->dev, drv,
				  x->phase >= MH_PHASE_UNBOUND ? &x->rb_deadline : &x->opts->deadline,
				  x->phase >= MH_PHASE_UNBOUND ? NULL : x->opts->stop, &x->res->error);
	if (!err)
		exec_mark_changed(x);
	return err;
}

int exec_step_bind_kmem(struct exec *x, size_t idx, const struct mh_step *s)
{
	return bind(x, "kmem");
}

int exec_step_bind_devdax(struct exec *x, size_t idx, const struct mh_step *s)
{
	return bind(x, "device_dax");
}

int exec_step_verify(struct exec *x, size_t idx, const struct mh_step *s)
{
	struct mh_err v;
	int err;

	err = mh_verify_released(x->root, &x->dax, x->block_size, &v);
	if (!err)
		x->phase = MH_PHASE_RELEASED;
	if (err == -EBUSY) {
		x->phase = MH_PHASE_LEAKED;
		exec_say(x, "%s: range not released (%s): reboot needed to reuse it",
			 x->plan->dev, v.msg);
	} else if (err) {
		/*
		 * Not seen either way (ENOMEM, a bad /proc/iomem): no leak to
		 * report, and the rebind still goes. The run ends partial,
		 * its journal kept for `recover` to check again.
		 */
		x->unverified = -err;
		exec_say(x, "%s: cannot verify that the range was released (%s): "
			 "run 'memhotctl recover %s' to check again",
			 x->plan->dev, v.msg, x->plan->dev);
	}
	if (err)
		snprintf(x->res->error.path, sizeof(x->res->error.path), "%s", v.path);
	return err == -EBUSY ? err : 0;
}

int exec_step_settle(struct exec *x, size_t idx, const struct mh_step *s)
{
	int err;

	if (!x->opts->use_udev)
		return 0;
	err = mh_udev_settle(&x->opts->deadline, SETTLE_CAP_MS);
	if (err)
		mh_warn("udev queue not empty: %s", strerror(-err));
	return 0;	/* sysfs is the truth; udev only confirms */
}

int exec_step_restore_policy(struct exec *x, size_t idx, const struct mh_step *s)
{
	if (exec_restore_policy(x)) {
		exec_say(x, "cannot restore auto_online_blocks to %s", x->saved_policy);
		return -EIO;
	}
	return 0;
}
