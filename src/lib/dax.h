/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dax devices on the dax bus: /sys/bus/dax/devices/daxX.Y. */
#ifndef MH_DAX_H
#define MH_DAX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sysroot.h"
#include "range.h"

#define MH_DAX_NAME_MAX 32
#define MH_DAX_MAX_RANGES 64
#define MH_DAX_MAX_MEMDEVS 16

enum mh_dax_driver {
	MH_DRIVER_NONE = 0,
	MH_DRIVER_KMEM,
	MH_DRIVER_DEVICE_DAX,
	MH_DRIVER_OTHER,
};

/* What backs the device, for status. */
enum mh_dax_kind {
	MH_KIND_UNKNOWN = 0,
	MH_KIND_NVDIMM,		/* ndctl namespace on an ACPI.NFIT bus */
	MH_KIND_E820,		/* legacy persistent memory (nd_e820) */
	MH_KIND_HMEM,		/* soft-reserved range (dax_hmem) */
	MH_KIND_CXL,		/* CXL region */
};

struct mh_dax_dev {
	char name[MH_DAX_NAME_MAX];	/* "dax0.0" */
	enum mh_dax_driver driver;
	char driver_name[32];
	enum mh_dax_kind kind;
	char backing[128];		/* "namespace0.0 on region0", "cxl region0" */
	/* CXL only, filled by mh_cxl_lookup (cxl.h): "" when not looked up */
	char cxl_region[32];		/* "region0" under /sys/bus/cxl/devices */
	size_t nr_cxl_memdevs;
	char cxl_memdevs[MH_DAX_MAX_MEMDEVS][16];	/* "mem0", by position */
	uint64_t size;
	int target_node;		/* -1 when absent */
	int numa_node;
	size_t nr_ranges;
	struct mh_range ranges[MH_DAX_MAX_RANGES];	/* mapping0..N-1 */
};

struct mh_dax_list {
	size_t count;
	struct mh_dax_dev *v;	/* sorted by region then id */
};

/*
 * Check a user-given name before any path is built: "daxX.Y" with decimal
 * X and Y, nothing else. Returns 0 or -EINVAL.
 */
int mh_dax_name_valid(const char *name);
/* X and Y of a valid name, for sorting; -EINVAL like mh_dax_name_valid. */
int mh_dax_name_parse(const char *name, unsigned *region, unsigned *id);
/* Kind and backing text from the resolved device path (unit-testable). */
enum mh_dax_kind mh_dax_kind_from_path(const char *path, char *backing, size_t len);
struct mh_err;
/*
 * 0 when the bus entry of name can be followed, -ENODEV when there is no
 * such entry, another -errno when it is there but unreadable (-ELOOP...).
 * These three say a failure in e (NULL: nowhere) with the file it
 * concerns (mh_root_read_err()), the bus entry's for -ENODEV.
 */
int mh_dax_dev_check(struct mh_root *root, const char *name, struct mh_err *e);
int mh_dax_scan(struct mh_root *root, struct mh_dax_list *out, struct mh_err *e);
/* -ENODEV when the device does not exist. */
int mh_dax_read(struct mh_root *root, const char *name, struct mh_dax_dev *dev,
		struct mh_err *e);
void mh_dax_list_free(struct mh_dax_list *l);
/*
 * The driver name is bound to, from its driver link: 0, -ENOENT when
 * unbound, another -errno when the link cannot be read.
 */
int mh_dax_read_driver(struct mh_root *root, const char *name, char *buf, size_t len);

const struct mh_dax_dev *mh_dax_find(const struct mh_dax_list *l, const char *name);
/* names.c: "system-ram", "devdax", "none" (daxctl's modes); the kind */
const char *mh_dax_mode_name(enum mh_dax_driver d);
const char *mh_dax_kind_name(enum mh_dax_kind k);
/*
 * Whole blocks of every range of dev (kmem's inward rounding), sorted,
 * deduplicated. Returns the count; *ids malloc'd (NULL when 0).
 */
int mh_dax_block_ids(const struct mh_dax_dev *dev, uint64_t block_size,
		     uint64_t **ids);

#endif
