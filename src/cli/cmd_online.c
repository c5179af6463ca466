// SPDX-License-Identifier: GPL-2.0-or-later
/* online DEV [--zone movable|normal] */
#include "cli.h"

int cmd_online(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE };

	if (ctx->zone && (mh_parse_zone_option(ctx->zone, &po.zone) ||
			  (po.zone != MH_ZONE_MOVABLE && po.zone != MH_ZONE_NORMAL))) {
		cli_err("invalid --zone '%s': expected movable or normal", ctx->zone);
		return MH_EXIT_USAGE;
	}
	return run_op(ctx, MH_OP_ONLINE, &po);
}
