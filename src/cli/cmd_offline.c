// SPDX-License-Identifier: GPL-2.0-or-later
/* offline DEV: every block offline, the device stays with kmem. */
#include "cli.h"

static int offline_run(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE };

	return cli_run_op(ctx, MH_OP_OFFLINE, &po);
}

const struct cli_cmd cli_cmd_offline = {
	.name = "offline",
	.usage = "offline DEV",
	.summary = "offline every block of DEV, keep it bound to kmem",
	.changing = true,
	.run = offline_run,
};
