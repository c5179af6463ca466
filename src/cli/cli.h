/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What main() hands to every command, and the commands themselves. */
#ifndef MH_CLI_H
#define MH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "exitcode.h"
#include "sysroot.h"
#include "plan.h"
#include "exec.h"

#define MH_DEFAULT_TIMEOUT 120.0

struct cli_ctx {
	const char *cmd;		/* command name, for messages */
	bool json;
	int verbose;
	bool quiet;
	bool dry_run;
	bool blocks;			/* status --blocks */
	bool force;			/* remove, offline --force */
	const char *zone;		/* online --zone */
	const char *rebind;		/* remove --rebind */
	double timeout;
	struct mh_deadline deadline;	/* --timeout, counted from the start */
	const char *sysroot;		/* NULL: the live system */
	struct mh_root *root;
	int nargs;			/* positional arguments after the command */
	char **args;
};

typedef int (*cli_cmd_fn)(struct cli_ctx *ctx);

int cmd_status(struct cli_ctx *ctx);
int cmd_online(struct cli_ctx *ctx);
int cmd_offline(struct cli_ctx *ctx);
int cmd_remove(struct cli_ctx *ctx);
int cmd_recover(struct cli_ctx *ctx);

/* run_op.c: the common runner of online/offline/remove. */
int run_op(struct cli_ctx *ctx, enum mh_op op, const struct mh_plan_opts *popts);
enum mh_exit outcome_exit(enum mh_outcome o);
/* precheck.c: 1 with why[] naming the blocks the kernel will refuse to offline, else 0. */
int cli_predict_check(struct cli_ctx *ctx, const struct mh_snapshot *snap,
		      const struct mh_plan *plan, char *why, size_t len);
/* The exit status of an mh_exec()/mh_recover() return and result. */
enum mh_exit result_exit(int rc, struct mh_exec_result *res);
/* Deadline, retries, udev, journal and SIGINT/SIGTERM handling for mh_exec(). */
void cli_exec_opts(struct cli_ctx *ctx, struct mh_exec_opts *eo, void *progress);
/* Live, or MEMHOTCTL_RUNDIR given: a lock to take and journals to keep. */
bool cli_has_rundir(const struct cli_ctx *ctx);
/* The lock in *fd and 0, or the exit status after saying why. */
int cli_lock(struct cli_ctx *ctx, const struct mh_deadline *d, int *fd);

/* devname.c: check a user-given device name before any path is built. */
int cli_check_devname(struct cli_ctx *ctx, const char *name, bool must_exist);
/* Space-separated names of the dax devices present ("none" when none). */
void cli_present_devices(struct cli_ctx *ctx, char *buf, size_t len);
/* The dax devices present, sorted (daxX.Y order); free with cli_free_names(). */
size_t cli_list_devices(struct cli_ctx *ctx, char ***names);
void cli_free_names(char **names, size_t n);

/* Root is needed to change the live system; nothing is checked with --sysroot. */
int cli_need_root(struct cli_ctx *ctx);

/* msg.c: diagnostics to stderr ("memhotctl: ..."); -q silences info. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first message cli_err() said ("" when none). */
const char *cli_first_error(void);
void cli_info(const struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_setup_log(const struct cli_ctx *ctx);
/* Report a failed read of errpath; -EINVAL means unexpected content. */
void cli_read_error(const char *what, const char *errpath, int err);

/* Human size, as lsmem prints it ("128M", "1.8G"). */
void cli_size_str(unsigned long long bytes, char *buf, size_t len);

#endif
