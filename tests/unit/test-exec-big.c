// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Issue 15, finding 7: a device of more blocks than there are descriptors.
 * dax0.0 with 2,100 blocks, each case run in a child whose soft and hard
 * limits of open files are both lowered (1,024, then 256: raising the soft
 * one cannot help), on a plain-file tree with the simulated kernel:
 * remove, offline, online, a rollback of every block, and a guard that
 * cannot be prepared, which is an error of ours and not another agent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "exec.h"
#include "log.h"
#include "paths.h"
#include "snapshot.h"
#include "tap.h"
#include "test-exec-tree.h"

#define NB	2100u
#define MEM	MH_MEMORY_DIR "/"

static void log_fn(enum mh_log_level lvl, const char *fmt, va_list ap)
{
	if (!getenv("MH_TEST_VERBOSE") && lvl > MH_LOG_ERR)
		return;
	fprintf(stdout, "# lib: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n");
}

/* In the child: say what is wrong, as a TAP comment. */
static bool check(bool cond, const char *what)
{
	if (!cond)
		printf("#   %s\n", what);
	return cond;
}

/* Every block of dax0.0 in state (zone; NULL: any), "gone" for none. */
static bool all_blocks(struct tree *t, const char *state, const char *zone)
{
	char rel[128], b[32];
	unsigned i;

	for (i = 0; i < NB; i++) {
		snprintf(rel, sizeof(rel), MEM "memory%u/state", T_FIRST + i);
		if (!strcmp(state, "gone") ? tree_exists(t, rel) :
		    strcmp(tree_get(t, rel, b, sizeof(b)), state)) {
			printf("#   memory%u: %s, want %s\n", T_FIRST + i,
			       tree_exists(t, rel) ? b : "gone", state);
			return false;
		}
		snprintf(rel, sizeof(rel), MEM "memory%u/valid_zones", T_FIRST + i);
		if (zone && strcmp(tree_get(t, rel, b, sizeof(b)), zone)) {
			printf("#   memory%u: zone %s, want %s\n", T_FIRST + i, b, zone);
			return false;
		}
	}
	return true;
}

static const char *driver_of(struct tree *t)
{
	static char buf[PATH_MAX];
	char p[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/sys/bus/dax/devices/" T_DEV "/driver", t->dir);
	n = readlink(p, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? strrchr(buf, '/') + 1 : "none";
}

enum which { REMOVE, OFFLINE, ONLINE, ROLLBACK, PREPARE };

/* Plan op on the tree, the last offline step failing EBUSY for ROLLBACK. */
static bool run(struct tree *t, struct sim *s, enum which w, struct mh_exec_result *r)
{
	enum mh_op op = w == ONLINE ? MH_OP_ONLINE : w == OFFLINE ? MH_OP_OFFLINE :
			MH_OP_REMOVE;
	struct mh_exec_opts o = { .max_retries = 1, .backoff_ms = 1, .journal = true };
	struct mh_plan plan;
	char why[256] = "", rel[64];

	if (!check(!tree_plan(t, op, MH_ZONE_MOVABLE, &plan, why, sizeof(why)), why))
		return false;
	if (w == ROLLBACK) {
		size_t i = plan.nr_steps;

		while (i-- > 0 && plan.steps[i].kind != MH_STEP_OFFLINE_BLOCK)
			;
		snprintf(rel, sizeof(rel), "memory%llu/state",
			 (unsigned long long)plan.steps[i].block);
		sim_inject(s, rel, "offline", EBUSY, 0);
	}
	mh_deadline_set(&o.deadline, 120);
	mh_exec(t->root, &plan, &o, r);
	printf("# %s\n", r->error.msg);
	mh_plan_free(&plan);
	return true;
}

static bool one_case(enum which w)
{
	struct mh_exec_result r = { 0 };
	struct tree t;
	struct sim s;
	bool good;

	tree_nblocks = NB;
	if (!check(tree_create(&t, "offline", w == ONLINE ? "device_dax" : "kmem",
			       "Movable") == 0, "tree"))
		return false;
	sim_install(&s, &t);
	if (w == PREPARE) {
		/* An open the guard's prepare cannot make: ELOOP, then as it was. */
		sim_before(&s, "kmem/unbind", T_DEV, "memory100/state", SIM_LOOP);
		sim_after(&s, "kmem/unbind", T_DEV, "memory100/state", "offline");
	}
	good = run(&t, &s, w, &r);
	switch (w) {
	case REMOVE:
		good = good && check(r.outcome == MH_DONE, "remove: done") &&
		       check(all_blocks(&t, "gone", NULL), "remove: every block gone") &&
		       check(!strcmp(driver_of(&t), "device_dax"), "remove: device_dax") &&
		       check(r.nr_offlined == NB, "remove: 2100 blocks offlined");
		break;
	case OFFLINE:
		good = good && check(r.outcome == MH_DONE, "offline: done") &&
		       check(all_blocks(&t, "offline", NULL), "offline: every block") &&
		       check(!strcmp(driver_of(&t), "kmem"), "offline: still kmem");
		break;
	case ONLINE:
		good = good && check(r.outcome == MH_DONE, "online: done") &&
		       check(all_blocks(&t, "online", "Movable"), "online: every block") &&
		       check(!strcmp(driver_of(&t), "kmem"), "online: kmem");
		break;
	case ROLLBACK:
		good = good && check(r.outcome == MH_BUSY, "rollback: busy") &&
		       check(r.rolled_back, "rollback: rolled back") &&
		       check(all_blocks(&t, "online", "Movable"), "rollback: every block back") &&
		       check(!strcmp(driver_of(&t), "kmem"), "rollback: still kmem");
		break;
	case PREPARE:
		good = good && check(r.outcome == MH_BUSY, "prepare: nothing left changed") &&
		       check(!r.raced, "prepare: not called a race") &&
		       check(strstr(r.error.msg, "cannot prepare") != NULL,
			     "prepare: the error said as ours") &&
		       check(all_blocks(&t, "online", "Movable"), "prepare: every block back") &&
		       check(!strcmp(driver_of(&t), "kmem"), "prepare: still kmem");
		break;
	}
	mh_exec_result_free(&r);
	sim_remove();
	tree_destroy(&t);
	return good;
}

int main(void)
{
	static const char *const name[] = { "remove", "offline", "online",
					    "rollback of every block",
					    "guard not prepared (ELOOP)" };
	static const rlim_t limits[] = { 1024, 256 };

	mh_set_log_fn(log_fn);
	/* 10,000 files a tree: on a tmpfs when there is one. */
	if (access("/dev/shm", W_OK) == 0)
		tree_base = "/dev/shm";
	for (size_t l = 0; l < 2; l++) {
		for (int w = REMOVE; w <= PREPARE; w++) {
			int st = 0;
			pid_t pid;

			if (getenv("MH_BIG_CASE") && atoi(getenv("MH_BIG_CASE")) != w)
				continue;
			fflush(stdout);
			pid = fork();
			if (pid == 0) {
				struct rlimit rl = { limits[l], limits[l] };

				if (setrlimit(RLIMIT_NOFILE, &rl))
					_exit(99);
				st = one_case((enum which)w) ? 0 : 1;
				fflush(stdout);
				_exit(st);
			}
			waitpid(pid, &st, 0);
			ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			   "%u blocks, ulimit -n %llu (hard too): %s", NB,
			   (unsigned long long)limits[l], name[w]);
		}
	}
	return tap_done();
}
