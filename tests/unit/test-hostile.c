// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The library on hostile sysroot trees: without openat2 (ENOSYS, or EPERM
 * from a seccomp filter, installed here in a child) a sysroot is refused
 * and nothing is written, in the tree or through a link out of it; a FIFO
 * as an attribute or as /proc/iomem is refused at once; /proc/iomem is
 * read up to a cap; a verification that cannot be made is no leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "block.h"
#include "dax.h"
#include "err.h"
#include "iomem.h"
#include "paths.h"
#include "sysroot.h"
#include "verify.h"
#include "tap.h"

#define MEM MH_MEMORY_DIR

static char top[64], dir[128], outside[128], canary[160];

static void put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void __attribute__((format(printf, 1, 2)))
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd)) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

static const char *get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/*
 * The tree: blocks 34 (a directory) and 36 (a link to a canary block
 * outside the tree), both online; a dax0.0 of block 34.
 */
static void make_tree(void)
{
	char p[512];

	snprintf(dir, sizeof(dir), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	sh("mkdir -p %s/" MEM "/memory34 %s/memory36 ", dir, outside);
	sh("mkdir -p %s/proc %s/sys/bus/dax/devices/dax0.0/mapping0", dir, dir);
	snprintf(p, sizeof(p), "%s/" MEM "/block_size_bytes", dir);
	put(p, "8000000\n");
	snprintf(p, sizeof(p), "%s/" MEM "/memory34/state", dir);
	put(p, "online\n");
	snprintf(p, sizeof(p), "%s/memory36/state", outside);
	put(p, "online\n");
	snprintf(p, sizeof(p), "%s/" MEM "/memory36", dir);
	snprintf(canary, sizeof(canary), "%s/memory36", outside);
	if (symlink(canary, p))	/* absolute: ROOT/...outside/memory36 in the root */
		exit(1);
	snprintf(p, sizeof(p), "%s/" MEM "/memory37", dir);
	if (symlink("../../../../../outside/memory36", p))
		exit(1);
	snprintf(p, sizeof(p), "%s/sys/bus/dax/devices/dax0.0/size", dir);
	put(p, "134217728\n");
	snprintf(p, sizeof(p), "%s/sys/bus/dax/devices/dax0.0/mapping0/start", dir);
	put(p, "0x110000000\n");
	snprintf(p, sizeof(p), "%s/sys/bus/dax/devices/dax0.0/mapping0/end", dir);
	put(p, "0x117ffffff\n");
	snprintf(p, sizeof(p), "%s/proc/iomem", dir);
	put(p, "00000000-3fffffff : System RAM\n");
}

/* In this process from now on: openat2 fails with err. false if it cannot. */
static bool deny_openat2(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) &&
	       !prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/*
 * In a child without openat2: a sysroot does not open, and a root opened
 * before (as if the filter came later) writes nothing, neither in the
 * tree nor through memory36's link. Exit bits say what went wrong.
 */
static int no_openat2_child(int err)
{
	struct mh_root *pre, *root = NULL;
	char p[512], buf[64];
	int bad = 0, ret;

	if (mh_root_open(dir, &pre))
		return 64;
	if (!deny_openat2(err))
		return 77;
	ret = mh_root_open(dir, &root);
	if (ret != -err) {
		printf("# mh_root_open without openat2: %d\n", ret);
		bad |= 1;
	}
	if (mh_write_attr(pre, MEM "/memory34/state", "offline") == 0)
		bad |= 2;
	if (mh_write_attr(pre, MEM "/memory36/state", "offline") == 0)
		bad |= 4;
	if (mh_read_attr(pre, MEM "/memory34/state", buf, sizeof(buf)) >= 0)
		bad |= 8;
	snprintf(p, sizeof(p), "%s/" MEM "/memory34/state", dir);
	if (strcmp(get(p, buf, sizeof(buf)), "online\n"))
		bad |= 16;
	if (root)
		mh_root_close(root);
	mh_root_close(pre);
	return bad;
}

static void test_no_openat2(void)
{
	static const int errs[] = { ENOSYS, EPERM };
	char p[512], buf[64];
	size_t i;

	for (i = 0; i < 2; i++) {
		int st = 0;
		pid_t pid = fork();

		if (pid == 0)
			_exit(no_openat2_child(errs[i]));
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
			ok(0, "no openat2 (%s): child ran", strerror(errs[i]));
			continue;
		}
		if (WEXITSTATUS(st) == 77) {
			printf("ok - # SKIP seccomp filters not available\n");
			return;
		}
		is_int(WEXITSTATUS(st), 0, "no openat2: sysroot refused, nothing read or written");
		snprintf(p, sizeof(p), "%s/memory36/state", outside);
		is_str(get(p, buf, sizeof(buf)), "online\n", "no openat2: the canary untouched");
	}
}

/* A link of a block out of the tree: never read, never written, never gone. */
static void test_escape(struct mh_root *root)
{
	enum mh_block_state st;
	struct mh_block blk;
	char p[512], buf[64];
	struct mh_err e = { 0 };
	uint64_t ids[] = { 34, 36, 37 };
	struct mh_blocks b;
	int ret;

	ret = mh_block_read_state(root, 36, &st);
	ok(ret < 0 && ret != -ENOENT, "memory36 (absolute link out): an error, not gone (%d)", ret);
	ret = mh_block_read_state(root, 37, &st);
	ok(ret < 0 && ret != -ENOENT, "memory37 (relative link out): an error, not gone (%d)", ret);
	ret = mh_block_read(root, 36, &blk, &e);
	ok(ret < 0 && ret != -ENOENT, "scan of memory36: an error, not gone (%d)", ret);
	ok(strstr(e.path, "memory36/state") != NULL, "its path is named (%s)", e.path);
	ok(e.err == -ret && !strncmp(e.msg, "cannot read ", 12) && strstr(e.msg, e.path),
	   "and said (%s)", e.msg);
	ret = mh_blocks_scan_ids(root, ids, 3, &b, &e);
	ok(ret < 0, "a device scan over them fails (%d)", ret);
	ok(mh_write_attr(root, MEM "/memory36/state", "offline") < 0,
	   "a write through the link fails");
	snprintf(p, sizeof(p), "%s/memory36/state", outside);
	is_str(get(p, buf, sizeof(buf)), "online\n", "the canary outside untouched");
}

/* Where a regular file belongs, a FIFO: refused at once, named. */
static void test_fifo(struct mh_root *root)
{
	struct mh_iomem_entry *e = NULL;
	struct mh_dax_dev dev;
	char p[512], what[MH_ERR_MSG_MAX];
	struct mh_err ve = { 0 }, re = { 0 };
	enum mh_block_state st;
	struct mh_block blk;
	uint64_t bs;
	size_t n;
	int ret;

	snprintf(p, sizeof(p), "%s/" MEM "/memory34/state", dir);
	unlink(p);
	if (mkfifo(p, 0600))
		exit(1);
	is_int(mh_block_read(root, 34, &blk, &re), -MH_ENOTREG,
	       "FIFO state: not a regular file");
	snprintf(what, sizeof(what), "cannot read %s/" MEM "/memory34/state: not a regular file",
		 dir);
	is_str(re.msg, what, "said with its path");
	is_int(mh_block_read_state(root, 34, &st), -MH_ENOTREG, "FIFO state, one-off read");
	is_str(mh_strerror(MH_ENOTREG), "not a regular file", "its words");
	unlink(p);
	put(p, "online\n");

	snprintf(p, sizeof(p), "%s/" MEM "/block_size_bytes", dir);
	unlink(p);
	if (mkfifo(p, 0600))
		exit(1);
	is_int(mh_block_size(root, &bs), -MH_ENOTREG, "FIFO block_size_bytes refused");
	unlink(p);
	put(p, "8000000\n");

	snprintf(p, sizeof(p), "%s/proc/iomem", dir);
	unlink(p);
	if (mkfifo(p, 0600))
		exit(1);
	is_int(mh_iomem_read(root, &e, &n), -MH_ENOTREG, "FIFO /proc/iomem refused");
	ret = mh_dax_read(root, "dax0.0", &dev, NULL);
	is_int(ret, 0, "dax0.0 reads");
	/* memory34 is still there: the blocks' check says busy first; so none */
	snprintf(p, sizeof(p), "%s/" MEM "/memory34", dir);
	sh("mv %s %s.away", p, p);
	ret = mh_verify_released(root, &dev, 1ULL << 27, &ve);
	snprintf(what, sizeof(what), "%s", ve.msg);
	ok(ret < 0 && ret != -EBUSY, "verify over a FIFO iomem: not checked, not leaked (%d: %s)",
	   ret, what);
	ok(strstr(what, "not a regular file") != NULL, "says why: %s", what);
	sh("mv %s.away %s", p, p);
	snprintf(p, sizeof(p), "%s/proc/iomem", dir);
	unlink(p);
	put(p, "00000000-3fffffff : System RAM\n");
}

/* /proc/iomem far bigger than any real one: a cap, -EFBIG, no ENOMEM. */
static void test_iomem_cap(struct mh_root *root)
{
	struct mh_iomem_entry *e = NULL;
	struct mh_dax_dev dev;
	char p[512], m[512], what[MH_ERR_MSG_MAX];
	struct mh_err ve = { 0 };
	size_t n;
	int fd, ret;

	snprintf(p, sizeof(p), "%s/proc/iomem", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 3LL << 30) || close(fd))	/* 3 GiB, sparse */
		exit(1);
	is_int(mh_iomem_read(root, &e, &n), -EFBIG, "3 GiB /proc/iomem: EFBIG at the cap");
	free(e);
	snprintf(m, sizeof(m), "%s/" MEM "/memory34", dir);
	sh("mv %s %s.away", m, m);	/* blocks gone: iomem is what is checked */
	ret = mh_dax_read(root, "dax0.0", &dev, NULL);
	if (!ret)
		ret = mh_verify_released(root, &dev, 1ULL << 27, &ve);
	snprintf(what, sizeof(what), "%s", ve.msg);
	sh("mv %s.away %s", m, m);
	ok(ret == -EFBIG && strstr(what, "larger than 16 MiB"),
	   "verify over it: not checked, not leaked (%d: %s)", ret, what);
	put(p, "00000000-3fffffff : System RAM\n");
}

/* test-hostile --no-openat2 ERRNO CMD ARGS...: CMD with openat2 denied */
static int exec_without_openat2(char **argv)
{
	int err = !strcmp(argv[0], "EPERM") ? EPERM : ENOSYS;

	if (!deny_openat2(err))
		return 77;
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}

int main(int argc, char **argv)
{
	struct mh_root *root;

	if (argc > 3 && !strcmp(argv[1], "--no-openat2"))
		return exec_without_openat2(argv + 2);

	alarm(60);	/* a read that hangs fails the test instead */
	snprintf(top, sizeof(top), "%s/mh-hostile-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(top))
		return 1;
	make_tree();
	test_no_openat2();
	if (mh_root_open(dir, &root)) {
		printf("Bail out! cannot open %s\n", dir);
		return 1;
	}
	test_escape(root);
	test_fifo(root);
	test_iomem_cap(root);
	mh_root_close(root);
	sh("rm -rf %s", top);
	return tap_done();
}
