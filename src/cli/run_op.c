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
	char line[160];

	if (!pc->show)
		return;
	mh_step_describe(plan, &plan->steps[idx], line, sizeof(line));
	if (!done)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s ...\n", plan->dev, idx + 1,
			plan->nr_steps, line);
	else if (err)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s: %s\n", plan->dev, idx + 1,
			plan->nr_steps, line, strerror(err > 0 ? err : -err));
	else if (pc->ctx->verbose)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s: done\n", plan->dev, idx + 1,
			plan->nr_steps, line);
}

enum mh_exit outcome_exit(enum mh_outcome o)
{
	switch (o) {
	case MH_DONE: return MH_EXIT_OK;
	case MH_BUSY: return MH_EXIT_BUSY;
	case MH_PARTIAL: return MH_EXIT_PARTIAL;
	case MH_LEAKED: return MH_EXIT_LEAKED;
	default: return MH_EXIT_ERROR;
	}
}

enum mh_exit result_exit(int rc, struct mh_exec_result *res)
{
	if (rc && res->outcome == MH_DONE) {
		/* The executor could not even start: nothing was changed. */
		res->outcome = MH_FAILED;
		if (!res->message[0])
			snprintf(res->message, sizeof(res->message), "%s", strerror(-rc));
	}
	return outcome_exit(res->outcome);
}

static size_t count_steps(const struct mh_plan *p, enum mh_step_kind k, size_t upto)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr_steps && i < upto; i++)
		n += p->steps[i].kind == k;
	return n;
}

static void print_plan(const struct mh_plan *p)
{
	char line[160];

	printf("%s: %s plan, %zu step%s (dry run, nothing changed):\n", p->dev,
	       mh_op_name(p->op), p->nr_steps, p->nr_steps == 1 ? "" : "s");
	for (size_t i = 0; i < p->nr_steps; i++) {
		mh_step_describe(p, &p->steps[i], line, sizeof(line));
		printf("  %zu. %s\n", i + 1, line);
	}
}

/* The summary line on stdout, and for anything but success, every block's state. */
static void print_result(const struct mh_plan *p, const struct mh_exec_result *r)
{
	if (r->outcome == MH_DONE && !p->nr_steps) {
		printf("%s: nothing to do (driver %s)\n", p->dev,
		       r->final_driver[0] ? r->final_driver : "none");
		return;
	}
	if (r->outcome == MH_DONE) {
		switch (p->op) {
		case MH_OP_REMOVE:
			printf("%s: removed (%zu blocks offlined, driver %s)\n", p->dev,
			       r->nr_offlined,
			       r->final_driver[0] ? r->final_driver : "none");
			break;
		case MH_OP_OFFLINE:
			printf("%s: offlined (%zu blocks offlined, driver %s)\n", p->dev,
			       r->nr_offlined,
			       r->final_driver[0] ? r->final_driver : "none");
			break;
		case MH_OP_ONLINE:
			printf("%s: onlined (%zu blocks onlined, driver %s)\n", p->dev,
			       count_steps(p, MH_STEP_ONLINE_BLOCK, r->steps_done),
			       r->final_driver[0] ? r->final_driver : "none");
			break;
		}
		return;
	}
	printf("%s: %s %s: %s%s\n", p->dev, mh_op_name(p->op), mh_outcome_name(r->outcome),
	       r->message, r->rolled_back ? " (rolled back)" : "");
	for (size_t i = 0; i < r->nr_blocks; i++) {
		const struct mh_block_result *b = &r->blocks[i];

		printf("  memory%llu: %s%s%s%s%s%s\n", (unsigned long long)b->block,
		       mh_block_state_name(b->state), *zone_title(b->zone) ? " " : "",
		       zone_title(b->zone), b->err ? " (" : "",
		       b->err ? strerror(b->err) : "", b->err ? ")" : "");
	}
	if (!r->policy_restored)
		printf("  auto_online_blocks was not restored\n");
}

/* Refused before anything changed: say why on stderr, and in JSON when asked. */
static int refuse(struct cli_ctx *ctx, enum mh_op op, const struct mh_dax_dev *d,
		  const char *dev, enum mh_exit code, const char *msg)
{
	if (ctx->json) {
		struct op_report r = {
			.dev = dev, .op = mh_op_name(op), .dry_run = ctx->dry_run,
			.code = code, .outcome = code == MH_EXIT_BUSY ? "busy" : "failed",
			.message = msg,
			.driver = d && d->driver != MH_DRIVER_NONE ? d->driver_name : "",
		};
		json_op(&r);
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
	memset(eo, 0, sizeof(*eo));
	eo->deadline = ctx->deadline;
	eo->max_retries = 10;
	eo->backoff_ms = 50;
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
static int pending_journal(struct cli_ctx *ctx, const char *dev, char *msg, size_t len)
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

int run_op(struct cli_ctx *ctx, enum mh_op op, const struct mh_plan_opts *popts)
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
		ret = refuse(ctx, op, d, dev, MH_EXIT_ERROR, why[0] ? why : strerror(-rc));
		goto out_snap;
	}

	/* Blocks the kernel will refuse: said before anything changes. */
	if (!ctx->force && cli_predict_check(ctx, &snap, &plan, why, sizeof(why))) {
		ret = refuse(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	/* A dry run shows what a run would do: refuse the same way. */
	if (ctx->dry_run && pending_journal(ctx, dev, why, sizeof(why))) {
		ret = refuse(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	if (ctx->dry_run) {
		if (ctx->json) {
			struct op_report r = {
				.plan = &plan, .dev = dev, .op = mh_op_name(op), .dry_run = true,
				.code = MH_EXIT_OK, .outcome = "done",
				.message = "dry run: nothing changed",
				.driver = d && d->driver != MH_DRIVER_NONE ? d->driver_name : "",
			};
			json_op(&r);
		} else {
			print_plan(&plan);
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
	if (pending_journal(ctx, dev, why, sizeof(why))) {
		mh_lock_release(lockfd);
		ret = refuse(ctx, op, d, dev, MH_EXIT_ERROR, why);
		goto out_plan;
	}
	rc = mh_exec(ctx->root, &plan, &eo, &res);
	mh_lock_release(lockfd);
	ret = result_exit(rc, &res);
	if (ctx->json) {
		struct op_report r = {
			.plan = &plan, .res = &res, .dev = dev, .op = mh_op_name(op),
			.code = ret, .outcome = mh_outcome_name(res.outcome),
			.message = res.message,
		};
		json_op(&r);
	} else if (res.outcome == MH_DONE && ctx->quiet) {
		/* -q: the exit status says it all. */
	} else {
		print_result(&plan, &res);
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
