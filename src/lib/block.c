// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory blocks. Scans must stay cheap at 65,536 blocks: one directory fd,
 * short relative openat()s, small stack buffers, no per-block opendir()
 * unless the node link is not where the previous block had it, and two
 * threads for big scans.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "block.h"
#include "err.h"

#define FD_BATCH 64

struct node_of {
	uint64_t id;
	int node;
};

struct scan_ctx {
	struct mh_root *root;
	int memfd;
	int node_guess;		/* node of the previous block: usually the same */
	bool full;		/* every block (status --blocks): read removable too */
	struct node_of *nodes;	/* full scans: from nodeX/memoryN links, by id */
	size_t nr_nodes;
	size_t nr_fds;		/* attribute fds read but not closed yet */
	int fds[FD_BATCH];
	struct mh_err *e;	/* the failure, NULL: not said */
};

/* Close every held fd: one close_range() per run of consecutive numbers. */
static void fds_flush(struct scan_ctx *c)
{
	size_t i, j, k;
	int t;

	/* insertion sort: the fds come nearly sorted */
	for (i = 1; i < c->nr_fds; i++) {
		t = c->fds[i];
		for (j = i; j > 0 && c->fds[j - 1] > t; j--)
			c->fds[j] = c->fds[j - 1];
		c->fds[j] = t;
	}
	for (i = 0; i < c->nr_fds; i = j) {
		for (j = i + 1; j < c->nr_fds && c->fds[j] == c->fds[j - 1] + 1; j++)
			;
		/* the run holds only fds we opened, so nobody else's is closed */
		if (syscall(SYS_close_range, (unsigned)c->fds[i], (unsigned)c->fds[j - 1], 0))
			for (k = i; k < j; k++)
				close(c->fds[k]);
	}
	c->nr_fds = 0;
}

/* Hold attribute fds and close them in batches: fewer syscalls per block. */
static void fds_release(struct scan_ctx *c, int fd)
{
	c->fds[c->nr_fds++] = fd;
	if (c->nr_fds == FD_BATCH)
		fds_flush(c);
}

/* rel under the memory directory (kept open), never out of a sysroot. */
static int mem_open(struct scan_ctx *c, const char *rel, int flags)
{
	return mh_root_openat_in(c->root, c->memfd, MH_MEMORY_DIR, rel, flags);
}

/*
 * mh_read_attr_in() with the close batched and a single read: a sysfs
 * attribute (one show() of at most a page) and a plain file in a captured
 * tree come whole in one read; only a full buffer needs a second look.
 */
static int read_attr(struct scan_ctx *c, const char *rel, char *buf, size_t len)
{
	int fd, ret;

	fd = mem_open(c, rel, O_RDONLY | O_NOFOLLOW);
	if (fd == -EMFILE) {
		fds_flush(c);
		fd = mem_open(c, rel, O_RDONLY | O_NOFOLLOW);
	}
	if (fd < 0)
		return fd;
	ret = (int)read(fd, buf, len - 1);
	if (ret < 0) {
		ret = -errno;
	} else if ((size_t)ret == len - 1) {
		/* a full buffer: let the careful reader decide (-EFBIG) */
		ret = mh_read_attr_in(c->root, c->memfd, MH_MEMORY_DIR, rel, buf, len);
	} else {
		buf[ret] = '\0';
		if (ret && buf[ret - 1] == '\n')
			buf[--ret] = '\0';
	}
	fds_release(c, fd);
	return ret;
}

int mh_block_attr_path(uint64_t id, const char *attr, char *buf, size_t len)
{
	int n = snprintf(buf, len, MH_MEMORY_DIR "/memory%" PRIu64 "/%s", id, attr);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Say err of memoryN/attr (id UINT64_MAX: of the memory directory's attr). */
static int set_err(struct scan_ctx *c, uint64_t id, const char *attr, int err)
{
	char rel[128];

	if (id == UINT64_MAX)
		snprintf(rel, sizeof(rel), MH_MEMORY_DIR "%s%s", *attr ? "/" : "", attr);
	else
		mh_block_attr_path(id, attr, rel, sizeof(rel));
	return mh_root_read_err(c->root, c->e, err, rel);
}

static int ctx_open(struct scan_ctx *c, struct mh_root *root, struct mh_err *e)
{
	c->root = root;
	c->e = e;
	c->node_guess = 0;
	c->full = false;
	c->nr_fds = 0;
	c->nodes = NULL;
	c->nr_nodes = 0;
	c->memfd = mh_root_openat(root, MH_MEMORY_DIR, O_RDONLY | O_DIRECTORY);
	if (c->memfd < 0)
		return set_err(c, UINT64_MAX, "", c->memfd);
	return 0;
}

int mh_node_from_name(const char *name)
{
	int node;

	if (strncmp(name, "node", 4) || name[4] < '0' || name[4] > '9')
		return -1;
	if (mh_parse_int(name + 4, &node) || node < 0)
		return -1;
	return node;
}

int mh_block_id_from_name(const char *name, uint64_t *id)
{
	if (strncmp(name, "memory", 6) || name[6] < '0' || name[6] > '9')
		return -EINVAL;
	return mh_parse_u64(name + 6, 10, id);
}

/*
 * The node is the name of the memoryN/nodeX link; the link itself dangles
 * in captured trees, so only its name counts. Try the previous block's
 * node first (one fstatat), list the directory only when that misses.
 */
static int block_node(struct scan_ctx *c, const char *blkname)
{
	char rel[64];
	struct dirent *de;
	DIR *d;
	int node = -1;

	snprintf(rel, sizeof(rel), "%s/node%d", blkname, c->node_guess);
	if (!mh_root_lstat_in(c->root, c->memfd, MH_MEMORY_DIR, rel))
		return c->node_guess;
	if (mh_opendir_in(c->root, c->memfd, MH_MEMORY_DIR, blkname, &d))
		return -1;
	while ((de = readdir(d))) {
		node = mh_node_from_name(de->d_name);
		if (node >= 0)
			break;
	}
	closedir(d);
	if (node >= 0)
		c->node_guess = node;
	return node;
}

static int cmp_node_of(const void *a, const void *b)
{
	const struct node_of *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Add the memoryN links of one nodeX directory to the map. */
static int node_dir_links(struct scan_ctx *c, int nodesfd, const char *name,
			  int node, size_t *cap)
{
	struct node_of *tmp;
	struct dirent *de;
	uint64_t id;
	DIR *d;
	int ret;

	ret = mh_opendir_in(c->root, nodesfd, MH_NODE_DIR, name, &d);
	if (ret)
		return ret == -ENOMEM ? ret : 0;	/* gone: no links */
	while ((de = readdir(d))) {
		if (mh_block_id_from_name(de->d_name, &id))
			continue;
		if (c->nr_nodes == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			tmp = realloc(c->nodes, *cap * sizeof(*tmp));
			if (!tmp) {
				closedir(d);
				return -ENOMEM;
			}
			c->nodes = tmp;
		}
		c->nodes[c->nr_nodes].id = id;
		c->nodes[c->nr_nodes++].node = node;
	}
	closedir(d);
	return 0;
}

/*
 * A full scan reads the node of every block from the node side: a few
 * directory listings instead of one lookup per block. Captured trees
 * have no node dirs; blocks not found here fall back to their own link.
 */
static void load_node_map(struct scan_ctx *c)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int node;

	if (mh_root_opendir(c->root, MH_NODE_DIR, &d))
		return;
	while ((de = readdir(d))) {
		node = mh_node_from_name(de->d_name);
		if (node >= 0 && node_dir_links(c, dirfd(d), de->d_name, node, &cap))
			break;
	}
	closedir(d);
	if (c->nr_nodes)
		qsort(c->nodes, c->nr_nodes, sizeof(*c->nodes), cmp_node_of);
}

static int lookup_node(struct scan_ctx *c, uint64_t id, const char *blkname)
{
	struct node_of key = { .id = id }, *hit;

	if (c->nr_nodes) {
		hit = bsearch(&key, c->nodes, c->nr_nodes, sizeof(key), cmp_node_of);
		if (hit)
			return hit->node;
	}
	return block_node(c, blkname);
}

/*
 * One block; BLOCK_GONE when its directory entry does not exist. An
 * entry that is there (a directory, or a link of a tree) whose state
 * cannot be read is an error, never a block gone.
 */
#define BLOCK_GONE 1

static int read_one(struct scan_ctx *c, uint64_t id, struct mh_block *blk)
{
	char name[32], rel[48], buf[64];
	struct stat st;
	int ret, v;

	snprintf(name, sizeof(name), "memory%" PRIu64, id);
	memset(blk, 0, sizeof(*blk));
	blk->id = id;

	snprintf(rel, sizeof(rel), "%s/state", name);
	ret = read_attr(c, rel, buf, sizeof(buf));
	/* one component of memfd, not followed: no way out of the root */
	if (ret == -ENOENT && fstatat(c->memfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	    errno == ENOENT)
		return BLOCK_GONE;	/* no such block (or it just went away) */
	if (ret >= 0)
		ret = mh_parse_block_state(buf, &blk->state);
	if (ret < 0)
		return set_err(c, id, "state", ret);

	/*
	 * The id is the directory's name, as lsmem takes it: phys_index is not
	 * read, it says the same in hex and every read costs (a TCG guest:
	 * ~0.3 ms each).
	 */

	/* valid_zones is missing on old kernels: "" means unknown. */
	snprintf(rel, sizeof(rel), "%s/valid_zones", name);
	ret = read_attr(c, rel, blk->valid_zones,
			      sizeof(blk->valid_zones));
	if (ret == -ENOENT) {
		blk->valid_zones[0] = '\0';
	} else if (ret < 0 || !blk->valid_zones[0] ||
		   strchr(blk->valid_zones, '\n')) {
		return set_err(c, id, "valid_zones", ret < 0 ? ret : -EINVAL);
	}

	/* Only the block table shows it; a device's blocks go without. */
	snprintf(rel, sizeof(rel), "%s/removable", name);
	ret = c->full ? read_attr(c, rel, buf, sizeof(buf)) : -ENOENT;
	if (ret == -ENOENT) {
		blk->removable = -1;
	} else {
		if (ret >= 0)
			ret = mh_parse_int(buf, &v);
		if (ret >= 0 && v != 0 && v != 1)
			ret = -EINVAL;
		if (ret < 0)
			return set_err(c, id, "removable", ret);
		blk->removable = v;
	}

	blk->node = lookup_node(c, id, name);
	return 0;
}

int mh_cmp_block_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int read_size(struct scan_ctx *c, uint64_t *bs)
{
	char buf[64];
	int ret;

	ret = mh_read_attr_in(c->root, c->memfd, MH_MEMORY_DIR, "block_size_bytes",
			      buf, sizeof(buf));
	if (ret >= 0)
		ret = mh_parse_u64(buf, 16, bs);
	if (ret >= 0 && *bs == 0)
		ret = -EINVAL;
	if (ret < 0)
		return set_err(c, UINT64_MAX, "block_size_bytes", ret);
	return 0;
}

/* Read ids[0..n) into v[]; missing[i] marks those that do not exist. */
static int read_range(struct scan_ctx *c, const uint64_t *ids, size_t n,
		      struct mh_block *v, bool *missing)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = read_one(c, ids[i], &v[i]);
		missing[i] = ret == BLOCK_GONE;
		if (ret == BLOCK_GONE)
			continue;
		if (ret < 0) {
			fds_flush(c);
			return ret;
		}
	}
	fds_flush(c);
	return 0;
}

/*
 * Big scans read in two threads: a block costs three open()+read() pairs
 * of sysfs, all system time that one CPU spends serially, and the halves
 * are independent. Each thread has its own fd batch and node guess.
 */
#define PAR_MIN_BLOCKS 4096

struct half {
	struct scan_ctx c;
	const uint64_t *ids;
	size_t n;
	struct mh_block *v;
	bool *missing;
	struct mh_err e;
	int ret;
};

static void *read_half(void *arg)
{
	struct half *h = arg;

	h->ret = read_range(&h->c, h->ids, h->n, h->v, h->missing);
	return NULL;
}

static int read_parallel(struct scan_ctx *c, const uint64_t *ids, size_t n,
			 struct mh_block *v, bool *missing)
{
	struct half *h;
	pthread_t t;
	size_t first = n / 2;
	int ret;

	if (n < PAR_MIN_BLOCKS || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return read_range(c, ids, n, v, missing);
	h = calloc(1, sizeof(*h));
	if (!h)
		return read_range(c, ids, n, v, missing);
	h->c = *c;
	h->c.nr_fds = 0;
	h->c.e = &h->e;
	h->ids = ids + first;
	h->n = n - first;
	h->v = v + first;
	h->missing = missing + first;
	if (pthread_create(&t, NULL, read_half, h)) {
		free(h);
		return read_range(c, ids, n, v, missing);
	}
	ret = read_range(c, ids, first, v, missing);
	pthread_join(t, NULL);
	/* the first bad block in id order is the one reported */
	if (!ret && h->ret) {
		ret = h->ret;
		if (c->e)
			*c->e = h->e;
	}
	if (h->c.node_guess >= 0)
		c->node_guess = h->c.node_guess;
	free(h);
	return ret;
}

/* Read ids[] (sorted, unique) into out; missing ones are skipped. */
static int read_ids(struct scan_ctx *c, const uint64_t *ids, size_t n,
		    struct mh_blocks *out)
{
	bool *missing;
	size_t i;
	int ret;

	out->count = 0;
	out->v = NULL;
	ret = read_size(c, &out->block_size);
	if (ret < 0)
		return ret;
	if (!n)
		return 0;
	out->v = calloc(n, sizeof(*out->v));
	missing = calloc(n, sizeof(*missing));
	if (!out->v || !missing) {
		free(missing);
		mh_blocks_free(out);
		return mh_root_read_err(c->root, c->e, -ENOMEM, NULL);
	}
	ret = read_parallel(c, ids, n, out->v, missing);
	for (i = 0; !ret && i < n; i++)
		if (!missing[i])
			out->v[out->count++] = out->v[i];
	free(missing);
	if (ret < 0)
		mh_blocks_free(out);
	return ret;
}

size_t mh_block_ids_sort_unique(uint64_t *ids, size_t n)
{
	size_t i, k = 0;

	qsort(ids, n, sizeof(*ids), mh_cmp_block_id);
	for (i = 0; i < n; i++)
		if (!k || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	return k;
}

/* Ids of every memoryN directory entry. */
static int list_ids(struct scan_ctx *c, uint64_t **idsp, size_t *np)
{
	size_t n = 0, cap = 1024;
	uint64_t *ids, id, *tmp;
	struct dirent *de;
	DIR *d;
	int ret;

	/* its own offset, not memfd's */
	ret = mh_opendir_in(c->root, c->memfd, MH_MEMORY_DIR, ".", &d);
	if (ret)
		return ret;
	ids = malloc(cap * sizeof(*ids));
	if (!ids) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (mh_block_id_from_name(de->d_name, &id))
			continue;
		if (n == cap) {
			cap *= 2;
			tmp = realloc(ids, cap * sizeof(*ids));
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			ids = tmp;
		}
		ids[n++] = id;
	}
	closedir(d);
	if (ret) {
		free(ids);
		return ret;
	}
	*idsp = ids;
	*np = mh_block_ids_sort_unique(ids, n);
	return 0;
}

int mh_blocks_scan(struct mh_root *root, struct mh_blocks *out, struct mh_err *e)
{
	struct scan_ctx c;
	uint64_t *ids = NULL;
	size_t n = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = ctx_open(&c, root, e);
	if (ret < 0)
		return ret;
	c.full = true;
	ret = list_ids(&c, &ids, &n);
	if (ret < 0) {
		set_err(&c, UINT64_MAX, "", ret);
	} else {
		load_node_map(&c);
		ret = read_ids(&c, ids, n, out);
	}
	free(c.nodes);
	free(ids);
	close(c.memfd);
	return ret;
}

int mh_blocks_scan_ids(struct mh_root *root, const uint64_t *ids, size_t n,
		       struct mh_blocks *out, struct mh_err *e)
{
	struct scan_ctx c;
	uint64_t *sorted = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (n) {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted)
			return mh_root_read_err(root, e, -ENOMEM, NULL);
		memcpy(sorted, ids, n * sizeof(*sorted));
		n = mh_block_ids_sort_unique(sorted, n);
	}
	ret = ctx_open(&c, root, e);
	if (ret == 0) {
		ret = read_ids(&c, sorted, n, out);
		close(c.memfd);
	}
	free(sorted);
	return ret;
}

int mh_block_read(struct mh_root *root, uint64_t id, struct mh_block *blk,
		  struct mh_err *e)
{
	struct scan_ctx c;
	char name[32];
	int ret;

	ret = ctx_open(&c, root, e);
	if (ret < 0)
		return ret;
	ret = read_one(&c, id, blk);
	/* -ENOENT says gone to callers: a state missing from a block there is not */
	if (ret == -ENOENT) {
		ret = set_err(&c, id, "state", -EIO);
	} else if (ret == BLOCK_GONE) {
		snprintf(name, sizeof(name), "memory%" PRIu64, id);
		ret = set_err(&c, UINT64_MAX, name, -ENOENT);
	}
	fds_flush(&c);
	close(c.memfd);
	return ret;
}

void mh_blocks_free(struct mh_blocks *b)
{
	if (!b)
		return;
	free(b->v);
	b->v = NULL;
	b->count = 0;
}

/*
 * Callers take ENOENT on a state file as "the block is gone" (removed with
 * its memory), which lets an offline or the last check pass: confirm it
 * by the directory entry, not followed, so neither a path or open bug nor
 * a link of a tree leading nowhere can pass for a removal.
 */
static bool block_dir_exists(struct mh_root *root, uint64_t id)
{
	char rel[128];
	int err;

	snprintf(rel, sizeof(rel), MH_MEMORY_DIR "/memory%" PRIu64, id);
	err = mh_path_check(root, rel, false);
	return err != -ENOENT && err != -ENOTDIR;
}

int mh_block_read_state(struct mh_root *root, uint64_t id, enum mh_block_state *st)
{
	char rel[128], buf[32];
	int ret;

	mh_block_attr_path(id, "state", rel, sizeof(rel));
	ret = mh_read_attr(root, rel, buf, sizeof(buf));
	if (ret == -ENOENT && block_dir_exists(root, id))
		return -EIO;	/* there but unreadable: never "gone" */
	if (ret < 0)
		return ret;
	return mh_parse_block_state(buf, st);
}

int mh_block_refresh(struct mh_root *root, struct mh_block *blk)
{
	char rel[128];
	enum mh_block_state st;
	int ret;

	ret = mh_block_read_state(root, blk->id, &st);
	if (ret < 0)
		return ret;
	blk->state = st;
	mh_block_attr_path(blk->id, "valid_zones", rel, sizeof(rel));
	ret = mh_read_attr(root, rel, blk->valid_zones, sizeof(blk->valid_zones));
	if (ret == -ENOENT)
		blk->valid_zones[0] = '\0';
	else if (ret < 0)
		return ret;
	return 0;
}

int mh_block_size(struct mh_root *root, uint64_t *bs)
{
	struct scan_ctx c;
	int ret;

	ret = ctx_open(&c, root, NULL);
	if (ret < 0)
		return ret;
	ret = read_size(&c, bs);
	close(c.memfd);
	return ret;
}

const struct mh_block *mh_blocks_find(const struct mh_blocks *b, uint64_t id)
{
	size_t lo = 0, hi = b->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->v[mid].id == id)
			return &b->v[mid];
		if (b->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One zone word of valid_zones, as memhotctl names it. */
static enum mh_zone zone_word(const char *w, size_t len)
{
	static const char *const kernel_zones[] = {
		"Normal", "DMA", "DMA32", "HighMem", NULL
	};
	size_t i;

	if (len == 7 && !strncmp(w, "Movable", 7))
		return MH_ZONE_MOVABLE;
	if (len == 4 && !strncmp(w, "none", 4))
		return MH_ZONE_NONE;
	for (i = 0; kernel_zones[i]; i++)
		if (strlen(kernel_zones[i]) == len && !strncmp(w, kernel_zones[i], len))
			return MH_ZONE_NORMAL;
	return MH_ZONE_UNKNOWN;
}

enum mh_zone mh_zone_from_valid_zones(const char *vz)
{
	size_t len;

	while (*vz == ' ')
		vz++;
	len = strcspn(vz, " \n");
	return len ? zone_word(vz, len) : MH_ZONE_UNKNOWN;
}

bool mh_valid_zones_allow(const char *vz, enum mh_zone z)
{
	size_t len;

	for (;;) {
		while (*vz == ' ')
			vz++;
		len = strcspn(vz, " \n");
		if (!len)
			return false;
		if (zone_word(vz, len) == z)
			return true;
		vz += len;
	}
}

bool mh_block_spans_zones(const struct mh_block *blk)
{
	return mh_zone_from_valid_zones(blk->valid_zones) == MH_ZONE_NONE;
}

bool mh_block_removable(const struct mh_block *blk)
{
	if (blk->state == MH_BLOCK_OFFLINE)
		return true;
	if (blk->state != MH_BLOCK_ONLINE || mh_block_spans_zones(blk))
		return false;
	return blk->removable != 0;
}
