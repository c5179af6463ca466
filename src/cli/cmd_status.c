// SPDX-License-Identifier: GPL-2.0-or-later
/* status: devices, their blocks and the hotplug configuration; --blocks: every block. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxl.h"
#include "devconf.h"
#include "hotplug.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "out.h"

static bool status_all_blocks;

const struct cli_option cli_status_opts[] = {
	{ "blocks", NULL, "status: list every memory block of the system",
	  .flag = &status_all_blocks },
	{ NULL },
};

/*
 * One device that cannot be read (a malformed attribute, a link the kernel
 * would not make) must not hide the others from status: read each device
 * alone, keep those that read, and name the others. Returns the number of
 * devices left out, or -1 when none can be read (then nothing is printed
 * here and the caller reports the first error as it always did).
 */
static int snapshot_readable(struct cli_ctx *ctx, struct mh_snapshot *snap)
{
	struct unreadable {
		const char *name;
		struct mh_err e;
	} *bad;
	struct mh_err e;
	char **all;
	const char **good;
	size_t n = cli_list_devices(ctx, &all), ng = 0, nb = 0;
	int rc = -1;

	good = calloc(n ? n : 1, sizeof(*good));
	bad = calloc(n ? n : 1, sizeof(*bad));
	if (!good || !bad)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *name = all[i];
		struct mh_snapshot one;
		int err;

		err = mh_snapshot_take(ctx->root, &name, 1, false, &one, &bad[nb].e);
		if (!err) {
			mh_snapshot_free(&one);
			good[ng++] = name;
		} else if (err != -ENODEV) {	/* -ENODEV: went away meanwhile */
			bad[nb++].name = name;
		}
	}
	if (!ng || mh_snapshot_take(ctx->root, good, ng, false, snap, &e))
		goto out;
	for (size_t i = 0; i < nb; i++)
		cli_read_error(bad[i].name, &bad[i].e);
	rc = (int)nb;
out:
	free(good);
	free(bad);
	cli_free_names(all, n);
	return rc;
}

static int status_blocks(struct cli_ctx *ctx)
{
	struct mh_blocks b = { 0 };
	struct mh_err e = { 0 };
	int rc;

	rc = mh_blocks_scan(ctx->root, &b, &e);
	if (rc) {
		cli_read_error("status", &e);
		return MH_EXIT_ERROR;
	}
	if (!ctx->json) {
		/* One big buffer: 65,536 rows are written in few syscalls. */
		static char obuf[1 << 16];

		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	}
	rc = ctx->json ? cli_json_blocks(&b) : cli_human_blocks(&b);
	mh_blocks_free(&b);
	return rc;
}

/* A killed run's journal for the device: its op ("invalid" when refused). */
static void pending_journal(struct cli_ctx *ctx, const char *dev, struct cli_status_dev *sd)
{
	struct mh_journal j;

	if (!cli_has_rundir(ctx) || mh_journal_exists(dev) <= 0)
		return;
	snprintf(sd->pending_file, sizeof(sd->pending_file), "%s/%s.journal",
		 mh_journal_dir(), dev);
	if (mh_journal_read(dev, &j)) {
		snprintf(sd->pending_op, sizeof(sd->pending_op), "invalid");
		return;
	}
	snprintf(sd->pending_op, sizeof(sd->pending_op), "%s", mh_op_name(j.op));
	mh_journal_free(&j);
}

/* Verdicts for a named device's online blocks: its blocks' flags only. */
static void predict_dev(struct mh_predictor *pr, struct cli_status_dev *sd)
{
	const struct mh_dev_view *v = &sd->view;

	sd->pred = calloc(v->nr_blocks ? v->nr_blocks : 1, sizeof(*sd->pred));
	for (size_t i = 0; sd->pred && i < v->nr_blocks; i++)
		if (v->blocks[i]->state == MH_BLOCK_ONLINE)
			mh_predict_block(pr, v->blocks[i], &sd->pred[i]);
}

/* Whether the device is now as its entry says, as apply judges it. */
static bool conf_matches(const struct mh_conf_entry *e, const struct mh_dev_view *v)
{
	enum mh_zone zone = e->zone == MH_CONF_ZONE_NORMAL ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;

	if (e->state == MH_CONF_DEVDAX)
		return v->dev->driver == MH_DRIVER_DEVICE_DAX;
	if (v->dev->driver != MH_DRIVER_KMEM || v->nr_offline || v->nr_missing)
		return false;
	for (size_t i = 0; i < v->nr_blocks; i++)
		if (mh_zone_from_valid_zones(v->blocks[i]->valid_zones) != zone)
			return false;
	return true;
}

/* The device's entry, if any; a conflict is said in conf->error. */
static void status_conf(struct cli_ctx *ctx, const struct mh_config *cfg,
			struct cli_status_dev *sd, struct cli_status_conf *conf)
{
	struct mh_conf_error err = { 0 };
	struct mh_dev_identity id;

	if (!cfg->count)
		return;
	mh_config_identity(ctx->root, sd->dev, &id);
	if (mh_config_match(cfg, &id, &sd->conf, &err) < 0) {
		sd->conf = NULL;
		snprintf(conf->error, sizeof(conf->error), "%s:%u: %s", err.file, err.line,
			 err.msg);
		return;
	}
	if (sd->conf)
		sd->conf_matches = conf_matches(sd->conf, &sd->view);
}

static void status_load_conf(struct cli_ctx *ctx, struct mh_config *cfg,
			     struct cli_status_conf *conf)
{
	struct mh_conf_error err = { 0 };

	if (!mh_config_load(ctx->root, cfg, &err)) {
		conf->nr_files = cfg->nr_files;
		return;
	}
	if (err.line)
		snprintf(conf->error, sizeof(conf->error), "%s:%u: %s", err.file, err.line,
			 err.msg);
	else
		snprintf(conf->error, sizeof(conf->error), "%s: %s", err.file, err.msg);
}

int cli_status_run(struct cli_ctx *ctx)
{
	struct mh_config cfg = { 0 };
	struct cli_status_conf conf = { 0 };
	struct mh_predictor pr = { .fd = -1 };
	struct mh_snapshot snap = { 0 };
	struct mh_hotplug_config hp = { .movable_node = -1 };
	struct cli_status_dev *devs = NULL;
	const char **names = NULL;
	struct mh_err e;
	size_t nr_names = 0, n = 0;
	int rc, ret = MH_EXIT_OK;

	if (status_all_blocks) {
		if (ctx->nargs) {
			cli_err("status --blocks takes no device");
			return MH_EXIT_USAGE;
		}
		return status_blocks(ctx);
	}

	/* Every name is checked before any is used; "all" means every device. */
	for (int i = 0; i < ctx->nargs; i++) {
		if (!strcmp(ctx->args[i], "all")) {
			nr_names = 0;
			break;
		}
		rc = cli_check_devname(ctx, ctx->args[i], true);
		if (rc)
			return rc;
		nr_names++;
	}
	if (nr_names)
		names = (const char **)ctx->args;

	rc = mh_snapshot_take(ctx->root, names, nr_names, false, &snap, &e);
	if (rc && !nr_names && rc != -ENOMEM) {
		int left_out = snapshot_readable(ctx, &snap);

		if (left_out >= 0) {
			rc = 0;
			ret = MH_EXIT_ERROR;	/* shown what could be read; still an error */
		}
	}
	if (rc) {
		cli_read_error("status", &e);
		return MH_EXIT_ERROR;
	}
	/* The CXL region and memdevs: from the live /sys only (libcxl). */
	rc = mh_cxl_lookup(ctx->root, &snap.devs);
	if (rc < 0 && rc != -EOPNOTSUPP)
		mh_warn("status: libcxl: %s", strerror(-rc));
	snprintf(hp.auto_online, sizeof(hp.auto_online), "%s", snap.auto_online);
	mh_hotplug_config_read(ctx->root, &hp);
	status_load_conf(ctx, &cfg, &conf);

	devs = calloc(snap.devs.count ? snap.devs.count : 1, sizeof(*devs));
	if (!devs) {
		cli_err("status: %s", strerror(ENOMEM));
		ret = MH_EXIT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < snap.devs.count; i++) {
		const struct mh_dax_dev *d = &snap.devs.v[i];
		bool wanted = !nr_names;

		for (size_t j = 0; j < nr_names; j++)
			if (!strcmp(names[j], d->name))
				wanted = true;
		if (!wanted)
			continue;
		rc = mh_dev_view(&snap, d, &devs[n].view);
		if (rc) {
			cli_err("status: %s: %s", d->name, strerror(-rc));
			ret = MH_EXIT_ERROR;
			goto done;
		}
		pending_journal(ctx, d->name, &devs[n]);
		if (nr_names) {
			if (pr.fd < 0 && !pr.err)
				mh_predict_open(ctx->root, snap.block_size, &pr);
			predict_dev(&pr, &devs[n]);
		}
		devs[n].dev = d;
		status_conf(ctx, &cfg, &devs[n++], &conf);
	}
	rc = ctx->json ? cli_json_status(&hp, snap.block_size, devs, n, &conf)
		       : cli_human_status(ctx, &hp, snap.block_size, devs, n, &conf);
	if (ret == MH_EXIT_OK)
		ret = rc;
done:
	for (size_t i = 0; i < n; i++) {
		mh_dev_view_free(&devs[i].view);
		free(devs[i].pred);
	}
	free(devs);
	mh_predict_close(&pr);
	mh_snapshot_free(&snap);
	mh_config_free(&cfg);
	return ret;
}
