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

static void nothing(struct cli_ctx *ctx, const char *dev)
{
	if (ctx->json)
		cli_json_op(&(struct cli_op_report){ .dev = dev, .op = "recover",
			.dry_run = ctx->dry_run, .outcome = "done",
			.message = "nothing to recover", .driver = "" });
	else if (ctx->dry_run || !ctx->quiet)
		cli_human_nothing_to_recover(dev);
}

/*
 * The plan, for --dry-run only: a run reads the journal under the lock,
 * in mh_recover(). A sysroot run without MEMHOTCTL_RUNDIR keeps no journal.
 */
static int plan(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job)
{
	struct mh_err e = { 0 };
	int rc;

	if (!cli_has_rundir(ctx))
		return CLI_NOTHING;
	if (!ctx->dry_run)
		return MH_EXIT_OK;
	rc = mh_recover_plan(ctx->root, job->dev, &job->plan, &job->undo, &e);
	if (rc == -ENOENT)
		return CLI_NOTHING;
	if (rc) {
		cli_err("%s (journal in %s)", e.msg, mh_journal_dir());
		return MH_EXIT_ERROR;
	}
	job->planned = true;
	return MH_EXIT_OK;
}

static void print_plan(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job)
{
	char msg[256];

	describe(&job->plan, job->undo, msg, sizeof(msg));
	if (ctx->json)
		cli_json_op(&(struct cli_op_report){ .plan = &job->plan, .dev = job->dev,
			.op = "recover", .dry_run = true, .outcome = "done", .message = msg,
			.driver = "" });
	else
		cli_human_recover_plan(job->dev, msg, &job->plan);
}

static int exec(struct cli_ctx *ctx, struct cli_job *job, const struct mh_exec_opts *eo,
		struct mh_exec_result *res)
{
	int rc = mh_recover(ctx->root, job->dev, eo, res);

	return rc == -ENOENT ? CLI_NOTHING : rc;
}

static void report(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job,
		   struct mh_exec_result *res, int code)
{
	if (ctx->json) {
		cli_json_op(&(struct cli_op_report){ .res = res, .dev = job->dev,
			.op = "recover", .code = code, .outcome = mh_outcome_name(res->outcome),
			.message = res->error.msg });
		return;
	}
	cli_human_recover_result(job->dev, res, ctx->quiet);
	if (res->outcome != MH_DONE)
		cli_err("%s: recover %s: %s", job->dev, mh_outcome_name(res->outcome),
			res->error.msg);
}

static int check(struct cli_ctx *ctx, const struct cli_runner *rn)
{
	int ret;

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
	return ctx->dry_run ? MH_EXIT_OK : cli_need_root(ctx);
}

/* DEV, or every device with a journal; none at all is said here. */
static int devices(struct cli_ctx *ctx, char ***names, size_t *n)
{
	int rc;

	if (ctx->nargs) {
		*names = calloc(1, sizeof(**names));
		if (*names && ((*names)[0] = strdup(ctx->args[0])))
			*n = 1;
	} else if (cli_has_rundir(ctx)) {
		/* a missing directory is no journal there: any error is real */
		rc = mh_journal_list(names, n);
		if (rc) {
			cli_err("cannot list journals in %s: %s", mh_journal_dir(), strerror(-rc));
			return MH_EXIT_ERROR;
		}
	}
	if (!*n && !ctx->nargs) {
		if (ctx->json)
			printf("[]\n");
		else if (!ctx->quiet)
			cli_human_nothing_to_recover(NULL);
	}
	return MH_EXIT_OK;
}

int cli_recover_run(struct cli_ctx *ctx)
{
	static const struct cli_runner rn = {
		.op = MH_OP_REMOVE, .name = "recover", .lock_first = true,
		.check = check, .devices = devices, .plan = plan, .print_plan = print_plan,
		.exec = exec, .report = report, .nothing = nothing,
	};

	return cli_run(ctx, &rn);
}
