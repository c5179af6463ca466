// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON on stdout with json-c: stable keys, numbers as numbers, and a value
 * memhotctl does not have is null, never "" (man/memhotctl.schema.json).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "out.h"

/* Bump with any change man/memhotctl.schema.json does not accept. */
#define MH_JSON_SCHEMA_VERSION 1

/* An empty string is a value not there (no driver, attribute absent): null. */
static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* Set once a document is on stdout: a failed run then needs no error document. */
bool cli_json_printed;

static int emit(struct json_object *o)
{
	cli_json_printed = true;
	const char *s = json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE);

	fputs(s, stdout);
	fputc('\n', stdout);
	json_object_put(o);
	return MH_EXIT_OK;
}

static struct json_object *udev_rules_arr(const struct mh_udev_rules *r)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->count && i < MH_UDEV_MAX_RULES; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "file", r->v[i].file);
		add_int(o, "line", r->v[i].line);
		add_str(o, "rule", r->v[i].text);
		json_object_array_add(a, o);
	}
	return a;
}

/* A configuration entry, as apply and status name it (NULL: none). */
static struct json_object *conf_entry_obj(const struct mh_conf_entry *e)
{
	struct json_object *o;

	if (!e)
		return NULL;
	o = json_object_new_object();
	add_str(o, "file", e->file);
	add_int(o, "line", e->line);
	add_str(o, "state", mh_conf_state_name(e->state));
	add_str(o, "zone", e->state == MH_CONF_SYSTEM_RAM ? mh_conf_zone_name(e->zone) : NULL);
	return o;
}

static struct json_object *configured_obj(const struct cli_status_dev *sd)
{
	struct json_object *o = conf_entry_obj(sd->conf);

	if (o)
		add_bool(o, "matches", sd->conf_matches);
	return o;
}

static struct json_object *hotplug_obj(const struct mh_hotplug_config *hp)
{
	struct json_object *o = json_object_new_object();
	struct json_object *p = json_object_new_object();

	add_str(o, "auto_online_blocks", hp->auto_online);
	for (size_t i = 0; i < hp->nr_params; i++)
		add_str(p, hp->param_name[i], hp->param_val[i]);
	json_object_object_add(o, "parameters", p);
	add_str(o, "memhp_default_state", hp->memhp_default_state);
	json_object_object_add(o, "movable_node", hp->movable_node >= 0 ?
			       json_object_new_boolean(hp->movable_node) : NULL);
	json_object_object_add(o, "udev_rules", udev_rules_arr(&hp->udev));
	add_bool(o, "udev_rules_cut", hp->udev.count > MH_UDEV_MAX_RULES);
	add_str(o, "daxctl_rule", hp->udev.daxctl);
	return o;
}

/* A block's offline verdict (status DEV): counts by cause, or why none. */
static struct json_object *prediction_obj(const struct mh_prediction *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *causes = json_object_new_object();

	add_str(o, "verdict", mh_verdict_name(p->verdict));
	for (int c = 0; c < MH_PF_NR_CAUSES; c++)
		if (p->count.cause[c])
			add_u64(causes, mh_pf_cause_name(c), p->count.cause[c]);
	if (p->kernel_unflagged)
		add_u64(causes, "unflagged-kernel", p->kernel_unflagged);
	json_object_object_add(o, "causes", causes);
	add_u64(o, "other", p->count.other);
	add_u64(o, "pages", p->count.pages);
	add_str(o, "reason", p->why);
	return o;
}

static struct json_object *dev_obj(const struct cli_status_dev *sd)
{
	const struct mh_dax_dev *d = sd->dev;
	const struct mh_dev_view *v = &sd->view;
	struct json_object *o = json_object_new_object();
	struct json_object *maps = json_object_new_array();
	struct json_object *blks = json_object_new_array();

	add_str(o, "device", d->name);
	add_str(o, "driver", d->driver == MH_DRIVER_NONE ? "" : d->driver_name);
	add_str(o, "mode", mh_dax_mode_name(d->driver));
	add_str(o, "kind", mh_dax_kind_name(d->kind));
	add_str(o, "backing", d->backing);
	add_u64(o, "size", d->size);
	add_int(o, "target_node", d->target_node);
	add_int(o, "numa_node", d->numa_node);
	for (size_t i = 0; i < d->nr_ranges; i++) {
		struct json_object *m = json_object_new_object();

		add_u64(m, "start", d->ranges[i].start);
		add_u64(m, "end", d->ranges[i].end);
		json_object_array_add(maps, m);
	}
	json_object_object_add(o, "mappings", maps);
	if (d->kind == MH_KIND_CXL) {
		/* null when not looked up (--sysroot) or no region holds it */
		struct json_object *c = NULL;

		if (d->cxl_region[0]) {
			struct json_object *mds = json_object_new_array();

			c = json_object_new_object();
			add_str(c, "region", d->cxl_region);
			for (size_t i = 0; i < d->nr_cxl_memdevs; i++)
				if (d->cxl_memdevs[i][0])
					json_object_array_add(mds,
						json_object_new_string(d->cxl_memdevs[i]));
			json_object_object_add(c, "memdevs", mds);
		}
		json_object_object_add(o, "cxl", c);
	}
	for (size_t i = 0; i < v->nr_blocks; i++) {
		const struct mh_block *b = v->blocks[i];
		struct json_object *bo = json_object_new_object();

		add_u64(bo, "block", b->id);
		add_str(bo, "state", mh_block_state_name(b->state));
		add_str(bo, "zone", b->valid_zones);
		add_int(bo, "node", b->node);
		if (sd->pred && b->state == MH_BLOCK_ONLINE)
			json_object_object_add(bo, "prediction", prediction_obj(&sd->pred[i]));
		json_object_array_add(blks, bo);
	}
	json_object_object_add(o, "blocks", blks);
	add_u64(o, "online_blocks", v->nr_online);
	add_u64(o, "total_blocks", v->nr_total);
	add_u64(o, "missing_blocks", v->nr_missing);
	add_bool(o, "removable", v->removable);
	add_str(o, "reason", v->reason);
	if (sd->pending_op[0]) {
		struct json_object *pj = json_object_new_object();

		add_str(pj, "op", sd->pending_op);
		add_str(pj, "file", sd->pending_file);
		json_object_object_add(o, "pending_journal", pj);
	} else {
		json_object_object_add(o, "pending_journal", NULL);
	}
	json_object_object_add(o, "configured", configured_obj(sd));
	return o;
}

int cli_json_status(const struct mh_hotplug_config *hp, uint64_t block_size,
		const struct cli_status_dev *devs, size_t n, const struct cli_status_conf *conf)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct json_object *c = json_object_new_object();

	add_int(o, "schema_version", MH_JSON_SCHEMA_VERSION);
	add_str(o, "auto_online_blocks", hp->auto_online);
	add_u64(o, "block_size", block_size);
	json_object_object_add(o, "hotplug", hotplug_obj(hp));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, dev_obj(&devs[i]));
	json_object_object_add(o, "devices", arr);
	add_u64(c, "files", conf->nr_files);
	add_str(c, "error", conf->error);
	json_object_object_add(o, "configuration", c);
	return emit(o);
}

/* s with each line after the first indented by ind spaces: nested as in emit(). */
static void put_indented(const char *s, int ind)
{
	const char *nl;

	while ((nl = strchr(s, '\n'))) {
		fwrite(s, 1, (size_t)(nl + 1 - s), stdout);
		printf("%*s", ind, "");
		s = nl + 1;
	}
	fputs(s, stdout);
}

/*
 * The streamed block's zone: the string object z, or null while valid_zones
 * is empty; *is_null says which, and that z's reference is then ours.
 */
static void set_zone(struct json_object *bo, struct json_object *z,
		     const char *zones, bool *is_null)
{
	if (!*zones && !*is_null) {
		json_object_get(z);
		json_object_object_add(bo, "zone", NULL);
		*is_null = true;
	} else if (*zones && *is_null) {
		json_object_object_add(bo, "zone", z);
		*is_null = false;
	}
	if (*zones)
		json_object_set_string(z, zones);
}

/*
 * Streamed, one block object at a time: a json-c tree of 65,536 blocks
 * and its string took more memory than lsmem -J. Same text as emit().
 */
int cli_json_blocks(const struct mh_blocks *b)
{
	struct json_object *bo = json_object_new_object();
	struct json_object *f[7];
	bool zone_null = false;
	static const char *const keys[7] = {
		"block", "start", "end", "state", "zone", "node", "removable"
	};

	/* One object, its values set anew per block: no allocation per block. */
	f[0] = json_object_new_uint64(0);
	f[1] = json_object_new_uint64(0);
	f[2] = json_object_new_uint64(0);
	f[3] = json_object_new_string("");
	f[4] = json_object_new_string("");
	f[5] = json_object_new_int64(0);
	f[6] = json_object_new_boolean(0);
	for (int k = 0; k < 7; k++)
		json_object_object_add(bo, keys[k], f[k]);
	cli_json_printed = true;
	printf("{\n  \"schema_version\": %d,\n  \"block_size\": %" PRIu64
	       ",\n  \"blocks\": [", MH_JSON_SCHEMA_VERSION, b->block_size);
	for (size_t i = 0; i < b->count; i++) {
		const struct mh_block *blk = &b->v[i];

		json_object_set_uint64(f[0], blk->id);
		json_object_set_uint64(f[1], blk->id * b->block_size);
		json_object_set_uint64(f[2], (blk->id + 1) * b->block_size - 1);
		json_object_set_string(f[3], mh_block_state_name(blk->state));
		set_zone(bo, f[4], blk->valid_zones, &zone_null);
		json_object_set_int64(f[5], blk->node);
		json_object_set_boolean(f[6], mh_block_removable(blk));
		fputs(i ? ",\n    " : "\n    ", stdout);
		put_indented(json_object_to_json_string_ext(bo,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				JSON_C_TO_STRING_NOSLASHESCAPE), 4);
	}
	if (zone_null)
		json_object_put(f[4]);
	json_object_put(bo);
	fputs("\n  ]\n}\n", stdout);
	return MH_EXIT_OK;
}

/* Steps of these kinds name a driver or a policy (arg); others never do. */
static bool step_has_arg(enum mh_step_kind k)
{
	switch (k) {
	case MH_STEP_LOAD_KMEM:
	case MH_STEP_SET_POLICY:
	case MH_STEP_UNBIND:
	case MH_STEP_BIND_KMEM:
	case MH_STEP_UNBIND_KMEM:
	case MH_STEP_BIND_DEVDAX:
	case MH_STEP_RESTORE_POLICY:
		return true;
	default:
		return false;
	}
}

static struct json_object *step_obj(const struct mh_plan *p, size_t i, bool done)
{
	const struct mh_step *s = &p->steps[i];
	struct json_object *o = json_object_new_object();

	add_str(o, "step", mh_step_kind_name(s->kind));
	if (s->kind == MH_STEP_ONLINE_BLOCK || s->kind == MH_STEP_OFFLINE_BLOCK)
		add_u64(o, "block", s->block);
	if (s->kind == MH_STEP_ONLINE_BLOCK)
		add_str(o, "zone", mh_zone_name(s->zone));
	/* An offline step names the zone the block leaves (rollback goes back there). */
	if (s->kind == MH_STEP_OFFLINE_BLOCK) {
		ssize_t b = mh_plan_block_index(p, s->block);

		add_str(o, "zone", b >= 0 && p->orig_zone ? mh_zone_name(p->orig_zone[b]) : NULL);
	}
	if (step_has_arg(s->kind))
		add_str(o, "arg", s->arg);
	add_bool(o, "done", done);
	return o;
}
/*
 * After a failed offline, what the kernel logged about the block: read or
 * not (and why not), the dumped page and the words of its failure; the
 * advice is ours, derived from them.
 */
static struct json_object *kernel_log_obj(const struct mh_block_result *b)
{
	const struct mh_kmsg_reason *k = &b->kmsg;
	struct json_object *o = json_object_new_object();
	bool found = k->status == MH_KMSG_FOUND;

	add_bool(o, "read", k->status != MH_KMSG_UNREAD);
	add_str(o, "not_read_because", k->status == MH_KMSG_UNREAD ? k->why_not : NULL);
	add_str(o, "page", found && k->page[0] ? k->page : NULL);
	add_str(o, "page_dumped_because", found && k->page[0] ? k->because : NULL);
	add_str(o, "failed_due_to", found && k->failed[0] ? k->failed : NULL);
	add_str(o, "advice", mh_kmsg_advice(k, b->err == ETIMEDOUT || b->err == EINTR));
	return o;
}

/*
 * memhotctl's own reading of the block's flags after a failed offline the
 * kernel log named no page of: the pages without any flag, the first pfns.
 */
static struct json_object *page_flags_obj(const struct mh_block_result *b)
{
	const struct mh_pin_reading *p = &b->pins;
	struct json_object *o = json_object_new_object();
	struct json_object *pfns = json_object_new_array();
	bool read = p->status == MH_PIN_READ;
	char text[512];

	add_bool(o, "read", read);
	add_str(o, "not_read_because", read ? NULL : p->why_not);
	add_str(o, "zone", read && p->zone[0] ? p->zone : NULL);
	if (read)
		add_u64(o, "flagless_pages", p->count);
	else
		json_object_object_add(o, "flagless_pages", NULL);
	for (unsigned i = 0; read && i < p->nr_pfns; i++)
		json_object_array_add(pfns, json_object_new_uint64(p->pfn[i]));
	json_object_object_add(o, "first_pfns", pfns);
	if (read && p->count && p->pcp >= 0)
		add_bool(o, "per_cpu_possible", p->pcp);
	else
		json_object_object_add(o, "per_cpu_possible", NULL);
	mh_pin_describe(p, text, sizeof(text));
	add_str(o, "text", text);
	add_str(o, "advice", mh_pin_advice(p));
	return o;
}


static struct json_object *op_obj(const struct cli_op_report *r)
{
	const struct mh_exec_result *res = r->res;
	const struct mh_plan *p = r->plan;
	struct json_object *o = json_object_new_object();
	struct json_object *steps = json_object_new_array();
	struct json_object *blks = json_object_new_array();

	add_int(o, "schema_version", MH_JSON_SCHEMA_VERSION);
	add_str(o, "device", r->dev);
	add_str(o, "operation", r->op);
	add_bool(o, "dry_run", r->dry_run);
	add_str(o, "outcome", r->outcome);
	add_int(o, "exit_code", r->code);
	add_str(o, "message", r->message);
	for (size_t i = 0; p && i < p->nr_steps; i++)
		json_object_array_add(steps, step_obj(p, i, res && i < res->steps_done));
	json_object_object_add(o, "steps", steps);
	if (res) {
		for (size_t i = 0; i < res->nr_blocks; i++) {
			const struct mh_block_result *b = &res->blocks[i];
			struct json_object *bo = json_object_new_object();

			add_u64(bo, "block", b->block);
			add_str(bo, "state", mh_block_state_name(b->state));
			add_str(bo, "zone", mh_zone_word(b->zone));
			add_int(bo, "attempts", b->attempts);
			add_str(bo, "error", b->err ? strerror(b->err) : NULL);
			if (b->kmsg.status != MH_KMSG_NONE)
				json_object_object_add(bo, "kernel_log", kernel_log_obj(b));
			if (b->pins.status != MH_PIN_NONE)
				json_object_object_add(bo, "page_flags", page_flags_obj(b));
			json_object_array_add(blks, bo);
		}
	} else if (p) {
		for (size_t i = 0; i < p->nr_blocks; i++) {
			struct json_object *bo = json_object_new_object();

			add_u64(bo, "block", p->blocks[i]);
			add_str(bo, "state", mh_block_state_name(p->orig_state[i]));
			add_str(bo, "zone", mh_zone_word(p->orig_zone[i]));
			add_int(bo, "attempts", 0);
			add_str(bo, "error", NULL);
			json_object_array_add(blks, bo);
		}
	}
	json_object_object_add(o, "blocks", blks);
	add_str(o, "driver", res ? res->final_driver : r->driver);
	add_bool(o, "rolled_back", res && res->rolled_back);
	add_bool(o, "policy_restored", res ? res->policy_restored : true);
	return o;
}

int cli_json_op(const struct cli_op_report *r)
{
	return emit(op_obj(r));
}

static struct json_object *apply_state_obj(const struct cli_apply_state *st)
{
	struct json_object *o = json_object_new_object();
	const char *zone = NULL;

	if (st->nr_movable && st->nr_normal)
		zone = "mixed";
	else if (st->nr_movable)
		zone = "movable";
	else if (st->nr_normal)
		zone = "normal";
	add_str(o, "mode", st->mode);
	add_str(o, "zone", zone);
	add_u64(o, "online", st->nr_online);
	add_u64(o, "offline", st->nr_offline);
	return o;
}

int cli_json_apply(const struct cli_apply_dev *devs, size_t n, bool dry_run,
		   enum mh_exit code)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	add_int(o, "schema_version", MH_JSON_SCHEMA_VERSION);
	add_bool(o, "dry_run", dry_run);
	add_int(o, "exit_code", code);
	for (size_t i = 0; i < n; i++) {
		const struct cli_apply_dev *d = &devs[i];
		struct json_object *dobj = json_object_new_object();
		struct json_object *ops = json_object_new_array();

		add_str(dobj, "device", d->dev);
		json_object_object_add(dobj, "entry", conf_entry_obj(d->entry));
		json_object_object_add(dobj, "before", apply_state_obj(&d->before));
		json_object_object_add(dobj, "after", apply_state_obj(&d->after));
		add_bool(dobj, "changed", d->changed);
		add_int(dobj, "exit_code", d->code);
		add_str(dobj, "message", d->message);
		for (size_t k = 0; k < d->nr_ops; k++)
			json_object_array_add(ops, op_obj(&d->ops[k]));
		json_object_object_add(dobj, "operations", ops);
		json_object_array_add(arr, dobj);
	}
	json_object_object_add(o, "apply", arr);
	return emit(o);
}

/*
 * A run that ends with an error before it has a result to print (usage, a
 * bad name, an unreadable tree, the lock) still gives a script one document
 * to parse: the command, the exit status and the first message said.
 */
void cli_json_error(const char *command, int exit_code, const char *message)
{
	struct json_object *o = json_object_new_object();

	add_int(o, "schema_version", MH_JSON_SCHEMA_VERSION);
	add_str(o, "command", command);
	add_int(o, "exit_code", exit_code);
	add_str(o, "error", message && *message ? message : NULL);
	emit(o);
}
