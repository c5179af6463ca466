// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recover [DEV]: finish or undo operations whose process was killed, from
 * their journals. Without DEV every journal is handled; JSON is then an
 * array with one object per device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "journal.h"
#include "lock.h"
#include "out.h"

/* The plan mh_recover() would run, from the library: the same steps. */
static void describe(const struct mh_plan *p, bool undo, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr_steps; i++)
		n += p->steps[i].kind == MH_STEP_ONLINE_BLOCK;
	if (!undo)
		snprintf(buf, len, "%s interrupted after kmem let go: would finish it",
			 mh_op_name(p->op));
	else
		snprintf(buf, len, "%s interrupted: would put %zu block%s back",
			 mh_op_name(p->op), n, n == 1 ? "" : "s");
}

static int dry_one(struct cli_ctx *ctx, const char *dev)
{
	struct mh_plan plan;
	char msg[256], why[256] = "";
	bool undo = false;
	/* A sysroot run without MEMHOTCTL_RUNDIR keeps no journal. */
	int rc = cli_has_rundir(ctx) ?
		 mh_recover_plan(ctx->root, dev, &plan, &undo, why, sizeof(why)) : -ENOENT;

	if (rc == -ENOENT) {
		if (!ctx->json)
			cli_human_nothing_to_recover(dev);
		else
			cli_json_op(&(struct cli_op_report){ .dev = dev, .op = "recover", .dry_run = true,
				.outcome = "done", .message = "nothing to recover", .driver = "" });
		return MH_EXIT_OK;
	}
	if (rc) {
		cli_err("%s (journal in %s)", why, mh_journal_dir());
		return MH_EXIT_ERROR;
	}
	describe(&plan, undo, msg, sizeof(msg));
	if (ctx->json) {
		cli_json_op(&(struct cli_op_report){ .plan = &plan, .dev = dev, .op = "recover",
			.dry_run = true, .outcome = "done", .message = msg, .driver = "" });
	} else {
		cli_human_recover_plan(dev, msg, &plan);
	}
	mh_plan_free(&plan);
	return MH_EXIT_OK;
}

static int run_one(struct cli_ctx *ctx, const char *dev, struct mh_exec_opts *eo)
{
	struct mh_exec_result res = { 0 };
	int rc, ret;

	rc = cli_has_rundir(ctx) ? mh_recover(ctx->root, dev, eo, &res) : -ENOENT;
	if (rc == -ENOENT) {
		if (ctx->json)
			cli_json_op(&(struct cli_op_report){ .dev = dev, .op = "recover",
				.outcome = "done", .message = "nothing to recover", .driver = "" });
		else if (!ctx->quiet)
			cli_human_nothing_to_recover(dev);
		mh_exec_result_free(&res);
		return MH_EXIT_OK;
	}
	ret = cli_result_exit(rc, &res);
	if (ctx->json) {
		cli_json_op(&(struct cli_op_report){ .res = &res, .dev = dev, .op = "recover",
			.code = ret, .outcome = mh_outcome_name(res.outcome),
			.message = res.message });
	} else {
		cli_human_recover_result(dev, &res, ctx->quiet);
		if (res.outcome != MH_DONE)
			cli_err("%s: recover %s: %s", dev, mh_outcome_name(res.outcome),
				res.message);
	}
	mh_exec_result_free(&res);
	return ret;
}

static int recover_run(struct cli_ctx *ctx)
{
	struct mh_exec_opts eo;
	char **names = NULL;
	size_t n = 0;
	int rc, ret = MH_EXIT_OK, lockfd = -1;

	if (ctx->nargs > 1) {
		cli_err("recover takes at most one device");
		return MH_EXIT_USAGE;
	}
	if (ctx->nargs) {
		ret = cli_check_devname(ctx, ctx->args[0], false);
		if (ret)
			return ret;
	}
	/* A dry run only reads: the man page promises it needs no root. */
	if (!ctx->dry_run) {
		ret = cli_need_root(ctx);
		if (ret)
			return ret;
	}

	if (ctx->nargs) {
		names = calloc(1, sizeof(*names));
		if (names && (names[0] = strdup(ctx->args[0])))
			n = 1;
	} else if (cli_has_rundir(ctx)) {
		/* a missing directory is no journal there: any error is real */
		rc = mh_journal_list(&names, &n);
		if (rc) {
			cli_err("cannot list journals in %s: %s", mh_journal_dir(), strerror(-rc));
			return MH_EXIT_ERROR;
		}
	}
	if (!n && !ctx->nargs) {
		if (ctx->json)
			printf("[]\n");
		else if (!ctx->quiet)
			cli_human_nothing_to_recover(NULL);
		free(names);
		return MH_EXIT_OK;
	}

	if (!ctx->dry_run) {
		cli_exec_opts(ctx, &eo, NULL);
		eo.progress.step = NULL;
		ret = cli_lock(ctx, &eo.deadline, &lockfd);
		if (ret)
			goto out;
	}
	if (ctx->json && !ctx->nargs) {
		printf("[\n");
		cli_json_printed = true;
	}
	for (size_t i = 0; i < n; i++) {
		int r;

		if (ctx->json && !ctx->nargs && i)
			printf(",\n");
		r = ctx->dry_run ? dry_one(ctx, names[i]) : run_one(ctx, names[i], &eo);
		if (r > ret)
			ret = r;
	}
	if (ctx->json && !ctx->nargs)
		printf("]\n");
	if (lockfd >= 0)
		mh_lock_release(lockfd);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

const struct cli_cmd cli_cmd_recover = {
	.name = "recover",
	.usage = "recover [DEV]",
	.summary = "finish or undo an operation that was killed",
	.changing = true,
	.run = recover_run,
};
