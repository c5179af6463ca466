/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Result printers: JSON (json_out.c) and human tables (table_out.c). */
#ifndef MH_CLI_OUT_H
#define MH_CLI_OUT_H

#include <stdbool.h>
#include "cli.h"
#include "exec.h"
#include "predict.h"
#include "snapshot.h"

#define HP_MAX_PARAMS 16

/* The hotplug configuration, as status reports it. */
struct hp_config {
	char auto_online[32];		/* "" when absent */
	size_t nr_params;		/* /sys/module/memory_hotplug/parameters/ */
	char param_name[HP_MAX_PARAMS][48];
	char param_val[HP_MAX_PARAMS][64];
	char memhp_default_state[32];	/* kernel command line, "" when absent */
	int movable_node;		/* kernel command line, -1 unknown */
};

struct status_dev {
	const struct mh_dax_dev *dev;
	struct mh_dev_view view;
	/* Per view block (online ones): the offline verdict; NULL when not asked. */
	struct mh_prediction *pred;
	char pending_op[16];		/* a killed run's journal: its op, "" none */
	char pending_file[320];
};

/* An operation's result, or a dry-run plan when res is NULL. */
struct op_report {
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

const char *mode_name(enum mh_dax_driver d);
const char *zone_title(enum mh_zone z);	/* "Movable", "Normal", "none", "" */
/* "34-38,40" from sorted ids. */
void ids_str(const uint64_t *ids, size_t n, char *buf, size_t len);

int json_status(const struct hp_config *hp, uint64_t block_size,
		const struct status_dev *devs, size_t n);
int json_blocks(const struct mh_blocks *b);
int json_op(const struct op_report *r);
/* The error document of a run that printed no other (see json_error()). */
extern bool json_printed;
void json_error(const char *command, int exit_code, const char *message);

int table_status(const struct cli_ctx *ctx, const struct hp_config *hp,
		 uint64_t block_size, const struct status_dev *devs, size_t n);
int table_blocks(const struct mh_blocks *b);

/* Verdict shown for a block in the REMOVABLE column / "removable" key. */
bool block_removable(const struct mh_block *blk);

#endif
