// SPDX-License-Identifier: GPL-2.0-or-later
/* offline DEV [--force]: every block offline, the device stays with kmem. */
#include "cli.h"

static bool offline_force;

static const struct cli_option offline_opts[] = {
	{ "force", NULL, "remove, offline: try though blocks are predicted refused or memory is short",
	  .flag = &offline_force },
	{ NULL },
};

static int offline_run(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE, .force = offline_force };

	return cli_run_op(ctx, MH_OP_OFFLINE, &po);
}

const struct cli_cmd cli_cmd_offline = {
	.name = "offline",
	.usage = "offline DEV [--force]",
	.summary = "offline every block of DEV, keep it bound to kmem",
	.changing = true,
	.opts = offline_opts,
	.run = offline_run,
};
