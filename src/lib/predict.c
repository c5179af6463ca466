// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-block offline verdicts from /proc/kpageflags, read through the
 * sysroot like every other file: only the block's own pfns, in chunks
 * (a 128 MiB block is 256 KiB of flags). A file that is missing, not
 * readable or too short gives no verdict; nothing is guessed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
}

static void not_predicted(struct mh_predictor *pr, struct mh_prediction *p, int err)
{
	char path[128];

	mh_root_errpath(pr->root, MH_PROC_KPAGEFLAGS, path, sizeof(path));
	p->verdict = MH_VERDICT_NONE;
	if (err == -ENODATA)
		snprintf(p->why, sizeof(p->why), "%s ends before the block's pages", path);
	else
		snprintf(p->why, sizeof(p->why), "cannot read %s: %s", path, mh_strerror(err));
}

/* Read and classify the block's flags: 0 or -errno (-ENODATA: file too short). */
static int scan_block(struct mh_predictor *pr, uint64_t first, struct mh_pf_scan *s,
		      struct mh_pf_count *c)
{
	static uint64_t buf[CHUNK];

	for (uint64_t done = 0; done < pr->block_pages;) {
		size_t want = pr->block_pages - done < CHUNK ? pr->block_pages - done : CHUNK;
		ssize_t n = pread(pr->fd, buf, want * 8, (off_t)((first + done) * 8));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || n % 8)
			return -ENODATA;
		mh_pf_classify(s, buf, (size_t)n / 8, c);
		done += (uint64_t)n / 8;
	}
	return 0;
}

static void verdict(struct mh_prediction *p)
{
	const struct mh_pf_count *c = &p->count;

	for (int i = 0; i < MH_PF_NR_CAUSES; i++)
		if (c->cause[i]) {
			p->verdict = MH_VERDICT_REFUSED;
			return;
		}
	if (c->nopage) {
		p->verdict = MH_VERDICT_UNCERTAIN;
		snprintf(p->why, sizeof(p->why), "%llu pfns without a page (holes)",
			 (unsigned long long)c->nopage);
	} else if (c->other) {
		p->verdict = MH_VERDICT_UNCERTAIN;
		snprintf(p->why, sizeof(p->why),
			 "%llu allocated pages not on an LRU list: kernel pages, or movable ones "
			 "the flags cannot tell", (unsigned long long)c->other);
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
	verdict(p);
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
	if (o < len)
		snprintf(buf + o, len - o, " in ZONE_%s", p->zone_name);
}
