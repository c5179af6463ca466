// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply DEV...|all [--config PATH]: bring each configured dax device to
 * the state memhotctl.conf(5) gives it, through the engines of online,
 * offline and remove; a device without an entry, or already as
 * configured, is left alone with nothing written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devconf.h"
#include "lock.h"
#include "out.h"

static const char *apply_config;

const struct cli_option cli_apply_opts[] = {
	{ "config", "PATH", "apply: read this file or directory instead of "
	  "/etc/memhotctl.conf{,.d}", .arg = &apply_config },
	{ NULL },
};

/* One device's run: what it was, what ran, what it is now. */
struct apply_dev {
	struct cli_apply_dev out;
	struct mh_conf_entry entry;
	char message[512];
	struct mh_plan plans[2];
	struct mh_exec_result res[2];
	bool ran[2];			/* res[i] filled by mh_exec() */
};

static int apply_load(struct cli_ctx *ctx, struct mh_config *cfg)
{
	struct mh_conf_error err = { 0 };
	int rc;

	if (apply_config)
		rc = mh_config_load_path(apply_config, mh_root_is_live(ctx->root), cfg, &err);
	else
		rc = mh_config_load(ctx->root, cfg, &err);
	if (!rc)
		return 0;
	if (err.line)
		cli_err("%s:%u: %s", err.file, err.line, err.msg);
	else
		cli_err("%s: %s", err.file[0] ? err.file : "configuration",
			err.msg[0] ? err.msg : strerror(-rc));
	return MH_EXIT_ERROR;
}

/* The devices asked for: "all" alone, or names that exist, in daxX.Y order. */
static int apply_names(struct cli_ctx *ctx, char ***names, size_t *n)
{
	int i, ret;

	*names = NULL;
	*n = 0;
	if (!ctx->nargs) {
		cli_err("apply takes DEV... or all; see 'memhotctl apply --help'");
		return MH_EXIT_USAGE;
	}
	for (i = 0; i < ctx->nargs; i++) {
		if (!strcmp(ctx->args[i], "all")) {
			if (ctx->nargs > 1) {
				cli_err("apply: 'all' takes no device beside it");
				return MH_EXIT_USAGE;
			}
			*n = cli_list_devices(ctx, names);
			return 0;
		}
		ret = cli_check_devname(ctx, ctx->args[i], false);
		if (ret)
			return ret;
	}
	ret = cli_need_root(ctx);
	for (i = 0; !ret && i < ctx->nargs; i++)
		ret = cli_check_devname(ctx, ctx->args[i], true);
	if (ret)
		return ret;
	*names = calloc((size_t)ctx->nargs, sizeof(**names));
	if (!*names)
		return cli_err("out of memory"), MH_EXIT_ERROR;
	for (i = 0; i < ctx->nargs; i++) {
		(*names)[i] = strdup(ctx->args[i]);
		if (!(*names)[i]) {
			cli_free_names(*names, (size_t)i);
			*names = NULL;
			return cli_err("out of memory"), MH_EXIT_ERROR;
		}
	}
	*n = (size_t)ctx->nargs;
	return 0;
}

/*
 * Every device's entry before any is touched: a conflict anywhere is a
 * configuration error, and then nothing is applied to any device.
 */
static int apply_match(struct cli_ctx *ctx, const struct mh_config *cfg,
		       char **names, size_t n, struct apply_dev *ad)
{
	struct mh_snapshot snap = { 0 };
	struct mh_err re;
	int rc, ret = 0;

	rc = mh_snapshot_take(ctx->root, (const char *const *)names, n, false, &snap, &re);
	if (rc) {
		cli_read_error("apply", &re);
		return MH_EXIT_ERROR;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		const struct mh_dax_dev *d = mh_dax_find(&snap.devs, names[i]);
		const struct mh_conf_entry *e = NULL;
		struct mh_conf_error err = { 0 };
		struct mh_dev_identity id;

		ad[i].out.dev = names[i];
		if (!d)
			continue;
		mh_config_identity(ctx->root, d, &id);
		rc = mh_config_match(cfg, &id, &e, &err);
		if (rc < 0) {
			cli_err("%s:%u: %s", err.file, err.line, err.msg);
			ret = MH_EXIT_ERROR;
		} else if (rc > 0) {
			ad[i].entry = *e;
			ad[i].out.entry = &ad[i].entry;
		}
	}
	mh_snapshot_free(&snap);
	return ret;
}

/* Mode, zone and block counts of dev now; false when it cannot be read. */
static bool read_state(struct cli_ctx *ctx, const char *dev, struct cli_apply_state *st,
		       struct mh_snapshot *snap, struct mh_dev_view *v)
{
	const struct mh_dax_dev *d;
	struct mh_err e;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(v, 0, sizeof(*v));
	rc = mh_snapshot_take(ctx->root, &dev, 1, false, snap, &e);
	if (rc) {
		cli_read_error(dev, &e);
		return false;
	}
	d = mh_dax_find(&snap->devs, dev);
	if (!d || mh_dev_view(snap, d, v)) {
		cli_err("%s: cannot read the device", dev);
		mh_snapshot_free(snap);
		return false;
	}
	st->mode = mh_dax_mode_name(d->driver);
	st->driver = d->driver;
	st->nr_online = v->nr_online;
	st->nr_offline = v->nr_offline;
	for (size_t i = 0; i < v->nr_blocks; i++) {
		const struct mh_block *b = v->blocks[i];

		if (b->state != MH_BLOCK_ONLINE)
			continue;
		if (mh_zone_from_valid_zones(b->valid_zones) == MH_ZONE_MOVABLE)
			st->nr_movable++;
		else
			st->nr_normal++;
	}
	return true;
}

/*
 * One operation of the engine on dev, the lock already held: plan, the
 * prediction of refused offlines, a pending journal, then the executor
 * (or, with --dry-run, the plan only). Returns the exit status.
 */
static int apply_op(struct cli_ctx *ctx, struct apply_dev *ad, enum mh_op op,
		    enum mh_zone zone)
{
	struct mh_plan_opts po = { .zone = zone, .rebind = MH_REBIND_DEVDAX };
	size_t k = ad->out.nr_ops;
	struct cli_op_report *r = &ad->out.ops[k];
	struct mh_plan *plan = &ad->plans[k];
	struct mh_exec_result *res = &ad->res[k];
	struct mh_snapshot snap = { 0 };
	struct mh_dev_view v;
	struct cli_apply_state st;
	struct mh_exec_opts eo;
	struct mh_err e = { 0 };
	char why[1024] = "";
	int rc, ret;

	if (!read_state(ctx, ad->out.dev, &st, &snap, &v))
		return MH_EXIT_ERROR;
	mh_dev_view_free(&v);
	*r = (struct cli_op_report){ .dev = ad->out.dev, .op = mh_op_name(op),
				     .dry_run = ctx->dry_run, .driver = st.mode };
	ad->out.nr_ops++;
	rc = mh_plan_build(&snap, op, ad->out.dev, &po, plan, &e);
	if (rc) {
		snprintf(why, sizeof(why), "%s", e.msg);
	} else {
		r->plan = plan;
		if (cli_predict_check(ctx, &snap, plan, why, sizeof(why)) ||
		    cli_pending_journal(ctx, ad->out.dev, why, sizeof(why)))
			rc = -EBUSY;
	}
	mh_snapshot_free(&snap);
	if (rc) {
		r->code = MH_EXIT_ERROR;
		r->outcome = "failed";
		snprintf(ad->message, sizeof(ad->message), "%s: %s", mh_op_name(op),
			 why[0] ? why : strerror(-rc));
		r->message = ad->message;
		return MH_EXIT_ERROR;
	}
	if (ctx->dry_run) {
		r->code = MH_EXIT_OK;
		r->outcome = "done";
		r->message = "dry run: nothing changed";
		return MH_EXIT_OK;
	}
	cli_exec_opts(ctx, &eo, NULL);
	eo.progress.step = NULL;
	rc = mh_exec(ctx->root, plan, &eo, res);
	ad->ran[k] = true;
	ret = cli_result_exit(rc, res);
	r->res = res;
	r->code = ret;
	r->outcome = mh_outcome_name(res->outcome);
	r->message = res->error.msg;
	if (plan->nr_steps)
		ad->out.changed = true;
	return ret;
}

/*
 * Blocks online in Normal where movable is configured: offline them all,
 * then online them movable where valid_zones allows it; where it does
 * not, put them back in their zone and say which and why.
 */
static int apply_move(struct cli_ctx *ctx, struct apply_dev *ad)
{
	char why[512] = "";
	int ret;

	ret = apply_op(ctx, ad, MH_OP_OFFLINE, MH_ZONE_MOVABLE);
	if (ret || ctx->dry_run)
		return ret;
	ret = apply_op(ctx, ad, MH_OP_ONLINE, MH_ZONE_MOVABLE);
	if (ret != MH_EXIT_ERROR || ad->ran[1])
		return ret;
	/* Refused before any write: the kernel will not take them into Movable. */
	snprintf(why, sizeof(why), "%s", ad->message);
	ad->out.nr_ops--;
	ret = apply_op(ctx, ad, MH_OP_ONLINE, MH_ZONE_NORMAL);
	snprintf(ad->message, sizeof(ad->message), "%s%s; put back online in normal",
		 why, ret ? " and could not be" : "");
	return ret ? MH_EXIT_PARTIAL : MH_EXIT_BUSY;
}

static enum mh_zone conf_zone(const struct mh_conf_entry *e)
{
	return e->zone == MH_CONF_ZONE_NORMAL ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;
}

/* What dev needs, by its entry and state before; runs it. */
static int apply_dev_run(struct cli_ctx *ctx, struct apply_dev *ad)
{
	const struct mh_conf_entry *e = ad->out.entry;
	const struct cli_apply_state *b = &ad->out.before;
	enum mh_zone zone;

	if (!e) {
		ad->out.message = "no entry in the configuration: left alone";
		return MH_EXIT_OK;
	}
	ad->out.message = ad->message;
	if (e->state == MH_CONF_DEVDAX) {
		if (b->driver == MH_DRIVER_DEVICE_DAX)
			return snprintf(ad->message, sizeof(ad->message),
					"already devdax as configured"), MH_EXIT_OK;
		if (b->driver != MH_DRIVER_KMEM)
			return snprintf(ad->message, sizeof(ad->message),
					"bound to %s, not kmem: left alone", b->mode),
			       MH_EXIT_ERROR;
		return apply_op(ctx, ad, MH_OP_REMOVE, MH_ZONE_MOVABLE);
	}
	zone = conf_zone(e);
	if (b->driver != MH_DRIVER_KMEM)
		return apply_op(ctx, ad, MH_OP_ONLINE, zone);
	if (zone == MH_ZONE_MOVABLE && b->nr_normal)
		return apply_move(ctx, ad);
	if (zone == MH_ZONE_NORMAL && b->nr_movable)
		return snprintf(ad->message, sizeof(ad->message),
				"%zu block%s online in movable, configured normal: left "
				"there (offline them to move them)", b->nr_movable,
				b->nr_movable > 1 ? "s" : ""), MH_EXIT_ERROR;
	if (b->nr_offline)
		return apply_op(ctx, ad, MH_OP_ONLINE, zone);
	return snprintf(ad->message, sizeof(ad->message), "already system-ram %s as "
			"configured", mh_zone_name(zone)), MH_EXIT_OK;
}

static void apply_human(const struct cli_ctx *ctx, struct apply_dev *ad)
{
	const struct mh_conf_entry *e = ad->out.entry;
	char wish[384] = "no entry";

	if (e)
		snprintf(wish, sizeof(wish), "%s%s%s (%s:%u)", mh_conf_state_name(e->state),
			 e->state == MH_CONF_SYSTEM_RAM ? " " : "",
			 e->state == MH_CONF_SYSTEM_RAM ? mh_conf_zone_name(e->zone) : "",
			 e->file, e->line);
	for (size_t i = 0; i < ad->out.nr_ops; i++) {
		if (ad->out.ops[i].dry_run && ad->out.ops[i].code == MH_EXIT_OK)
			cli_human_plan(&ad->plans[i]);
		else if (ad->ran[i] && !(ctx->quiet && ad->res[i].outcome == MH_DONE))
			cli_human_result(&ad->plans[i], &ad->res[i]);
	}
	if (ctx->quiet && ad->out.code == MH_EXIT_OK)
		return;
	printf("%s: %s: %s\n", ad->out.dev, wish,
	       ad->out.changed ? "applied" : ad->out.message);
	if (ad->out.changed && ad->out.code != MH_EXIT_OK)
		printf("  %s\n", ad->out.message);
}

static void apply_dev_free(struct apply_dev *ad)
{
	for (size_t i = 0; i < 2; i++) {
		mh_plan_free(&ad->plans[i]);
		if (ad->ran[i])
			mh_exec_result_free(&ad->res[i]);
	}
}

static int apply_all(struct cli_ctx *ctx, struct apply_dev *ad, size_t n)
{
	struct mh_snapshot snap;
	struct mh_dev_view v;
	int ret = MH_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		struct apply_dev *a = &ad[i];

		if (!read_state(ctx, a->out.dev, &a->out.before, &snap, &v)) {
			a->out.code = MH_EXIT_ERROR;
			a->out.message = "cannot read the device";
		} else {
			mh_dev_view_free(&v);
			mh_snapshot_free(&snap);
			a->out.code = apply_dev_run(ctx, a);
		}
		if (ctx->dry_run && a->out.nr_ops && !a->out.code)
			a->out.message = "dry run: nothing changed";
		if (read_state(ctx, a->out.dev, &a->out.after, &snap, &v)) {
			mh_dev_view_free(&v);
			mh_snapshot_free(&snap);
		} else {
			a->out.after = a->out.before;
		}
		if (a->out.code && !a->out.changed)
			cli_err("%s: %s", a->out.dev, a->out.message);
		if (!ctx->json)
			apply_human(ctx, a);
		if ((int)a->out.code > ret)
			ret = a->out.code;
	}
	return ret;
}

int cli_apply_run(struct cli_ctx *ctx)
{
	struct mh_config cfg = { 0 };
	struct apply_dev *ad = NULL;
	char **names = NULL;
	size_t n = 0;
	int ret, lockfd = -1;

	ret = apply_names(ctx, &names, &n);
	if (!ret && !ctx->nargs)
		ret = MH_EXIT_USAGE;
	if (!ret && !strcmp(ctx->args[0], "all"))
		ret = cli_need_root(ctx);
	if (!ret)
		ret = apply_load(ctx, &cfg);
	if (!ret && n && !(ad = calloc(n, sizeof(*ad)))) {
		cli_err("out of memory");
		ret = MH_EXIT_ERROR;
	}
	if (!ret && n)
		ret = apply_match(ctx, &cfg, names, n, ad);
	/* One lock for every device: nothing else changes them in between. */
	if (!ret && !ctx->dry_run)
		ret = cli_lock(ctx, &ctx->deadline, &lockfd);
	if (!ret) {
		ret = apply_all(ctx, ad, n);
		if (ctx->json) {
			struct cli_apply_dev *outs = calloc(n ? n : 1, sizeof(*outs));

			/* The exit status still says what was done. */
			if (!outs) {
				cli_err("out of memory: no JSON for what was applied");
			} else {
				for (size_t i = 0; i < n; i++)
					outs[i] = ad[i].out;
				cli_json_apply(outs, n, ctx->dry_run, (enum mh_exit)ret);
				free(outs);
			}
		}
		if (!n)
			cli_info(ctx, "no dax device present: nothing to apply");
	}
	if (lockfd >= 0)
		mh_lock_release(lockfd);
	for (size_t i = 0; ad && i < n; i++)
		apply_dev_free(&ad[i]);
	free(ad);
	mh_config_free(&cfg);
	cli_free_names(names, n);
	return ret;
}
