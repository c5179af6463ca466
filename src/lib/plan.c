// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner: a pure function of a snapshot. What --dry-run prints is
 * exactly what the executor will do, and a refusal says why in one line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "plan.h"

/* Steps are few (one per block plus a handful): grow one at a time. */
static int add_step(struct mh_plan *p, enum mh_step_kind kind, uint64_t block,
		    enum mh_zone zone, const char *arg)
{
	struct mh_step *tmp, *s;

	tmp = realloc(p->steps, (p->nr_steps + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	p->steps = tmp;
	s = &p->steps[p->nr_steps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->block = block;
	s->zone = zone;
	if (arg)
		snprintf(s->arg, sizeof(s->arg), "%s", arg);
	return 0;
}

static const char *driver_text(const struct mh_dax_dev *d)
{
	return d->driver_name[0] ? d->driver_name : "none";
}

/* Record every block of the device and the state it had, for rollback. */
static int record_blocks(struct mh_plan *p, const struct mh_snapshot *snap,
			 const struct mh_dax_dev *dev)
{
	const struct mh_block *b;
	uint64_t *ids = NULL;
	int n, i;

	n = mh_dax_block_ids(dev, snap->block_size, &ids);
	if (n <= 0)
		return n;
	p->blocks = ids;
	p->orig_zone = calloc((size_t)n, sizeof(*p->orig_zone));
	p->orig_state = calloc((size_t)n, sizeof(*p->orig_state));
	if (!p->orig_zone || !p->orig_state)
		return -ENOMEM;
	p->nr_blocks = (size_t)n;
	for (i = 0; i < n; i++) {
		b = mh_blocks_find(&snap->blocks, ids[i]);
		p->orig_state[i] = b ? b->state : MH_BLOCK_UNKNOWN;
		p->orig_zone[i] = b && b->state != MH_BLOCK_OFFLINE ?
			mh_zone_from_valid_zones(b->valid_zones) : MH_ZONE_UNKNOWN;
	}
	return 0;
}

/* First word of valid_zones, for messages ("Normal"). */
static const char *zone_word(const struct mh_block *b, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(b->valid_zones, " "), b->valid_zones);
	return buf[0] ? buf : "an unknown zone";
}

/* Offline and remove: kmem only, no block that cannot be offlined. */
static int check_offlinable(const struct mh_snapshot *snap, const struct mh_dev_view *v,
			    const struct mh_plan_opts *opts, struct mh_err *e)
{
	const struct mh_dax_dev *dev = v->dev;
	unsigned long long need_kb, have_kb;
	uint64_t online_bytes;
	size_t i;
	int node;

	if (dev->driver != MH_DRIVER_KMEM)
		return mh_err_set(e, -EINVAL, NULL, "%s is not in system-ram mode (driver %s)",
			      dev->name, driver_text(dev));
	if (!v->nr_total)
		return mh_err_set(e, -EINVAL, NULL, "%s has no whole memory block in its ranges",
			      dev->name);
	for (i = 0; i < v->nr_blocks; i++)
		if (mh_block_spans_zones(v->blocks[i]))
			return mh_err_set(e, -EINVAL, NULL,
				      "memory%" PRIu64 " of %s spans zones (valid_zones none): "
				      "it cannot be offlined", v->blocks[i]->id, dev->name);
	/*
	 * Its used pages must fit into the other nodes: offline_pages() would
	 * otherwise migrate for as long as it is let, stalling the system.
	 */
	online_bytes = (uint64_t)(v->nr_online) * snap->block_size;
	node = dev->target_node;
	if (node < 0 && v->nr_blocks)
		node = v->blocks[0]->node;
	if (!opts->force && v->nr_online &&
	    mh_meminfo_room(&snap->mem, node, online_bytes, &need_kb, &have_kb) &&
	    have_kb < need_kb)
		return mh_err_set(e, -ENOMEM, NULL,
			      "not enough free memory elsewhere: %llu MiB in use on %s "
			      "(node %d), %llu MiB available on the other nodes "
			      "(use --force to try anyway)",
			      need_kb >> 10, dev->name, node, have_kb >> 10);
	return 0;
}

/*
 * Upwards, but the lowest block last. After each offline the kernel
 * walks the zone's pageblocks from its start to the first hole, to learn
 * whether the zone is still contiguous (set_zone_contiguous() in
 * remove_pfn_range_from_zone()). Upwards from the zone's start, each
 * offline only moves the start and leaves no hole, so each walk covers
 * every block still online: quadratic in the blocks. With the lowest
 * block kept online, the first offline leaves a hole right after it, and
 * every walk ends there. 64 blocks, time inside the writes upwards and
 * so: 627 and 378 ms in a 6.1 guest, 475 and 352 ms in a 6.12 one
 * (bench/FINDINGS.md, F1).
 */
static int plan_offline_blocks(struct mh_plan *p, const struct mh_dev_view *v)
{
	const struct mh_block *lowest = NULL;	/* its step goes last */
	size_t i;
	int ret;

	/* going-offline counts as online: the offline has to be (re)done */
	for (i = 0; i < v->nr_blocks; i++) {
		if (v->blocks[i]->state == MH_BLOCK_OFFLINE)
			continue;
		if (!lowest) {
			lowest = v->blocks[i];
			continue;
		}
		ret = add_step(p, MH_STEP_OFFLINE_BLOCK, v->blocks[i]->id,
			       MH_ZONE_UNKNOWN, NULL);
		if (ret < 0)
			return ret;
	}
	if (!lowest)
		return 0;
	ret = add_step(p, MH_STEP_OFFLINE_BLOCK, lowest->id, MH_ZONE_UNKNOWN, NULL);
	return ret < 0 ? ret : 0;
}

static int plan_remove(struct mh_plan *p, const struct mh_snapshot *snap,
		       const struct mh_dev_view *v, const struct mh_plan_opts *opts,
		       struct mh_err *e)
{
	enum mh_dax_driver d = v->dev->driver;
	int ret;

	/*
	 * Already where remove would leave it (a second run after one that
	 * finished, or one interrupted after the unbind): nothing to do.
	 */
	if ((d == MH_DRIVER_DEVICE_DAX && opts->rebind == MH_REBIND_DEVDAX) ||
	    (d == MH_DRIVER_NONE && opts->rebind == MH_REBIND_NONE))
		return 0;
	ret = check_offlinable(snap, v, opts, e);
	if (!ret)
		ret = plan_offline_blocks(p, v);
	if (!ret)
		ret = add_step(p, MH_STEP_CHECK_OFFLINE, 0, MH_ZONE_UNKNOWN, NULL);
	if (!ret)
		ret = add_step(p, MH_STEP_UNBIND_KMEM, 0, MH_ZONE_UNKNOWN, "kmem");
	if (!ret)
		ret = add_step(p, MH_STEP_VERIFY_RELEASED, 0, MH_ZONE_UNKNOWN, NULL);
	if (!ret && opts->rebind == MH_REBIND_DEVDAX)
		ret = add_step(p, MH_STEP_BIND_DEVDAX, 0, MH_ZONE_UNKNOWN, "device_dax");
	if (!ret)
		ret = add_step(p, MH_STEP_SETTLE_UDEV, 0, MH_ZONE_UNKNOWN, NULL);
	return ret;
}

static int plan_offline(struct mh_plan *p, const struct mh_snapshot *snap,
			const struct mh_dev_view *v, const struct mh_plan_opts *opts,
			struct mh_err *e)
{
	int ret = check_offlinable(snap, v, opts, e);

	return ret ? ret : plan_offline_blocks(p, v);
}

/* Not in kmem mode yet: bind kmem with the policy held at "offline". */
static int plan_online_bind(struct mh_plan *p, const struct mh_snapshot *snap,
			    const struct mh_dev_view *v, enum mh_zone zone)
{
	const struct mh_dax_dev *dev = v->dev;
	bool policy = snap->auto_online[0] && strcmp(snap->auto_online, "offline");
	size_t i;
	int ret;

	ret = add_step(p, MH_STEP_LOAD_KMEM, 0, MH_ZONE_UNKNOWN, "kmem");
	if (!ret && policy)
		ret = add_step(p, MH_STEP_SET_POLICY, 0, MH_ZONE_UNKNOWN, "offline");
	if (!ret && dev->driver != MH_DRIVER_NONE)
		ret = add_step(p, MH_STEP_UNBIND, 0, MH_ZONE_UNKNOWN, dev->driver_name);
	if (!ret)
		ret = add_step(p, MH_STEP_BIND_KMEM, 0, MH_ZONE_UNKNOWN, "kmem");
	/* The blocks kmem will add are known from the mappings already. */
	for (i = p->nr_blocks; !ret && i > 0; i--)	/* downwards: see plan_online() */
		ret = add_step(p, MH_STEP_ONLINE_BLOCK, p->blocks[i - 1], zone, NULL);
	if (!ret && policy)
		ret = add_step(p, MH_STEP_RESTORE_POLICY, 0, MH_ZONE_UNKNOWN,
			       snap->auto_online);
	if (!ret)
		ret = add_step(p, MH_STEP_SETTLE_UDEV, 0, MH_ZONE_UNKNOWN, NULL);
	return ret;
}

static int plan_online(struct mh_plan *p, const struct mh_snapshot *snap,
		       const struct mh_dev_view *v, const struct mh_plan_opts *opts,
		       struct mh_err *e)
{
	const struct mh_dax_dev *dev = v->dev;
	enum mh_zone zone = opts->zone == MH_ZONE_NORMAL ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;
	const char *zname = mh_zone_name(zone);
	char zw[64];
	size_t i;
	int ret;

	if (!v->nr_total)
		return mh_err_set(e, -EINVAL, NULL, "%s has no whole memory block in its "
			      "ranges: kmem cannot use it", dev->name);
	if (dev->driver != MH_DRIVER_KMEM)
		return plan_online_bind(p, snap, v, zone);
	if (v->nr_missing)
		return mh_err_set(e, -ENOENT, NULL, "%zu block%s of %s missing in sysfs",
			      v->nr_missing, v->nr_missing > 1 ? "s" : "", dev->name);
	/* Check every block before planning any, so a refusal changes nothing. */
	for (i = 0; i < v->nr_blocks; i++) {
		const struct mh_block *b = v->blocks[i];

		if (b->state == MH_BLOCK_GOING_OFFLINE)
			return mh_err_set(e, -EBUSY, NULL, "memory%" PRIu64 " is going offline",
				      b->id);
		if (b->state == MH_BLOCK_ONLINE &&
		    mh_zone_from_valid_zones(b->valid_zones) != zone)
			return mh_err_set(e, -EINVAL, NULL, "memory%" PRIu64 " is already "
				      "online in %s, not %s: offline it first", b->id,
				      zone_word(b, zw, sizeof(zw)), zname);
		if (b->state == MH_BLOCK_OFFLINE && b->valid_zones[0] &&
		    !mh_valid_zones_allow(b->valid_zones, zone))
			return mh_err_set(e, -EINVAL, NULL, "memory%" PRIu64 " cannot go "
				      "online in %s (valid_zones: %s)", b->id, zname,
				      b->valid_zones);
	}
	/*
	 * Downwards. After each online the kernel walks the zone's pageblocks
	 * from its start to the first one not online (set_zone_contiguous() in
	 * move_pfn_range_to_zone(), before the new block is marked online).
	 * Upwards, each walk covers every block onlined before it; downwards
	 * the new block is the zone's start and the walk ends at once. 64
	 * blocks, upwards and so: 466 and 270 ms (6.1), 357 and 208 ms (6.12).
	 */
	for (i = v->nr_blocks; i > 0; i--) {
		if (v->blocks[i - 1]->state != MH_BLOCK_OFFLINE)
			continue;
		ret = add_step(p, MH_STEP_ONLINE_BLOCK, v->blocks[i - 1]->id, zone, NULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int mh_plan_build(const struct mh_snapshot *snap, enum mh_op op, const char *dev,
		  const struct mh_plan_opts *opts, struct mh_plan *plan,
		  struct mh_err *e)
{
	static const struct mh_plan_opts defaults = { .zone = MH_ZONE_MOVABLE };
	const struct mh_dax_dev *d;
	struct mh_dev_view v;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (e)
		mh_err_clear(e);
	if (!opts)
		opts = &defaults;
	if (mh_dax_name_valid(dev))
		return mh_err_set(e, -EINVAL, NULL, "%s: not a dax device name", dev);
	d = mh_dax_find(&snap->devs, dev);
	if (!d)
		return mh_err_set(e, -ENODEV, NULL, "%s: no such device", dev);
	plan->op = op;
	snprintf(plan->dev, sizeof(plan->dev), "%s", dev);
	ret = mh_dev_view(snap, d, &v);
	if (ret < 0)
		return ret;
	ret = record_blocks(plan, snap, d);
	if (ret == 0) {
		switch (op) {
		case MH_OP_REMOVE:
			ret = plan_remove(plan, snap, &v, opts, e);
			break;
		case MH_OP_OFFLINE:
			ret = plan_offline(plan, snap, &v, opts, e);
			break;
		case MH_OP_ONLINE:
			ret = plan_online(plan, snap, &v, opts, e);
			break;
		default:
			ret = -EINVAL;
		}
	}
	mh_dev_view_free(&v);
	if (ret < 0) {
		if (ret == -ENOMEM && e && !e->msg[0])
			mh_err_set(e, ret, NULL, "out of memory");
		mh_plan_free(plan);
	}
	return ret;
}

void mh_plan_free(struct mh_plan *plan)
{
	if (!plan)
		return;
	free(plan->steps);
	free(plan->blocks);
	free(plan->orig_zone);
	free(plan->orig_state);
	plan->steps = NULL;
	plan->blocks = NULL;
	plan->orig_zone = NULL;
	plan->orig_state = NULL;
	plan->nr_steps = 0;
	plan->nr_blocks = 0;
}

/* Every step of a run asks, so no scan: mh_dax_block_ids() sorted them. */
ssize_t mh_plan_block_index(const struct mh_plan *plan, uint64_t id)
{
	const uint64_t *b;

	if (!plan->nr_blocks)
		return -1;
	b = bsearch(&id, plan->blocks, plan->nr_blocks, sizeof(*b), mh_cmp_block_id);
	return b ? b - plan->blocks : -1;
}

int mh_step_describe(const struct mh_plan *plan, const struct mh_step *s,
		     char *buf, size_t len)
{
	const char *name = mh_step_kind_name(s->kind);
	int n;

	switch (s->kind) {
	case MH_STEP_ONLINE_BLOCK:
		n = snprintf(buf, len, "%s memory%" PRIu64 " %s", name, s->block,
			     mh_zone_name(s->zone));
		break;
	case MH_STEP_OFFLINE_BLOCK:
		n = snprintf(buf, len, "%s memory%" PRIu64, name, s->block);
		break;
	case MH_STEP_SET_POLICY:
	case MH_STEP_RESTORE_POLICY:
		n = snprintf(buf, len, "%s auto_online_blocks=%s", name, s->arg);
		break;
	case MH_STEP_LOAD_KMEM:
	case MH_STEP_SETTLE_UDEV:
		n = snprintf(buf, len, "%s", name);
		break;
	case MH_STEP_UNBIND:
		n = snprintf(buf, len, "%s %s from %s", name, plan->dev, s->arg);
		break;
	default:
		n = snprintf(buf, len, "%s %s", name, plan->dev);
		break;
	}
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENOSPC : n;
}
