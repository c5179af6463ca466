// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Human output, all of it: status tables, plans, results and progress.
 * Device tables go through libsmartcols; the system-wide
 * block list (status --blocks) can have 65,536 rows and is printed with
 * fixed-width printf after one pass measuring the columns, which is
 * several times cheaper than building a table object per cell.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsmartcols.h>

#include "out.h"

void cli_ids_str(const uint64_t *ids, size_t n, char *buf, size_t len)
{
	size_t off = 0, i = 0;

	buf[0] = '\0';
	while (i < n && off < len) {
		size_t j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j == i)
			off += snprintf(buf + off, len - off, "%s%" PRIu64,
					off ? "," : "", ids[i]);
		else
			off += snprintf(buf + off, len - off, "%s%" PRIu64 "-%" PRIu64,
					off ? "," : "", ids[i], ids[j]);
		i = j + 1;
	}
}

/* lsmem's spelling of valid_zones: "DMA Normal" -> "DMA/Normal", "none" -> "None". */
static void zones_str(const char *vz, char *buf, size_t len)
{
	size_t i;

	if (!strcmp(vz, "none")) {
		snprintf(buf, len, "None");
		return;
	}
	for (i = 0; vz[i] && i + 1 < len; i++)
		buf[i] = vz[i] == ' ' ? '/' : vz[i];
	buf[i] = '\0';
}

static void node_str(int node, char *buf, size_t len)
{
	if (node < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d", node);
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int cli_human_blocks(const struct mh_blocks *b)
{
	int wsize = 4, wstate = 5, wblock = 5, wnode = 4, wzones = 5;
	uint64_t on = 0, off = 0;
	char size[16], zones[80], node[16];

	cli_size_str(b->block_size, size, sizeof(size));
	if ((int)strlen(size) > wsize)
		wsize = strlen(size);
	for (size_t i = 0; i < b->count; i++) {
		const struct mh_block *blk = &b->v[i];
		int w;

		w = strlen(mh_block_state_name(blk->state));
		if (w > wstate)
			wstate = w;
		if (digits(blk->id) > wblock)
			wblock = digits(blk->id);
		if (blk->node >= 0 && digits(blk->node) > wnode)
			wnode = digits(blk->node);
		w = strlen(blk->valid_zones);
		if (w > wzones)
			wzones = w;
	}
	printf("%-37s %*s %*s %9s %*s %*s %*s\n", "RANGE", wsize, "SIZE", wstate, "STATE",
	       "REMOVABLE", wblock, "BLOCK", wnode, "NODE", wzones, "ZONES");
	for (size_t i = 0; i < b->count; i++) {
		const struct mh_block *blk = &b->v[i];
		uint64_t start = blk->id * b->block_size;
		const char *rm = "";

		if (blk->state == MH_BLOCK_ONLINE) {
			rm = mh_block_removable(blk) ? "yes" : "no";
			on += b->block_size;
		} else if (blk->state == MH_BLOCK_OFFLINE) {
			off += b->block_size;
		}
		zones_str(blk->valid_zones, zones, sizeof(zones));
		node_str(blk->node, node, sizeof(node));
		printf("0x%016" PRIx64 "-0x%016" PRIx64 " %*s %*s %9s %*" PRIu64 " %*s %*s\n",
		       start, start + b->block_size - 1, wsize, size, wstate,
		       mh_block_state_name(blk->state), rm, wblock, blk->id,
		       wnode, node, wzones, zones);
	}
	printf("\nMemory block size:    %s\n", size);
	cli_size_str(on, size, sizeof(size));
	printf("Total online memory:  %s\n", size);
	cli_size_str(off, size, sizeof(size));
	printf("Total offline memory: %s\n", size);
	return MH_EXIT_OK;
}

static struct libscols_table *new_table(const char *const *cols, size_t n)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name = cols[i];
		int right = name[0] == '>';

		if (!scols_table_new_column(tb, name + right, 0, right ? SCOLS_FL_RIGHT : 0)) {
			scols_unref_table(tb);
			return NULL;
		}
	}
	return tb;
}

static void print_table(struct libscols_table *tb)
{
	scols_print_table(tb);
	scols_unref_table(tb);
}

static int hotplug_table(const struct mh_hotplug_config *hp, uint64_t block_size)
{
	static const char *const cols[] = { "SETTING", "VALUE" };
	struct libscols_table *tb = new_table(cols, 2);
	struct libscols_line *ln;
	char size[16];

	if (!tb)
		return -1;
	scols_table_enable_noheadings(tb, 1);
	cli_size_str(block_size, size, sizeof(size));
	ln = scols_table_new_line(tb, NULL);
	scols_line_set_data(ln, 0, "memory block size:");
	scols_line_set_data(ln, 1, size);
	ln = scols_table_new_line(tb, NULL);
	scols_line_set_data(ln, 0, "auto_online_blocks:");
	scols_line_set_data(ln, 1, hp->auto_online[0] ? hp->auto_online : "-");
	for (size_t i = 0; i < hp->nr_params; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s:", hp->param_name[i]);
		ln = scols_table_new_line(tb, NULL);
		scols_line_set_data(ln, 0, name);
		scols_line_set_data(ln, 1, hp->param_val[i]);
	}
	if (hp->memhp_default_state[0]) {
		ln = scols_table_new_line(tb, NULL);
		scols_line_set_data(ln, 0, "memhp_default_state:");
		scols_line_set_data(ln, 1, hp->memhp_default_state);
	}
	if (hp->movable_node >= 0) {
		ln = scols_table_new_line(tb, NULL);
		scols_line_set_data(ln, 0, "movable_node:");
		scols_line_set_data(ln, 1, hp->movable_node ? "yes" : "no");
	}
	for (size_t i = 0; i < hp->udev.count && i < MH_UDEV_MAX_RULES; i++) {
		char where[300];

		snprintf(where, sizeof(where), "%s:%u: %s", hp->udev.v[i].file,
			 hp->udev.v[i].line, hp->udev.v[i].text);
		ln = scols_table_new_line(tb, NULL);
		scols_line_set_data(ln, 0, "udev rule onlining blocks:");
		scols_line_set_data(ln, 1, where);
	}
	if (hp->udev.daxctl[0]) {
		char what[400];

		snprintf(what, sizeof(what), "%s (daxctl and memhotctl apply would race on "
			 "the same devices)", hp->udev.daxctl);
		ln = scols_table_new_line(tb, NULL);
		scols_line_set_data(ln, 0, "daxctl rule:");
		scols_line_set_data(ln, 1, what);
	}
	print_table(tb);
	return 0;
}

static void dev_blocks_table(const struct cli_status_dev *sd, uint64_t bs)
{
	static const char *const cols[] = { ">BLOCK", "RANGE", "STATE", "ZONES", ">NODE",
		"OFFLINE PREDICTION" };
	struct libscols_table *tb;

	if (!sd->view.nr_blocks)
		return;
	tb = new_table(cols, sd->pred ? 6 : 5);
	if (!tb)
		return;
	for (size_t i = 0; i < sd->view.nr_blocks; i++) {
		const struct mh_block *b = sd->view.blocks[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char buf[80];

		snprintf(buf, sizeof(buf), "%" PRIu64, b->id);
		scols_line_set_data(ln, 0, buf);
		snprintf(buf, sizeof(buf), "0x%016" PRIx64 "-0x%016" PRIx64,
			 b->id * bs, (b->id + 1) * bs - 1);
		scols_line_set_data(ln, 1, buf);
		scols_line_set_data(ln, 2, mh_block_state_name(b->state));
		zones_str(b->valid_zones, buf, sizeof(buf));
		scols_line_set_data(ln, 3, buf);
		node_str(b->node, buf, sizeof(buf));
		scols_line_set_data(ln, 4, buf);
		if (sd->pred && b->state == MH_BLOCK_ONLINE) {
			char why[320];

			mh_prediction_describe(&sd->pred[i], why, sizeof(why));
			scols_line_set_data(ln, 5, why);
		}
	}
	print_table(tb);
}

int cli_human_status(const struct cli_ctx *ctx, const struct mh_hotplug_config *hp,
		 uint64_t block_size, const struct cli_status_dev *devs, size_t n,
		 const struct cli_status_conf *conf)
{
	static const char *const cols[] = { "DEVICE", "DRIVER", "MODE", "KIND", ">SIZE",
		">NODE", "BLOCKS", ">ONLINE", "REMOVABLE", "BACKING" };
	struct libscols_table *tb;

	hotplug_table(hp, block_size);
	if (conf->error[0])
		printf("configuration: %s\n", conf->error);
	if (!n) {
		printf("\nno dax devices\n");
		return MH_EXIT_OK;
	}
	tb = new_table(cols, 10);
	if (!tb)
		return MH_EXIT_ERROR;
	for (size_t i = 0; i < n; i++) {
		const struct mh_dax_dev *d = devs[i].dev;
		const struct mh_dev_view *v = &devs[i].view;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		uint64_t *ids = calloc(v->nr_blocks ? v->nr_blocks : 1, sizeof(*ids));
		char buf[256];

		scols_line_set_data(ln, 0, d->name);
		scols_line_set_data(ln, 1, d->driver == MH_DRIVER_NONE ? "-" : d->driver_name);
		scols_line_set_data(ln, 2, mh_dax_mode_name(d->driver));
		scols_line_set_data(ln, 3, mh_dax_kind_name(d->kind));
		cli_size_str(d->size, buf, sizeof(buf));
		scols_line_set_data(ln, 4, buf);
		node_str(d->target_node, buf, sizeof(buf));
		scols_line_set_data(ln, 5, buf);
		for (size_t j = 0; ids && j < v->nr_blocks; j++)
			ids[j] = v->blocks[j]->id;
		cli_ids_str(ids, ids ? v->nr_blocks : 0, buf, sizeof(buf));
		free(ids);
		scols_line_set_data(ln, 6, buf[0] ? buf : "-");
		snprintf(buf, sizeof(buf), "%zu/%zu", v->nr_online, v->nr_total);
		scols_line_set_data(ln, 7, buf);
		scols_line_set_data(ln, 8, v->removable ? "yes" : "no");
		scols_line_set_data(ln, 9, d->backing[0] ? d->backing : "-");
	}
	printf("\n");
	print_table(tb);

	for (size_t i = 0; i < n; i++) {
		const struct mh_dax_dev *d = devs[i].dev;
		const struct mh_dev_view *v = &devs[i].view;

		printf("\n%s: numa node %d", d->name, d->numa_node);
		for (size_t r = 0; r < d->nr_ranges; r++)
			printf(", mapping%zu 0x%" PRIx64 "-0x%" PRIx64, r,
			       d->ranges[r].start, d->ranges[r].end);
		printf("\n");
		if (devs[i].conf)
			printf("%s: configured %s%s%s (%s:%u): %s\n", d->name,
			       mh_conf_state_name(devs[i].conf->state),
			       devs[i].conf->state == MH_CONF_SYSTEM_RAM ? " " : "",
			       devs[i].conf->state == MH_CONF_SYSTEM_RAM ?
			       mh_conf_zone_name(devs[i].conf->zone) : "",
			       devs[i].conf->file, devs[i].conf->line,
			       devs[i].conf_matches ? "as configured" :
			       "not as configured: 'memhotctl apply' would change it");
		if (devs[i].pending_op[0])
			printf("%s: pending journal of an interrupted %s: %s; run "
			       "'memhotctl recover %s'\n", d->name, devs[i].pending_op,
			       devs[i].pending_file, d->name);
		if (d->kind == MH_KIND_CXL) {
			printf("%s: cxl region %s", d->name,
			       d->cxl_region[0] ? d->cxl_region : "-");
			for (size_t m = 0; m < d->nr_cxl_memdevs; m++)
				if (d->cxl_memdevs[m][0])
					printf(", memdev %s", d->cxl_memdevs[m]);
			printf("\n");
		}
		if (v->nr_missing)
			printf("%s: %zu block(s) have no memoryN directory\n",
			       d->name, v->nr_missing);
		if (!v->removable && v->reason[0])
			printf("%s: not removable: %s\n", d->name, v->reason);
		else if (v->reason[0])
			printf("%s: %s\n", d->name, v->reason);
		if (v->nr_blocks && (ctx->verbose || n == 1 || v->nr_blocks <= 64))
			dev_blocks_table(&devs[i], block_size);
	}
	return MH_EXIT_OK;
}

/* A step begun or ended, on stderr; a step that went well only with -v. */
void cli_human_progress(const struct mh_plan *plan, size_t idx, bool done, int err,
			int verbose)
{
	char line[160];

	mh_step_describe(plan, &plan->steps[idx], line, sizeof(line));
	if (!done)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s ...\n", plan->dev, idx + 1,
			plan->nr_steps, line);
	else if (err)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s: %s\n", plan->dev, idx + 1,
			plan->nr_steps, line, strerror(err > 0 ? err : -err));
	else if (verbose)
		fprintf(stderr, "memhotctl: %s: [%zu/%zu] %s: done\n", plan->dev, idx + 1,
			plan->nr_steps, line);
}

static size_t count_steps(const struct mh_plan *p, enum mh_step_kind k, size_t upto)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr_steps && i < upto; i++)
		n += p->steps[i].kind == k;
	return n;
}

void cli_human_plan(const struct mh_plan *p)
{
	char line[160];

	printf("%s: %s plan, %zu step%s (dry run, nothing changed):\n", p->dev,
	       mh_op_name(p->op), p->nr_steps, p->nr_steps == 1 ? "" : "s");
	for (size_t i = 0; i < p->nr_steps; i++) {
		mh_step_describe(p, &p->steps[i], line, sizeof(line));
		printf("  %zu. %s\n", i + 1, line);
	}
}

static const char *final_driver(const struct mh_exec_result *r)
{
	return r->final_driver[0] ? r->final_driver : "none";
}

/*
 * Under a block whose offline failed: what the kernel said, what memhotctl
 * read of the block's flags where the kernel named no page, what to do.
 */
static void print_kernel_reason(const struct mh_block_result *b)
{
	const char *advice;
	char line[512];

	if (b->kmsg.status == MH_KMSG_NONE && b->pins.status == MH_PIN_NONE)
		return;
	if (b->kmsg.status != MH_KMSG_NONE) {
		mh_kmsg_describe(&b->kmsg, line, sizeof(line));
		printf("    %s\n", line);
	}
	if (b->pins.status != MH_PIN_NONE) {
		mh_pin_describe(&b->pins, line, sizeof(line));
		printf("    %s\n", line);
	}
	advice = mh_pin_advice(&b->pins);
	if (!advice)
		advice = mh_kmsg_advice(&b->kmsg, b->err == ETIMEDOUT || b->err == EINTR);
	if (advice)
		printf("    what to do: %s\n", advice);
}

/* The summary line on stdout, and for anything but success, every block's state. */
void cli_human_result(const struct mh_plan *p, const struct mh_exec_result *r)
{
	if (r->outcome == MH_DONE && !p->nr_steps) {
		printf("%s: nothing to do (driver %s)\n", p->dev, final_driver(r));
		return;
	}
	if (r->outcome == MH_DONE) {
		switch (p->op) {
		case MH_OP_REMOVE:
			printf("%s: removed (%zu blocks offlined, driver %s)\n", p->dev,
			       r->nr_offlined, final_driver(r));
			break;
		case MH_OP_OFFLINE:
			printf("%s: offlined (%zu blocks offlined, driver %s)\n", p->dev,
			       r->nr_offlined, final_driver(r));
			break;
		case MH_OP_ONLINE:
			printf("%s: onlined (%zu blocks onlined, driver %s)\n", p->dev,
			       count_steps(p, MH_STEP_ONLINE_BLOCK, r->steps_done),
			       final_driver(r));
			break;
		}
		return;
	}
	printf("%s: %s %s: %s%s\n", p->dev, mh_op_name(p->op), mh_outcome_name(r->outcome),
	       r->error.msg, r->rolled_back ? " (rolled back)" : "");
	for (size_t i = 0; i < r->nr_blocks; i++) {
		const struct mh_block_result *b = &r->blocks[i];

		printf("  memory%llu: %s%s%s%s%s%s\n", (unsigned long long)b->block,
		       mh_block_state_name(b->state), *mh_zone_word(b->zone) ? " " : "",
		       mh_zone_word(b->zone), b->err ? " (" : "",
		       b->err ? strerror(b->err) : "", b->err ? ")" : "");
		print_kernel_reason(b);
	}
	if (!r->policy_restored)
		printf("  auto_online_blocks was not restored\n");
}

/* recover: no journal for dev (NULL: none at all). */
void cli_human_nothing_to_recover(const char *dev)
{
	if (dev)
		printf("%s: nothing to recover\n", dev);
	else
		printf("nothing to recover\n");
}

/* recover --dry-run: what would be done, and each block as the journal saw it. */
void cli_human_recover_plan(const char *dev, const char *msg, const struct mh_plan *p)
{
	char line[160];

	printf("%s: %s, %zu step%s (dry run, nothing changed):\n", dev, msg,
	       p->nr_steps, p->nr_steps == 1 ? "" : "s");
	for (size_t i = 0; i < p->nr_steps; i++) {
		mh_step_describe(p, &p->steps[i], line, sizeof(line));
		printf("  %zu. %s\n", i + 1, line);
	}
}

/* recover: done (unless quiet), or the outcome and every block as it is now. */
void cli_human_recover_result(const char *dev, const struct mh_exec_result *res, bool quiet)
{
	if (res->outcome == MH_DONE) {
		if (!quiet)
			printf("%s: recovered%s%s (driver %s)\n", dev,
			       res->error.msg[0] ? ": " : "", res->error.msg, final_driver(res));
		return;
	}
	printf("%s: recover %s: %s\n", dev, mh_outcome_name(res->outcome), res->error.msg);
	for (size_t i = 0; i < res->nr_blocks; i++)
		printf("  memory%llu: %s %s\n", (unsigned long long)res->blocks[i].block,
		       mh_block_state_name(res->blocks[i].state),
		       mh_zone_word(res->blocks[i].zone));
}
