// SPDX-License-Identifier: GPL-2.0-or-later
/* offline DEV [--force]: every block offline, the device stays with kmem. */
#include "cli.h"

static bool offline_force;

const struct cli_option cli_offline_opts[] = {
	{ "force", NULL, "remove, offline: try though blocks are predicted refused or memory is short",
	  .flag = &offline_force },
	{ NULL },
};

int cli_offline_run(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE, .force = offline_force };

	return cli_run_op(ctx, MH_OP_OFFLINE, &po);
}
