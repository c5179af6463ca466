/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory blocks: /sys/devices/system/memory/memoryN. */
#ifndef MH_BLOCK_H
#define MH_BLOCK_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "sysroot.h"

enum mh_block_state {
	MH_BLOCK_UNKNOWN = 0,
	MH_BLOCK_ONLINE,
	MH_BLOCK_OFFLINE,
	MH_BLOCK_GOING_OFFLINE,
};

/* Zones a block is onlined into, as memhotctl names them. */
enum mh_zone {
	MH_ZONE_UNKNOWN = 0,
	MH_ZONE_MOVABLE,
	MH_ZONE_NORMAL,	/* any kernel zone: Normal, DMA32, DMA... */
	MH_ZONE_NONE,	/* valid_zones "none": spans zones, cannot offline */
};

struct mh_block {
	uint64_t id;			/* memoryN, from the directory name */
	enum mh_block_state state;
	int node;			/* from the memoryN/nodeX link name; -1 unknown */
	char valid_zones[64];		/* as read, e.g. "Movable", "DMA Normal", "none" */
	int removable;			/* legacy attribute, -1 when absent */
};

struct mh_blocks {
	uint64_t block_size;		/* bytes, from block_size_bytes (hex) */
	size_t count;
	struct mh_block *v;		/* sorted by id */
};

struct mh_err;
/*
 * Scan every block. Returns 0 or -errno, said in e (NULL: nowhere) with
 * the bad file (mh_root_read_err()).
 */
int mh_blocks_scan(struct mh_root *root, struct mh_blocks *out, struct mh_err *e);
/* Read only the given ids (any order, duplicates allowed); missing skipped. */
int mh_blocks_scan_ids(struct mh_root *root, const uint64_t *ids, size_t n,
		       struct mh_blocks *out, struct mh_err *e);
void mh_blocks_free(struct mh_blocks *b);
/* Read one block; -ENOENT when its directory does not exist. */
int mh_block_read(struct mh_root *root, uint64_t id, struct mh_block *blk,
		  struct mh_err *e);
/* Root-relative path of memoryN/attr ("sys/devices/system/memory/memory34/state"). */
int mh_block_attr_path(uint64_t id, const char *attr, char *buf, size_t len);
/* Re-read one block's state only (one file): -ENOENT when it is gone. */
int mh_block_read_state(struct mh_root *root, uint64_t id, enum mh_block_state *st);
/* Re-read one block's state/zones. */
int mh_block_refresh(struct mh_root *root, struct mh_block *blk);
int mh_block_size(struct mh_root *root, uint64_t *bs);
/* "node12" -> 12 (a nodeX link or directory name); anything else -> -1. */
int mh_node_from_name(const char *name);
/* "memory34" -> 34 (a block's directory, link or uevent name); else -EINVAL. */
int mh_block_id_from_name(const char *name, uint64_t *id);
const struct mh_block *mh_blocks_find(const struct mh_blocks *b, uint64_t id);
/* qsort()/bsearch() order of uint64_t block ids. */
int mh_cmp_block_id(const void *a, const void *b);
/* Sort ids[] and drop repeats in place; returns how many are left. */
size_t mh_block_ids_sort_unique(uint64_t *ids, size_t n);

const char *mh_block_state_name(enum mh_block_state s);
int mh_parse_block_state(const char *s, enum mh_block_state *out);
/* Names (names.c): memhotctl's "movable", "normal", "none", "unknown"... */
const char *mh_zone_name(enum mh_zone z);
int mh_parse_zone(const char *s, enum mh_zone *out);
/* ...what --zone takes: movable or normal... */
int mh_parse_zone_option(const char *s, enum mh_zone *out);
/* ...the kernel's word ("Movable", "Normal", "none", ""), and the state to write. */
const char *mh_zone_word(enum mh_zone z);
const char *mh_zone_online_cmd(enum mh_zone z);
/* Zone of an online block from its valid_zones (first word). */
enum mh_zone mh_zone_from_valid_zones(const char *vz);
/* True when valid_zones lists z (offline block: may it go online there?). */
bool mh_valid_zones_allow(const char *vz, enum mh_zone z);
/*
 * The removability rule, for status, the planner and lsmem's column alike:
 * a block that spans zones or nodes (valid_zones "none") cannot be offlined;
 * removable is offline already, or online, offlinable and not vetoed by
 * the legacy removable attribute.
 */
bool mh_block_spans_zones(const struct mh_block *blk);
bool mh_block_removable(const struct mh_block *blk);

#endif
