// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dax devices. A name is checked before any path is built from it; the
 * membership of a device is its mappingN ranges, never resource+size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dax.h"
#include "err.h"
#include "block.h"

/* Decimal without leading zeros, at most 9 digits: fits unsigned. */
static const char *parse_dec(const char *s, unsigned *v)
{
	unsigned n = 0;
	int digits = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return NULL;
	while (*s >= '0' && *s <= '9') {
		if (++digits > 9)
			return NULL;
		n = n * 10 + (unsigned)(*s++ - '0');
	}
	*v = n;
	return s;
}

int mh_dax_name_parse(const char *name, unsigned *region, unsigned *id)
{
	const char *p;

	if (!name || strncmp(name, "dax", 3))
		return -EINVAL;
	p = parse_dec(name + 3, region);
	if (!p || *p != '.')
		return -EINVAL;
	p = parse_dec(p + 1, id);
	if (!p || *p)
		return -EINVAL;
	return 0;
}

int mh_dax_name_valid(const char *name)
{
	unsigned r, i;

	return mh_dax_name_parse(name, &r, &i);
}

/* "prefix" followed by N or N.M, nothing else. */
static bool is_numbered(const char *c, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix), i;
	bool dot = false;

	if (len <= pl || strncmp(c, prefix, pl))
		return false;
	for (i = pl; i < len; i++) {
		if (c[i] == '.' && !dot && i > pl && i + 1 < len)
			dot = true;
		else if (c[i] < '0' || c[i] > '9')
			return false;
	}
	return true;
}

static void add_word(char *buf, size_t len, const char *w, size_t wl)
{
	size_t used = strlen(buf);

	if (used + wl + 2 > len)
		return;
	if (used)
		buf[used++] = ' ';
	memcpy(buf + used, w, wl);
	buf[used + wl] = '\0';
}

enum mh_dax_kind mh_dax_kind_from_path(const char *path, char *backing, size_t len)
{
	enum mh_dax_kind kind = MH_KIND_UNKNOWN;
	const char *c = path;
	char bk[128] = "";

	/*
	 * e820 and CXL first: their pmem also sits under an ndbus (CXL's
	 * below ACPI0017/rootN/nvdimm-bridgeN, seen on 6.1 and 6.12).
	 */
	if (strstr(path, "e820"))
		kind = MH_KIND_E820;
	else if (strstr(path, "ACPI0017") || strstr(path, "nvdimm-bridge") ||
		 strstr(path, "cxl"))
		kind = MH_KIND_CXL;
	else if (strstr(path, "ndbus") || strstr(path, "ACPI0012") ||
		 strstr(path, "nfit"))
		kind = MH_KIND_NVDIMM;
	else if (strstr(path, "hmem"))
		kind = MH_KIND_HMEM;
	else if (strstr(path, "pmem"))
		kind = MH_KIND_E820;	/* legacy memmap=nn!ss pmem */

	/* Backing: the namespace, region and hmem names along the path. */
	while (*c) {
		size_t l;

		while (*c == '/')
			c++;
		l = strcspn(c, "/");
		if (is_numbered(c, l, "namespace") || is_numbered(c, l, "region") ||
		    is_numbered(c, l, "hmem."))
			add_word(bk, sizeof(bk), c, l);
		c += l;
	}
	if (backing && len)
		snprintf(backing, len, "%s", bk);
	return kind;
}

static int dev_rel(char *buf, size_t len, const char *name, const char *attr)
{
	int n = snprintf(buf, len, MH_DAX_DEVICES_DIR "/%s%s%s", name,
			 *attr ? "/" : "", attr);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int mh_dax_read_driver(struct mh_root *root, const char *name, char *buf, size_t len)
{
	char rel[PATH_MAX];

	if (dev_rel(rel, sizeof(rel), name, "driver"))
		return -ENAMETOOLONG;
	return mh_read_link_name(root, rel, buf, len);
}

/*
 * On an nd bus the dax device's parent (the nd "daxN.M" device) names its
 * namespace in a "namespace" attribute, which the path does not show.
 */
static void add_namespace(struct mh_root *root, const char *name, char *backing,
			  size_t len)
{
	char rel[PATH_MAX], ns[64];
	size_t nl, bl = strlen(backing);

	if (dev_rel(rel, sizeof(rel), name, "../namespace") ||
	    mh_read_attr(root, rel, ns, sizeof(ns)) <= 0 ||
	    !is_numbered(ns, strlen(ns), "namespace"))
		return;
	nl = strlen(ns);
	if (nl + 1 + bl >= len)
		return;
	/* "namespace0.0 region0": the namespace goes first */
	memmove(backing + nl + (bl ? 1 : 0), backing, bl + 1);
	memcpy(backing, ns, nl);
	if (bl)
		backing[nl] = ' ';
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Indexes of the mappingN directories, sorted. */
static int mapping_indexes(struct mh_root *root, const char *name,
			   unsigned *idx, size_t max, size_t *n)
{
	char rel[PATH_MAX];
	struct dirent *de;
	unsigned v;
	DIR *d;
	int err;

	*n = 0;
	dev_rel(rel, sizeof(rel), name, "");
	err = mh_root_opendir(root, rel, &d);
	if (err)
		return err;
	while ((de = readdir(d))) {
		const char *p;

		if (strncmp(de->d_name, "mapping", 7))
			continue;
		p = parse_dec(de->d_name + 7, &v);
		if (!p || *p)
			continue;
		if (*n == max) {
			closedir(d);
			return -E2BIG;
		}
		idx[(*n)++] = v;
	}
	closedir(d);
	qsort(idx, *n, sizeof(*idx), cmp_uint);
	return 0;
}

/* mappingN/start and end print "%#llx": "0x110000000", or "0" for zero. */
static int read_hex_0x(struct mh_root *root, const char *rel, uint64_t *v)
{
	char buf[32];
	int ret;

	ret = mh_read_attr(root, rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (buf[0] == '0' && buf[1] == 'x' && buf[2])
		return mh_parse_u64(buf + 2, 16, v);
	if (!strcmp(buf, "0")) {
		*v = 0;
		return 0;
	}
	return -EINVAL;
}

static int read_ranges(struct mh_root *root, struct mh_dax_dev *dev, struct mh_err *e)
{
	unsigned idx[MH_DAX_MAX_RANGES];
	char rel[PATH_MAX], attr[32];
	size_t n, i;
	int ret;

	ret = mapping_indexes(root, dev->name, idx, MH_DAX_MAX_RANGES, &n);
	if (ret < 0) {
		dev_rel(rel, sizeof(rel), dev->name, "");
		return mh_root_read_err(root, e, ret, rel);
	}
	for (i = 0; i < n; i++) {
		struct mh_range *r = &dev->ranges[i];

		snprintf(attr, sizeof(attr), "mapping%u/start", idx[i]);
		dev_rel(rel, sizeof(rel), dev->name, attr);
		ret = read_hex_0x(root, rel, &r->start);
		if (ret == 0) {
			snprintf(attr, sizeof(attr), "mapping%u/end", idx[i]);
			dev_rel(rel, sizeof(rel), dev->name, attr);
			ret = read_hex_0x(root, rel, &r->end);
			if (ret == 0 && r->end < r->start)
				ret = -EINVAL;
		}
		if (ret < 0)
			return mh_root_read_err(root, e, ret, rel);
	}
	dev->nr_ranges = n;
	return 0;
}

/* Optional int attribute: -1 when absent. */
static int read_opt_int(struct mh_root *root, const char *name, const char *attr,
			int *val, struct mh_err *e)
{
	char rel[PATH_MAX];
	int ret;

	dev_rel(rel, sizeof(rel), name, attr);
	ret = mh_read_int(root, rel, val);
	if (ret == -ENOENT) {
		*val = -1;
		return 0;
	}
	if (ret < 0)
		return mh_root_read_err(root, e, ret, rel);
	return 0;
}

/*
 * Gone (-ENODEV) only when the bus has no entry of that name: an entry
 * whose link cannot be followed (a loop, a target missing) is an error
 * of its own, so that a device is never silently left out.
 */
int mh_dax_dev_check(struct mh_root *root, const char *name, struct mh_err *e)
{
	char rel[PATH_MAX];
	int ret;

	if (mh_dax_name_valid(name))
		return mh_root_read_err(root, e, -EINVAL, NULL);
	dev_rel(rel, sizeof(rel), name, "");
	ret = mh_path_check(root, rel, true);
	if (ret == -ENOENT || ret == -ENOTDIR) {
		int entry = mh_path_check(root, rel, false);

		if (entry == -ENOENT || entry == -ENOTDIR)
			ret = -ENODEV;
	} else if (ret == -ENODEV) {
		ret = -EIO;
	}
	return ret < 0 ? mh_root_read_err(root, e, ret, rel) : 0;
}

int mh_dax_read(struct mh_root *root, const char *name, struct mh_dax_dev *dev,
		struct mh_err *e)
{
	char rel[PATH_MAX], link[PATH_MAX];
	int ret;

	memset(dev, 0, sizeof(*dev));
	if (mh_dax_name_valid(name))
		return mh_root_read_err(root, e, -EINVAL, NULL);
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->target_node = -1;
	dev->numa_node = -1;

	dev_rel(rel, sizeof(rel), name, "");
	ret = mh_dax_dev_check(root, name, e);
	if (ret < 0)
		return ret;

	/* Kind from where the bus link points; plain test dirs: unknown. */
	if (mh_read_link(root, rel, link, sizeof(link)) >= 0)
		dev->kind = mh_dax_kind_from_path(link, dev->backing,
						  sizeof(dev->backing));
	add_namespace(root, name, dev->backing, sizeof(dev->backing));

	ret = mh_dax_read_driver(root, name, dev->driver_name, sizeof(dev->driver_name));
	if (ret == -ENOENT) {
		dev->driver = MH_DRIVER_NONE;
		dev->driver_name[0] = '\0';
	} else if (ret < 0) {
		dev_rel(rel, sizeof(rel), name, "driver");
		return mh_root_read_err(root, e, ret, rel);
	} else if (!strcmp(dev->driver_name, "kmem")) {
		dev->driver = MH_DRIVER_KMEM;
	} else if (!strcmp(dev->driver_name, "device_dax")) {
		dev->driver = MH_DRIVER_DEVICE_DAX;
	} else {
		dev->driver = MH_DRIVER_OTHER;
	}

	dev_rel(rel, sizeof(rel), name, "size");
	ret = mh_read_u64(root, rel, 10, &dev->size);
	if (ret < 0)
		return mh_root_read_err(root, e, ret, rel);
	ret = read_opt_int(root, name, "target_node", &dev->target_node, e);
	if (ret < 0)
		return ret;
	ret = read_opt_int(root, name, "numa_node", &dev->numa_node, e);
	if (ret < 0)
		return ret;
	return read_ranges(root, dev, e);
}

static int cmp_dev(const void *a, const void *b)
{
	const struct mh_dax_dev *x = a, *y = b;
	unsigned xr = 0, xi = 0, yr = 0, yi = 0;

	mh_dax_name_parse(x->name, &xr, &xi);
	mh_dax_name_parse(y->name, &yr, &yi);
	if (xr != yr)
		return xr < yr ? -1 : 1;
	return xi < yi ? -1 : xi > yi;
}

int mh_dax_scan(struct mh_root *root, struct mh_dax_list *out, struct mh_err *e)
{
	struct mh_dax_dev *tmp;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = mh_root_opendir(root, MH_DAX_DEVICES_DIR, &d);
	if (ret == -ENOENT)
		return 0;	/* no dax bus: no devices */
	if (ret)
		return mh_root_read_err(root, e, ret, MH_DAX_DEVICES_DIR);
	while ((de = readdir(d))) {
		if (mh_dax_name_valid(de->d_name))
			continue;
		if (out->count == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(out->v, cap * sizeof(*tmp));
			if (!tmp) {
				ret = mh_root_read_err(root, e, -ENOMEM, NULL);
				break;
			}
			out->v = tmp;
		}
		ret = mh_dax_read(root, de->d_name, &out->v[out->count], e);
		if (ret == -ENODEV) {	/* went away while listing */
			mh_err_clear(e);
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		out->count++;
	}
	closedir(d);
	if (ret < 0) {
		mh_dax_list_free(out);
		return ret;
	}
	if (out->count)
		qsort(out->v, out->count, sizeof(*out->v), cmp_dev);
	return 0;
}

void mh_dax_list_free(struct mh_dax_list *l)
{
	if (!l)
		return;
	free(l->v);
	l->v = NULL;
	l->count = 0;
}

const struct mh_dax_dev *mh_dax_find(const struct mh_dax_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

int mh_dax_block_ids(const struct mh_dax_dev *dev, uint64_t block_size,
		     uint64_t **ids)
{
	uint64_t first, last, b, *v = NULL, *tmp;
	size_t n = 0, cap = 0, i;

	*ids = NULL;
	for (i = 0; i < dev->nr_ranges; i++) {
		if (!mh_range_blocks(&dev->ranges[i], block_size, &first, &last))
			continue;
		if (last - first >= (1ULL << 24))
			goto toobig;
		for (b = first; b <= last; b++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if (cap > (1U << 26))
					goto toobig;
				tmp = realloc(v, cap * sizeof(*v));
				if (!tmp) {
					free(v);
					return -ENOMEM;
				}
				v = tmp;
			}
			v[n++] = b;
		}
	}
	if (!n)
		return 0;
	/* mapping1 may lie below mapping0; ranges may share a block */
	*ids = v;
	return (int)mh_block_ids_sort_unique(v, n);
toobig:
	free(v);
	return -E2BIG;
}
