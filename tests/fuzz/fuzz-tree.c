// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the input becomes a small sysfs/procfs tree, which
 * the read side and the planner then take in as --sysroot would: snapshot,
 * per-device view, plans for remove/offline/online, step descriptions,
 * the after-unbind checks. Structure comes from a compact text encoding so
 * that mutations land in attribute content, where the parsers are:
 *
 *   KEY=VALUE   write VALUE and a newline, as sysfs prints
 *   KEY:VALUE   write VALUE as it is
 *   VALUE escapes: \n newline, \0 NUL byte, \\ backslash
 *
 * KEY (the one file or link it makes under sys/devices/system/memory=M,
 * sys/bus/dax/devices=D):
 *   bs, auto            M/block_size_bytes, M/auto_online_blocks
 *   meminfo, iomem      proc/meminfo, proc/iomem
 *   mN.ATTR             M/memoryN/ATTR; ATTR state phys_index valid_zones
 *                       removable online; N decimal
 *   mN.node             link M/memoryN/node<VALUE> (dangling, as captured)
 *   mdir                directory M/<VALUE>
 *   nodelink            VALUE "nodeX/NAME": link node/nodeX/NAME
 *   dK.name             name of device slot K (0-3); default daxK.0
 *   dK.path             the device lives at sys/devices/<VALUE>/<name>;
 *                       D/<name> is a link to it (kind, backing)
 *   dK.driver           D/<name>/driver is a link with target VALUE
 *   dK.driverdir        ... is a directory; dK.driverfile: a file
 *   dK.ATTR             size target_node numa_node resource align
 *   dK.mappingX.start   D/<name>/mappingX/start (also .end, .page_offset)
 *   KEY/                any file KEY above made a directory instead
 *   KEY@                ... or a symlink with target VALUE
 *
 * Everything the library reports back is checked against the rules the
 * plan must keep (spec: engine rules), and no fd may be left open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "err.h"
#include "iomem.h"
#include "log.h"
#include "paths.h"
#include "plan.h"
#include "snapshot.h"
#include "verify.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-tree: %s:%d: check failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#define MEMDIR MH_MEMORY_DIR
#define NODEDIR MH_NODE_DIR
#define DAXDIR MH_DAX_DEVICES_DIR
#define NR_SLOTS 4
#define MAX_BLOCKS 512		/* whole blocks over all mappings: keep runs fast */
#define MAX_VALUE 4096

static char tree[PATH_MAX];	/* the sysroot, recreated for every input */
static char base[PATH_MAX];	/* private temp dir holding it */
static int fd_mark;		/* lowest free fd between inputs */
static bool debug;		/* MEMHOTCTL_FUZZ_DEBUG: say what each input did */

struct slot {
	char name[256];
	char path[512];		/* "" = plain directory on the bus */
	bool used;
};

static struct slot slots[NR_SLOTS];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
	if (base[0]) {
		rm_tree(base);
		base[0] = '\0';
	}
}

static void quiet_log(enum mh_log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void quiet_log(enum mh_log_level lvl, const char *fmt, va_list ap)
{
	char buf[512];

	/* format every message: a bad format string or argument shows up */
	(void)lvl;
	vsnprintf(buf, sizeof(buf), fmt, ap);
}

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * Fds still open on anything under our temp dir: the library leaked them.
 * (Not "lowest free fd": libFuzzer's own thread opens /proc files.)
 */
static int leaked_fds(void)
{
	char p[64], t[PATH_MAX];
	struct dirent *de;
	size_t blen = strlen(base);
	int leaks = 0;
	ssize_t n;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		if (n < 0)
			continue;
		t[n] = '\0';
		if (!strncmp(t, base, blen)) {
			fprintf(stderr, "fuzz-tree: fd %s left open: %s\n", de->d_name, t);
			leaks++;
		}
	}
	closedir(d);
	return leaks;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("MEMHOTCTL_FUZZ_TMPDIR");

	(void)argc;
	(void)argv;
	/* a tree per input: on a disk file system that costs 30x a tmpfs */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) ? getenv("TMPDIR") : "/dev/shm";
	snprintf(base, sizeof(base), "%s/memhotctl-fuzz-tree.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror("fuzz-tree: mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	snprintf(tree, sizeof(tree), "%s/root", base);
	mh_set_log_fn(quiet_log);
	debug = getenv("MEMHOTCTL_FUZZ_DEBUG") != NULL;
	fd_mark = lowest_free_fd();
	return 0;
}

/* One path component that stays where it is put. */
static bool good_name(const char *s)
{
	return *s && strlen(s) < 200 && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..");
}

/* A relative path of good components, for dK.path. */
static bool good_path(const char *s)
{
	char buf[512], *c, *save = NULL;

	if (!*s || *s == '/' || strlen(s) >= sizeof(buf) - 64)
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (!good_name(c))
			return false;
	return true;
}

static void mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + strlen(tree) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* Create tree/rel (parents too) holding len bytes of val. */
static void put_link(const char *rel, const char *target);
static void put_dir(const char *rel);

/* The file type the record's key asked for (KEY/, KEY@). */
static enum { AS_FILE, AS_DIR, AS_LINK } put_as;

static void put_file(const char *rel, const char *val, size_t len)
{
	char path[PATH_MAX], *slash;
	int fd;

	if (put_as == AS_DIR) {
		put_dir(rel);
		return;
	}
	if (put_as == AS_LINK) {
		snprintf(path, sizeof(path), "%.*s", (int)strnlen(val, len), val);
		path[strcspn(path, "\n")] = '\0';
		if (*path)
			put_link(rel, path);
		return;
	}

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
	/* a link or directory there already: the last record loses */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (len && write(fd, val, len) < 0)
		perror("fuzz-tree: write");
	close(fd);
}

static void put_link(const char *rel, const char *target)
{
	char path[PATH_MAX], *slash;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
	symlink(target, path);
}

static void put_dir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	mkdir_p(path);
}

/* Where a device slot's attributes go: its real directory. */
static const char *slot_dir(int k, char *buf, size_t len)
{
	struct slot *s = &slots[k];

	if (s->path[0])
		snprintf(buf, len, "sys/devices/%s/%s", s->path, s->name);
	else
		snprintf(buf, len, DAXDIR "/%s", s->name);
	return buf;
}

static bool is_digits(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 20)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* What an attribute reader will see of a value: up to NUL, one \n off. */
static void as_read(const char *val, size_t len, char *out, size_t outlen)
{
	size_t n = strnlen(val, len);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, val, n);
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

struct record {
	char key[256];
	char val[MAX_VALUE];
	size_t len;
};

/* Next "KEY=VALUE" line; false at the end of the input. */
static bool next_record(const uint8_t **pp, const uint8_t *end, struct record *r)
{
	const uint8_t *p = *pp, *nl;
	size_t klen, i;
	bool raw;

	while (p < end && *p == '\n')
		p++;
	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	*pp = nl;
	r->key[0] = '\0';
	r->len = 0;
	for (klen = 0; p + klen < nl && p[klen] != '=' && p[klen] != ':'; klen++)
		;
	if (p + klen >= nl || klen >= sizeof(r->key))
		return true;	/* no separator: ignored */
	memcpy(r->key, p, klen);
	r->key[klen] = '\0';
	if (memchr(r->key, '\0', klen))
		r->key[0] = '\0';
	raw = p[klen] == ':';
	for (i = klen + 1; p + i < nl && r->len < sizeof(r->val) - 2; i++) {
		char c = (char)p[i];

		if (c == '\\' && p + i + 1 < nl) {
			char e = (char)p[++i];

			c = e == 'n' ? '\n' : e == '0' ? '\0' : e;
		}
		r->val[r->len++] = c;
	}
	if (!raw)
		r->val[r->len++] = '\n';
	return true;
}

/* The value as a plain string (for names, links): NUL and \n end it. */
static const char *val_str(const struct record *r, char *buf, size_t len)
{
	size_t n = strcspn(r->val, "\n");

	if (n > r->len)
		n = r->len;
	n = strnlen(r->val, n);
	if (n >= len)
		n = len - 1;
	memcpy(buf, r->val, n);
	buf[n] = '\0';
	return buf;
}

static const char *const mem_attrs[] = {
	"state", "phys_index", "valid_zones", "removable", "online", NULL
};
static const char *const dev_attrs[] = {
	"size", "target_node", "numa_node", "resource", "align", NULL
};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

/* First pass: device names and paths, which the other records depend on. */
static void read_slots(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct record r;
	char v[512];
	int k;

	for (k = 0; k < NR_SLOTS; k++) {
		snprintf(slots[k].name, sizeof(slots[k].name), "dax%d.0", k);
		slots[k].path[0] = '\0';
		slots[k].used = false;
	}
	while (next_record(&p, end, &r)) {
		if (r.key[0] != 'd' || r.key[1] < '0' || r.key[1] >= '0' + NR_SLOTS ||
		    r.key[2] != '.')
			continue;
		k = r.key[1] - '0';
		slots[k].used = true;
		if (!strcmp(r.key + 3, "name") && good_name(val_str(&r, v, sizeof(v))))
			snprintf(slots[k].name, sizeof(slots[k].name), "%s", v);
		else if (!strcmp(r.key + 3, "path") && good_path(val_str(&r, v, sizeof(v))))
			snprintf(slots[k].path, sizeof(slots[k].path), "%s", v);
	}
}

/*
 * Whole blocks the mappings would cover, counted as the library will read
 * them (over-counted rather than under). A real device may have millions
 * of blocks; a fuzz input that asks for that only measures the disk.
 */
static bool too_many_blocks(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct record r;
	char v[64];
	uint64_t bs = 0, total = 0, first, last;
	struct mh_range rg;
	struct {
		uint64_t start[8], end[8];
	} m[NR_SLOTS];
	unsigned nstart[NR_SLOTS] = { 0 }, nend[NR_SLOTS] = { 0 };
	unsigned k, i, j;

	while (next_record(&p, end, &r)) {
		uint64_t x;
		bool isend;

		if (!strcmp(r.key, "bs")) {
			as_read(r.val, r.len, v, sizeof(v));
			if (mh_parse_u64(v, 16, &x) == 0 && x)
				bs = x;	/* last record wins, as in the tree */
			continue;
		}
		if (r.key[0] != 'd' || r.key[1] < '0' || r.key[1] >= '0' + NR_SLOTS ||
		    strncmp(r.key + 2, ".mapping", 8))
			continue;
		isend = strlen(r.key) > 4 && !strcmp(r.key + strlen(r.key) - 4, ".end");
		if (!isend && (strlen(r.key) < 6 ||
			       strcmp(r.key + strlen(r.key) - 6, ".start")))
			continue;
		as_read(r.val, r.len, v, sizeof(v));
		if (!strcmp(v, "0"))
			x = 0;
		else if (v[0] != '0' || v[1] != 'x' || mh_parse_u64(v + 2, 16, &x))
			continue;
		k = (unsigned)(r.key[1] - '0');
		if (isend && nend[k] < 8)
			m[k].end[nend[k]++] = x;
		else if (!isend && nstart[k] < 8)
			m[k].start[nstart[k]++] = x;
		else
			return true;	/* more mappings than we bother to pair */
	}
	if (!bs)
		return false;
	/* any start with any end of the same device: an upper bound */
	for (k = 0; k < NR_SLOTS; k++)
		for (i = 0; i < nstart[k]; i++)
			for (j = 0; j < nend[k]; j++) {
				rg.start = m[k].start[i];
				rg.end = m[k].end[j];
				if (!mh_range_blocks(&rg, bs, &first, &last))
					continue;
				if (last - first >= MAX_BLOCKS)
					return true;
				total += last - first + 1;
				if (total > MAX_BLOCKS)
					return true;
			}
	return false;
}

static void build_tree(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct record r;
	char rel[PATH_MAX], dir[PATH_MAX], v[512];
	const char *dot;
	int k;

	put_dir(MEMDIR);
	put_dir(DAXDIR);
	put_dir("proc");
	for (k = 0; k < NR_SLOTS; k++) {
		if (!slots[k].used)
			continue;
		if (slots[k].path[0]) {
			/* the bus entry links to the device, as on a machine */
			slot_dir(k, dir, sizeof(dir));
			put_dir(dir);
			snprintf(rel, sizeof(rel), DAXDIR "/%s", slots[k].name);
			snprintf(dir, sizeof(dir), "../../../devices/%s/%s",
				 slots[k].path, slots[k].name);
			put_link(rel, dir);
		} else {
			put_dir(slot_dir(k, dir, sizeof(dir)));
		}
	}
	while (next_record(&p, end, &r)) {
		size_t kl = strlen(r.key);

		if (!r.key[0])
			continue;
		put_as = AS_FILE;
		if (kl > 1 && (r.key[kl - 1] == '/' || r.key[kl - 1] == '@')) {
			put_as = r.key[kl - 1] == '/' ? AS_DIR : AS_LINK;
			r.key[kl - 1] = '\0';
		}
		if (!strcmp(r.key, "bs")) {
			put_file(MEMDIR "/block_size_bytes", r.val, r.len);
		} else if (!strcmp(r.key, "auto")) {
			put_file(MEMDIR "/auto_online_blocks", r.val, r.len);
		} else if (!strcmp(r.key, "meminfo")) {
			put_file("proc/meminfo", r.val, r.len);
		} else if (!strcmp(r.key, "iomem")) {
			put_file("proc/iomem", r.val, r.len);
		} else if (!strcmp(r.key, "mdir")) {
			if (good_name(val_str(&r, v, sizeof(v)))) {
				snprintf(rel, sizeof(rel), MEMDIR "/%s", v);
				put_dir(rel);
			}
		} else if (!strcmp(r.key, "nodelink")) {
			char *slash;

			val_str(&r, v, sizeof(v));
			slash = strchr(v, '/');
			if (!slash)
				continue;
			*slash = '\0';
			if (!good_name(v) || !good_name(slash + 1))
				continue;
			snprintf(rel, sizeof(rel), NODEDIR "/%s/%s", v, slash + 1);
			snprintf(dir, sizeof(dir), "../../memory/%s", slash + 1);
			put_link(rel, dir);
		} else if (r.key[0] == 'm' && (dot = strchr(r.key, '.')) &&
			   is_digits(r.key + 1, (size_t)(dot - r.key - 1))) {
			int n = (int)(dot - r.key - 1);

			if (in_list(mem_attrs, dot + 1)) {
				snprintf(rel, sizeof(rel), MEMDIR "/memory%.*s/%s",
					 n, r.key + 1, dot + 1);
				put_file(rel, r.val, r.len);
			} else if (!strcmp(dot + 1, "node") &&
				   good_name(val_str(&r, v, sizeof(v))) &&
				   strlen(v) < 100) {
				snprintf(rel, sizeof(rel), MEMDIR "/memory%.*s/node%s",
					 n, r.key + 1, v);
				snprintf(dir, sizeof(dir), "../../node/node%s", v);
				put_link(rel, dir);
			}
		} else if (r.key[0] == 'd' && r.key[1] >= '0' &&
			   r.key[1] < '0' + NR_SLOTS && r.key[2] == '.') {
			const char *a = r.key + 3;

			slot_dir(r.key[1] - '0', dir, sizeof(dir));
			if (in_list(dev_attrs, a)) {
				snprintf(rel, sizeof(rel), "%s/%s", dir, a);
				put_file(rel, r.val, r.len);
			} else if (!strcmp(a, "driver")) {
				val_str(&r, v, sizeof(v));
				if (!*v)
					continue;
				snprintf(rel, sizeof(rel), "%s/driver", dir);
				put_link(rel, v);
			} else if (!strcmp(a, "driverdir")) {
				snprintf(rel, sizeof(rel), "%s/driver", dir);
				put_dir(rel);
			} else if (!strcmp(a, "driverfile")) {
				snprintf(rel, sizeof(rel), "%s/driver", dir);
				put_file(rel, r.val, r.len);
			} else if (!strncmp(a, "mapping", 7) && (dot = strrchr(a, '.')) &&
				   (!strcmp(dot, ".start") || !strcmp(dot, ".end") ||
				    !strcmp(dot, ".page_offset"))) {
				snprintf(v, sizeof(v), "%.*s", (int)(dot - a), a);
				if (!good_name(v))
					continue;
				snprintf(rel, sizeof(rel), "%s/%s/%s", dir, v, dot + 1);
				put_file(rel, r.val, r.len);
			}
		}
	}
}

static bool in_ids(const uint64_t *ids, int n, uint64_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void check_view(const struct mh_snapshot *snap, const struct mh_dax_dev *dev)
{
	struct mh_dev_view v;
	uint64_t *ids = NULL;
	int n, ret;
	size_t i;

	n = mh_dax_block_ids(dev, snap->block_size, &ids);
	ret = mh_dev_view(snap, dev, &v);
	if (ret < 0) {
		CHECK(n < 0);
		free(ids);
		return;
	}
	CHECK(n >= 0 && (size_t)n == v.nr_total);
	for (i = 1; i < (size_t)n; i++)
		CHECK(ids[i - 1] < ids[i]);
	CHECK(v.nr_blocks <= v.nr_total);
	CHECK(v.nr_online + v.nr_offline <= v.nr_blocks);
	CHECK(v.nr_blocks + v.nr_missing <= v.nr_total);
	CHECK(strlen(v.reason) < sizeof(v.reason));
	for (i = 0; i < v.nr_blocks; i++)
		CHECK(in_ids(ids, n, v.blocks[i]->id));
	if (v.removable)
		CHECK(dev->driver == MH_DRIVER_KMEM && v.nr_total && !v.nr_missing);
	free(ids);
	mh_dev_view_free(&v);
}

static int find_step(const struct mh_plan *p, enum mh_step_kind k)
{
	size_t i;

	for (i = 0; i < p->nr_steps; i++)
		if (p->steps[i].kind == k)
			return (int)i;
	return -1;
}

/* The plan rules that keep a remove safe, whatever sysfs said. */
static void check_plan(const struct mh_snapshot *snap, const struct mh_dax_dev *dev,
		       enum mh_op op, const struct mh_plan_opts *o,
		       const struct mh_plan *p)
{
	const struct mh_block *b;
	char buf[256], tiny[8];
	int chk, unb, i, ret;
	size_t j, k;

	CHECK(p->op == op && !strcmp(p->dev, dev->name));
	/*
	 * Only online acts on a device outside kmem; remove of one already
	 * where remove leaves it (device_dax, or no driver with --rebind none)
	 * is an empty plan.
	 */
	CHECK(dev->driver == MH_DRIVER_KMEM || op == MH_OP_ONLINE ||
	      (op == MH_OP_REMOVE && !p->nr_steps &&
	       (dev->driver == MH_DRIVER_DEVICE_DAX ? o->rebind == MH_REBIND_DEVDAX :
		dev->driver == MH_DRIVER_NONE && o->rebind == MH_REBIND_NONE)));
	if (op == MH_OP_REMOVE && dev->driver != MH_DRIVER_KMEM)
		return;	/* the empty plan above: no step rules to check */
	for (j = 0; j < p->nr_steps; j++) {
		const struct mh_step *s = &p->steps[j];

		CHECK(strcmp(mh_step_kind_name(s->kind), "unknown"));
		ret = mh_step_describe(p, s, buf, sizeof(buf));
		CHECK(ret > 0 && (size_t)ret == strlen(buf));
		ret = mh_step_describe(p, s, tiny, sizeof(tiny));
		CHECK(ret == -ENOSPC || (ret > 0 && (size_t)ret < sizeof(tiny)));
		CHECK(strlen(tiny) < sizeof(tiny));
		if (s->kind == MH_STEP_ONLINE_BLOCK || s->kind == MH_STEP_OFFLINE_BLOCK) {
			for (k = 0; k < p->nr_blocks && p->blocks[k] != s->block; k++)
				;
			CHECK(k < p->nr_blocks);	/* a block of the device */
		}
		if (s->kind == MH_STEP_ONLINE_BLOCK)
			CHECK(op == MH_OP_ONLINE && s->zone == o->zone);
		if (s->kind == MH_STEP_OFFLINE_BLOCK)
			CHECK(op != MH_OP_ONLINE);
	}
	for (j = 0; j < p->nr_blocks; j++) {
		b = mh_blocks_find(&snap->blocks, p->blocks[j]);
		CHECK(p->orig_state[j] == (b ? b->state : MH_BLOCK_UNKNOWN));
		if (op == MH_OP_ONLINE || !b)
			continue;
		/* spanning zones cannot be offlined: refused, never planned */
		CHECK(mh_zone_from_valid_zones(b->valid_zones) != MH_ZONE_NONE);
		if (b->state == MH_BLOCK_OFFLINE)
			continue;
		/* every block not offline is offlined, before the check */
		for (i = 0; i < (int)p->nr_steps; i++)
			if (p->steps[i].kind == MH_STEP_OFFLINE_BLOCK &&
			    p->steps[i].block == b->id)
				break;
		CHECK(i < (int)p->nr_steps);
		chk = find_step(p, MH_STEP_CHECK_OFFLINE);
		CHECK(op != MH_OP_REMOVE || i < chk);
	}
	if (op == MH_OP_REMOVE) {
		chk = find_step(p, MH_STEP_CHECK_OFFLINE);
		unb = find_step(p, MH_STEP_UNBIND_KMEM);
		CHECK(chk >= 0 && unb == chk + 1);
		CHECK(find_step(p, MH_STEP_VERIFY_RELEASED) == unb + 1);
		CHECK((find_step(p, MH_STEP_BIND_DEVDAX) >= 0) ==
		      (o->rebind == MH_REBIND_DEVDAX));
	}
	if (op == MH_OP_ONLINE) {
		int set = find_step(p, MH_STEP_SET_POLICY);
		int restore = find_step(p, MH_STEP_RESTORE_POLICY);
		int bind = find_step(p, MH_STEP_BIND_KMEM);

		CHECK((set >= 0) == (restore >= 0));
		if (set >= 0)
			CHECK(set < bind && bind < restore &&
			      !strcmp(p->steps[set].arg, "offline"));
		if (dev->driver != MH_DRIVER_KMEM && bind >= 0 && snap->auto_online[0] &&
		    strcmp(snap->auto_online, "offline"))
			CHECK(set >= 0);	/* policy held while kmem adds blocks */
	}
}

static void plan_all(const struct mh_snapshot *snap, const struct mh_dax_dev *dev)
{
	static const enum mh_op ops[] = { MH_OP_REMOVE, MH_OP_OFFLINE, MH_OP_ONLINE };
	struct mh_plan_opts o;
	struct mh_plan p;
	struct mh_err e;
	char why[256];
	unsigned i, v;
	size_t j;
	int ret;

	for (i = 0; i < 3; i++)
		for (v = 0; v < 4; v++) {
			memset(&o, 0, sizeof(o));
			o.zone = v & 1 ? MH_ZONE_NORMAL : MH_ZONE_MOVABLE;
			o.rebind = v & 1 ? MH_REBIND_NONE : MH_REBIND_DEVDAX;
			o.force = v & 2;
			ret = mh_plan_build(snap, ops[i], dev->name, &o, &p, &e);
			if (debug)
				fprintf(stderr, "  %s %s zone=%s rebind=%d force=%d: %d %s\n",
					mh_op_name(ops[i]), dev->name, mh_zone_name(o.zone),
					o.rebind, o.force, ret, ret < 0 ? e.msg : "");
			if (ret < 0) {
				/* a refusal says why and leaves no plan */
				CHECK(e.msg[0] && strlen(e.msg) < sizeof(e.msg) && e.err == -ret);
				CHECK(!p.steps && !p.nr_steps && !p.blocks);
				continue;
			}
			CHECK(ret == 0);
			check_plan(snap, dev, ops[i], &o, &p);
			for (j = 0; debug && j < p.nr_steps; j++) {
				mh_step_describe(&p, &p.steps[j], why, sizeof(why));
				fprintf(stderr, "    %zu. %s\n", j + 1, why);
			}
			mh_plan_free(&p);
		}
}

static void check_blocks_sorted(const struct mh_blocks *b)
{
	size_t i;

	for (i = 0; i < b->count; i++) {
		CHECK(i == 0 || b->v[i - 1].id < b->v[i].id);
		CHECK(mh_blocks_find(b, b->v[i].id) == &b->v[i]);
		CHECK(strlen(b->v[i].valid_zones) < sizeof(b->v[i].valid_zones));
		CHECK(b->v[i].removable >= -1 && b->v[i].removable <= 1);
	}
}

static void run_library(void)
{
	struct mh_snapshot snap;
	struct mh_root *root;
	struct mh_iomem_entry *e = NULL;
	struct mh_block blk;
	struct mh_err ve, se;
	const char *names[2];
	size_t i, n;
	int ret;

	if (mh_root_open(tree, &root))
		return;
	CHECK(!mh_root_is_live(root));

	ret = mh_snapshot_take(root, NULL, 0, false, &snap, &se);
	if (debug)
		fprintf(stderr, "snapshot: %d %s\n", ret, ret ? se.msg : "");
	/* a failure says why, with the errno it returns */
	CHECK(ret <= 0 && (ret == 0 || (se.msg[0] && se.err == -ret)));
	if (ret == 0) {
		CHECK(snap.block_size != 0);
		check_blocks_sorted(&snap.blocks);
		for (i = 0; i < snap.devs.count; i++) {
			const struct mh_dax_dev *d = &snap.devs.v[i];

			CHECK(!mh_dax_name_valid(d->name));
			CHECK(d->nr_ranges <= MH_DAX_MAX_RANGES);
			check_view(&snap, d);
			plan_all(&snap, d);
			ret = mh_verify_released(root, d, snap.block_size, &ve);
			/* released, seen not released, or not known: each says why */
			CHECK(ret <= 0 && (ret == 0 || (ve.msg[0] && ve.err == -ret)));
		}
		for (i = 0; i < snap.blocks.count; i++) {
			blk = snap.blocks.v[i];
			(void)mh_block_refresh(root, &blk);
			CHECK(strlen(blk.valid_zones) < sizeof(blk.valid_zones));
		}
		mh_snapshot_free(&snap);
	}

	/* status --blocks: every block, node map from the node side */
	ret = mh_snapshot_take(root, NULL, 0, true, &snap, &se);
	CHECK(ret <= 0 && (ret == 0 || (se.msg[0] && se.err == -ret)));
	if (ret == 0) {
		check_blocks_sorted(&snap.blocks);
		for (i = 0; i < snap.blocks.count && i < 8; i++)
			if (mh_block_read(root, snap.blocks.v[i].id, &blk, NULL) == 0)
				CHECK(blk.id == snap.blocks.v[i].id);
		mh_snapshot_free(&snap);
	}

	/* asked by name: the user's name is checked before any path */
	names[0] = slots[0].name;
	names[1] = slots[1].name;
	ret = mh_snapshot_take(root, names, 2, false, &snap, &se);
	CHECK(ret <= 0 && (ret == 0 || (se.msg[0] && se.err == -ret)));
	if (ret == 0) {
		CHECK(snap.devs.count <= 2);
		for (i = 0; i < snap.devs.count; i++)
			plan_all(&snap, &snap.devs.v[i]);
		mh_snapshot_free(&snap);
	}
	/* a bad name never gets through (it may fail earlier, on sysfs) */
	CHECK(ret < 0 || !mh_dax_name_valid(names[0]));

	if (mh_iomem_read(root, &e, &n) == 0)
		free(e);
	mh_root_close(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024 || too_many_blocks(data, size))
		return 0;
	read_slots(data, size);
	rm_tree(tree);
	if (mkdir(tree, 0755)) {
		perror("fuzz-tree: mkdir");
		abort();
	}
	build_tree(data, size);
	run_library();
	rm_tree(tree);
	/* every fd the library opened is closed again */
	if (lowest_free_fd() != fd_mark)
		CHECK(!leaked_fds());
	return 0;
}
