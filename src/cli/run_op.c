// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one runner of the commands that change state (cli_run()): check
 * the arguments, plan each device, then either print the plan (--dry-run)
 * or take the lock, run it, and turn the outcome into an exit status.
 * Below it, the parts of online, offline and remove: a snapshot and the
 * planner's plan, run by mh_exec(). recover's are in cmd_recover.c.
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
		if (!res->error.msg[0])
			snprintf(res->error.msg, sizeof(res->error.msg), "%s", strerror(-rc));
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

/* The lock, once, with the executor's options: MH_EXIT_OK or the exit status. */
static int lock_once(struct cli_ctx *ctx, const struct cli_runner *rn, void *progress,
		     struct mh_exec_opts *eo, int *lockfd, bool *locked)
{
	int ret;

	if (*locked)
		return MH_EXIT_OK;
	cli_exec_opts(ctx, eo, progress);
	if (!rn->progress)
		eo->progress.step = NULL;
	ret = cli_lock(ctx, &eo->deadline, lockfd);
	*locked = !ret;
	return ret;
}

static void unlock(int *lockfd, bool *locked)
{
	if (*locked && *lockfd >= 0)
		mh_lock_release(*lockfd);
	*lockfd = -1;
	*locked = false;
}

/* One device: planned outside the lock unless the command says otherwise. */
static int run_job(struct cli_ctx *ctx, const struct cli_runner *rn, const char *dev,
		   struct mh_exec_opts *eo, int *lockfd, bool *locked)
{
	struct cli_job job = { .dev = dev, .driver = "" };
	struct mh_exec_result res = { 0 };
	struct progress_ctx pc = { .ctx = ctx };
	int rc, ret;

	ret = rn->plan(ctx, rn, &job);
	if (ret == CLI_NOTHING) {
		rn->nothing(ctx, dev);
		ret = MH_EXIT_OK;
	} else if (!ret && ctx->dry_run) {
		rn->print_plan(ctx, rn, &job);
	} else if (!ret) {
		pc.show = !ctx->quiet && (ctx->verbose || isatty(STDERR_FILENO));
		ret = lock_once(ctx, rn, &pc, eo, lockfd, locked);
		if (!ret && rn->locked_check)
			ret = rn->locked_check(ctx, rn, &job);
		rc = ret ? 0 : rn->exec(ctx, &job, eo, &res);
		if (!rn->lock_first)
			unlock(lockfd, locked);
		if (ret) {
			/* said: by cli_lock() or the check */
		} else if (rc == CLI_NOTHING) {
			rn->nothing(ctx, dev);
		} else {
			ret = cli_result_exit(rc, &res);
			rn->report(ctx, rn, &job, &res, ret);
		}
		mh_exec_result_free(&res);
	}
	if (job.planned)
		mh_plan_free(&job.plan);
	mh_snapshot_free(&job.snap);
	return ret;
}

int cli_run(struct cli_ctx *ctx, const struct cli_runner *rn)
{
	struct mh_exec_opts eo;
	bool locked = false, array;
	char **names = NULL;
	size_t i, n = 0;
	int ret, lockfd = -1;

	ret = rn->check(ctx, rn);
	if (!ret)
		ret = rn->devices(ctx, &names, &n);
	if (ret || !n)
		goto out;
	if (rn->lock_first && !ctx->dry_run) {
		ret = lock_once(ctx, rn, NULL, &eo, &lockfd, &locked);
		if (ret)
			goto out;
	}
	/* recover without DEV: one JSON document, an array. */
	array = ctx->json && !ctx->nargs;
	if (array) {
		printf("[\n");
		cli_json_printed = true;
	}
	for (i = 0; i < n; i++) {
		int r;

		if (array && i)
			printf(",\n");
		r = run_job(ctx, rn, names[i], &eo, &lockfd, &locked);
		if (r > ret)
			ret = r;
	}
	if (array)
		printf("]\n");
	unlock(&lockfd, &locked);
out:
	cli_free_names(names, n);
	return ret;
}

static int op_check(struct cli_ctx *ctx, const struct cli_runner *rn)
{
	const char *dev = ctx->nargs ? ctx->args[0] : NULL;
	int ret;

	if (!dev || ctx->nargs > 1) {
		cli_err("%s takes exactly one device; see 'memhotctl %s --help'",
			rn->name, rn->name);
		return MH_EXIT_USAGE;
	}
	/* Syntax first (no path is built from a bad name), then privilege, then existence. */
	ret = cli_check_devname(ctx, dev, false);
	if (!ret)
		ret = cli_need_root(ctx);
	if (!ret)
		ret = cli_check_devname(ctx, dev, true);
	return ret;
}

/* The one device named. */
static int op_devices(struct cli_ctx *ctx, char ***names, size_t *n)
{
	*names = calloc(1, sizeof(**names));
	if (!*names || !((*names)[0] = strdup(ctx->args[0]))) {
		free(*names);
		*names = NULL;
		cli_err("%s", strerror(ENOMEM));
		return MH_EXIT_ERROR;
	}
	*n = 1;
	return MH_EXIT_OK;
}

static int op_refuse(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job,
		     const char *msg)
{
	const struct mh_dax_dev *d = mh_dax_find(&job->snap.devs, job->dev);

	return report_refusal(ctx, rn->op, d, job->dev, MH_EXIT_ERROR, msg);
}

static int op_plan(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job)
{
	const struct mh_plan_opts *popts = rn->arg;
	const struct mh_dax_dev *d;
	char why[1024] = "";
	struct mh_err e;
	int rc;

	rc = mh_snapshot_take(ctx->root, &job->dev, 1, false, &job->snap, &e);
	if (rc) {
		cli_read_error(job->dev, &e);
		return MH_EXIT_ERROR;
	}
	d = mh_dax_find(&job->snap.devs, job->dev);
	job->driver = d && d->driver != MH_DRIVER_NONE ? d->driver_name : "";
	rc = mh_plan_build(&job->snap, rn->op, job->dev, popts, &job->plan, &e);
	if (rc)
		return op_refuse(ctx, rn, job, e.msg[0] ? e.msg : strerror(-rc));
	job->planned = true;
	/* Blocks the kernel will refuse: said before anything changes. */
	if (!popts->force && cli_predict_check(ctx, &job->snap, &job->plan, why, sizeof(why)))
		return op_refuse(ctx, rn, job, why);
	/* A dry run shows what a run would do: refuse the same way. */
	if (ctx->dry_run && cli_pending_journal(ctx, job->dev, why, sizeof(why)))
		return op_refuse(ctx, rn, job, why);
	return MH_EXIT_OK;
}

static void op_print_plan(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job)
{
	if (ctx->json) {
		struct cli_op_report r = {
			.plan = &job->plan, .dev = job->dev, .op = rn->name, .dry_run = true,
			.code = MH_EXIT_OK, .outcome = "done",
			.message = "dry run: nothing changed", .driver = job->driver,
		};
		cli_json_op(&r);
	} else {
		cli_human_plan(&job->plan);
	}
}

/* Looked for under the lock: a running operation's journal is its own. */
static int op_locked_check(struct cli_ctx *ctx, const struct cli_runner *rn,
			   struct cli_job *job)
{
	char why[1024];

	if (cli_pending_journal(ctx, job->dev, why, sizeof(why)))
		return op_refuse(ctx, rn, job, why);
	return MH_EXIT_OK;
}

static int op_exec(struct cli_ctx *ctx, struct cli_job *job, const struct mh_exec_opts *eo,
		   struct mh_exec_result *res)
{
	return mh_exec(ctx->root, &job->plan, eo, res);
}

static void op_report(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job,
		      struct mh_exec_result *res, int code)
{
	if (ctx->json) {
		struct cli_op_report r = {
			.plan = &job->plan, .res = res, .dev = job->dev, .op = rn->name,
			.code = code, .outcome = mh_outcome_name(res->outcome),
			.message = res->error.msg,
		};
		cli_json_op(&r);
	} else if (res->outcome == MH_DONE && ctx->quiet) {
		/* -q: the exit status says it all. */
	} else {
		cli_human_result(&job->plan, res);
	}
	if (res->outcome != MH_DONE)
		cli_err("%s: %s %s: %s", job->dev, rn->name, mh_outcome_name(res->outcome),
			res->error.msg);
}

int cli_run_op(struct cli_ctx *ctx, enum mh_op op, const struct mh_plan_opts *popts)
{
	const struct cli_runner rn = {
		.op = op, .name = mh_op_name(op), .progress = true, .arg = popts,
		.check = op_check, .devices = op_devices, .plan = op_plan,
		.print_plan = op_print_plan, .locked_check = op_locked_check, .exec = op_exec,
		.report = op_report,
	};

	return cli_run(ctx, &rn);
}
