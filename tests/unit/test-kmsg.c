// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log parser (src/lib/kmsg.c) on records recorded from Debian's
 * 6.1 and 6.12 (tests/data/kmsg, see its README): which page, which words,
 * which advice; records of another block's range ignored; /dev/kmsg's own
 * record form; hostile bytes escaped; and the reader on a tree's dev/kmsg.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kmsg.h"
#include "sysroot.h"
#include "tap.h"

#define BLOCK_BYTES	0x8000000ull	/* 128 MiB, as in the guests */

static void scan_file(const char *name, uint64_t block, struct mh_kmsg_reason *r,
		      bool kmsg_form)
{
	char path[512], line[1024], rec[1100];
	struct mh_kmsg_scan s;
	unsigned seq = 100;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/kmsg/%s", MH_TOP_SRCDIR, name);
	f = fopen(path, "r");
	if (!f) {
		ok(0, "open %s: %s", path, strerror(errno));
		return;
	}
	memset(r, 0, sizeof(*r));
	mh_kmsg_scan_init(&s, block * BLOCK_BYTES, (block + 1) * BLOCK_BYTES, r);
	while (fgets(line, sizeof(line), f)) {
		const char *t = line[0] == '[' ? strchr(line, ']') : NULL;

		if (kmsg_form && t) {	/* as /dev/kmsg gives it, with a dictionary line */
			snprintf(rec, sizeof(rec), "4,%u,123456,-;%s", seq++, t + 2);
			mh_kmsg_scan_line(&s, rec, strlen(rec));
			mh_kmsg_scan_line(&s, " SUBSYSTEM=memory\n", 18);
		} else {
			mh_kmsg_scan_line(&s, line, strlen(line));
		}
	}
	fclose(f);
}

static void expect(const char *name, uint64_t block, const char *page_has,
		   const char *because, const char *failed, const char *advice_has,
		   bool timed_out)
{
	struct mh_kmsg_reason r;
	const char *adv;
	char d[512];

	for (int form = 0; form < 2; form++) {
		scan_file(name, block, &r, form);
		mh_kmsg_describe(&r, d, sizeof(d));
		is_int(r.status, MH_KMSG_FOUND, name);
		if (page_has)
			ok(strstr(r.page, page_has) != NULL, "%s: page has \"%s\": %s", name,
			   page_has, r.page);
		else
			is_str(r.page, "", "no page dumped");
		is_str(r.because, because, "because");
		is_str(r.failed, failed, "failed due to");
		adv = mh_kmsg_advice(&r, timed_out);
		ok(adv && strstr(adv, advice_has), "%s: advice \"%s\": %s", name, advice_has,
		   adv ? adv : "(none)");
		ok(!strstr(r.page, "raw:") && !strstr(r.page, "00000000"),
		   "%s: neither raw words nor the hashed pointer quoted", name);
		if (!form)
			printf("# %s: %s\n#   advice: %s\n", name, d, adv ? adv : "(none)");
		/* The neighbour block hears nothing. */
		scan_file(name, block + 1, &r, form);
		is_int(r.status, MH_KMSG_NONE, "another block's records are not this block's");
	}
}

static void test_recorded(void)
{
	expect("6.1-pinned-normal.dmesg", 35, "pfn:0x118000 refcount:1 mapcount:0, flags:", "unmovable page",
	       "failure to isolate range", "device driver", false);
	expect("6.12-pinned-normal.dmesg", 35, "pfn:0x118000", "unmovable page",
	       "failure to isolate range", "device driver", false);
	expect("6.1-slab-normal.dmesg", 33, "flags: 0x57ffffc0000200(slab|", "unmovable page",
	       "", "movable from the start", false);
	expect("6.12-slab-normal.dmesg", 33, "page_type: f5(slab)", "unmovable page", "",
	       "movable from the start", false);
	expect("6.1-pagetable-normal.dmesg", 33, "mapcount:-512", "unmovable page", "",
	       "page table", false);
	expect("6.12-pagetable-normal.dmesg", 33, "page_type: f2(table)", "unmovable page", "",
	       "page table", false);
	/* As /dev/kmsg gave them to tests/vm/faults f1 and f2 (raw: lines left out). */
	expect("6.1-pinned-normal.kmsg", 35, "pfn:0x118000 refcount:1 mapcount:0, flags:",
	       "unmovable page", "failure to isolate range", "device driver", false);
	expect("6.1-pinned-movable.kmsg", 35, NULL, "", "signal backoff", "names no page", true);
	expect("6.12-pinned-normal.kmsg", 35, "pfn:0x118000 refcount:1 mapcount:0, flags:",
	       "unmovable page", "failure to isolate range", "device driver", false);
	expect("6.12-pinned-movable.kmsg", 35, NULL, "", "signal backoff", "names no page", true);
	expect("6.1-pinned-movable.dmesg", 35, NULL, "", "signal backoff",
	       "names no page", true);
	expect("6.12-pinned-movable.dmesg", 35, NULL, "", "signal backoff",
	       "names no page", true);
}

static void test_hostile(void)
{
	struct mh_kmsg_reason r = { 0 };
	struct mh_kmsg_scan s;
	char big[3000];

	mh_kmsg_scan_init(&s, 0x118000000ull, 0x120000000ull, &r);
	mh_kmsg_scan_line(&s, "page: refcount:1\x1b[31mred\x07 pfn:0x118000", 39);
	mh_kmsg_scan_line(&s, "flags: 0x0(\xff\x01)", 15);
	mh_kmsg_scan_line(&s, "page dumped because: un\nmovable", 31);
	is_int(r.status, MH_KMSG_FOUND, "hostile dump still read");
	ok(!strpbrk(r.page, "\x1b\x07\x01\xff") && strstr(r.page, "\\x1b[31mred\\x07"),
	   "control and high bytes escaped: %s", r.page);
	ok(!strchr(r.because, '\n') && strstr(r.because, "\\x0a"), "newline escaped: %s",
	   r.because);
	/* Overlong lines are cut to the fields, never overflow. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "page: pfn:0x118001 ", 19);
	memset(&r, 0, sizeof(r));
	mh_kmsg_scan_init(&s, 0x118000000ull, 0x120000000ull, &r);
	mh_kmsg_scan_line(&s, big, sizeof(big));
	mh_kmsg_scan_line(&s, big, sizeof(big));
	mh_kmsg_scan_line(&s, "page dumped because: x", 22);
	ok(strlen(r.page) < sizeof(r.page), "long dump cut to %zu bytes", strlen(r.page));
	/* A dump interrupted by another record is not joined to it. */
	memset(&r, 0, sizeof(r));
	mh_kmsg_scan_init(&s, 0x118000000ull, 0x120000000ull, &r);
	mh_kmsg_scan_line(&s, "page: refcount:1 pfn:0x118000", 29);
	mh_kmsg_scan_line(&s, "Offlined Pages 32768", 20);
	mh_kmsg_scan_line(&s, "page dumped because: unmovable page", 35);
	is_int(r.status, MH_KMSG_NONE, "a because line after another record is no dump");
	/* A range line that only looks like one. */
	mh_kmsg_scan_line(&s, "memory offlining [mem 0x118000000-zz] failed due to x", 53);
	mh_kmsg_scan_line(&s, "memory offlining [mem 0x100000000-0x107ffffff] failed due to x",
			  62);
	is_int(r.status, MH_KMSG_NONE, "malformed or other range: ignored");
}

/* The reader on a tree: the mark skips what came before, a missing file is said. */
static void test_reader(void)
{
	char dir[] = "/tmp/mh-kmsg-XXXXXX", path[256];
	struct mh_kmsg_reason r = { 0 };
	struct mh_root *root;
	struct mh_kmsg k;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	if (mh_root_open(dir, &root)) {
		ok(0, "root");
		return;
	}
	mh_kmsg_open(&k, root);
	mh_kmsg_mark(&k);
	mh_kmsg_collect(&k, 0x118000000ull, 0x120000000ull, &r);
	is_int(r.status, MH_KMSG_UNREAD, "no dev/kmsg: not read");
	is_str(r.why_not, "the tree has no dev/kmsg", "and why");
	mh_kmsg_close(&k);

	snprintf(path, sizeof(path), "%s/dev", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/kmsg", dir);
	/* A tree's FIFO would block the reader: refused, and said. */
	if (mkfifo(path, 0600) == 0) {
		mh_kmsg_open(&k, root);
		memset(&r, 0, sizeof(r));
		mh_kmsg_collect(&k, 0x118000000ull, 0x120000000ull, &r);
		is_str(r.why_not, "the tree's dev/kmsg: not a regular file", "a FIFO: not read");
		mh_kmsg_close(&k);
		unlink(path);
	}
	f = fopen(path, "w");
	fputs("4,1,1,-;page: refcount:1 pfn:0x118000\n4,2,1,-;page dumped because: old\n", f);
	fclose(f);
	mh_kmsg_open(&k, root);
	mh_kmsg_mark(&k);
	f = fopen(path, "a");
	fputs("4,3,2,-;page: refcount:2 pfn:0x118001\n SUBSYSTEM=x\n"
	      "4,4,2,-;flags: 0x0(lru)\n4,5,2,-;page dumped because: new\n"
	      "6,6,3,-;memory offlining [mem 0x118000000-0x11fffffff] failed due to y\n", f);
	fclose(f);
	memset(&r, 0, sizeof(r));
	mh_kmsg_collect(&k, 0x118000000ull, 0x120000000ull, &r);
	is_int(r.status, MH_KMSG_FOUND, "records after the mark read");
	is_str(r.because, "new", "only those after the mark");
	ok(strstr(r.page, "pfn:0x118001 refcount:2, flags: 0x0(lru)") != NULL, "page: %s",
	   r.page);
	is_str(r.failed, "y", "failed due to");
	/* Nothing new: what was found stays, it is not made silent. */
	mh_kmsg_collect(&k, 0x118000000ull, 0x120000000ull, &r);
	is_str(r.because, "new", "an empty read keeps the reason");
	mh_kmsg_close(&k);
	mh_root_close(root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dev", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	test_recorded();
	test_hostile();
	test_reader();
	return tap_done();
}
