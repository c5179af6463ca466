// SPDX-License-Identifier: GPL-2.0-or-later
/* The CXL region and memdevs behind a dax device, through libcxl. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cxl/libcxl.h>

#include "cxl.h"
#include "log.h"

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
	unsigned long long res = cxl_region_get_resource(r);
	unsigned long long size = cxl_region_get_size(r);

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
		 cxl_region_get_devname(r));
	dev->nr_cxl_memdevs = 0;
	cxl_mapping_foreach(r, m) {
		struct cxl_decoder *d = cxl_mapping_get_decoder(m);
		struct cxl_memdev *md = d ? cxl_decoder_get_memdev(d) : NULL;
		unsigned pos = cxl_mapping_get_position(m);

		if (!md || pos >= MH_DAX_MAX_MEMDEVS)
			continue;
		snprintf(dev->cxl_memdevs[pos], sizeof(dev->cxl_memdevs[0]), "%s",
			 cxl_memdev_get_devname(md));
		if (pos + 1 > dev->nr_cxl_memdevs)
			dev->nr_cxl_memdevs = pos + 1;
	}
}

/* The region whose range holds dev, searched under every root decoder. */
static bool find_region(struct cxl_ctx *ctx, struct mh_dax_dev *dev)
{
	struct cxl_bus *bus;

	cxl_bus_foreach(ctx, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *dec;

		cxl_decoder_foreach(port, dec) {
			struct cxl_region *r;

			cxl_region_foreach(dec, r) {
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
	ret = cxl_new(&ctx);
	if (ret < 0)
		return ret;
	cxl_set_log_fn(ctx, cxl_log);
	for (; i < l->count; i++) {
		struct mh_dax_dev *dev = &l->v[i];

		if (dev->kind != MH_KIND_CXL)
			continue;
		if (find_region(ctx, dev))
			n++;
		else
			mh_dbg("cxl: %s: no CXL region holds its ranges", dev->name);
	}
	cxl_unref(ctx);
	return n;
}
