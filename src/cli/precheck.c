// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * offline and remove: the page-flag prediction before the first write.
 * A block the kernel is sure to refuse stops the run while nothing has
 * changed, instead of a try, a deadline of retries and a rollback.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "predict.h"

/*
 * Only blocks in kernel zones are read: in ZONE_MOVABLE the flags can only
 * show a reserved page, which hot-added movable memory holds nowhere but in
 * its own memmap, so the idle movable remove (B1) pays nothing for a check
 * that costs 1.3 ms of CPU time per 128 MiB block.
 */
static bool worth_predicting(const struct mh_plan *plan, size_t i)
{
	return plan->orig_state[i] == MH_BLOCK_ONLINE &&
	       plan->orig_zone[i] != MH_ZONE_MOVABLE;
}

int cli_predict_check(struct cli_ctx *ctx, const struct mh_snapshot *snap,
		      const struct mh_plan *plan, char *why, size_t len)
{
	struct mh_predictor pr = { .fd = -1 };
	size_t o = 0, refused = 0, shown = 0;
	bool opened = false;

	if (plan->op == MH_OP_ONLINE)
		return 0;
	for (size_t i = 0; i < plan->nr_blocks; i++) {
		const struct mh_block *b;
		struct mh_prediction p;
		char desc[320];

		if (!worth_predicting(plan, i))
			continue;
		b = mh_blocks_find(&snap->blocks, plan->blocks[i]);
		if (!b)
			continue;
		if (!opened) {
			mh_predict_open(ctx->root, snap->block_size, &pr);
			opened = true;
		}
		mh_predict_block(&pr, b, &p);
		mh_prediction_describe(&p, desc, sizeof(desc));
		if (p.verdict != MH_VERDICT_REFUSED) {
			/* What could not be told is worth a line; a block that will go is not. */
			if (p.verdict != MH_VERDICT_GO || ctx->verbose)
				cli_info(ctx, "%s: memory%llu: %s", plan->dev,
					 (unsigned long long)b->id, desc);
			continue;
		}
		refused++;
		if (o + strlen(desc) + 40 < len - 120) {
			o += (size_t)snprintf(why + o, len - o, "%smemory%llu: %s",
					      shown ? "; " : "", (unsigned long long)b->id, desc);
			shown++;
		}
	}
	mh_predict_close(&pr);
	if (!refused)
		return 0;
	if (refused > shown)
		o += (size_t)snprintf(why + o, len - o, "; %zu more block%s", refused - shown,
				      refused - shown == 1 ? "" : "s");
	snprintf(why + o, len - o, ": the kernel will refuse to offline %s; nothing changed "
		 "(use --force to try anyway)", refused == 1 ? "it" : "them");
	return 1;
}
