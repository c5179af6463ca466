// SPDX-License-Identifier: GPL-2.0-or-later
/* remove DEV [--rebind devdax|none] [--force] */
#include <string.h>

#include "cli.h"

int cmd_remove(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = {
		.zone = MH_ZONE_MOVABLE,
		.rebind = MH_REBIND_DEVDAX,
		.force = ctx->force,
	};

	if (ctx->rebind) {
		if (!strcmp(ctx->rebind, "devdax")) {
			po.rebind = MH_REBIND_DEVDAX;
		} else if (!strcmp(ctx->rebind, "none")) {
			po.rebind = MH_REBIND_NONE;
		} else {
			cli_err("invalid --rebind '%s': expected devdax or none", ctx->rebind);
			return MH_EXIT_USAGE;
		}
	}
	return run_op(ctx, MH_OP_REMOVE, &po);
}
