// SPDX-License-Identifier: GPL-2.0-or-later
/* The CXL region and memdevs behind a dax device, through libcxl (dlib.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cxl/libcxl.h>

#include "cxl.h"
#include "dlib.h"
#include "log.h"

static typeof(cxl_new) *dl_cxl_new;
static typeof(cxl_unref) *dl_cxl_unref;
static typeof(cxl_set_log_fn) *dl_cxl_set_log_fn;
static typeof(cxl_bus_get_first) *dl_cxl_bus_get_first;
static typeof(cxl_bus_get_next) *dl_cxl_bus_get_next;
static typeof(cxl_bus_get_port) *dl_cxl_bus_get_port;
static typeof(cxl_decoder_get_first) *dl_cxl_decoder_get_first;
static typeof(cxl_decoder_get_next) *dl_cxl_decoder_get_next;
static typeof(cxl_decoder_get_memdev) *dl_cxl_decoder_get_memdev;
static typeof(cxl_region_get_first) *dl_cxl_region_get_first;
static typeof(cxl_region_get_next) *dl_cxl_region_get_next;
static typeof(cxl_region_get_resource) *dl_cxl_region_get_resource;
static typeof(cxl_region_get_size) *dl_cxl_region_get_size;
static typeof(cxl_region_get_devname) *dl_cxl_region_get_devname;
static typeof(cxl_mapping_get_first) *dl_cxl_mapping_get_first;
static typeof(cxl_mapping_get_next) *dl_cxl_mapping_get_next;
static typeof(cxl_mapping_get_decoder) *dl_cxl_mapping_get_decoder;
static typeof(cxl_mapping_get_position) *dl_cxl_mapping_get_position;
static typeof(cxl_memdev_get_devname) *dl_cxl_memdev_get_devname;

int mh_cxl_open_lib(void)
{
	static void *handle;
	static const struct mh_dsym syms[] = {
		MH_DSYM(cxl_new),
		MH_DSYM(cxl_unref),
		MH_DSYM(cxl_set_log_fn),
		MH_DSYM(cxl_bus_get_first),
		MH_DSYM(cxl_bus_get_next),
		MH_DSYM(cxl_bus_get_port),
		MH_DSYM(cxl_decoder_get_first),
		MH_DSYM(cxl_decoder_get_next),
		MH_DSYM(cxl_decoder_get_memdev),
		MH_DSYM(cxl_region_get_first),
		MH_DSYM(cxl_region_get_next),
		MH_DSYM(cxl_region_get_resource),
		MH_DSYM(cxl_region_get_size),
		MH_DSYM(cxl_region_get_devname),
		MH_DSYM(cxl_mapping_get_first),
		MH_DSYM(cxl_mapping_get_next),
		MH_DSYM(cxl_mapping_get_decoder),
		MH_DSYM(cxl_mapping_get_position),
		MH_DSYM(cxl_memdev_get_devname),
	};

	return mh_dlib_open(&handle, "libcxl.so.1", syms, sizeof(syms) / sizeof(syms[0]));
}

/* libcxl's messages go to the library's log, at debug level. */
static void cxl_log(struct cxl_ctx *ctx, int priority, const char *file,
		    int line, const char *fn, const char *format, va_list args)
{
	char buf[256];
	size_t n;

	(void)ctx;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(buf, sizeof(buf), format, args);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	mh_dbg("libcxl: %s", buf);
}

/* Does the region's host physical range hold every range of dev? */
static bool region_holds(struct cxl_region *r, const struct mh_dax_dev *dev)
{
	unsigned long long res = dl_cxl_region_get_resource(r);
	unsigned long long size = dl_cxl_region_get_size(r);

	if (res == ULLONG_MAX || !size || size == ULLONG_MAX || res + size < res)
		return false;
	for (size_t i = 0; i < dev->nr_ranges; i++)
		if (dev->ranges[i].start < res || dev->ranges[i].end > res + size - 1)
			return false;
	return dev->nr_ranges > 0;
}

static void fill(struct cxl_region *r, struct mh_dax_dev *dev)
{
	struct cxl_memdev_mapping *m;

	snprintf(dev->cxl_region, sizeof(dev->cxl_region), "%s",
		 dl_cxl_region_get_devname(r));
	dev->nr_cxl_memdevs = 0;
	for (m = dl_cxl_mapping_get_first(r); m; m = dl_cxl_mapping_get_next(m)) {
		struct cxl_decoder *d = dl_cxl_mapping_get_decoder(m);
		struct cxl_memdev *md = d ? dl_cxl_decoder_get_memdev(d) : NULL;
		unsigned pos = dl_cxl_mapping_get_position(m);

		if (!md || pos >= MH_DAX_MAX_MEMDEVS)
			continue;
		snprintf(dev->cxl_memdevs[pos], sizeof(dev->cxl_memdevs[0]), "%s",
			 dl_cxl_memdev_get_devname(md));
		if (pos + 1 > dev->nr_cxl_memdevs)
			dev->nr_cxl_memdevs = pos + 1;
	}
}

/* The region whose range holds dev, searched under every root decoder. */
static bool find_region(struct cxl_ctx *ctx, struct mh_dax_dev *dev)
{
	struct cxl_bus *bus;

	for (bus = dl_cxl_bus_get_first(ctx); bus; bus = dl_cxl_bus_get_next(bus)) {
		struct cxl_port *port = dl_cxl_bus_get_port(bus);
		struct cxl_decoder *dec;

		for (dec = dl_cxl_decoder_get_first(port); dec;
		     dec = dl_cxl_decoder_get_next(dec)) {
			struct cxl_region *r;

			for (r = dl_cxl_region_get_first(dec); r;
			     r = dl_cxl_region_get_next(r)) {
				if (region_holds(r, dev)) {
					fill(r, dev);
					return true;
				}
			}
		}
	}
	return false;
}

int mh_cxl_lookup(struct mh_root *root, struct mh_dax_list *l)
{
	struct cxl_ctx *ctx;
	int ret, n = 0;
	size_t i;

	for (i = 0; i < l->count; i++)
		if (l->v[i].kind == MH_KIND_CXL)
			break;
	if (i == l->count)
		return 0;
	if (!mh_root_is_live(root)) {
		mh_dbg("cxl: sysroot is not /: no libcxl lookup");
		return -EOPNOTSUPP;
	}
	ret = mh_cxl_open_lib();
	if (ret < 0)
		return ret;
	ret = dl_cxl_new(&ctx);
	if (ret < 0)
		return ret;
	dl_cxl_set_log_fn(ctx, cxl_log);
	for (; i < l->count; i++) {
		struct mh_dax_dev *dev = &l->v[i];

		if (dev->kind != MH_KIND_CXL)
			continue;
		if (find_region(ctx, dev))
			n++;
		else
			mh_dbg("cxl: %s: no CXL region holds its ranges", dev->name);
	}
	dl_cxl_unref(ctx);
	return n;
}
