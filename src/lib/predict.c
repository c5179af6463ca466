// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-block offline verdicts from /proc/kpageflags, read through the
 * sysroot like every other file: only the block's own pfns, in chunks
 * (a 128 MiB block is 256 KiB of flags). A file that is missing, not
 * readable or too short gives no verdict; nothing is guessed.
 *
 * A page with no flag in a kernel zone is free on a per-CPU list (the
 * kernel skips it) or allocated by a driver (the kernel refuses it): the
 * flags show no refcount, and /proc/kpagecount is a mapcount (0 for both).
 * What tells them apart in number is the most the zone's per-CPU lists can
 * hold (/proc/zoneinfo): unflagged pages beyond it are kernel pages.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "predict.h"

#define MEMMAP_PARAM	"sys/module/memory_hotplug/parameters/memmap_on_memory"
#define CHUNK		4096	/* flag words per pread() */
#define STRUCT_PAGE	64	/* sizeof(struct page), x86-64 */

static bool memmap_on_memory(struct mh_root *root)
{
	char v[16];

	if (mh_read_attr(root, MEMMAP_PARAM, v, sizeof(v)) <= 0)
		return false;
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1' || !strcmp(v, "force");
}

void mh_predict_open(struct mh_root *root, uint64_t block_size, struct mh_predictor *pr)
{
	long ps = sysconf(_SC_PAGESIZE);

	memset(pr, 0, sizeof(*pr));
	pr->root = root;
	pr->page_size = ps > 0 ? (unsigned)ps : 4096;
	pr->block_pages = block_size / pr->page_size;
	if (memmap_on_memory(root))
		pr->memmap_pages = pr->block_pages * STRUCT_PAGE / pr->page_size;
	pr->fd = mh_root_openat(root, MH_PROC_KPAGEFLAGS, O_RDONLY);
	if (pr->fd < 0) {
		pr->err = pr->fd;
		pr->fd = -1;
	}
}

void mh_predict_close(struct mh_predictor *pr)
{
	if (pr->fd >= 0)
		close(pr->fd);
	pr->fd = -1;
	free(pr->zoneinfo);
	pr->zoneinfo = NULL;
	pr->zoneinfo_err = 0;
}

/*
 * How high a CPU's lists can go. 6.7 and later move high with the load, up
 * to high_max, which zoneinfo prints from 6.13 on; before that only the
 * current high shows. high_max is at most the zone's managed pages / 8
 * (zone_highsize() with MIN_PERCPU_PAGELIST_HIGH_FRACTION, split over at
 * least one CPU), and 6.1's fixed high (a share of the low watermark, or
 * of managed / percpu_pagelist_high_fraction >= 8) is below that too: so
 * without high_max printed, managed / 8 bounds it on every kernel.
 *
 * Past high, before the kernel trims (6.1 and 6.12 mm/page_alloc.c): a
 * free trims once count reaches high, by batch pages at least, and a freed
 * THP (order 9) lands before that trim; an allocation refills an empty list
 * without looking at high, by up to batch pages, at least two pages of the
 * list's order. So per CPU: high, batch, one THP, one refill of each of the
 * 12 lists of orders 0-3 (3 migrate types) and of the (at most 2) THP lists.
 */
#define PCP_HIGH_FRACTION_MIN	8
#define PCP_LOW_LISTS		12
#define PCP_LOW_REFILL_MIN	16	/* 2 pages of order 3 */
#define PCP_THP_PAGES		512
#define PCP_THP_LISTS		2

struct pcp_cpu {
	long long high, high_max, batch;
	bool has_high_max;
};

static uint64_t pcp_cpu_limit(const struct pcp_cpu *c, uint64_t managed)
{
	uint64_t high = (uint64_t)(c->high > c->high_max ? c->high : c->high_max);
	uint64_t batch = (uint64_t)c->batch;
	uint64_t low = batch > PCP_LOW_REFILL_MIN ? batch : PCP_LOW_REFILL_MIN;
	uint64_t thp = batch > 2 * PCP_THP_PAGES ? batch : 2 * PCP_THP_PAGES;

	if (!c->has_high_max && managed / PCP_HIGH_FRACTION_MIN > high)
		high = managed / PCP_HIGH_FRACTION_MIN;
	return high + batch + PCP_THP_PAGES + PCP_LOW_LISTS * low + PCP_THP_LISTS * thp;
}

/* "count:    12" -> key "count", value 12: 1, 0 not a "key: number" line, -EINVAL bad number. */
static int pcp_line(const char *l, size_t n, char *key, size_t klen, long long *val)
{
	size_t i = 0, k = 0;
	char num[24];
	char *end;

	while (i < n && l[i] == ' ')
		i++;
	while (i < n && (isalnum((unsigned char)l[i]) || l[i] == '_') && k + 1 < klen)
		key[k++] = l[i++];
	key[k] = '\0';
	if (!k || i >= n || l[i] != ':')
		return 0;
	for (i++; i < n && l[i] == ' '; i++)
		;
	if (n - i == 0 || n - i >= sizeof(num))
		return -EINVAL;
	memcpy(num, l + i, n - i);
	num[n - i] = '\0';
	errno = 0;
	*val = strtoll(num, &end, 10);
	if (errno || *end || end == num || *val < 0 || *val > INT32_MAX)
		return -EINVAL;
	return 1;
}

/* Is the line "Node NODE, zone ZONE"? */
static bool zone_header(const char *l, size_t n, int node, const char *zone)
{
	char line[64], name[32];
	int nd;

	if (n >= sizeof(line))
		return false;
	memcpy(line, l, n);
	line[n] = '\0';
	return sscanf(line, "Node %d, zone %31s", &nd, name) == 2 && nd == node &&
	       !strcmp(name, zone);
}

/* "        managed  163840" (no colon): 1 and *val, 0 another line. */
static int managed_line(const char *l, size_t n, uint64_t *val)
{
	char line[64];

	if (n >= sizeof(line))
		return 0;
	memcpy(line, l, n);
	line[n] = '\0';
	return sscanf(line, " managed %" SCNu64, val) == 1;
}

int mh_pcp_capacity(const char *zi, int node, const char *zone, uint64_t *pages)
{
	struct pcp_cpu cpu = { 0 };
	bool in_zone = false, found = false, in_cpu = false, has_managed = false;
	uint64_t total = 0, managed = 0;
	size_t cpus = 0;

	for (const char *l = zi; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		long long v;
		char key[16];
		int rc;

		if (!strncmp(l, "Node ", 5)) {
			if (in_zone)
				break;
			in_zone = zone_header(l, n, node, zone);
			found |= in_zone;
		} else if (in_zone && !in_cpu && managed_line(l, n, &managed)) {
			has_managed = true;
		} else if (in_zone && (rc = pcp_line(l, n, key, sizeof(key), &v))) {
			if (rc < 0 && (in_cpu || !strcmp(key, "cpu")))
				return -EINVAL;
			if (!strcmp(key, "cpu")) {
				if (in_cpu && !cpu.has_high_max && !has_managed)
					return -EINVAL;
				if (in_cpu)
					total += pcp_cpu_limit(&cpu, managed);
				memset(&cpu, 0, sizeof(cpu));
				in_cpu = true;
				cpus++;
			} else if (in_cpu && !strcmp(key, "high")) {
				cpu.high = v;
			} else if (in_cpu && !strcmp(key, "high_max")) {
				cpu.high_max = v;
				cpu.has_high_max = true;
			} else if (in_cpu && !strcmp(key, "batch")) {
				cpu.batch = v;
			}
		}
		l = nl ? nl + 1 : NULL;
	}
	if (!found)
		return -ENOENT;
	/* Without high_max the zone's managed pages are needed to bound high. */
	if (!cpus || (!cpu.has_high_max && !has_managed))
		return -EINVAL;
	*pages = total + pcp_cpu_limit(&cpu, managed);
	return 0;
}

void mh_kpageflags_why_not(struct mh_root *root, int err, char *buf, size_t len)
{
	char path[128];

	mh_root_errpath(root, MH_PROC_KPAGEFLAGS, path, sizeof(path));
	if (err == -ENODATA)
		snprintf(buf, len, "%s ends before the block's pages", path);
	else
		snprintf(buf, len, "cannot read %s: %s", path, mh_strerror(err));
}

static void not_predicted(struct mh_predictor *pr, struct mh_prediction *p, int err)
{
	p->verdict = MH_VERDICT_NONE;
	mh_kpageflags_why_not(pr->root, err, p->why, sizeof(p->why));
}

int mh_kpageflags_read(int fd, uint64_t first, uint64_t pages, mh_kpf_chunk_fn *fn,
		       void *ctx)
{
	static uint64_t buf[CHUNK];

	for (uint64_t done = 0; done < pages;) {
		size_t want = pages - done < CHUNK ? (size_t)(pages - done) : CHUNK;
		ssize_t n = pread(fd, buf, want * 8, (off_t)((first + done) * 8));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || n % 8)
			return -ENODATA;
		fn(ctx, first + done, buf, (size_t)n / 8);
		done += (uint64_t)n / 8;
	}
	return 0;
}

struct classify_ctx {
	struct mh_pf_scan *s;
	struct mh_pf_count *c;
};

static void classify_chunk(void *ctx, uint64_t pfn, const uint64_t *flags, size_t n)
{
	struct classify_ctx *cc = ctx;

	(void)pfn;
	mh_pf_classify(cc->s, flags, n, cc->c);
}

/* Read and classify the block's flags: 0 or -errno (-ENODATA: file too short). */
static int scan_block(struct mh_predictor *pr, uint64_t first, struct mh_pf_scan *s,
		      struct mh_pf_count *c)
{
	struct classify_ctx cc = { s, c };

	return mh_kpageflags_read(pr->fd, first, pr->block_pages, classify_chunk, &cc);
}

/* The zone's per-CPU capacity for an unflagged count: 0 or -errno, the reason in why. */
static int pcp_capacity(struct mh_predictor *pr, const struct mh_block *blk,
			const char *zone, uint64_t *cap, char *why, size_t len)
{
	char path[128];
	int rc;

	mh_root_errpath(pr->root, MH_PROC_ZONEINFO, path, sizeof(path));
	if (!pr->zoneinfo_err) {
		rc = mh_read_file(pr->root, MH_PROC_ZONEINFO, &pr->zoneinfo);
		pr->zoneinfo_err = rc ? rc : 1;
	}
	if (pr->zoneinfo_err < 0) {
		snprintf(why, len, "cannot read %.100s: %.40s", path, mh_strerror(pr->zoneinfo_err));
		return pr->zoneinfo_err;
	}
	rc = mh_pcp_capacity(pr->zoneinfo, blk->node, zone, cap);
	if (rc == -ENOENT)
		snprintf(why, len, "%.100s has no node %d zone %.8s", path, blk->node, zone);
	else if (rc)
		snprintf(why, len, "%.100s has no per-CPU lists for node %d zone %.8s", path,
			 blk->node, zone);
	return rc;
}

static void verdict(struct mh_predictor *pr, const struct mh_block *blk,
		    struct mh_prediction *p)
{
	const struct mh_pf_count *c = &p->count;
	char capwhy[160] = "";
	uint64_t cap = 0;
	int caprc = -1;

	if (p->zone != MH_ZONE_MOVABLE && c->unflagged) {
		caprc = pcp_capacity(pr, blk, "Normal", &cap, capwhy, sizeof(capwhy));
		if (!caprc && c->unflagged > cap)
			p->kernel_unflagged = c->unflagged - cap;
	}
	p->verdict = MH_VERDICT_REFUSED;
	for (int i = 0; i < MH_PF_NR_CAUSES; i++)
		if (c->cause[i])
			return;
	if (p->kernel_unflagged)
		return;
	p->verdict = MH_VERDICT_UNCERTAIN;
	if (c->nopage) {
		snprintf(p->why, sizeof(p->why), "%llu pfns without a page (holes)",
			 (unsigned long long)c->nopage);
	} else if (c->other) {
		snprintf(p->why, sizeof(p->why),
			 "%llu allocated pages not on an LRU list: kernel pages, or movable ones "
			 "the flags cannot tell", (unsigned long long)c->other);
	} else if (c->unflagged && !caprc) {
		snprintf(p->why, sizeof(p->why),
			 "%llu pages without flags, no more than the zone's per-CPU lists hold "
			 "(%llu): free there or allocated by a driver, the flags cannot tell",
			 (unsigned long long)c->unflagged, (unsigned long long)cap);
	} else if (c->unflagged) {
		snprintf(p->why, sizeof(p->why),
			 "%llu pages without flags: free on a per-CPU list or allocated by a "
			 "driver; %.120s", (unsigned long long)c->unflagged, capwhy);
	} else {
		p->verdict = MH_VERDICT_GO;
	}
}

/* "Normal" -> "NORMAL": the kernel's name of the block's zone, for messages. */
static void zone_name(const char *vz, char *buf, size_t len)
{
	size_t i = 0;

	for (; vz[i] && vz[i] != ' ' && i + 1 < len; i++)
		buf[i] = (char)toupper((unsigned char)vz[i]);
	buf[i] = '\0';
}

void mh_predict_block(struct mh_predictor *pr, const struct mh_block *blk,
		      struct mh_prediction *p)
{
	uint64_t first = blk->id * pr->block_pages;
	struct mh_pf_scan s;
	int rc;

	memset(p, 0, sizeof(*p));
	p->block = blk->id;
	p->zone = mh_zone_from_valid_zones(blk->valid_zones);
	zone_name(blk->valid_zones, p->zone_name, sizeof(p->zone_name));
	if (p->zone != MH_ZONE_MOVABLE && p->zone != MH_ZONE_NORMAL) {
		p->verdict = MH_VERDICT_UNCERTAIN;
		snprintf(p->why, sizeof(p->why), "zone '%s' is not one zone", blk->valid_zones);
		return;
	}
	if (pr->fd < 0 || !pr->block_pages) {
		not_predicted(pr, p, pr->fd < 0 ? pr->err : -EINVAL);
		return;
	}
	mh_pf_scan_init(&s, p->zone, first, pr->memmap_pages);
	rc = scan_block(pr, first, &s, &p->count);
	if (rc) {
		memset(&p->count, 0, sizeof(p->count));
		not_predicted(pr, p, rc);
		return;
	}
	verdict(pr, blk, p);
}

const char *mh_verdict_name(enum mh_verdict v)
{
	switch (v) {
	case MH_VERDICT_GO: return "will-go";
	case MH_VERDICT_REFUSED: return "refused";
	case MH_VERDICT_UNCERTAIN: return "uncertain";
	default: return "not-predicted";
	}
}

/* 1214 -> "1,214". */
static void grouped(uint64_t v, char *buf, size_t len)
{
	char d[24];
	int n = snprintf(d, sizeof(d), "%llu", (unsigned long long)v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

void mh_prediction_describe(const struct mh_prediction *p, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (p->verdict != MH_VERDICT_REFUSED) {
		snprintf(buf, len, "%s%s%s", mh_verdict_name(p->verdict),
			 p->why[0] ? ": " : "", p->why);
		return;
	}
	for (int i = 0; i < MH_PF_NR_CAUSES && o < len; i++) {
		char num[32];

		if (!p->count.cause[i])
			continue;
		grouped(p->count.cause[i], num, sizeof(num));
		o += (size_t)snprintf(buf + o, len - o, "%s%s %s page%s", o ? ", " : "", num,
				      mh_pf_cause_name(i), p->count.cause[i] == 1 ? "" : "s");
	}
	if (p->kernel_unflagged && o < len) {
		char num[32];

		grouped(p->kernel_unflagged, num, sizeof(num));
		o += (size_t)snprintf(buf + o, len - o, "%sat least %s page%s allocated by the "
				      "kernel without flags (driver allocations)", o ? ", " : "",
				      num, p->kernel_unflagged == 1 ? "" : "s");
	}
	if (o < len)
		snprintf(buf + o, len - o, " in ZONE_%s", p->zone_name);
}
