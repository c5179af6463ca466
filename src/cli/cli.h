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
#include "snapshot.h"

#define CLI_DEFAULT_TIMEOUT 120.0

/* The common options, parsed in main.c; a command's own are in its file. */
struct cli_ctx {
	const char *cmd;		/* command name, for messages */
	bool json;
	int verbose;
	bool quiet;
	bool dry_run;			/* commands that change state only */
	double timeout;
	struct mh_deadline deadline;	/* --timeout, counted from the start */
	const char *sysroot;		/* NULL: the live system */
	struct mh_root *root;
	int nargs;			/* positional arguments after the command */
	char **args;
};

/*
 * An option of one command. main.c stores what is given where the entry
 * points (a flag sets *flag, an argument goes to *arg); the command checks
 * the value when it runs. A new option is a line in its command's table.
 */
struct cli_option {
	const char *name;		/* long form, without "--"; NULL ends a table */
	const char *argname;		/* argument name for --help, NULL: a flag */
	const char *help;
	bool *flag;
	const char **arg;
};

/* A command, as main.c's table of commands lists it. */
struct cli_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	bool changing;			/* changes the system: --dry-run applies */
	const struct cli_option *opts;	/* its own options, NULL-terminated */
	int (*run)(struct cli_ctx *ctx);
};

/* Each command's file: its options (NULL-terminated) and its run function. */
extern const struct cli_option cli_status_opts[];
extern const struct cli_option cli_online_opts[];
extern const struct cli_option cli_offline_opts[];
extern const struct cli_option cli_remove_opts[];
extern const struct cli_option cli_apply_opts[];
int cli_status_run(struct cli_ctx *ctx);
int cli_online_run(struct cli_ctx *ctx);
int cli_offline_run(struct cli_ctx *ctx);
int cli_remove_run(struct cli_ctx *ctx);
int cli_recover_run(struct cli_ctx *ctx);
int cli_apply_run(struct cli_ctx *ctx);

/*
 * run_op.c: the one runner of every command that changes state. Per
 * device: plan (outside the lock), print the plan (--dry-run), or take
 * the lock, run, and report; the worst exit status wins. A command gives
 * the parts that are its own.
 */
struct cli_job {
	const char *dev;
	struct mh_snapshot snap;
	struct mh_plan plan;
	bool planned;			/* plan filled: mh_plan_free() it */
	bool undo;			/* recover: going back */
	const char *driver;		/* bound at planning ("" unknown) */
};

#define CLI_NOTHING	(-4096)		/* plan/run: nothing to do here; below every -errno */

struct cli_runner {
	enum mh_op op;
	const char *name;		/* in messages and JSON */
	bool lock_first;		/* plan under the lock too (recover reads journals) */
	bool progress;			/* per-step progress on stderr */
	const void *arg;		/* the command's own (online/offline/remove: plan opts) */
	/* Arguments, name and privilege: 0 or the exit status, said. */
	int (*check)(struct cli_ctx *ctx, const struct cli_runner *rn);
	/* The devices: 0 with names[] (n 0: nothing at all, said), or the exit status. */
	int (*devices)(struct cli_ctx *ctx, char ***names, size_t *n);
	/* MH_EXIT_OK with job->plan, CLI_NOTHING, or the exit status (refusal said). */
	int (*plan)(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job);
	void (*print_plan)(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job);
	/* Under the lock, before the run (NULL: none): 0 or the exit status, said. */
	int (*locked_check)(struct cli_ctx *ctx, const struct cli_runner *rn,
			    struct cli_job *job);
	/* The library's run: its return, or CLI_NOTHING. */
	int (*exec)(struct cli_ctx *ctx, struct cli_job *job, const struct mh_exec_opts *eo,
		    struct mh_exec_result *res);
	void (*report)(struct cli_ctx *ctx, const struct cli_runner *rn, struct cli_job *job,
		       struct mh_exec_result *res, int code);
	void (*nothing)(struct cli_ctx *ctx, const char *dev);
};
int cli_run(struct cli_ctx *ctx, const struct cli_runner *rn);
/* online/offline/remove through cli_run(). */
int cli_run_op(struct cli_ctx *ctx, enum mh_op op, const struct mh_plan_opts *popts);
enum mh_exit cli_outcome_exit(enum mh_outcome o);
/* precheck.c: 1 with why[] naming the blocks the kernel will refuse to offline, else 0. */
int cli_predict_check(struct cli_ctx *ctx, const struct mh_snapshot *snap,
		      const struct mh_plan *plan, char *why, size_t len);
/* The exit status of an mh_exec()/mh_recover() return and result. */
enum mh_exit cli_result_exit(int rc, struct mh_exec_result *res);
/* Deadline, retries, udev, journal and SIGINT/SIGTERM handling for mh_exec(). */
void cli_exec_opts(struct cli_ctx *ctx, struct mh_exec_opts *eo, void *progress);
/* Live, or MEMHOTCTL_RUNDIR given: a lock to take and journals to keep. */
bool cli_has_rundir(const struct cli_ctx *ctx);
/* The lock in *fd and 0, or the exit status after saying why. */
int cli_lock(struct cli_ctx *ctx, const struct mh_deadline *d, int *fd);

/* A killed run's journal for dev: >0 with msg saying so, <0 unreadable, 0 none. */
int cli_pending_journal(struct cli_ctx *ctx, const char *dev, char *msg, size_t len);

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
/* Report a failed read as the library said it: "WHAT: cannot read PATH: why". */
void cli_read_error(const char *what, const struct mh_err *e);

/* Human size, as lsmem prints it ("128M", "1.8G"). */
void cli_size_str(unsigned long long bytes, char *buf, size_t len);

#endif
