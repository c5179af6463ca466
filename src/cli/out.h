/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Result printers: JSON (json_out.c) and every human rendering (human_out.c). */
#ifndef MH_CLI_OUT_H
#define MH_CLI_OUT_H

#include <stdbool.h>
#include "cli.h"
#include "devconf.h"
#include "exec.h"
#include "hotplug.h"
#include "journal.h"
#include "predict.h"
#include "snapshot.h"

struct cli_status_dev {
	const struct mh_dax_dev *dev;
	struct mh_dev_view view;
	/* Per view block (online ones): the offline verdict; NULL when not asked. */
	struct mh_prediction *pred;
	char pending_op[16];		/* a killed run's journal: its op, "" none */
	char pending_file[320];
	const struct mh_conf_entry *conf;	/* its memhotctl.conf entry, NULL none */
	bool conf_matches;			/* the device is as configured now */
};

/* status: the configuration apply would read. */
struct cli_status_conf {
	size_t nr_files;
	char error[600];		/* "FILE:LINE: what", "" when it loads */
};

/* An operation's result, or a dry-run plan when res is NULL. */
struct cli_op_report {
	const struct mh_plan *plan;	/* may be NULL when refused before planning */
	const struct mh_exec_result *res;
	const char *dev;
	const char *op;
	bool dry_run;
	const char *driver;		/* current driver, for dry runs */
	enum mh_exit code;
	const char *outcome;
	const char *message;
};

/* apply: a device's mode and blocks, before or after. */
struct cli_apply_state {
	const char *mode;		/* mh_dax_mode_name() */
	enum mh_dax_driver driver;
	size_t nr_online, nr_offline;
	size_t nr_movable, nr_normal;	/* online blocks by zone */
};

/* apply: one device's entry, states, and the operations that ran (or would). */
struct cli_apply_dev {
	const char *dev;
	const struct mh_conf_entry *entry;	/* NULL: no entry */
	struct cli_apply_state before, after;
	bool changed;
	enum mh_exit code;
	const char *message;
	size_t nr_ops;
	struct cli_op_report ops[2];
};

/* "34-38,40" from sorted ids. */
void cli_ids_str(const uint64_t *ids, size_t n, char *buf, size_t len);

int cli_json_status(const struct mh_hotplug_config *hp, uint64_t block_size,
		const struct cli_status_dev *devs, size_t n, const struct cli_status_conf *conf);
int cli_json_blocks(const struct mh_blocks *b);
int cli_json_op(const struct cli_op_report *r);
int cli_json_apply(const struct cli_apply_dev *devs, size_t n, bool dry_run,
		   enum mh_exit code);
/* The error document of a run that printed no other (see cli_json_error()). */
extern bool cli_json_printed;
void cli_json_error(const char *command, int exit_code, const char *message);

int cli_human_status(const struct cli_ctx *ctx, const struct mh_hotplug_config *hp,
		 uint64_t block_size, const struct cli_status_dev *devs, size_t n,
		 const struct cli_status_conf *conf);
int cli_human_blocks(const struct mh_blocks *b);

void cli_human_progress(const struct mh_plan *plan, size_t idx, bool done, int err,
			int verbose);
void cli_human_plan(const struct mh_plan *p);
void cli_human_result(const struct mh_plan *p, const struct mh_exec_result *r);
void cli_human_nothing_to_recover(const char *dev);
void cli_human_recover_plan(const char *dev, const char *msg, const struct mh_plan *p);
void cli_human_recover_result(const char *dev, const struct mh_exec_result *res, bool quiet);

#endif
