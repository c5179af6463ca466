// SPDX-License-Identifier: GPL-2.0-or-later
/* online DEV [--zone movable|normal] */
#include "cli.h"

static const char *online_zone;

const struct cli_option cli_online_opts[] = {
	{ "zone", "ZONE", "online: movable (default) or normal", .arg = &online_zone },
	{ NULL },
};

int cli_online_run(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = { .zone = MH_ZONE_MOVABLE };

	if (online_zone && (mh_parse_zone_option(online_zone, &po.zone) ||
			    (po.zone != MH_ZONE_MOVABLE && po.zone != MH_ZONE_NORMAL))) {
		cli_err("invalid --zone '%s': expected movable or normal", online_zone);
		return MH_EXIT_USAGE;
	}
	return cli_run_op(ctx, MH_OP_ONLINE, &po);
}
