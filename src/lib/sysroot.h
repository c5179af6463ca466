/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rooted access to sysfs and procfs. Every path the library touches is
 * relative to one root directory fd, so --sysroot DIR (and tests on a
 * copied tree) see exactly what a real system would show under DIR.
 */
#ifndef MH_SYSROOT_H
#define MH_SYSROOT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <dirent.h>

#include "paths.h"

/*
 * A file under a sysroot that must be a regular file (an attribute,
 * /proc/iomem) is not one: a FIFO or a device. mh_strerror() says so.
 */
#define MH_ENOTREG		EMEDIUMTYPE
/* mh_read_file() reads no more: -EFBIG beyond. */
#define MH_READ_FILE_MAX	(16u << 20)

struct mh_root;

/*
 * Open DIR ("/" for the live system). Returns 0 or -errno. A sysroot
 * (any DIR but "/") needs openat2() with RESOLVE_IN_ROOT to keep every
 * path inside it: when the kernel lacks it (-ENOSYS) or a seccomp filter
 * denies it (-EPERM, or whatever errno the filter gives), the root is
 * refused with that error.
 */
int mh_root_open(const char *dir, struct mh_root **out);
void mh_root_close(struct mh_root *root);
const char *mh_root_path(const struct mh_root *root);
/* True when the root is the live system ("/"): udev and kmod apply. */
bool mh_root_is_live(const struct mh_root *root);
int mh_root_fd(const struct mh_root *root);

/*
 * Read an attribute into buf (NUL-terminated, trailing newline stripped).
 * Returns length or -errno; -EFBIG when it does not fit.
 */
int mh_read_attr(struct mh_root *root, const char *rel, char *buf, size_t len);
/* Parse helpers: -EINVAL on content that is not the expected format. */
int mh_read_u64(struct mh_root *root, const char *rel, int base, uint64_t *val);
int mh_read_int(struct mh_root *root, const char *rel, int *val);
/* Basename of a symlink's target (e.g. "kmem" for a driver link). */
int mh_read_link_name(struct mh_root *root, const char *rel, char *buf, size_t len);
/* Write str with O_WRONLY|O_TRUNC (plain files in test trees stay sane). */
int mh_write_attr(struct mh_root *root, const char *rel, const char *str);
bool mh_path_exists(struct mh_root *root, const char *rel);
/*
 * 0 when rel exists (follow: its link's target), -ENOENT or -ENOTDIR when
 * it does not, another -errno when it cannot be told (a link loop...).
 */
int mh_path_check(struct mh_root *root, const char *rel, bool follow);
/* strerror(), with MH_ENOTREG as "not a regular file". err: either sign. */
const char *mh_strerror(int err);
/* The whole file at rel, NUL-terminated, into *out (free it). 0 or -errno. */
int mh_read_file(struct mh_root *root, const char *rel, char **out);

/*
 * Lower level helpers for readers that keep a directory fd (block scans):
 * open rel under the root (absolute links and ".." stay inside a sysroot),
 * or rel under dirfd, a directory opened at dirrel under the root: live,
 * a plain openat(dirfd); under a sysroot resolved beneath dirfd or else
 * from the root, never out of it. Reads of data under a sysroot must find
 * a regular file (-MH_ENOTREG) and never block on opening.
 */
int mh_root_openat(struct mh_root *root, const char *rel, int flags);
int mh_root_openat_in(struct mh_root *root, int dirfd, const char *dirrel,
		      const char *rel, int flags);
int mh_read_attr_in(struct mh_root *root, int dirfd, const char *dirrel,
		    const char *rel, char *buf, size_t len);
/* lstat() of rel under dirfd (a link is not followed): 0 or -errno. */
int mh_root_lstat_in(struct mh_root *root, int dirfd, const char *dirrel,
		     const char *rel);
/*
 * The attribute behind an fd kept open, read again from offset 0 (pread):
 * sysfs runs show() anew, so this is the current value in one syscall.
 */
int mh_reread_attr_fd(int fd, char *buf, size_t len);
/* A directory to readdir(): under the root, or relative to dirfd. 0 or -errno. */
int mh_root_opendir(struct mh_root *root, const char *rel, DIR **out);
int mh_opendir_in(struct mh_root *root, int dirfd, const char *dirrel,
		  const char *rel, DIR **out);
int mh_read_link(struct mh_root *root, const char *rel, char *buf, size_t len);
/* "DIR/rel" as the user knows it ("/rel" on the live system), for messages. */
void mh_root_errpath(const struct mh_root *root, const char *rel,
		     char *buf, size_t len);
struct mh_err;
/*
 * Say in e (NULL: nowhere) that reading rel failed with err (a -errno):
 * its path as mh_root_errpath() shows it, and "unexpected content in PATH"
 * (-EINVAL, -EFBIG) or "cannot read PATH: why". rel NULL: no file, the
 * message is only why. Returns err.
 */
int mh_root_read_err(const struct mh_root *root, struct mh_err *e, int err,
		     const char *rel);

/* Strict parsers used by the readers above; exported for unit tests. */
int mh_parse_u64(const char *s, int base, uint64_t *val);
int mh_parse_int(const char *s, int *val);

#endif
