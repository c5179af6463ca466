// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rooted sysfs/procfs access. One directory fd; every path is opened
 * relative to it, so a captured tree under --sysroot reads like a machine.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include "err.h"
#include "sysroot.h"

struct mh_root {
	int fd;
	bool live;
	int memfd;		/* live: MH_MEMORY_DIR, O_PATH; -1 not yet open */
	unsigned memfd_gen;	/* fork_gen when memfd was opened */
	char path[PATH_MAX];
};

/*
 * Bumped in every child fork()ed from here on: a child (the writer child
 * closes every fd it does not need) must not use the parent's memfd.
 */
static unsigned fork_gen;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void bump_fork_gen(void)
{
	fork_gen++;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, bump_fork_gen);
}

#define IN_ROOT		(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define BENEATH		(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

static int open_in_root(int dirfd, const char *rel, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)flags, .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* A read of data, not a directory or a path handle: must be a regular file. */
static bool data_read(int flags)
{
	return (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_PATH | O_DIRECTORY));
}

/*
 * Under a sysroot a read opens with O_NONBLOCK (a FIFO's open returns at
 * once) and must find a regular file, as every sysfs and procfs attribute
 * is: a FIFO's or a device's read could block or never end.
 */
static int check_regular(int fd, int flags)
{
	struct stat st;
	int err;

	if (fd < 0 || !data_read(flags))
		return fd;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (S_ISREG(st.st_mode))
		return fd;
	else
		err = -MH_ENOTREG;
	close(fd);
	return err;
}

int mh_root_open(const char *dir, struct mh_root **out)
{
	struct mh_root *root;
	struct stat st, rst;

	if (!dir || !*dir)
		return -EINVAL;
	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->memfd = -1;
	root->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root->fd < 0) {
		int err = -errno;

		free(root);
		return err;
	}
	if (!realpath(dir, root->path))
		snprintf(root->path, sizeof(root->path), "%s", dir);
	/* Live when it is the very same directory as "/", however spelled. */
	if (fstat(root->fd, &st) == 0 && stat("/", &rst) == 0)
		root->live = st.st_dev == rst.st_dev && st.st_ino == rst.st_ino;
	/*
	 * A sysroot is only as safe as openat2(): without it (ENOSYS before
	 * Linux 5.6, EPERM under a seccomp filter) nothing keeps a link of the
	 * tree from leading a write out of it. Refuse now, not at the first
	 * path.
	 */
	if (!root->live) {
		int fd = open_in_root(root->fd, ".", O_PATH | O_CLOEXEC, IN_ROOT);

		if (fd < 0) {
			close(root->fd);
			free(root);
			return fd;
		}
		close(fd);
	}
	*out = root;
	return 0;
}

void mh_root_close(struct mh_root *root)
{
	if (!root)
		return;
	if (root->fd >= 0)
		close(root->fd);
	if (root->memfd >= 0 && root->memfd_gen == fork_gen)
		close(root->memfd);
	free(root);
}

const char *mh_root_path(const struct mh_root *root)
{
	return root->path;
}

bool mh_root_is_live(const struct mh_root *root)
{
	return root->live;
}

int mh_root_fd(const struct mh_root *root)
{
	return root->fd;
}

void mh_root_errpath(const struct mh_root *root, const char *rel,
		     char *buf, size_t len)
{
	if (!buf || !len)
		return;
	while (*rel == '/')
		rel++;
	if (root->live)
		snprintf(buf, len, "/%s", rel);
	else
		snprintf(buf, len, "%s/%s", root->path, rel);
}

int mh_root_read_err(const struct mh_root *root, struct mh_err *e, int err,
		     const char *rel)
{
	char shown[MH_ERR_PATH_MAX];

	if (!e)
		return err;
	if (!rel)
		return mh_err_set(e, err, NULL, "%s", mh_strerror(err));
	mh_root_errpath(root, rel, shown, sizeof(shown));
	if (err == -EINVAL || err == -EFBIG)
		return mh_err_set(e, err, shown, "unexpected content in %s", shown);
	return mh_err_set(e, err, shown, "cannot read %s: %s", shown, mh_strerror(err));
}

static const char *skip_slash(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

/*
 * On the live system, memoryN/... relative to a kept fd of the memory
 * directory: the executor opens a block's state several times per block,
 * and in a TCG guest the path walk through sys/devices/system/memory was
 * a good part of each open. Returns the dirfd to use and moves *rel on.
 */
static int memory_dir_rel(struct mh_root *root, const char **rel)
{
	static const char dir[] = MH_MEMORY_DIR "/";

	if (!root->live || strncmp(*rel, dir, sizeof(dir) - 1) || !(*rel)[sizeof(dir) - 1])
		return root->fd;
	pthread_once(&atfork_once, register_atfork);
	if (root->memfd >= 0 && root->memfd_gen != fork_gen)
		root->memfd = -1;	/* the parent's: closed or not ours */
	if (root->memfd < 0) {
		root->memfd = openat(root->fd, MH_MEMORY_DIR,
				     O_PATH | O_DIRECTORY | O_CLOEXEC);
		root->memfd_gen = fork_gen;
		if (root->memfd < 0)
			return root->fd;
	}
	*rel += sizeof(dir) - 1;
	return root->memfd;
}

/*
 * Under a sysroot, RESOLVE_IN_ROOT keeps absolute symlinks and ".." of the
 * captured tree inside it; there is no other way (see mh_root_open()).
 */
int mh_root_openat(struct mh_root *root, const char *rel, int flags)
{
	int fd, dirfd;

	rel = skip_slash(rel);
	flags |= O_CLOEXEC;
	if (!root->live) {
		if (data_read(flags))
			flags |= O_NONBLOCK;
		fd = open_in_root(root->fd, rel, flags, IN_ROOT);
		return check_regular(fd, flags);
	}
	/* Its own statement: it moves rel, which openat() must see moved. */
	dirfd = memory_dir_rel(root, &rel);
	fd = openat(dirfd, rel, flags);
	return fd < 0 ? -errno : fd;
}

/*
 * rel under dirfd, a directory kept open at dirrel (relative to the root).
 * Live: one openat() (the scans' fast path). Under a sysroot: beneath
 * dirfd, as short a walk as openat()'s; a path that leaves dirfd (an
 * absolute link of the tree, a "..") is walked again from the root, in it.
 */
int mh_root_openat_in(struct mh_root *root, int dirfd, const char *dirrel,
		      const char *rel, int flags)
{
	char full[PATH_MAX];
	int fd, n;

	flags |= O_CLOEXEC;
	if (root->live) {
		fd = openat(dirfd, rel, flags);
		return fd < 0 ? -errno : fd;
	}
	if (data_read(flags))
		flags |= O_NONBLOCK;
	fd = open_in_root(dirfd, rel, flags, BENEATH);
	if (fd != -EXDEV)
		return check_regular(fd, flags);
	n = snprintf(full, sizeof(full), "%s/%s", dirrel, rel);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	return mh_root_openat(root, full, flags);
}

int mh_root_lstat_in(struct mh_root *root, int dirfd, const char *dirrel,
		     const char *rel)
{
	struct stat st;
	int fd;

	if (root->live)
		return fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	fd = mh_root_openat_in(root, dirfd, dirrel, rel, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* fdopendir() that does not leak fd when it fails. */
static int dir_of_fd(int fd, DIR **out)
{
	int err;

	*out = fd < 0 ? NULL : fdopendir(fd);
	if (*out)
		return 0;
	if (fd < 0)
		return fd;
	err = -errno;
	close(fd);
	return err;
}

int mh_root_opendir(struct mh_root *root, const char *rel, DIR **out)
{
	return dir_of_fd(mh_root_openat(root, rel, O_RDONLY | O_DIRECTORY), out);
}

int mh_opendir_in(struct mh_root *root, int dirfd, const char *dirrel,
		  const char *rel, DIR **out)
{
	return dir_of_fd(mh_root_openat_in(root, dirfd, dirrel, rel,
					   O_RDONLY | O_DIRECTORY), out);
}

/*
 * A whole file: proc files report no size, so read until EOF, but no more
 * than MH_READ_FILE_MAX (-EFBIG): a real /proc/iomem is a few KiB.
 */
int mh_read_file(struct mh_root *root, const char *rel, char **out)
{
	size_t len = 0, cap = 16384;
	char *buf, *grown;
	ssize_t n;
	int fd, err = 0;

	fd = mh_root_openat(root, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	buf = malloc(cap);
	if (!buf)
		err = -ENOMEM;
	while (!err) {
		if (cap - len < 4096) {
			if (cap >= MH_READ_FILE_MAX) {
				err = -EFBIG;
				break;
			}
			grown = realloc(buf, cap * 2);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		else if (!n)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* read(), or pread() from offset "at" when at >= 0. */
static ssize_t read_at(int fd, void *buf, size_t n, off_t at)
{
	return at < 0 ? read(fd, buf, n) : pread(fd, buf, n, at);
}

/*
 * Read up to len-1 bytes from fd (from offset "at", or where it stands when
 * at < 0); strip one trailing newline. A short read is the end: regular
 * files and sysfs/proc seq files return less than asked only at EOF, and
 * the read that would return 0 is one syscall per attribute (a quarter of
 * them) on the executor's hot path.
 */
static int read_fd(int fd, char *buf, size_t len, off_t at)
{
	size_t got = 0;
	ssize_t n;

	if (len < 2)
		return -EINVAL;
	for (;;) {
		size_t want = len - 1 - got;

		n = read_at(fd, buf + got, want, at < 0 ? at : at + (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if ((size_t)n < want)
			break;
		if (got == len - 1) {
			char c;

			/* Full buffer: it fits only if the file ends here. */
			n = read_at(fd, &c, 1, at < 0 ? at : at + (off_t)got);
			if (n > 0)
				return -EFBIG;
			break;
		}
	}
	buf[got] = '\0';
	if (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return (int)got;
}

int mh_reread_attr_fd(int fd, char *buf, size_t len)
{
	return read_fd(fd, buf, len, 0);
}

int mh_read_attr_in(struct mh_root *root, int dirfd, const char *dirrel,
		    const char *rel, char *buf, size_t len)
{
	int fd, ret;

	fd = mh_root_openat_in(root, dirfd, dirrel, rel, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	ret = read_fd(fd, buf, len, -1);
	close(fd);
	return ret;
}

int mh_read_attr(struct mh_root *root, const char *rel, char *buf, size_t len)
{
	int fd, ret;

	fd = mh_root_openat(root, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	ret = read_fd(fd, buf, len, -1);
	close(fd);
	return ret;
}

int mh_parse_u64(const char *s, int base, uint64_t *val)
{
	unsigned long long v;
	char *end;

	/*
	 * strtoull would skip any white space and take a sign: the text must
	 * start with a digit of its base.
	 */
	if (!s || !(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return -EINVAL;
	/* sysfs hex (phys_index, block_size_bytes) has no 0x: refuse one. */
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || end == s || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int mh_parse_int(const char *s, int *val)
{
	long v;
	char *end;

	/* An optional minus, then a digit: strtol would skip white space. */
	if (!s || !isdigit((unsigned char)(*s == '-' ? s[1] : *s)))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*val = (int)v;
	return 0;
}

int mh_read_u64(struct mh_root *root, const char *rel, int base, uint64_t *val)
{
	char buf[64];
	int ret;

	ret = mh_read_attr(root, rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return mh_parse_u64(buf, base, val);
}

int mh_read_int(struct mh_root *root, const char *rel, int *val)
{
	char buf[32];
	int ret;

	ret = mh_read_attr(root, rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return mh_parse_int(buf, val);
}

/* Split rel into a rooted parent fd and the last component. */
static int open_parent(struct mh_root *root, const char *rel, const char **base)
{
	char parent[PATH_MAX];
	const char *slash;
	size_t plen;

	rel = skip_slash(rel);
	slash = strrchr(rel, '/');
	if (!slash) {
		*base = rel;
		return mh_root_openat(root, ".", O_PATH | O_DIRECTORY);
	}
	plen = (size_t)(slash - rel);
	if (plen >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, rel, plen);
	parent[plen] = '\0';
	*base = slash + 1;
	if (!**base)
		return -EINVAL;
	return mh_root_openat(root, parent, O_PATH | O_DIRECTORY);
}

int mh_read_link(struct mh_root *root, const char *rel, char *buf, size_t len)
{
	const char *base;
	ssize_t n;
	int dfd;

	if (len < 2)
		return -EINVAL;
	dfd = open_parent(root, rel, &base);
	if (dfd < 0)
		return dfd;
	n = readlinkat(dfd, base, buf, len);
	if (n < 0) {
		n = -errno;
		close(dfd);
		return (int)n;
	}
	close(dfd);
	if ((size_t)n >= len)
		return -EFBIG;
	buf[n] = '\0';
	return (int)n;
}

int mh_read_link_name(struct mh_root *root, const char *rel, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *name;
	size_t n;
	int ret;

	ret = mh_read_link(root, rel, target, sizeof(target));
	if (ret < 0)
		return ret;
	while (ret > 1 && target[ret - 1] == '/')
		target[--ret] = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	n = strlen(name);
	if (!n)
		return -EINVAL;
	if (n >= len)
		return -EFBIG;
	memcpy(buf, name, n + 1);
	return (int)n;
}

int mh_write_attr(struct mh_root *root, const char *rel, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd, ret = 0;

	fd = mh_root_openat(root, rel, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fd;
	/*
	 * sysfs takes one write; a short write is an error, not a retry. EINTR
	 * is returned, not retried: it is how a deadline ends an offline.
	 */
	n = write(fd, str, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

int mh_path_check(struct mh_root *root, const char *rel, bool follow)
{
	int fd = mh_root_openat(root, rel, O_PATH | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

bool mh_path_exists(struct mh_root *root, const char *rel)
{
	return mh_path_check(root, rel, true) == 0;
}

const char *mh_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == MH_ENOTREG)
		return "not a regular file";
	return strerror(err);
}
