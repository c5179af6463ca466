/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How much memory the system has free, in all and per NUMA node. */
#ifndef MH_MEMINFO_H
#define MH_MEMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include "sysroot.h"

struct mh_node_mem {
	int node;
	unsigned long long total_kb, free_kb;	/* nodeN/meminfo MemTotal, MemFree */
};

struct mh_meminfo {
	unsigned long long available_kb;	/* /proc/meminfo MemAvailable, 0 unknown */
	size_t nr_nodes;			/* 0: no per-node figures */
	struct mh_node_mem *nodes;		/* sorted by node */
};

/* Never fails: what cannot be read stays unknown (0, no nodes). */
void mh_meminfo_read(struct mh_root *root, struct mh_meminfo *mi);
void mh_meminfo_free(struct mh_meminfo *mi);
const struct mh_node_mem *mh_meminfo_node(const struct mh_meminfo *mi, int node);

/*
 * Room for the pages in use on a device whose memory is online_bytes on
 * node: *need_kb is what must move (the node's used memory, at most the
 * device's online size), *have_kb what the other nodes can take
 * (MemAvailable without the node's own free memory). Without per-node
 * figures: the device's online size against MemAvailable. Returns false
 * when MemAvailable is unknown (nothing to judge by).
 */
bool mh_meminfo_room(const struct mh_meminfo *mi, int node,
		     unsigned long long online_bytes,
		     unsigned long long *need_kb, unsigned long long *have_kb);

#endif
