// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page-flag classification (pageflags.c) on crafted flag words, and
 * the per-block verdict (predict.c) on a sparse proc/kpageflags in a tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pinread.h"
#include "predict.h"
#include "tap.h"
#include "testfile.h"

#define B(b)		(1ull << (b))
#define SLAB		B(MH_KPF_SLAB)
#define PGTABLE		B(MH_KPF_PGTABLE)
#define RESERVED	B(MH_KPF_RESERVED)
#define LRU		B(MH_KPF_LRU)
#define BUDDY		B(MH_KPF_BUDDY)
#define HEAD		B(MH_KPF_COMPOUND_HEAD)
#define TAIL		B(MH_KPF_COMPOUND_TAIL)
#define HUGE		B(MH_KPF_HUGE)

static struct mh_pf_count run(enum mh_zone z, uint64_t pfn, uint64_t memmap,
			      const uint64_t *f, size_t n)
{
	struct mh_pf_count c = { 0 };
	struct mh_pf_scan s;

	mh_pf_scan_init(&s, z, pfn, memmap);
	mh_pf_classify(&s, f, n, &c);
	return c;
}

static void test_kernel_zone(void)
{
	/* slab head + its tail (6.1 sets SLAB on tails, 6.12 too), a page table, a reserved page. */
	const uint64_t f[] = { SLAB | HEAD, TAIL, PGTABLE, RESERVED, LRU, LRU | B(MH_KPF_MMAP),
			       B(MH_KPF_LOCKED) | B(MH_KPF_UPTODATE) };
	struct mh_pf_count c = run(MH_ZONE_NORMAL, 1000, 0, f, 7);

	is_int(c.pages, 7, "normal: every pfn classified");
	is_int(c.cause[MH_PF_SLAB], 2, "normal: slab head and its tail");
	is_int(c.cause[MH_PF_PGTABLE], 1, "normal: page table");
	is_int(c.cause[MH_PF_RESERVED], 1, "normal: reserved");
	is_int(c.movable, 2, "normal: LRU pages migrate");
	is_int(c.other, 1, "normal: an allocated non-LRU page with flags is 'other'");
}

static void test_movable_zone(void)
{
	const uint64_t f[] = { SLAB, PGTABLE, RESERVED, LRU, 0 };
	struct mh_pf_count c = run(MH_ZONE_MOVABLE, 1000, 0, f, 5);

	is_int(c.cause[MH_PF_RESERVED], 1, "movable: a reserved page refuses");
	is_int(c.cause[MH_PF_SLAB] + c.cause[MH_PF_PGTABLE] + c.other, 0,
	       "movable: nothing but reserved is looked at");
}

static void test_buddy(void)
{
	/* A free block's tails carry KPF_BUDDY too (fs/proc/page.c, 6.1 and 6.12). */
	static uint64_t f[1100];
	struct mh_pf_count c;

	for (size_t i = 0; i < 1024; i++)
		f[i] = BUDDY;
	f[1024] = LRU;
	memset(f + 1025, 0, sizeof(f) - 1025 * sizeof(f[0]));
	c = run(MH_ZONE_NORMAL, 1024, 0, f, 1100);
	is_int(c.free, 1024, "buddy: head and tails are free");
	is_int(c.movable, 1, "buddy: the LRU page after it");
	is_int(c.unflagged, 75, "buddy: flagless pages past the block are unflagged");
	/* A flagless page right after a free head is not free: it is allocated or on a per-CPU list. */
	memset(f, 0, sizeof(f));
	f[0] = BUDDY;
	c = run(MH_ZONE_NORMAL, 1024, 0, f, 3);
	is_int(c.free, 1, "buddy: the head alone is free");
	is_int(c.unflagged, 2, "buddy: flagless pages after a free head are unflagged");
}

static void test_compound(void)
{
	/* hugetlb and THP compounds migrate whole; a bare kernel compound is 'other'. */
	const uint64_t f[] = { HUGE | HEAD, HUGE | TAIL, B(MH_KPF_THP) | LRU | HEAD,
			       B(MH_KPF_THP) | TAIL, HEAD | B(MH_KPF_UPTODATE) | B(MH_KPF_LOCKED),
			       TAIL };
	struct mh_pf_count c = run(MH_ZONE_NORMAL, 0, 0, f, 6);

	is_int(c.hugetlb, 2, "compound: hugetlb head and tail");
	is_int(c.movable, 2, "compound: THP head and tail");
	is_int(c.other, 2, "compound: kernel compound head and tail");
	is_int(c.cause[MH_PF_SLAB], 0, "compound: no slab");
}

static void test_skipped_and_memmap(void)
{
	const uint64_t f[] = { RESERVED, RESERVED, LRU, RESERVED, B(MH_KPF_HWPOISON),
			       B(MH_KPF_OFFLINE), B(MH_KPF_NOPAGE) };
	struct mh_pf_count c = run(MH_ZONE_MOVABLE, 32768, 4, f, 7);

	is_int(c.memmap, 2, "memmap: the leading reserved run is the block's memmap");
	is_int(c.cause[MH_PF_RESERVED], 1, "memmap: a reserved page after it refuses");
	c = run(MH_ZONE_NORMAL, 32768, 0, f + 4, 3);
	is_int(c.skipped, 2, "hwpoison and PageOffline pages are skipped");
	is_int(c.nopage, 1, "a pfn without a page is a hole");
}


/* /proc/zoneinfo as 6.1 and 6.12 print it (mm/vmstat.c zoneinfo_show_print), shortened. */
static const char zi_61[] =
	"Node 0, zone   Normal\n"
	"  pages free     1000\n"
	"        boost    0\n"
	"        min      100\n"
	"        low      125\n"
	"        high     150\n"
	"        spanned  262144\n"
	"        present  262144\n"
	"        managed  250000\n"
	"        cma      0\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"      nr_free_pages 1000\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 50\n"
	"              high:  900\n"
	"              batch: 63\n"
	"  vm stats threshold: 24\n"
	"    cpu: 1\n"
	"              count: 7\n"
	"              high:  900\n"
	"              batch: 63\n"
	"  vm stats threshold: 24\n"
	"  node_unreclaimable:  0\n"
	"  start_pfn:           1048576\n"
	"Node 1, zone   Normal\n"
	"  pages free     30000\n"
	"        high     40\n"
	"        managed  32768\n"
	"        protection: (0, 0, 0, 0, 0)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 0\n"
	"              high:  100\n"
	"              batch: 10\n"
	"  vm stats threshold: 16\n"
	"    cpu: 1\n"
	"              count: 12\n"
	"              high:  200\n"
	"              batch: 10\n"
	"  vm stats threshold: 16\n"
	"  node_unreclaimable:  0\n"
	"  start_pfn:           1114112\n"
	"Node 1, zone  Movable\n"
	"  pages free     0\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 0\n"
	"              high:  5000\n"
	"              batch: 1\n";

/* From 6.13 on high moves up to high_max and both are printed. */
static const char zi_613[] =
	"Node 1, zone   Normal\n"
	"  pages free     30000\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count:    0\n"
	"              high:     100\n"
	"              batch:    10\n"
	"              high_min: 100\n"
	"              high_max: 2000\n"
	"  vm stats threshold: 16\n";

/*
 * Per CPU: high (without high_max printed, at least managed / 8) + batch +
 * a THP + 12 low-order refills (>= 16) + 2 THP refills (>= 1024).
 */
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define PCP_LIMIT(high, batch)	((high) + (batch) + 512 + 12 * MAX(batch, 16) + 2 * MAX(batch, 1024))

static void test_pcp_capacity(void)
{
	uint64_t cap = 0;

	is_int(mh_pcp_capacity(zi_61, 1, "Normal", &cap), 0, "zoneinfo 6.1: node 1 Normal found");
	is_int(cap, 2 * PCP_LIMIT(32768 / 8, 10),
	       "zoneinfo 6.1: the sum over CPUs, high bounded by managed / 8, this zone only");
	is_int(mh_pcp_capacity(zi_61, 0, "Normal", &cap), 0, "zoneinfo 6.1: node 0 Normal");
	is_int(cap, 2 * PCP_LIMIT(250000 / 8, 63), "zoneinfo 6.1: node 0's own values");
	is_int(mh_pcp_capacity(zi_61, 2, "Normal", &cap), -ENOENT, "zoneinfo: no node 2: ENOENT");
	is_int(mh_pcp_capacity(zi_61, 0, "Movable", &cap), -ENOENT, "zoneinfo: no such zone");
	is_int(mh_pcp_capacity(zi_613, 1, "Normal", &cap), 0, "zoneinfo 6.13: parsed");
	is_int(cap, PCP_LIMIT(2000, 10), "zoneinfo 6.13: high_max, not high, bounds the list");
	is_int(mh_pcp_capacity("Node 1, zone   Normal\n  pages free 3\n", 1, "Normal", &cap),
	       -EINVAL, "zoneinfo: a zone without per-CPU entries: EINVAL");
	is_int(mh_pcp_capacity("Node 1, zone   Normal\n    cpu: 0\n      high: 12x\n", 1,
			       "Normal", &cap), -EINVAL, "zoneinfo: a bad number: EINVAL");
	is_int(mh_pcp_capacity("Node 1, zone   Normal\n    cpu: 0\n      high: -5\n", 1,
			       "Normal", &cap), -EINVAL, "zoneinfo: a negative high: EINVAL");
	is_int(mh_pcp_capacity("", 1, "Normal", &cap), -ENOENT, "zoneinfo: empty: ENOENT");
	is_int(mh_pcp_capacity("Node 1, zone   Normal\n    cpu: 0\n      high: 9000\n"
			       "      batch: 10\n", 1, "Normal", &cap), -EINVAL,
	       "zoneinfo: no managed, no high_max: cannot bound high: EINVAL");
	is_int(mh_pcp_capacity("Node 1, zone   Normal\n        managed  8\n    cpu: 0\n"
			       "      high: 9000\n      batch: 10\n", 1, "Normal", &cap), 0,
	       "zoneinfo: a high above managed / 8 is kept");
	is_int(cap, PCP_LIMIT(9000, 10), "zoneinfo: the printed high when it is the larger");
}

static char dir[] = "/tmp/test-pageflags.XXXXXX";

static void put(const char *rel, const char *s)
{
	test_put_file(dir, rel, s, -1);
}

/* Flags at pfn in the sparse proc/kpageflags. */
static void flag(int fd, uint64_t pfn, uint64_t v)
{
	if (pwrite(fd, &v, 8, (off_t)(pfn * 8)) != 8)
		perror("pwrite");
}


/*
 * 128 MiB blocks, node 1, ZONE_NORMAL: block 2 all free (every page
 * KPF_BUDDY, as the kernel shows a free block's tails too), block 3 the same
 * but 1023 pages without flags (within the per-CPU capacity), block 4 all
 * without flags (a driver's pages: beyond it).
 */
static void test_unflagged(struct mh_root *root)
{
	struct mh_block b2 = { .id = 2, .state = MH_BLOCK_ONLINE, .node = 1, .valid_zones = "Normal" };
	struct mh_block b3 = b2, b4 = b2, b4m = b2;
	const uint64_t bpages = 32768, cap = 2 * PCP_LIMIT(32768 / 8, 10);
	struct mh_predictor pr;
	struct mh_prediction p;
	char path[256], desc[320];
	int fd;

	b3.id = 3;
	b4.id = 4;
	b4m.id = 4;
	strcpy(b4m.valid_zones, "Movable");
	snprintf(path, sizeof(path), "%s/proc/kpageflags", dir);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	for (uint64_t pfn = 2 * bpages; pfn < 4 * bpages; pfn++) {
		uint64_t lru = 3 * bpages + 4096;	/* an LRU page, then 1023 flagless ones */

		flag(fd, pfn, pfn == lru ? LRU : pfn > lru && pfn < lru + 1024 ? 0 : BUDDY);
	}
	if (ftruncate(fd, (off_t)(5 * bpages * 8)) < 0)
		perror("ftruncate");
	close(fd);

	mh_predict_open(root, 128 << 20, &pr);
	mh_predict_block(&pr, &b2, &p);
	is_int(p.verdict, MH_VERDICT_GO, "unflagged: free Normal block: will go, no zoneinfo needed");
	is_int(pr.zoneinfo_err, 0, "unflagged: zoneinfo not read when nothing is unflagged");
	mh_predict_block(&pr, &b3, &p);
	is_int(p.verdict, MH_VERDICT_UNCERTAIN, "unflagged, no zoneinfo: uncertain");
	ok(strstr(p.why, "1023 pages without flags") && strstr(p.why, "proc/zoneinfo"),
	   "unflagged, no zoneinfo: says so: %s", p.why);
	mh_predict_block(&pr, &b4, &p);
	is_int(p.verdict, MH_VERDICT_UNCERTAIN, "all unflagged, no zoneinfo: uncertain, no guess");
	mh_predict_close(&pr);

	put("proc/zoneinfo", zi_61);
	mh_predict_open(root, 128 << 20, &pr);
	mh_predict_block(&pr, &b3, &p);
	is_int(p.verdict, MH_VERDICT_UNCERTAIN, "1023 unflagged <= per-CPU capacity: uncertain");
	ok(strstr(p.why, "per-CPU") && strstr(p.why, "driver"), "uncertain names both: %s", p.why);
	is_int(p.kernel_unflagged, 0, "uncertain: no kernel count claimed");
	mh_predict_block(&pr, &b4, &p);
	is_int(p.verdict, MH_VERDICT_REFUSED, "32768 unflagged > per-CPU capacity: refused");
	is_int(p.kernel_unflagged, bpages - cap, "refused: the lower bound is unflagged - capacity");
	mh_prediction_describe(&p, desc, sizeof(desc));
	snprintf(path, sizeof(path), "at least %llu,%03llu pages allocated by the kernel without "
		 "flags (driver allocations) in ZONE_NORMAL",
		 (unsigned long long)(bpages - cap) / 1000, (unsigned long long)(bpages - cap) % 1000);
	is_str(desc, path, "refused: described with its lower bound");
	mh_predict_block(&pr, &b4m, &p);
	is_int(p.verdict, MH_VERDICT_GO, "the same pages in ZONE_MOVABLE: not counted");
	b4.node = 7;
	mh_predict_block(&pr, &b4, &p);
	is_int(p.verdict, MH_VERDICT_UNCERTAIN, "a node zoneinfo lacks: uncertain");
	ok(strstr(p.why, "no node 7 zone Normal") != NULL, "names the missing zone: %s", p.why);
	mh_predict_close(&pr);

	/* Hostile zoneinfo: a FIFO is not waited on, a directory is not read. */
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", dir);
	unlink(path);
	if (mkfifo(path, 0644) == 0) {
		mh_predict_open(root, 128 << 20, &pr);
		mh_predict_block(&pr, &b4, &p);
		is_int(p.verdict, MH_VERDICT_UNCERTAIN, "FIFO zoneinfo: uncertain, not refused");
		ok(strstr(p.why, "not a regular file") != NULL, "FIFO zoneinfo: says why: %s", p.why);
		mh_predict_close(&pr);
		unlink(path);
	}
	/* Bounded: a file past mh_read_file()'s limit is refused, not read whole. */
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (ftruncate(fd, (off_t)MH_READ_FILE_MAX + 4096) < 0)
		perror("ftruncate");
	close(fd);
	mh_predict_open(root, 128 << 20, &pr);
	mh_predict_block(&pr, &b4, &p);
	is_int(p.verdict, MH_VERDICT_UNCERTAIN, "huge zoneinfo: uncertain");
	ok(strstr(p.why, "too large") != NULL || strstr(p.why, "File too large") != NULL,
	   "huge zoneinfo: says why: %s", p.why);
	mh_predict_close(&pr);
	unlink(path);
}

/*
 * The reading after a failed offline (pinread.c), 1 MiB blocks of 256
 * pages, no memoryN directories (zone and node unknown): the pages without
 * any flag, the first 8 named, runs joined; what cannot be read is said.
 */
static void test_pin_read(struct mh_root *root)
{
	struct mh_pin_reading p;
	char path[256], d[512];
	int fd;

	snprintf(path, sizeof(path), "%s/proc/kpageflags", dir);
	unlink(path);
	mh_pin_read(root, 6, 1 << 20, &p);
	is_int(p.status, MH_PIN_UNREAD, "pins: no proc/kpageflags: not read");
	ok(strstr(p.why_not, "proc/kpageflags") && strstr(p.why_not, "No such file"),
	   "pins: says why: %s", p.why_not);
	is_int(p.count, 0, "pins: nothing guessed");
	ok(!mh_pin_advice(&p), "pins: no advice from nothing");
	mh_pin_describe(&p, d, sizeof(d));
	ok(strstr(d, "not read") != NULL, "pins: described as not read: %s", d);

	/* Block 6 (pfns 1536-1791): free (buddy) but 1538-1541, 1600 and 1700-1709. */
	fd = open(path, O_RDWR | O_CREAT, 0644);
	for (uint64_t pfn = 1536; pfn < 1792; pfn++)
		flag(fd, pfn, (pfn >= 1538 && pfn <= 1541) || pfn == 1600 ||
			      (pfn >= 1700 && pfn < 1710) ? 0 : BUDDY);
	for (uint64_t pfn = 1792; pfn < 2048; pfn++)	/* block 7: one THP, a hole */
		flag(fd, pfn, pfn == 2047 ? B(MH_KPF_NOPAGE) : pfn == 1792 ? HEAD | LRU : TAIL);
	close(fd);
	mh_pin_read(root, 6, 1 << 20, &p);
	is_int(p.status, MH_PIN_READ, "pins: read");
	is_int(p.count, 15, "pins: every flagless page counted, buddy pages not");
	is_int(p.nr_pfns, MH_PIN_PFNS_MAX, "pins: the first 8 named");
	is_int(p.pfn[4], 1600, "pins: ascending");
	is_int(p.pcp, -1, "pins: no zoneinfo for an unknown zone: per-CPU unknown");
	mh_pin_describe(&p, d, sizeof(d));
	is_str(d, "page flags, read by memhotctl after the failed offline: 15 pages in the "
	       "block carry no flags (pfn 0x602-0x605, 0x640, 0x6a4-0x6a6, ...): allocated "
	       "outside the LRU, as a driver's pin is, or free on a per-CPU list; the kernel "
	       "did not report them", "pins: described as memhotctl's reading, pfns bounded");
	ok(mh_pin_advice(&p) && strstr(mh_pin_advice(&p), "pinned by a device driver"),
	   "pins: advice for a driver's pin");
	mh_pin_read(root, 7, 1 << 20, &p);
	is_int(p.count, 0, "pins: THP tails and holes are not flagless");
	mh_pin_describe(&p, d, sizeof(d));
	ok(strstr(d, "no page in the block is without flags") != NULL, "pins: none: %s", d);
	ok(!mh_pin_advice(&p), "pins: none found, no pin advice");
	mh_pin_read(root, 8, 1 << 20, &p);
	is_int(p.status, MH_PIN_UNREAD, "pins: file too short: not read");
	ok(strstr(p.why_not, "ends before") != NULL, "pins: says so: %s", p.why_not);

	/* Hostile: a FIFO is neither waited on nor read. */
	unlink(path);
	if (mkfifo(path, 0644) == 0) {
		mh_pin_read(root, 6, 1 << 20, &p);
		is_int(p.status, MH_PIN_UNREAD, "pins: a FIFO: not read");
		ok(strstr(p.why_not, "not a regular file") != NULL, "pins: says so: %s",
		   p.why_not);
		unlink(path);
	}
}

static void test_tree(void)
{
	/* 1 MiB blocks of 4 KiB pages: block 5 is pfns 1280-1535. */
	struct mh_block b5 = { .id = 5, .state = MH_BLOCK_ONLINE, .valid_zones = "Normal" };
	struct mh_block b6 = { .id = 6, .state = MH_BLOCK_ONLINE, .valid_zones = "Movable" };
	struct mh_block b9 = { .id = 9, .state = MH_BLOCK_ONLINE, .valid_zones = "Movable" };
	struct mh_predictor pr;
	struct mh_prediction p;
	struct mh_root *root;
	char path[256], desc[256];
	int fd;

	if (!mkdtemp(dir) || sysconf(_SC_PAGESIZE) != 4096) {
		ok(1, "# SKIP no temporary directory or not 4 KiB pages");
		return;
	}
	snprintf(path, sizeof(path), "mkdir -p %s/proc %s/sys/module/memory_hotplug/parameters",
		 dir, dir);
	if (system(path))
		return;
	put("sys/module/memory_hotplug/parameters/memmap_on_memory", "N\n");
	if (mh_root_open(dir, &root)) {
		ok(1, "# SKIP no openat2() for a sysroot");
		return;
	}
	mh_predict_open(root, 1 << 20, &pr);
	mh_predict_block(&pr, &b5, &p);
	is_int(p.verdict, MH_VERDICT_NONE, "tree: no proc/kpageflags: not predicted");
	ok(strstr(p.why, "proc/kpageflags") != NULL, "tree: the reason names the file: %s", p.why);
	mh_predict_close(&pr);

	snprintf(path, sizeof(path), "%s/proc/kpageflags", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	for (int i = 0; i < 1214 % 256; i++)
		flag(fd, 1280 + i, SLAB);
	flag(fd, 1500, PGTABLE);
	flag(fd, 6 * 256 + 7, LRU);
	if (ftruncate(fd, 8 * 256 * 8) < 0)	/* blocks 0-7 */
		perror("ftruncate");
	close(fd);
	mh_predict_open(root, 1 << 20, &pr);
	mh_predict_block(&pr, &b5, &p);
	is_int(p.verdict, MH_VERDICT_REFUSED, "tree: slab in a Normal block: refused");
	is_int(p.count.cause[MH_PF_SLAB], 1214 % 256, "tree: its slab pages counted");
	mh_prediction_describe(&p, desc, sizeof(desc));
	is_str(desc, "190 slab pages, 1 page-table page in ZONE_NORMAL", "tree: described");
	mh_predict_block(&pr, &b6, &p);
	is_int(p.verdict, MH_VERDICT_GO, "tree: a movable block with an LRU page: will go");
	is_int(p.count.pages, 256, "tree: only the block's pfns are read");
	mh_predict_block(&pr, &b9, &p);
	is_int(p.verdict, MH_VERDICT_NONE, "tree: a file too short: not predicted");
	ok(strstr(p.why, "ends before") != NULL, "tree: says the file is short: %s", p.why);
	mh_predict_close(&pr);

	/* A FIFO is refused, not waited on. */
	unlink(path);
	if (mkfifo(path, 0644) == 0) {
		mh_predict_open(root, 1 << 20, &pr);
		mh_predict_block(&pr, &b5, &p);
		is_int(p.verdict, MH_VERDICT_NONE, "tree: a FIFO kpageflags: not predicted");
		mh_predict_close(&pr);
	}
	test_unflagged(root);
	test_pin_read(root);
	mh_root_close(root);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return;
}

static void test_grouping(void)
{
	struct mh_prediction p = { .verdict = MH_VERDICT_REFUSED, .zone_name = "DMA32" };
	char d[128];

	p.count.cause[MH_PF_SLAB] = 1214;
	p.count.cause[MH_PF_RESERVED] = 1234567;
	mh_prediction_describe(&p, d, sizeof(d));
	is_str(d, "1,214 slab pages, 1,234,567 reserved pages in ZONE_DMA32", "describe: grouped");
}

int main(void)
{
	test_kernel_zone();
	test_movable_zone();
	test_buddy();
	test_compound();
	test_skipped_and_memmap();
	test_pcp_capacity();
	test_tree();
	test_grouping();
	return tap_done();
}
