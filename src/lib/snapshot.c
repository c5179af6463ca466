// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One read of everything a plan depends on, and the per-device view that
 * status and the planner share (membership, counts, removable verdict).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "log.h"
#include "snapshot.h"

static int read_devices(struct mh_root *root, const char *const *names,
			size_t nr, struct mh_dax_list *l, struct mh_err *e)
{
	size_t i;
	int ret;

	if (!names || !nr)
		return mh_dax_scan(root, l, e);
	l->v = calloc(nr, sizeof(*l->v));
	if (!l->v)
		return mh_root_read_err(root, e, -ENOMEM, NULL);
	for (i = 0; i < nr; i++) {
		if (mh_dax_find(l, names[i]))
			continue;
		ret = mh_dax_read(root, names[i], &l->v[l->count], e);
		if (ret < 0) {
			mh_dax_list_free(l);
			return ret;
		}
		l->count++;
	}
	return 0;
}

/* Every whole-block id of every device in the list. */
static int every_device_block_ids(const struct mh_dax_list *l, uint64_t bs,
			    uint64_t **out, size_t *n)
{
	uint64_t *all = NULL, *ids, *tmp;
	size_t i;
	int cnt;

	*n = 0;
	for (i = 0; i < l->count; i++) {
		cnt = mh_dax_block_ids(&l->v[i], bs, &ids);
		if (cnt < 0) {
			free(all);
			return cnt;
		}
		if (!cnt)
			continue;
		tmp = realloc(all, (*n + (size_t)cnt) * sizeof(*all));
		if (!tmp) {
			free(ids);
			free(all);
			return -ENOMEM;
		}
		all = tmp;
		memcpy(all + *n, ids, (size_t)cnt * sizeof(*ids));
		*n += (size_t)cnt;
		free(ids);
	}
	*out = all;
	return 0;
}

int mh_snapshot_take(struct mh_root *root, const char *const *names, size_t nr_names,
		     bool all_blocks, struct mh_snapshot *snap,
		     struct mh_err *e)
{
	char rel[] = MH_POLICY_ATTR;
	uint64_t *ids = NULL;
	size_t n = 0;
	int ret;

	memset(snap, 0, sizeof(*snap));
	ret = mh_block_size(root, &snap->block_size);
	if (ret < 0)
		return mh_root_read_err(root, e, ret, MH_MEMORY_DIR "/block_size_bytes");
	ret = mh_read_attr(root, rel, snap->auto_online, sizeof(snap->auto_online));
	if (ret == -ENOENT)
		snap->auto_online[0] = '\0';
	else if (ret < 0)
		return mh_root_read_err(root, e, ret, rel);
	ret = read_devices(root, names, nr_names, &snap->devs, e);
	if (ret < 0)
		return ret;
	if (all_blocks) {
		ret = mh_blocks_scan(root, &snap->blocks, e);
	} else {
		ret = every_device_block_ids(&snap->devs, snap->block_size, &ids, &n);
		if (ret < 0)
			mh_root_read_err(root, e, ret, NULL);
		else
			ret = mh_blocks_scan_ids(root, ids, n, &snap->blocks, e);
		free(ids);
	}
	if (ret < 0) {
		mh_snapshot_free(snap);
		return ret;
	}
	/* Informational (a precondition --force skips): unknown stays 0. */
	mh_meminfo_read(root, &snap->mem);
	return 0;
}

void mh_snapshot_free(struct mh_snapshot *snap)
{
	if (!snap)
		return;
	mh_dax_list_free(&snap->devs);
	mh_blocks_free(&snap->blocks);
	mh_meminfo_free(&snap->mem);
}

static void set_reason(struct mh_dev_view *v, bool removable, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(struct mh_dev_view *v, bool removable, const char *fmt, ...)
{
	va_list ap;

	v->removable = removable;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

/* The removable verdict, most serious reason first. */
static void judge(const struct mh_snapshot *snap, struct mh_dev_view *v,
		  uint64_t first_missing)
{
	const struct mh_dax_dev *dev = v->dev;
	size_t i;

	if (!v->nr_total) {
		set_reason(v, false, "no whole memory block in its ranges");
		return;
	}
	if (dev->driver != MH_DRIVER_KMEM) {
		set_reason(v, false, "not in system-ram mode (driver %s)",
			   dev->driver_name[0] ? dev->driver_name : "none");
		return;
	}
	for (i = 0; i < v->nr_blocks; i++)
		if (mh_block_spans_zones(v->blocks[i])) {
			set_reason(v, false, "memory%" PRIu64 " spans zones",
				   v->blocks[i]->id);
			return;
		}
	if (v->nr_missing) {
		set_reason(v, false, "%zu block%s missing (memory%" PRIu64 ")",
			   v->nr_missing, v->nr_missing > 1 ? "s" : "",
			   first_missing);
		return;
	}
	v->removable = true;
	for (i = 0; i < v->nr_blocks; i++) {
		const struct mh_block *b = v->blocks[i];
		char zone[sizeof(b->valid_zones)];

		if (b->state != MH_BLOCK_ONLINE ||
		    mh_zone_from_valid_zones(b->valid_zones) != MH_ZONE_NORMAL)
			continue;
		snprintf(zone, sizeof(zone), "%.*s",
			 (int)strcspn(b->valid_zones, " "), b->valid_zones);
		/*
		 * remove still tries, but kernel allocations soon pin such a
		 * block (seen on both kernels): do not call it removable.
		 */
		set_reason(v, false, "memory%" PRIu64 " is online in %s: kernel "
			   "allocations may pin it; offline it and online --zone "
			   "movable first", b->id, zone);
		return;
	}
	if (!strncmp(snap->auto_online, "online", 6))
		set_reason(v, true, "auto_online_blocks=%s (informational)",
			   snap->auto_online);
}

int mh_dev_view(const struct mh_snapshot *snap, const struct mh_dax_dev *dev,
		struct mh_dev_view *view)
{
	uint64_t *ids = NULL, first_missing = 0;
	const struct mh_block *b;
	int n, i;

	memset(view, 0, sizeof(*view));
	view->dev = dev;
	n = mh_dax_block_ids(dev, snap->block_size, &ids);
	if (n < 0)
		return n;
	if (n) {
		view->blocks = calloc((size_t)n, sizeof(*view->blocks));
		if (!view->blocks) {
			free(ids);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		b = mh_blocks_find(&snap->blocks, ids[i]);
		if (!b) {
			if (!view->nr_missing++)
				first_missing = ids[i];
			continue;
		}
		view->blocks[view->nr_blocks++] = b;
		if (b->state == MH_BLOCK_ONLINE)
			view->nr_online++;
		else if (b->state == MH_BLOCK_OFFLINE)
			view->nr_offline++;
	}
	free(ids);
	view->nr_total = (size_t)n;
	/* Not bound to kmem: the blocks do not exist yet, that is no fault. */
	if (dev->driver != MH_DRIVER_KMEM && !view->nr_blocks)
		view->nr_missing = 0;
	if (dev->driver == MH_DRIVER_KMEM && !n)
		mh_warn("%s: kmem but no whole memory block in its ranges", dev->name);
	judge(snap, view, first_missing);
	return 0;
}

void mh_dev_view_free(struct mh_dev_view *view)
{
	if (!view)
		return;
	free(view->blocks);
	view->blocks = NULL;
	view->nr_blocks = 0;
}
