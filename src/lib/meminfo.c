// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Free memory, for the precondition of an offline: the pages in use on the
 * device must fit into the other nodes. MemAvailable alone counts the
 * device's own free pages as room, so the per-node meminfo files say how
 * much of it is the device's node.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "block.h"
#include "meminfo.h"

/* "Key:   123 kB" anywhere in buf (after "Node N " on node files). */
static bool find_kb(const char *buf, const char *key, unsigned long long *kb)
{
	const char *p = buf;
	size_t kl = strlen(key);

	while ((p = strstr(p, key))) {
		/* a whole key: at a line start or after "Node N " */
		if ((p == buf || p[-1] == '\n' || p[-1] == ' ') && p[kl] == ':')
			return sscanf(p + kl + 1, " %llu kB", kb) == 1;
		p += kl;
	}
	return false;
}

static int cmp_node(const void *a, const void *b)
{
	const struct mh_node_mem *x = a, *y = b;

	return (x->node > y->node) - (x->node < y->node);
}

static void read_nodes(struct mh_root *root, struct mh_meminfo *mi)
{
	struct mh_node_mem *tmp;
	char rel[PATH_MAX], buf[4096];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int n;

	if (mh_root_opendir(root, MH_NODE_DIR, &d))
		return;
	while ((de = readdir(d))) {
		struct mh_node_mem m = { 0 };

		n = mh_node_from_name(de->d_name);
		if (n < 0)
			continue;
		snprintf(rel, sizeof(rel), MH_NODE_DIR "/%s/meminfo", de->d_name);
		if (mh_read_attr(root, rel, buf, sizeof(buf)) < 0 ||
		    !find_kb(buf, "MemTotal", &m.total_kb) ||
		    !find_kb(buf, "MemFree", &m.free_kb))
			continue;
		m.node = n;
		if (mi->nr_nodes == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(mi->nodes, cap * sizeof(*tmp));
			if (!tmp)
				break;
			mi->nodes = tmp;
		}
		mi->nodes[mi->nr_nodes++] = m;
	}
	closedir(d);
	if (mi->nr_nodes)
		qsort(mi->nodes, mi->nr_nodes, sizeof(*mi->nodes), cmp_node);
}

void mh_meminfo_read(struct mh_root *root, struct mh_meminfo *mi)
{
	char buf[8192];

	memset(mi, 0, sizeof(*mi));
	if (mh_read_attr(root, MH_PROC_MEMINFO, buf, sizeof(buf)) >= 0 &&
	    !find_kb(buf, "MemAvailable", &mi->available_kb))
		mi->available_kb = 0;
	read_nodes(root, mi);
}

void mh_meminfo_free(struct mh_meminfo *mi)
{
	free(mi->nodes);
	mi->nodes = NULL;
	mi->nr_nodes = 0;
}

const struct mh_node_mem *mh_meminfo_node(const struct mh_meminfo *mi, int node)
{
	struct mh_node_mem key = { .node = node };

	if (!mi->nr_nodes)
		return NULL;
	return bsearch(&key, mi->nodes, mi->nr_nodes, sizeof(key), cmp_node);
}

bool mh_meminfo_room(const struct mh_meminfo *mi, int node,
		     unsigned long long online_bytes,
		     unsigned long long *need_kb, unsigned long long *have_kb)
{
	const struct mh_node_mem *m = node >= 0 ? mh_meminfo_node(mi, node) : NULL;
	unsigned long long online_kb = online_bytes >> 10, used_kb;

	if (!mi->available_kb)
		return false;
	*need_kb = online_kb;
	*have_kb = mi->available_kb;
	if (m && m->free_kb <= m->total_kb) {
		used_kb = m->total_kb - m->free_kb;
		if (used_kb < *need_kb)
			*need_kb = used_kb;
		*have_kb = mi->available_kb > m->free_kb ? mi->available_kb - m->free_kb : 0;
	}
	return true;
}
