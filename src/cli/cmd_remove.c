// SPDX-License-Identifier: GPL-2.0-or-later
/* remove DEV [--rebind devdax|none] [--force] */
#include <string.h>

#include "cli.h"

static const char *remove_rebind;
static bool remove_force;

const struct cli_option cli_remove_opts[] = {
	{ "rebind", "DRIVER", "remove: devdax (default) or none", .arg = &remove_rebind },
	{ "force", NULL, "remove, offline: try though blocks are predicted refused or memory is short",
	  .flag = &remove_force },
	{ NULL },
};

int cli_remove_run(struct cli_ctx *ctx)
{
	struct mh_plan_opts po = {
		.zone = MH_ZONE_MOVABLE,
		.rebind = MH_REBIND_DEVDAX,
		.force = remove_force,
	};

	if (remove_rebind) {
		if (!strcmp(remove_rebind, "devdax")) {
			po.rebind = MH_REBIND_DEVDAX;
		} else if (!strcmp(remove_rebind, "none")) {
			po.rebind = MH_REBIND_NONE;
		} else {
			cli_err("invalid --rebind '%s': expected devdax or none", remove_rebind);
			return MH_EXIT_USAGE;
		}
	}
	return cli_run_op(ctx, MH_OP_REMOVE, &po);
}
