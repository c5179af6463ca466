// SPDX-License-Identifier: GPL-2.0-or-later
/* offline DEV [--force]: every block offline, the device stays with kmem. */
#include "cli.h"

int cmd_offline(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE, .force = ctx->force };

	return run_op(ctx, MH_OP_OFFLINE, &po);
}
