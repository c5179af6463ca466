// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The runner shared by online, offline and remove: check the name, take
 * a snapshot, build the plan, then either print it (--dry-run) or take the
 * lock and execute it, and turn the outcome into an exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "lock.h"
#include "out.h"
#include "udevwatch.h"

static volatile int stop_flag;

static void on_stop(int sig)
{
	stop_flag = sig;
}

struct progress_ctx {
	const struct cli_ctx *ctx;
	bool show;
};

static void on_step(void *p, const struct mh_plan *plan, size_t idx, bool done, int err)
{
	const struct progress_ctx *pc = p;

	if (pc->show)
		cli_human_progress(plan, idx, done, err, pc->ctx->verbose);
}

enum mh_exit cli_outcome_exit(enum mh_outcome o)
{
	switch (o) {
	case MH_DONE: return MH_EXIT_OK;
	case MH_BUSY: return MH_EXIT_BUSY;
	case MH_PARTIAL: return MH_EXIT_PARTIAL;
	case MH_LEAKED: return MH_EXIT_LEAKED;
	default: return MH_EXIT_ERROR;
	}
}

enum mh_exit cli_result_exit(int rc, struct mh_exec_result *res)
{
	if (rc && res->outcome == MH_DONE) {
		/* The executor could not even start: nothing was changed. */
		res->outcome = MH_FAILED;
		if (!res->message[0])
			snprintf(res->message, sizeof(res->message), "%s", strerror(-rc));
	}
	return cli_outcome_exit(res->outcome);
}

/* Refused before anything changed: say why on stderr, and in JSON when asked. */
static int report_refusal(struct cli_ctx *ctx, enum mh_op op, const struct mh_dax_dev *d,
		  const char *dev, enum mh_exit code, const char *msg)
{
	if (ctx->json) {
		struct cli_op_report r = {
			.dev = dev, .op = mh_op_name(op), .dry_run = ctx->dry_run,
			.code = code, .outcome = code == MH_EXIT_BUSY ? "busy" : "failed",
			.message = msg,
			.driver = d && d->driver != MH_DRIVER_NONE ? d->driver_name : "",
		};
		cli_json_op(&r);
	}
	cli_err("%s: %s: %s", dev, mh_op_name(op), msg);
	return code;
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void cli_exec_opts(struct cli_ctx *ctx, struct mh_exec_opts *eo, void *progress)
{
	mh_exec_opts_init(eo, &ctx->deadline);
	eo->use_udev = mh_root_is_live(ctx->root) && mh_udev_running();
	eo->journal = cli_has_rundir(ctx);
	eo->stop = &stop_flag;
	eo->progress.step = on_step;
	eo->progress.ctx = progress;
	install_handlers();
}

/*
 * Lock and journals live in the run directory on the live system, or, for
 * a --sysroot tree, only where MEMHOTCTL_RUNDIR puts them: a test tree's
 * run never touches the live lock or journals.
 */
bool cli_has_rundir(const struct cli_ctx *ctx)
{
	return mh_root_is_live(ctx->root) || mh_run_dir_from_env();
}

/*
 * The lock for the whole operation: MH_EXIT_OK with *fd set (-1 for a
 * sysroot run without a run directory), or the exit status, said. Held by
 * another run: busy (3); not to be had at all (the directory cannot be
 * made or is not root's alone): an error before any change (1).
 */
int cli_lock(struct cli_ctx *ctx, const struct mh_deadline *d, int *fd)
{
	*fd = -1;
	if (!cli_has_rundir(ctx))
		return MH_EXIT_OK;
	*fd = mh_lock_take(d);
	if (*fd >= 0)
		return MH_EXIT_OK;
	if (*fd == -ETIMEDOUT || *fd == -EWOULDBLOCK) {
		cli_err("another memhotctl holds %s/lock", mh_lock_dir());
		return MH_EXIT_BUSY;
	}
	cli_err("cannot take the lock %s/lock: %s", mh_lock_dir(), strerror(-*fd));
	return MH_EXIT_ERROR;
}

/* A journal left by a killed run: refuse rather than overwrite its evidence. */
int cli_pending_journal(struct cli_ctx *ctx, const char *dev, char *msg, size_t len)
{
	int rc;

	if (!cli_has_rundir(ctx))
		return 0;
	rc = mh_journal_exists(dev);
	if (rc > 0)
		snprintf(msg, len, "a journal of an interrupted operation is pending in %s: "
			 "run 'memhotctl recover %s' first", mh_journal_dir(), dev);
	else if (rc < 0)
		snprintf(msg, len, "cannot look for a journal in %s: %s", mh_journal_dir(),
			 strerror(-rc));
	return rc;
}

int cli_run_op(struct cli_ctx *ctx, enum mh_op op, const struct mh_plan_opts *popts)
{
	const char *dev = ctx->nargs ? ctx->args[0] : NULL;
	struct mh_snapshot snap = { 0 };
	struct mh_plan plan = { 0 };
	struct mh_exec_result res = { 0 };
	struct mh_exec_opts eo;
	struct progress_ctx pc = { .ctx = ctx };
	const struct mh_dax_dev *d;
	char errpath[256] = "", why[1024] = "";
	int rc, ret, lockfd;

	if (!dev || ctx->nargs > 1) {
		cli_err("%s takes exactly one device; see 'memhotctl %s --help'",
			mh_op_name(op), mh_op_name(op));
		return MH_EXIT_USAGE;
	}
	/* Syntax first (no path is built from a bad name), then privilege, then existence. */
	ret = cli_check_devname(ctx, dev, false);
	if (!ret)
		ret = cli_need_root(ctx);
	if (!ret)
		ret = cli_check_devname(ctx, dev, true);
	if (ret)
		return ret;

	rc = mh_snapshot_take(ctx->root, &dev, 1, false, &snap, errpath, sizeof(errpath));
	if (rc) {
		cli_read_error(dev, errpath, rc);
		return MH_EXIT_ERROR;
	}
	d = mh_dax_find(&snap.devs, dev);
	rc = mh_plan_build(&snap, op, dev, popts, &plan, why, sizeof(why));
	if (rc) {
		ret = report_refusal(ctx, op, d, dev, MH_EXIT_ERROR, why[0] ? why : strerror(-rc));
		goto out_snap;
	}

	/* Blocks the kernel will refuse: said before anything changes. */
	if (!popts->force && cli_predict_check(ctx, &snap, &plan, why, sizeof(why))) {
		ret = report_refusal(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	/* A dry run shows what a run would do: refuse the same way. */
	if (ctx->dry_run && cli_pending_journal(ctx, dev, why, sizeof(why))) {
		ret = report_refusal(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	if (ctx->dry_run) {
		if (ctx->json) {
			struct cli_op_report r = {
				.plan = &plan, .dev = dev, .op = mh_op_name(op), .dry_run = true,
				.code = MH_EXIT_OK, .outcome = "done",
				.message = "dry run: nothing changed",
				.driver = d && d->driver != MH_DRIVER_NONE ? d->driver_name : "",
			};
			cli_json_op(&r);
		} else {
			cli_human_plan(&plan);
		}
		ret = MH_EXIT_OK;
		goto out_plan;
	}

	pc.show = !ctx->quiet && (ctx->verbose || isatty(STDERR_FILENO));
	cli_exec_opts(ctx, &eo, &pc);
	ret = cli_lock(ctx, &eo.deadline, &lockfd);
	if (ret)
		goto out_plan;
	/* Looked for under the lock: a running operation's journal is its own. */
	if (cli_pending_journal(ctx, dev, why, sizeof(why))) {
		mh_lock_release(lockfd);
		ret = report_refusal(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	rc = mh_exec(ctx->root, &plan, &eo, &res);
	mh_lock_release(lockfd);
	ret = cli_result_exit(rc, &res);
	if (ctx->json) {
		struct cli_op_report r = {
			.plan = &plan, .res = &res, .dev = dev, .op = mh_op_name(op),
			.code = ret, .outcome = mh_outcome_name(res.outcome),
			.message = res.message,
		};
		cli_json_op(&r);
	} else if (res.outcome == MH_DONE && ctx->quiet) {
		/* -q: the exit status says it all. */
	} else {
		cli_human_result(&plan, &res);
	}
	if (res.outcome != MH_DONE)
		cli_err("%s: %s %s: %s", dev, mh_op_name(op), mh_outcome_name(res.outcome),
			res.message);
	mh_exec_result_free(&res);
out_plan:
	mh_plan_free(&plan);
out_snap:
	mh_snapshot_free(&snap);
	return ret;
}
