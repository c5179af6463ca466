// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unit tests' one sysfs-tree builder (plain files under a temporary
 * directory: tree_*) and, for the executor tests, the kernel behind the
 * write hook (sim_*).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "err.h"
#include "writer.h"
#include "paths.h"
#include "snapshot.h"
#include "test-exec-tree.h"

#define MEM	MH_MEMORY_DIR "/"
#define DRV	MH_DAX_DRIVERS_DIR "/"
#define DEVDIR	MH_DAX_DEVICES_DIR "/" T_DEV
#define BS	0x8000000ULL

unsigned tree_nblocks = T_NBLOCKS;
const char *tree_base = "/tmp";

static void mkdirs(const char *path)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void full(struct tree *t, const char *rel, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", t->dir, rel) >= len)
		abort();
}

void tree_put(struct tree *t, const char *rel, const char *content)
{
	char p[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;

	struct stat st;

	full(t, rel, p, sizeof(p));
	snprintf(dir, sizeof(dir), "%s", p);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirs(dir);
	if (!lstat(p, &st) && S_ISLNK(st.st_mode))
		unlink(p);	/* a file a test made a symlink (tree_loop()) */
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(99);
	}
	fprintf(f, "%s\n", content);
	fclose(f);
}

const char *tree_get(struct tree *t, const char *rel, char *buf, size_t len)
{
	char p[PATH_MAX];
	size_t n;
	FILE *f;

	full(t, rel, p, sizeof(p));
	buf[0] = '\0';
	f = fopen(p, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

void tree_loop(struct tree *t, const char *rel)
{
	char p[PATH_MAX];

	full(t, rel, p, sizeof(p));
	unlink(p);
	if (symlink(strrchr(p, '/') + 1, p) < 0)
		perror(p);
}

bool tree_exists(struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	full(t, rel, p, sizeof(p));
	return lstat(p, &st) == 0;
}

void tree_block_node(struct tree *t, uint64_t id, const char *state, const char *zones,
		     int node)
{
	char rel[PATH_MAX], p[PATH_MAX], v[32], target[32];

	snprintf(rel, sizeof(rel), MEM "memory%" PRIu64 "/state", id);
	tree_put(t, rel, state);
	snprintf(rel, sizeof(rel), MEM "memory%" PRIu64 "/valid_zones", id);
	tree_put(t, rel, zones);
	snprintf(rel, sizeof(rel), MEM "memory%" PRIu64 "/phys_index", id);
	snprintf(v, sizeof(v), "%08" PRIx64, id);
	tree_put(t, rel, v);
	snprintf(rel, sizeof(rel), MEM "memory%" PRIu64 "/removable", id);
	tree_put(t, rel, "1");
	snprintf(rel, sizeof(rel), MEM "memory%" PRIu64 "/node%d", id, node);
	full(t, rel, p, sizeof(p));
	snprintf(target, sizeof(target), "../../node/node%d", node);
	if (symlink(target, p) < 0 && errno != EEXIST)
		perror(p);
}

void tree_block(struct tree *t, uint64_t id, const char *state, const char *zones)
{
	tree_block_node(t, id, state, zones, 1);
}

void tree_set_driver(struct tree *t, const char *driver)
{
	char p[PATH_MAX], target[PATH_MAX];

	full(t, DEVDIR "/driver", p, sizeof(p));
	unlink(p);
	if (!driver)
		return;
	snprintf(target, sizeof(target), "../../drivers/%s", driver);
	if (symlink(target, p) < 0)
		perror(p);
}

static void put_iomem(struct tree *t, bool kmem)
{
	unsigned long long end = (T_FIRST + tree_nblocks) * BS - 1;
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "00000000-00000fff : Reserved\n"
		     "00001000-0009fbff : System RAM\n"
		     "100000000-10fffffff : System RAM\n"
		     "110000000-%llx : " T_DEV, end);
	if (kmem)
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "\n  110000000-%llx : System RAM (kmem)", end);
	tree_put(t, "proc/iomem", buf);
}

static void add_blocks(struct tree *t, const char *policy)
{
	const char *state = "offline", *zones = "Normal Movable";
	int i;

	if (!strcmp(policy, "online") || !strcmp(policy, "online_kernel")) {
		state = "online";
		zones = "Normal";
	} else if (!strcmp(policy, "online_movable")) {
		state = "online";
		zones = "Movable";
	}
	for (i = 0; i < (int)tree_nblocks; i++)
		tree_block(t, T_FIRST + i, state, zones);
	put_iomem(t, true);
}

int tree_empty(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s/mh-exec-XXXXXX", tree_base);
	if (!mkdtemp(t->dir))
		return -errno;
	snprintf(t->rundir, sizeof(t->rundir), "%s/run", t->dir);
	setenv("MEMHOTCTL_RUNDIR", t->rundir, 1);
	tree_put(t, MEM "block_size_bytes", "8000000");
	return 0;
}

int tree_open(struct tree *t)
{
	return mh_root_open(t->dir, &t->root);
}

int tree_create(struct tree *t, const char *policy, const char *driver, const char *zone)
{
	const char *drivers[] = { "kmem", "device_dax" };
	char rel[PATH_MAX], v[64];
	int i, k, err;

	err = tree_empty(t);
	if (err)
		return err;
	tree_put(t, MEM "auto_online_blocks", policy);
	for (i = 0; i < 2; i++)
		tree_block(t, (uint64_t)i, "online", "none");	/* boot memory */
	tree_put(t, "sys/devices/system/node/node1/cpulist", "");
	for (k = 0; k < 2; k++)
		for (i = 0; i < 3; i++) {
			static const char *const a[] = { "bind", "unbind", "new_id" };

			snprintf(rel, sizeof(rel), DRV "%s/%s", drivers[k], a[i]);
			tree_put(t, rel, "");
		}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(tree_nblocks * BS));
	tree_put(t, DEVDIR "/size", v);
	tree_put(t, DEVDIR "/target_node", "1");
	tree_put(t, DEVDIR "/numa_node", "0");
	snprintf(v, sizeof(v), "0x%llx", (unsigned long long)(T_FIRST * BS));
	tree_put(t, DEVDIR "/resource", v);
	snprintf(v, sizeof(v), "0x%llx", (unsigned long long)(T_FIRST * BS));
	tree_put(t, DEVDIR "/mapping0/start", v);
	snprintf(v, sizeof(v), "0x%llx",
		 (unsigned long long)((T_FIRST + tree_nblocks) * BS - 1));
	tree_put(t, DEVDIR "/mapping0/end", v);
	tree_put(t, DEVDIR "/mapping0/page_offset", "0x0");
	tree_set_driver(t, driver);
	if (driver && !strcmp(driver, "kmem")) {
		for (i = 0; i < (int)tree_nblocks; i++)
			tree_block(t, T_FIRST + i, "online", zone);
		put_iomem(t, true);
	} else {
		put_iomem(t, false);
	}
	return tree_open(t);
}

int tree_plan(struct tree *t, enum mh_op op, enum mh_zone zone, struct mh_plan *plan,
	      char *why, size_t len)
{
	const char *names[] = { T_DEV };
	struct mh_plan_opts po = { .zone = zone, .rebind = MH_REBIND_DEVDAX, .force = true };
	struct mh_snapshot snap;
	struct mh_err e;
	int err;

	memset(plan, 0, sizeof(*plan));
	err = mh_snapshot_take(t->root, names, 1, false, &snap, &e);
	if (err) {
		snprintf(why, len, "%s", e.msg);
		return err;
	}
	err = mh_plan_build(&snap, op, T_DEV, &po, plan, &e);
	if (err)
		snprintf(why, len, "%s", e.msg);
	mh_snapshot_free(&snap);
	return err;
}

void tree_destroy(struct tree *t)
{
	char cmd[PATH_MAX + 16];

	mh_root_close(t->root);
	t->root = NULL;
	if (getenv("MH_TEST_KEEP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", t->dir);
}

/* ---- the simulated kernel ---- */

static const char *shorten(const char *rel)
{
	if (!strncmp(rel, MEM, strlen(MEM)))
		return rel + strlen(MEM);
	if (!strncmp(rel, DRV, strlen(DRV)))
		return rel + strlen(DRV);
	return rel;
}

static char journal_flag(struct sim *s)
{
	char p[PATH_MAX], buf[512];

	snprintf(p, sizeof(p), "run/%s.journal", T_DEV);
	if (!tree_exists(s->t, p))
		return '-';
	snprintf(p, sizeof(p), "%s/%s.journal", s->t->rundir, T_DEV);
	{
		FILE *f = fopen(p, "r");
		size_t n;

		if (!f)
			return '-';
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
	}
	return strstr(buf, "unbind_started 1") ? '1' : '0';
}

/* A block whose valid_zones reads "none" lies in more than one zone. */
static bool block_spans_zones(struct sim *s, const char *state_rel)
{
	char zr[PATH_MAX], z[32];
	const char *slash = strrchr(state_rel, '/');

	if (!slash || strcmp(slash, "/state"))
		return false;
	snprintf(zr, sizeof(zr), "%.*s/valid_zones", (int)(slash - state_rel), state_rel);
	return !strcmp(tree_get(s->t, zr, z, sizeof(z)), "none");
}

static int sim_pre(void *ctx, const char *rel, const char *val)
{
	struct sim *s = ctx;
	const char *sr = shorten(rel);
	size_t i;

	if (s->n < T_MAX_TRACE)
		s->journal[s->n] = journal_flag(s);
	if (s->offline_delay_ms && !strcmp(val, "offline"))
		usleep(s->offline_delay_ms * 1000);
	if (!strcmp(val, "offline") && block_spans_zones(s, rel))
		return -EINVAL;	/* memory_block_offline(): no single zone */
	for (i = 0; i < s->nbefore; i++) {
		char e[PATH_MAX];

		if (s->before[i].done || strcmp(s->before[i].rel, sr) ||
		    strcmp(s->before[i].val, val))
			continue;
		s->before[i].done = true;
		snprintf(e, sizeof(e), MEM "%s", s->before[i].set_rel);
		if (!strcmp(s->before[i].set_val, SIM_LOOP))
			tree_loop(s->t, e);
		else
			tree_put(s->t, e, s->before[i].set_val);
	}
	for (i = 0; i < s->ninj; i++) {
		if (strcmp(s->inj[i].rel, sr) || (s->inj[i].val[0] && strcmp(s->inj[i].val, val)))
			continue;
		if (s->inj[i].times < 0)
			continue;
		if (s->inj[i].times > 0 && --s->inj[i].times == 0)
			s->inj[i].times = -1;	/* used up */
		return -s->inj[i].err;
	}
	return 0;
}

static void kernel_online(struct sim *s, const char *rel, const char *val)
{
	char zr[PATH_MAX];
	const char *zone = !strcmp(val, "online_kernel") ? "Normal" : "Movable";

	snprintf(zr, sizeof(zr), "%s", rel);
	strcpy(strrchr(zr, '/') + 1, "valid_zones");
	tree_put(s->t, rel, "online");
	tree_put(s->t, zr, zone);
}

static void kernel_unbind_kmem(struct sim *s)
{
	static const char *const files[] = { "state", "valid_zones", "phys_index",
					      "removable", "node1" };
	char p[PATH_MAX + 64];
	int i;
	size_t k;

	tree_set_driver(s->t, NULL);
	if (s->leak_on_unbind)
		return;		/* "cannot be hotremoved until the next reboot" */
	for (i = 0; i < (int)tree_nblocks; i++) {
		/* What tree_block() made: no rm -rf per block for the big trees. */
		for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
			snprintf(p, sizeof(p), "%s/" MEM "memory%d/%s", s->t->dir,
				 T_FIRST + i, files[k]);
			unlink(p);
		}
		snprintf(p, sizeof(p), "%s/" MEM "memory%d", s->t->dir, T_FIRST + i);
		if (rmdir(p) && errno != ENOENT)
			fprintf(stderr, "cannot remove %s: %s\n", p, strerror(errno));
	}
	put_iomem(s->t, false);
}

static void sim_post(void *ctx, const char *rel, const char *val, int err)
{
	struct sim *s = ctx;
	const char *sr = shorten(rel);
	char entry[96];
	size_t i;

	snprintf(entry, sizeof(entry), "%s=%s%s%s", sr, val, err ? ":" : "",
		 err ? strerror(-err) : "");
	if (s->n < T_MAX_TRACE)
		snprintf(s->trace[s->n++], sizeof(s->trace[0]), "%s", entry);

	if (!err) {
		size_t l = strlen(sr);

		if (l > 6 && !strcmp(sr + l - 6, "/state") && !strncmp(val, "online", 6))
			kernel_online(s, rel, val);
		else if (!strcmp(sr, "kmem/unbind"))
			kernel_unbind_kmem(s);
		else if (!strcmp(sr, "kmem/bind") || !strcmp(sr, "kmem/new_id")) {
			char pol[32];

			tree_set_driver(s->t, "kmem");
			add_blocks(s->t, tree_get(s->t, MEM "auto_online_blocks", pol,
						  sizeof(pol)));
		} else if (!strcmp(sr, "device_dax/bind") || !strcmp(sr, "device_dax/new_id"))
			tree_set_driver(s->t, "device_dax");
		else if (!strcmp(sr, "device_dax/unbind"))
			tree_set_driver(s->t, NULL);
	}
	for (i = 0; i < s->nafter; i++) {
		if (s->after[i].done || strcmp(s->after[i].rel, sr) ||
		    strcmp(s->after[i].val, val))
			continue;
		s->after[i].done = true;
		snprintf(entry, sizeof(entry), MEM "%s", s->after[i].set_rel);
		tree_put(s->t, entry, s->after[i].set_val);
	}
	if (s->stop_after && s->stop) {
		snprintf(entry, sizeof(entry), "%s=%s", sr, val);
		if (!strcmp(entry, s->stop_after))
			*s->stop = 1;
	}
}

void sim_install(struct sim *s, struct tree *t)
{
	struct mh_write_hook h = { .pre = sim_pre, .post = sim_post, .ctx = s };

	memset(s, 0, sizeof(*s));
	s->t = t;
	mh_write_set_hook(&h);
}

void sim_remove(void)
{
	mh_write_set_hook(NULL);
}

void sim_inject(struct sim *s, const char *rel, const char *val, int err, int times)
{
	snprintf(s->inj[s->ninj].rel, sizeof(s->inj[0].rel), "%s", rel);
	snprintf(s->inj[s->ninj].val, sizeof(s->inj[0].val), "%s", val ? val : "");
	s->inj[s->ninj].err = err;
	s->inj[s->ninj].times = times;
	s->ninj++;
}

void sim_after(struct sim *s, const char *rel, const char *val,
	       const char *set_rel, const char *set_val)
{
	snprintf(s->after[s->nafter].rel, sizeof(s->after[0].rel), "%s", rel);
	snprintf(s->after[s->nafter].val, sizeof(s->after[0].val), "%s", val);
	snprintf(s->after[s->nafter].set_rel, sizeof(s->after[0].set_rel), "%s", set_rel);
	snprintf(s->after[s->nafter].set_val, sizeof(s->after[0].set_val), "%s", set_val);
	s->nafter++;
}

void sim_before(struct sim *s, const char *rel, const char *val,
		const char *set_rel, const char *set_val)
{
	snprintf(s->before[s->nbefore].rel, sizeof(s->before[0].rel), "%s", rel);
	snprintf(s->before[s->nbefore].val, sizeof(s->before[0].val), "%s", val);
	snprintf(s->before[s->nbefore].set_rel, sizeof(s->before[0].set_rel), "%s", set_rel);
	snprintf(s->before[s->nbefore].set_val, sizeof(s->before[0].set_val), "%s", set_val);
	s->nbefore++;
}

int sim_find(const struct sim *s, const char *entry)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->trace[i], entry))
			return (int)i;
	return -1;
}

const char *sim_dump(const struct sim *s)
{
	static char buf[T_MAX_TRACE * 40];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 i ? " " : "", s->trace[i]);
	return buf;
}
