// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The executor on a tree of plain files, with a simulated kernel behind
 * the write hook: order of writes, nothing else written, retries, the
 * EINVAL-already-offline rule, rollback into each block's zone, the race
 * before the unbind, leak detection, policy restore on every path, the
 * journal's timing. Every plan is the planner's (mh_plan_build() on the
 * tree as the test set it up), as the CLI runs it: the offlines upwards
 * with the lowest block (memory34) last, the onlines downwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "exec.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "paths.h"
#include "snapshot.h"
#include "udevwatch.h"
#include "kmodload.h"
#include "pinread.h"
#include "writer.h"
#include "tap.h"
#include "test-exec-tree.h"

#define MEM MH_MEMORY_DIR "/"

static volatile int stop_flag;

static void log_fn(enum mh_log_level lvl, const char *fmt, va_list ap)
{
	if (!getenv("MH_TEST_VERBOSE") && lvl > MH_LOG_WARN)
		return;
	fprintf(stderr, "# lib: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

static struct mh_exec_opts opts(double timeout)
{
	struct mh_exec_opts o = {
		.max_retries = 3, .backoff_ms = 1, .journal = true, .stop = &stop_flag,
	};

	stop_flag = 0;
	mh_deadline_set(&o.deadline, timeout);
	return o;
}

/*
 * What every executor test sets up: a machine, the simulated kernel on
 * it, the planner's plan, the options and the result. On the test's
 * stack: the write hook keeps a pointer to s.
 */
struct fixture {
	struct tree t;
	struct sim s;
	struct mh_plan plan;
	struct mh_exec_opts o;
	struct mh_exec_result r;
};

/* Returns tree_create()'s result, for the one test that checks it. */
static int fixture_begin(struct fixture *f, const char *policy, const char *driver,
			 const char *zone)
{
	int err;

	f->o = opts(10);
	/* fixture_end() frees r and plan, also when they were never made */
	memset(&f->r, 0, sizeof(f->r));
	memset(&f->plan, 0, sizeof(f->plan));
	err = tree_create(&f->t, policy, driver, zone);
	sim_install(&f->s, &f->t);
	return err;
}

/*
 * The planner's plan for op on the tree as it stands now (online: into
 * zone). A test that changes the tree after this plays what changed after
 * the CLI planned. No plan is a broken fixture: bail out.
 */
static void fixture_plan(struct fixture *f, enum mh_op op, enum mh_zone zone)
{
	char why[256] = "";

	if (tree_plan(&f->t, op, zone, &f->plan, why, sizeof(why)) || !f->plan.nr_steps) {
		printf("Bail out! no %s plan: %s\n", mh_op_name(op), why);
		exit(1);
	}
}

static void plan_remove(struct fixture *f, enum mh_op op)
{
	fixture_plan(f, op, MH_ZONE_MOVABLE);
}

static void plan_online(struct fixture *f, enum mh_zone zone)
{
	fixture_plan(f, MH_OP_ONLINE, zone);
}

static int fixture_exec(struct fixture *f)
{
	return mh_exec(f->t.root, &f->plan, &f->o, &f->r);
}

/* A remove that tries each offline once: a busy block ends it at once. */
static void remove_one_try(struct fixture *f)
{
	plan_remove(f, MH_OP_REMOVE);
	f->o.max_retries = 1;
	fixture_exec(f);
}

static void fixture_end(struct fixture *f)
{
	mh_exec_result_free(&f->r);
	mh_plan_free(&f->plan);
	sim_remove();
	tree_destroy(&f->t);
}

static const char *state_of(struct tree *t, int id, char *buf, size_t len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), MEM "memory%d/state", id);
	return tree_get(t, rel, buf, len);
}

static const char *zone_of(struct tree *t, int id, char *buf, size_t len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), MEM "memory%d/valid_zones", id);
	return tree_get(t, rel, buf, len);
}

static bool journal_exists(struct tree *t)
{
	return tree_exists(t, "run/" T_DEV ".journal");
}

/* Expected trace, as one string. */
static void expect_trace(const struct sim *s, const char *want, const char *name)
{
	const char *got = sim_dump(s);

	ok(!strcmp(got, want), "%s: writes in order, nothing else", name);
	if (strcmp(got, want))
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

#define OFF(n) "memory" #n "/state=offline"

static void test_remove_ok(void)
{
	struct fixture f;
	size_t i;
	bool before = true;
	int err;

	ok(fixture_begin(&f, "offline", "kmem", "Movable") == 0, "remove: tree");
	plan_remove(&f, MH_OP_REMOVE);
	err = fixture_exec(&f);	/* is_int evaluates twice */
	is_int(err, 0, "remove: mh_exec returns 0");
	is_str(mh_outcome_name(f.r.outcome), "done", "remove: outcome");
	/* the lowest block last: see plan_offline_blocks() */
	expect_trace(&f.s, OFF(35) " " OFF(36) " " OFF(37) " " OFF(38) " " OFF(34)
		     " kmem/unbind=dax0.0 device_dax/bind=dax0.0", "remove");
	/* unbind strictly after every offline */
	for (i = 0; i < T_NBLOCKS; i++) {
		char e[64];

		snprintf(e, sizeof(e), "memory%zu/state=offline", T_FIRST + i);
		before &= sim_find(&f.s, e) >= 0 &&
			  sim_find(&f.s, e) < sim_find(&f.s, "kmem/unbind=dax0.0");
	}
	ok(before, "remove: unbind strictly last among kmem writes");
	is_str(f.r.final_driver, "device_dax", "remove: final driver");
	ok(!tree_exists(&f.t, MEM "memory34"), "remove: block dirs gone");
	ok(f.r.policy_restored && !f.r.rolled_back && !f.r.raced, "remove: flags");
	is_int(f.r.nr_blocks, T_NBLOCKS, "remove: every block in the result");
	is_int(f.r.blocks[0].attempts, 1, "remove: one attempt each");
	is_int(f.r.steps_done, f.plan.nr_steps, "remove: all steps done");
	is_int(f.r.nr_offlined, T_NBLOCKS, "remove: 5 blocks offlined");
	/* Journal written before the first change, unbind_started before the unbind. */
	ok(f.s.journal[0] == '0', "remove: journal exists before the first offline");
	ok(f.s.journal[5] == '1', "remove: journal says unbind_started at the unbind");
	ok(!journal_exists(&f.t), "remove: journal removed at the end");
	fixture_end(&f);
}

static void test_retry_then_ok(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory35/state", "offline", EBUSY, 1);
	sim_inject(&f.s, "memory36/state", "offline", EAGAIN, 2);
	plan_remove(&f, MH_OP_OFFLINE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "EBUSY/EAGAIN retried: done");
	is_int(f.r.blocks[1].attempts, 2, "memory35: 2 attempts");
	is_int(f.r.blocks[2].attempts, 3, "memory36: 3 attempts");
	expect_trace(&f.s, OFF(35) ":Device or resource busy " OFF(35) " "
		     OFF(36) ":Resource temporarily unavailable " OFF(36)
		     ":Resource temporarily unavailable " OFF(36) " " OFF(37) " " OFF(38)
		     " " OFF(34), "retries");
	fixture_end(&f);
}

static void test_busy_rollback(void)
{
	struct fixture f;
	char b[64];

	fixture_begin(&f, "offline", "kmem", "Movable");
	/* memory35 lives in ZONE_NORMAL: it must come back there. */
	tree_block(&f.t, 35, "online", "Normal");
	sim_inject(&f.s, "memory37/state", "offline", EBUSY, 0);
	plan_remove(&f, MH_OP_REMOVE);
	f.o.max_retries = 2;
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "EBUSY exhausted: busy");
	ok(f.r.rolled_back, "rolled_back set");
	is_int(f.r.blocks[3].attempts, 3, "memory37: 1 + max_retries attempts");
	is_int(f.r.blocks[3].err, EBUSY, "memory37: error EBUSY");
	expect_trace(&f.s, OFF(35) " " OFF(36) " " OFF(37) ":Device or resource busy "
		     OFF(37) ":Device or resource busy " OFF(37) ":Device or resource busy "
		     "memory36/state=online_movable memory35/state=online_kernel",
		     "rollback");
	ok(sim_find(&f.s, "kmem/unbind=dax0.0") < 0, "rollback: no unbind");
	is_str(state_of(&f.t, 36, b, sizeof(b)), "online", "memory36 online again");
	is_str(zone_of(&f.t, 36, b, sizeof(b)), "Movable", "memory36 back in Movable");
	is_str(zone_of(&f.t, 35, b, sizeof(b)), "Normal", "memory35 back in Normal");
	is_str(f.r.final_driver, "kmem", "device stays kmem");
	ok(strstr(f.r.error.msg, "memory37") && strstr(f.r.error.msg, "memory36"),
	   "message names the busy block and the rolled back ones: %s", f.r.error.msg);
	ok(!journal_exists(&f.t), "rollback: journal removed (known state)");
	fixture_end(&f);
}

/*
 * Issue 18: a busy block's result quotes what the kernel logged about its
 * page frames after the failed write (the tree's dev/kmsg stands for
 * /dev/kmsg; memory36 holds pfn 0x120000..0x127fff), and only that block's.
 */
static void test_busy_kernel_reason(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	tree_put(&f.t, "dev/kmsg", "6,1,1,-;page: refcount:1 pfn:0x120000\n"
		 "4,2,1,-;page dumped because: before the run");
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	sim_after(&f.s, "memory36/state", "offline", "../../../../dev/kmsg",
		  "6,1,1,-;page: refcount:1 pfn:0x120000\n"
		  "4,2,1,-;page dumped because: before the run\n"
		  "4,3,2,-;page:00000000deadbeef refcount:3 mapcount:0 pfn:0x1207ff\n"
		  "4,4,2,-;flags: 0x200(slab|node=1|zone=2)\n"
		  "4,5,2,-;page dumped because: unmovable page\n"
		  "4,6,2,-;page: refcount:1 pfn:0x128000\n"
		  "4,7,2,-;page dumped because: memory37's page");
	plan_remove(&f, MH_OP_REMOVE);
	f.o.max_retries = 2;
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "kernel reason: busy");
	is_int(f.r.blocks[2].kmsg.status, MH_KMSG_FOUND, "memory36: the kernel's words found");
	is_str(f.r.blocks[2].kmsg.page, "pfn:0x1207ff refcount:3 mapcount:0, "
	       "flags: 0x200(slab|node=1|zone=2)", "memory36: its dumped page");
	is_str(f.r.blocks[2].kmsg.because, "unmovable page",
	       "memory36: the last dump in its range, after the mark");
	ok(mh_kmsg_advice(&f.r.blocks[2].kmsg, false) &&
	   strstr(mh_kmsg_advice(&f.r.blocks[2].kmsg, false), "movable from the start"),
	   "memory36: slab advice");
	is_int(f.r.blocks[0].kmsg.status, MH_KMSG_NONE, "memory34, not written: nothing looked for");
	fixture_end(&f);

	/* No log to read: said, and nothing invented. */
	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	remove_one_try(&f);
	is_int(f.r.blocks[2].kmsg.status, MH_KMSG_UNREAD, "no dev/kmsg: not read");
	is_str(f.r.blocks[2].kmsg.why_not, "the tree has no dev/kmsg", "and why");
	is_str(f.r.blocks[2].kmsg.page, "", "no page invented");
	fixture_end(&f);
}

#define BLOCK_PAGES	32768u	/* 128 MiB of 4 KiB pages */
#define KPF_BUDDY	(1ull << 10)

/*
 * The tree's proc/kpageflags over memory36 (pfn 0x120000..0x127fff): every
 * page free (a buddy page) but the n pins[], which carry no flag.
 */
static void put_kpageflags(struct tree *t, const uint64_t *pins, size_t n)
{
	uint64_t *f = malloc(BLOCK_PAGES * sizeof(*f)), first = 36 * (uint64_t)BLOCK_PAGES;
	char p[PATH_MAX];
	int fd;

	tree_put(t, "proc/kpageflags", "");
	snprintf(p, sizeof(p), "%s/proc/kpageflags", t->dir);
	fd = open(p, O_WRONLY | O_TRUNC);
	for (size_t i = 0; f && i < BLOCK_PAGES; i++)
		f[i] = KPF_BUDDY;
	for (size_t i = 0; f && i < n; i++)
		f[pins[i] - first] = 0;
	if (fd < 0 || !f || pwrite(fd, f, BLOCK_PAGES * sizeof(*f), (off_t)(first * 8)) !=
	    (ssize_t)(BLOCK_PAGES * sizeof(*f)))
		perror(p);
	if (fd >= 0)
		close(fd);
	free(f);
}

/* Per-CPU lists of node 1's Movable zone: a few thousand pages at most. */
static const char zoneinfo_movable[] =
	"Node 1, zone  Movable\n"
	"  pages free     30000\n"
	"        managed  32768\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 0\n"
	"              high:  100\n"
	"              batch: 10\n";

/*
 * Issue 18, proof 4: a page a driver pinned in ZONE_MOVABLE is never dumped
 * by the kernel (offline_pages() scans only LRU, movable_ops and hugetlb
 * pages), so after memory36's offline fails and the log names no page,
 * memhotctl reads the block's flags itself and names the flagless pages,
 * as its own reading; read before the rollback write, which here would
 * make the file unreadable.
 */
static void test_busy_pinned(void)
{
	const uint64_t pins[] = { 0x120010, 0x120011, 0x120012, 0x120013, 0x124000 };
	struct mh_pin_reading *p;
	struct fixture f;
	char d[512];

	fixture_begin(&f, "offline", "kmem", "Movable");
	tree_put(&f.t, "dev/kmsg", "6,1,1,-;memhot_fault: loaded");
	tree_put(&f.t, "proc/zoneinfo", zoneinfo_movable);
	put_kpageflags(&f.t, pins, 5);
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	/* The rollback's first write (memory35 back online): kpageflags unreadable from then on. */
	sim_before(&f.s, "memory35/state", "online_movable", "../../../../proc/kpageflags",
		   SIM_LOOP);
	plan_remove(&f, MH_OP_REMOVE);
	f.o.max_retries = 2;
	fixture_exec(&f);
	p = &f.r.blocks[2].pins;
	is_str(mh_outcome_name(f.r.outcome), "busy", "pinned: busy, rolled back");
	ok(sim_find(&f.s, "memory35/state=online_movable") >= 0, "pinned: the rollback wrote");
	is_int(f.r.blocks[2].kmsg.status, MH_KMSG_SILENT, "pinned: the kernel log says nothing");
	is_int(p->status, MH_PIN_READ, "pinned: flags read before the rollback write");
	is_int(p->count, 5, "pinned: the five flagless pages, not the free ones");
	is_int(p->nr_pfns, 5, "pinned: all five named");
	is_str(p->zone, "Movable", "pinned: the block's zone");
	is_int(p->pcp, 1, "pinned: five fit the per-CPU lists");
	mh_pin_describe(p, d, sizeof(d));
	is_str(d, "page flags, read by memhotctl after the failed offline: 5 pages in "
	       "ZONE_MOVABLE carry no flags (pfn 0x120010-0x120013, 0x124000): allocated "
	       "outside the LRU, as a driver's pin is, or free on a per-CPU list; the kernel "
	       "did not report them", "pinned: named as memhotctl's reading");
	ok(mh_pin_advice(p) && strstr(mh_pin_advice(p), "find its user (the pinning module"),
	   "pinned: the driver-pin advice");
	is_int(f.r.blocks[1].pins.status, MH_PIN_NONE, "memory35 went: its flags not read");
	is_int(f.r.blocks[3].pins.status, MH_PIN_NONE, "memory37, not written: not read");
	fixture_end(&f);

	/* The kernel dumped a page of the block: its word stands, no reading of ours. */
	fixture_begin(&f, "offline", "kmem", "Movable");
	put_kpageflags(&f.t, pins, 5);
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	sim_after(&f.s, "memory36/state", "offline", "../../../../dev/kmsg",
		  "4,3,2,-;page: refcount:2 mapcount:0 pfn:0x120010\n"
		  "4,5,2,-;page dumped because: isolation failed");
	tree_put(&f.t, "dev/kmsg", "");
	remove_one_try(&f);
	is_int(f.r.blocks[2].kmsg.status, MH_KMSG_FOUND, "dumped: the kernel's page");
	is_int(f.r.blocks[2].pins.status, MH_PIN_NONE, "dumped: flags not read");
	fixture_end(&f);

	/* No proc/kpageflags (not root, no such file): said, nothing guessed. */
	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	remove_one_try(&f);
	p = &f.r.blocks[2].pins;
	is_int(p->status, MH_PIN_UNREAD, "no kpageflags: not read");
	ok(strstr(p->why_not, "proc/kpageflags") != NULL, "no kpageflags: says so: %s",
	   p->why_not);
	is_int(p->count, 0, "no kpageflags: no page named");
	ok(!mh_pin_advice(p), "no kpageflags: no pin advice");
	fixture_end(&f);
}

/* IN_OPEN events since the watches began: on watch wd[i], n[i] of them. */
static void count_opens(int in, const int *wd, int *n, size_t nw)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len;

	while ((len = read(in, buf, sizeof(buf))) > 0) {
		for (char *e = buf; e < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)e;

			for (size_t i = 0; i < nw; i++)
				n[i] += ev->wd == wd[i] && (ev->mask & IN_OPEN);
			e += sizeof(*ev) + ev->len;
		}
	}
}

static int watch(int in, struct tree *t, const char *rel)
{
	char p[PATH_MAX];

	/* Closes too: inotify merges an event with the same one queued just before. */
	snprintf(p, sizeof(p), "%s/%s", t->dir, rel);
	return inotify_add_watch(in, p, IN_OPEN | IN_CLOSE_NOWRITE);
}

/*
 * A run whose offlines all go reads no page flags at all (B1's path stays
 * as it was), and opens the kernel log once for all its blocks, not once
 * a block (about 100 us an open of /dev/kmsg). Counted by inotify on the
 * tree's files: every open, whoever makes it.
 */
static void test_success_opens(void)
{
	int in, wd[2], n[2] = { 0, 0 };
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	tree_put(&f.t, "dev/kmsg", "6,1,1,-;hello");
	put_kpageflags(&f.t, NULL, 0);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	wd[0] = in >= 0 ? watch(in, &f.t, "dev/kmsg") : -1;
	wd[1] = in >= 0 ? watch(in, &f.t, "proc/kpageflags") : -1;
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "opens: the remove went");
	if (in < 0 || wd[0] < 0 || wd[1] < 0) {
		ok(1, "# SKIP no inotify");
		ok(1, "# SKIP no inotify");
	} else {
		count_opens(in, wd, n, 2);
		is_int(n[0], 1, "opens: the kernel log opened once for the 5 blocks");
		is_int(n[1], 0, "opens: no page flags read when every offline went");
	}
	if (in >= 0)
		close(in);
	for (size_t i = 0; i < f.r.nr_blocks; i++)
		if (f.r.blocks[i].pins.status != MH_PIN_NONE)
			ok(0, "memory%llu: a page-flag reading on success",
			   (unsigned long long)f.r.blocks[i].block);
	fixture_end(&f);

	/* Where proc/kpageflags is a FIFO, a run that goes neither waits nor says a word of it. */
	fixture_begin(&f, "offline", "kmem", "Movable");
	tree_put(&f.t, "proc/kpageflags", "");
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/proc/kpageflags", f.t.dir);
		unlink(p);
		if (mkfifo(p, 0600))
			perror(p);
	}
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "FIFO kpageflags: the remove went");
	ok(!strstr(f.r.error.msg, "kpageflags"), "FIFO kpageflags: not mentioned: %s",
	   f.r.error.msg);
	fixture_end(&f);
}

static void test_einval_already_offline(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	/* Someone else offlined memory35 just before our write: EINVAL. */
	sim_inject(&f.s, "memory35/state", "offline", EINVAL, 1);
	sim_after(&f.s, "memory35/state", "offline", "memory35/state", "offline");
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "EINVAL, block reads offline: done");
	is_int(f.r.blocks[1].attempts, 1, "EINVAL not retried");
	ok(sim_find(&f.s, "kmem/unbind=dax0.0") >= 0, "then unbound");
	/* memory35 went offline by another's write, not ours. */
	is_int(f.r.nr_offlined, T_NBLOCKS - 1, "EINVAL: 4 blocks offlined by this run");
	fixture_end(&f);

	/* Offline already when its step comes (after the plan): not offlined by us. */
	fixture_begin(&f, "offline", "kmem", "Movable");
	plan_remove(&f, MH_OP_OFFLINE);
	tree_block(&f.t, 36, "offline", "Movable");
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "a block offline already: done");
	ok(sim_find(&f.s, OFF(36)) < 0, "memory36 not written");
	is_int(f.r.nr_offlined, T_NBLOCKS - 1, "offline already: 4 blocks offlined");
	fixture_end(&f);

	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory36/state", "offline", EINVAL, 1);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "EINVAL, block still online: busy");
	expect_trace(&f.s, OFF(35) " " OFF(36) ":Invalid argument "
		     "memory35/state=online_movable", "EINVAL rollback");
	fixture_end(&f);
}

static void test_eperm_final(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	/* memory35: the plan's first offline */
	sim_inject(&f.s, "memory35/state", "offline", EPERM, 0);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "EPERM: cannot offline all");
	is_int(f.r.blocks[1].attempts, 1, "EPERM not retried");
	is_int(f.s.n, 1, "EPERM: one write, nothing to roll back");
	ok(!f.r.rolled_back, "nothing rolled back");
	fixture_end(&f);
}

static void test_zone_none(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	plan_remove(&f, MH_OP_REMOVE);
	/* after the plan: the planner refuses a block spanning zones itself */
	tree_block(&f.t, 36, "online", "none");
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "zone none: refused, rolled back");
	/* The kernel refuses the offline of a block without a single zone. */
	expect_trace(&f.s, OFF(35) " memory36/state=offline:Invalid argument"
		     " memory35/state=online_movable", "zone none");
	ok(strstr(f.r.error.msg, "memory36") != NULL, "message names memory36: %s", f.r.error.msg);
	fixture_end(&f);
}

static void test_race(void)
{
	struct fixture f;
	char b[32];

	fixture_begin(&f, "offline", "kmem", "Movable");
	/* An agent onlines memory35 again right after our last offline (memory34). */
	sim_after(&f.s, "memory34/state", "offline", "memory35/state", "online");
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "race: busy");
	ok(f.r.raced, "race: raced set");
	ok(sim_find(&f.s, "kmem/unbind=dax0.0") < 0, "race: kmem NOT unbound");
	expect_trace(&f.s, OFF(35) " " OFF(36) " " OFF(37) " " OFF(38) " " OFF(34)
		     " memory34/state=online_movable memory38/state=online_movable"
		     " memory37/state=online_movable memory36/state=online_movable",
		     "race rollback");
	is_str(state_of(&f.t, 35, b, sizeof(b)), "online", "memory35 online");
	is_str(state_of(&f.t, 34, b, sizeof(b)), "online", "memory34 online again");
	is_str(f.r.final_driver, "kmem", "race: still kmem");
	fixture_end(&f);
}

/*
 * An agent onlines a block after the last check and before the unbind
 * write: the writer child's own check, right before the write, refuses.
 * Unbound, the kernel would leak the range (leak_on_unbind).
 */
static void test_race_at_unbind(void)
{
	struct fixture f;
	char b[32];

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.s.leak_on_unbind = true;
	sim_before(&f.s, "kmem/unbind", "dax0.0", "memory36/state", "online");
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "race at unbind: busy, not leaked");
	ok(f.r.raced, "race at unbind: raced set");
	ok(sim_find(&f.s, "kmem/unbind=dax0.0") < 0, "race at unbind: kmem NOT unbound");
	is_str(f.r.final_driver, "kmem", "race at unbind: still kmem");
	ok(strstr(f.r.error.msg, "memory36") != NULL, "race at unbind: names memory36 (%s)",
	   f.r.error.msg);
	is_str(state_of(&f.t, 34, b, sizeof(b)), "online", "race at unbind: memory34 back online");
	fixture_end(&f);
}

static void test_rollback_fails(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory36/state", "offline", EPERM, 0);
	sim_inject(&f.s, "memory35/state", "online_movable", ENOMEM, 0);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "partial", "rollback failed: partial");
	ok(!f.r.rolled_back, "rollback failed: rolled_back not set");
	ok(!strstr(f.r.error.msg, "rolled back"), "rollback failed: not called rolled back: %s",
	   f.r.error.msg);
	ok(strstr(f.r.error.msg, "memory35 offline") != NULL,
	   "message names memory35 and its state: %s", f.r.error.msg);
	is_int(f.r.blocks[1].state, MH_BLOCK_OFFLINE, "result: memory35 offline");
	is_int(f.r.blocks[0].state, MH_BLOCK_ONLINE, "result: memory34 online");
	ok(journal_exists(&f.t), "partial: journal kept for recover");
	fixture_end(&f);
}

/*
 * The rebind after the unbind and the rollback each have their own bound,
 * counted from when they begin: a run whose offlines took longer than that
 * bound must still rebind device_dax, or put its blocks back.
 */
static void test_slow_run_cleanup_bound(void)
{
	struct fixture f;
	char st[16];

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.o.rollback_seconds = 0.2;
	f.s.offline_delay_ms = 80;	/* 5 offlines: 0.4 s */
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "slow offlines, then the rebind: done");
	ok(!strcmp(f.r.final_driver, "device_dax"), "slow offlines: device_dax bound (%s; %s)",
	   f.r.final_driver, f.r.error.msg);
	fixture_end(&f);

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.o.rollback_seconds = 0.2;
	f.s.offline_delay_ms = 150;	/* memory35, 36: 0.3 s, then memory37 fails */
	sim_inject(&f.s, "memory37/state", "offline", EPERM, 0);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	ok(f.r.outcome != MH_PARTIAL && f.r.rolled_back,
	   "slow offlines, then a failure: rolled back, not partial (%s: %s)",
	   mh_outcome_name(f.r.outcome), f.r.error.msg);
	is_str(state_of(&f.t, 35, st, sizeof(st)), "online", "memory35 back online");
	is_str(state_of(&f.t, 36, st, sizeof(st)), "online", "memory36 back online");
	fixture_end(&f);
}

static void test_leaked(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.s.leak_on_unbind = true;
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "leaked", "range kept: leaked");
	ok(sim_find(&f.s, "device_dax/bind=dax0.0") < 0, "leaked: no devdax bind");
	ok(strstr(f.r.error.msg, "memory34") != NULL, "leaked: says what: %s", f.r.error.msg);
	fixture_end(&f);
}

/*
 * After the unbind, /proc/iomem cannot be checked (a malformed line here;
 * ENOMEM alike): that is no leak. Partial, the journal kept for recover,
 * and device_dax bound again all the same.
 */
static void test_unverified(void)
{
	static const char *const bad[] = {
		"110000000-137ffffff dax0.0 with no colon",
		"00000000-3fffffff : System RAM\nnot a range : System RAM (kmem)",
	};
	struct fixture f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fixture_begin(&f, "offline", "kmem", "Movable");
		sim_after(&f.s, "kmem/unbind", "dax0.0", "../../../../proc/iomem", bad[i]);
		plan_remove(&f, MH_OP_REMOVE);
		fixture_exec(&f);
		ok(f.r.outcome == MH_PARTIAL, "unreadable iomem %zu: partial, not leaked (%s: %s)",
		   i, mh_outcome_name(f.r.outcome), f.r.error.msg);
		ok(sim_find(&f.s, "device_dax/bind=dax0.0") >= 0,
		   "unreadable iomem %zu: device_dax bound again (%s)", i, sim_dump(&f.s));
		ok(journal_exists(&f.t), "unreadable iomem %zu: journal kept", i);
		ok(strstr(f.r.error.msg, "cannot verify") && strstr(f.r.error.msg, "/proc/iomem"),
		   "unreadable iomem %zu: says so: %s", i, f.r.error.msg);
		fixture_end(&f);
	}
}

static void test_deadline_in_retries(void)
{
	struct timespec a, b;
	struct fixture f;
	double el;

	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "memory36/state", "offline", EBUSY, 0);
	plan_remove(&f, MH_OP_REMOVE);
	f.o.max_retries = 1000;
	f.o.backoff_ms = 20;
	mh_deadline_set(&f.o.deadline, 0.3);	/* from now, not from the tree's setup */
	clock_gettime(CLOCK_MONOTONIC, &a);
	fixture_exec(&f);
	clock_gettime(CLOCK_MONOTONIC, &b);
	el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	is_str(mh_outcome_name(f.r.outcome), "busy", "deadline in retries: busy");
	is_int(f.r.error.err, ETIMEDOUT, "deadline: ETIMEDOUT");
	ok(el >= 0.25 && el < 2.0, "deadline honoured (%.2f s)", el);
	ok(sim_find(&f.s, "memory35/state=online_movable") >= 0,
	   "rollback done after the deadline");
	fixture_end(&f);
}

static void test_online_policy(void)
{
	struct fixture f;
	char b[32];

	fixture_begin(&f, "online", "device_dax", NULL);
	plan_online(&f, MH_ZONE_MOVABLE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "online: done");
	expect_trace(&f.s, "auto_online_blocks=offline device_dax/unbind=dax0.0 "
		     "kmem/bind=dax0.0 memory38/state=online_movable "
		     "memory37/state=online_movable memory36/state=online_movable "
		     "memory35/state=online_movable memory34/state=online_movable "
		     "auto_online_blocks=online", "online");
	is_str(tree_get(&f.t, MEM "auto_online_blocks", b, sizeof(b)), "online",
	       "online: policy restored");
	ok(f.r.policy_restored, "online: policy_restored");
	is_str(f.r.final_driver, "kmem", "online: driver kmem");
	is_int(f.r.blocks[4].zone, MH_ZONE_MOVABLE, "online: result zone movable");
	ok(f.s.journal[0] == '0', "online: journal exists before the policy write");
	ok(!journal_exists(&f.t), "online: journal removed");
	fixture_end(&f);
}

static void test_online_zone_race(void)
{
	struct fixture f;
	char b[32];

	fixture_begin(&f, "offline", "device_dax", NULL);
	/* A udev rule onlines memory36 into ZONE_NORMAL right after the bind. */
	sim_after(&f.s, "kmem/bind", "dax0.0", "memory36/state", "online");
	sim_after(&f.s, "kmem/bind", "dax0.0", "memory36/valid_zones", "Normal");
	plan_online(&f, MH_ZONE_MOVABLE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "online race: done");
	ok(sim_find(&f.s, "memory36/state=offline") >= 0 &&
	   sim_find(&f.s, "memory36/state=offline") <
	   sim_find(&f.s, "memory36/state=online_movable"),
	   "memory36 offlined then onlined movable: %s", sim_dump(&f.s));
	is_str(zone_of(&f.t, 36, b, sizeof(b)), "Movable", "memory36 ends in Movable");
	ok(sim_find(&f.s, "auto_online_blocks=offline") < 0, "policy offline: not written");
	fixture_end(&f);

	/* The policy write is refused: nothing else is tried. */
	fixture_begin(&f, "online_movable", "device_dax", NULL);
	sim_inject(&f.s, "auto_online_blocks", NULL, EACCES, 0);	/* policy write fails */
	plan_online(&f, MH_ZONE_MOVABLE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "failed", "policy write refused: failed");
	is_int(f.s.n, 1, "nothing written after the refused policy write");
	fixture_end(&f);
}

static void test_online_fail_restores_policy(void)
{
	struct fixture f;
	char b[32];

	fixture_begin(&f, "online", "device_dax", NULL);
	sim_inject(&f.s, "memory36/state", "online_movable", ENOMEM, 0);
	plan_online(&f, MH_ZONE_MOVABLE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "partial", "online failure: partial");
	is_str(f.s.trace[f.s.n - 1], "auto_online_blocks=online", "policy restored last");
	is_str(tree_get(&f.t, MEM "auto_online_blocks", b, sizeof(b)), "online",
	       "policy file restored");
	ok(f.r.policy_restored, "policy_restored on failure");
	fixture_end(&f);

	/* SIGINT to memhotctl (stop flag) right after the bind. */
	fixture_begin(&f, "online", "device_dax", NULL);
	f.s.stop = &stop_flag;
	f.s.stop_after = "kmem/bind=dax0.0";
	plan_online(&f, MH_ZONE_MOVABLE);
	fixture_exec(&f);
	is_int(f.r.error.err, EINTR, "stop flag: EINTR");
	is_str(f.s.trace[f.s.n - 1], "auto_online_blocks=online", "stop: policy restored");
	ok(sim_find(&f.s, "memory34/state=online_movable") < 0, "stop: no block onlined");
	ok(f.r.policy_restored, "stop: policy_restored");
	fixture_end(&f);
}

static void test_stop_offline(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.s.stop = &stop_flag;
	f.s.stop_after = OFF(36);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "busy", "stop during remove: busy");
	expect_trace(&f.s, OFF(35) " " OFF(36) " memory36/state=online_movable "
		     "memory35/state=online_movable", "stop: rolled back");
	fixture_end(&f);
}

/*
 * A stop after the unbind: the range is gone from kmem already, the two
 * steps left (verify, bind device_dax) are finished rather than leaving a
 * device with no driver that a second remove refuses (seen on 6.1, f5).
 */
static void test_stop_after_unbind(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	f.s.stop = &stop_flag;
	f.s.stop_after = "kmem/unbind=dax0.0";
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "stop after the unbind: finished, done");
	is_str(f.r.final_driver, "device_dax", "stop after the unbind: device_dax bound");
	ok(sim_find(&f.s, "device_dax/bind=dax0.0") > sim_find(&f.s, "kmem/unbind=dax0.0"),
	   "stop after the unbind: bind after it: %s", sim_dump(&f.s));
	fixture_end(&f);
	stop_flag = 0;
}

static void test_bind_new_id(void)
{
	struct fixture f;

	fixture_begin(&f, "offline", "kmem", "Movable");
	sim_inject(&f.s, "device_dax/bind", NULL, ENODEV, 1);
	plan_remove(&f, MH_OP_REMOVE);
	fixture_exec(&f);
	is_str(mh_outcome_name(f.r.outcome), "done", "bind ENODEV then new_id: done");
	ok(sim_find(&f.s, "device_dax/new_id=dax0.0") > sim_find(&f.s, "kmem/unbind=dax0.0"),
	   "new_id written after bind failed: %s", sim_dump(&f.s));
	is_str(f.r.final_driver, "device_dax", "new_id: device_dax bound");
	fixture_end(&f);
}

/*
 * The kmem unbind outlives its SIGKILL (uninterruptible in the kernel):
 * played by a FIFO as kmem/unbind, whose open restarts after SIGINT, and a
 * "kill" signal the writer ignores. The run must end by the reap bound,
 * name the writer, and leave the blocks offline (a rollback would race
 * remove_memory()), partial, journal kept with unbind_started.
 */
static void test_unbind_left_running(void)
{
	struct mh_write_tunables tu = {
		.grace_ms = 50, .child_restarts = true, .kill_sig = SIGURG, .reap_ms = 200,
	};
	char p[PATH_MAX], b[64];
	struct fixture f;
	int pid = 0;

	fixture_begin(&f, "offline", "kmem", "Movable");
	snprintf(p, sizeof(p), "%s/sys/bus/dax/drivers/kmem/unbind", f.t.dir);
	unlink(p);
	mkfifo(p, 0600);
	plan_remove(&f, MH_OP_REMOVE);
	f.o.rollback_seconds = 5;
	mh_deadline_set(&f.o.deadline, 1.0);
	mh_write_tune(&tu);
	fixture_exec(&f);
	mh_write_tune(NULL);
	sscanf(strstr(f.r.error.msg, "writer process ") ? strstr(f.r.error.msg, "writer process ") :
	       "", "writer process %d", &pid);
	is_str(mh_outcome_name(f.r.outcome), "partial", "unbind left running: partial");
	ok(pid > 0 && kill(pid, 0) == 0, "the writer named, still there: %s", f.r.error.msg);
	ok(strstr(f.r.error.msg, "not rolled back") != NULL, "says it is not rolled back");
	is_str(state_of(&f.t, 34, b, sizeof(b)), "offline", "memory34 left offline");
	ok(sim_find(&f.s, "memory34/state=online_movable") < 0, "no block put back");
	ok(journal_exists(&f.t), "journal kept");
	ok(f.s.journal[f.s.n - 1] == '1', "the journal says unbind_started at the unbind");
	{
		struct mh_journal j = { 0 };

		ok(!mh_journal_read(T_DEV, &j) && j.phase == MH_PHASE_UNBINDING,
		   "the kept journal says phase unbinding");
		mh_journal_free(&j);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	fixture_end(&f);
}

static void test_adapters(void)
{
	struct mh_udevwatch *w = (void *)1;
	uint64_t id = 0, ids[1] = { 34 };
	struct mh_deadline d;
	int err;

	/* No udevd in the test environment: the adapter says so, quietly. */
	if (!mh_udev_running()) {
		err = mh_udevwatch_open(&w);
		is_int(err, 0, "udev not running: open returns 0");
		ok(w == NULL, "udev not running: no watch");
		err = mh_udevwatch_poll_online(NULL, NULL, ids, &id);
		is_int(err, 0, "no watch: no race");
		mh_deadline_set(&d, 0.1);
		err = mh_udev_settle(&d, 100);
		is_int(err, 0, "no udev: settle is immediate");
	}
	err = mh_kmod_load("memhotctl-no-such-module");
	ok(err < 0, "kmod: unknown module fails (%d)", err);
}

int main(void)
{
	mh_set_log_fn(log_fn);
	test_remove_ok();
	test_retry_then_ok();
	test_busy_rollback();
	test_busy_kernel_reason();
	test_busy_pinned();
	test_success_opens();
	test_einval_already_offline();
	test_eperm_final();
	test_zone_none();
	test_race();
	test_race_at_unbind();
	test_rollback_fails();
	test_slow_run_cleanup_bound();
	test_leaked();
	test_unverified();
	test_deadline_in_retries();
	test_online_policy();
	test_online_zone_race();
	test_online_fail_restores_policy();
	test_stop_offline();
	test_stop_after_unbind();
	test_bind_new_id();
	test_unbind_left_running();
	test_adapters();
	return tap_done();
}
