// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal: a small text file per device saying what an operation is
 * changing, so that a run killed by SIGKILL can be finished or undone.
 *
 *	memhotctl-journal 1
 *	op remove
 *	dev dax0.0
 *	root /			(the root it belongs to: "/" or a --sysroot)
 *	policy online		(only when the policy was changed)
 *	unbind_started 0
 *	rebind_devdax 1
 *	phase changed		(how far the run got; older journals lack it)
 *	block 34 movable online
 *
 * Written to a temporary file, synced and renamed, so a reader sees the
 * old journal or the new one, never half of one. Reading is strict: a
 * journal is evidence for `recover`, and what it names (blocks, a policy)
 * is checked against the system before anything is written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "journal.h"
#include "rundir.h"
#include "log.h"
#include "names.h"

#define JOURNAL_MAGIC	"memhotctl-journal 1"
#define JOURNAL_SUFFIX	".journal"

/* The run's phase; the other names come from names.c. */
static const char *const phase_names[] = {
	[MH_PHASE_UNCHANGED] = "unchanged", [MH_PHASE_CHANGED] = "changed",
	[MH_PHASE_UNBINDING] = "unbinding", [MH_PHASE_UNBIND_RUNNING] = "unbind-running",
	[MH_PHASE_UNBOUND] = "unbound", [MH_PHASE_RELEASED] = "released",
	[MH_PHASE_LEAKED] = "leaked",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LINE_MAX_LEN	255

static int journal_name(const char *dev, const char *suffix, char *buf, size_t len)
{
	int n;

	/* dev ends up in a path: only names the CLI would accept. */
	if (mh_dax_name_valid(dev))
		return -EINVAL;
	n = snprintf(buf, len, "%s%s", dev, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void put(FILE *f, const struct mh_journal *j)
{
	size_t i;

	fprintf(f, "%s\nop %s\ndev %s\nroot %s\n", JOURNAL_MAGIC, mh_op_name(j->op), j->dev,
		j->root[0] ? j->root : "/");
	if (j->saved_policy[0])
		fprintf(f, "policy %s\n", j->saved_policy);
	fprintf(f, "unbind_started %d\nrebind_devdax %d\nphase %s\n", j->unbind_started,
		j->rebind_devdax, phase_names[j->phase]);
	for (i = 0; i < j->nr_blocks; i++)
		fprintf(f, "block %llu %s %s\n", (unsigned long long)j->blocks[i],
			mh_zone_name(j->orig_zone[i]), mh_block_state_name(j->orig_state[i]));
}

static int write_tmp(int dfd, const char *tmp, const struct mh_journal *j)
{
	int fd, err = 0;
	FILE *f;

	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* Exactly 0644 whatever the umask: readable for status and dry runs. */
	err = fchmod(fd, 0644) < 0 ? -errno : mh_run_file_check(fd, tmp, 0644);
	if (err) {
		close(fd);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	put(f, j);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int mh_journal_write(const struct mh_journal *j)
{
	char name[64], tmp[64];
	int err, dfd;

	err = journal_name(j->dev, JOURNAL_SUFFIX, name, sizeof(name));
	if (!err)
		err = journal_name(j->dev, JOURNAL_SUFFIX ".tmp", tmp, sizeof(tmp));
	if (!err && strlen(j->root) >= MH_JOURNAL_ROOT_MAX - 1)
		err = -ENAMETOOLONG;
	/* The reader takes one word: a sysroot path with a space cannot be journalled. */
	if (!err && strpbrk(j->root, " \n"))
		err = -EINVAL;
	if (err)
		return err;
	dfd = mh_run_dir_open(true);
	if (dfd < 0)
		return dfd;
	err = write_tmp(dfd, tmp, j);
	if (!err && renameat(dfd, tmp, dfd, name) < 0)
		err = -errno;
	if (err) {
		unlinkat(dfd, tmp, 0);
		mh_err("cannot write journal %s/%s: %s", mh_run_dir(), name, strerror(-err));
	} else {
		/* The rename itself must survive a crash too. */
		fsync(dfd);
	}
	close(dfd);
	return err;
}

/* Plain decimal: digits only, no sign, no leading zero, no overflow. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_flag(const char *s, bool *out)
{
	uint64_t v;

	if (parse_num(s, 1, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

/* A block the plan found missing is journalled "unknown". */
static int parse_state(const char *s, enum mh_block_state *st)
{
	if (!strcmp(s, mh_block_state_name(MH_BLOCK_UNKNOWN))) {
		*st = MH_BLOCK_UNKNOWN;
		return 0;
	}
	return mh_parse_block_state(s, st);
}

static int add_block(struct mh_journal *j, char **tok, int n)
{
	uint64_t id;
	enum mh_block_state s;
	enum mh_zone z;
	void *p;

	if (n != 4 || parse_num(tok[1], UINT64_MAX - 1, &id))
		return -EINVAL;
	if (mh_parse_zone(tok[2], &z) || parse_state(tok[3], &s))
		return -EINVAL;
	/* Each block once, upwards, as the run's plan has them (a lookup bsearches). */
	if (j->nr_blocks && id <= j->blocks[j->nr_blocks - 1])
		return -EINVAL;
	p = realloc(j->blocks, (j->nr_blocks + 1) * sizeof(*j->blocks));
	if (!p)
		return -ENOMEM;
	j->blocks = p;
	p = realloc(j->orig_zone, (j->nr_blocks + 1) * sizeof(*j->orig_zone));
	if (!p)
		return -ENOMEM;
	j->orig_zone = p;
	p = realloc(j->orig_state, (j->nr_blocks + 1) * sizeof(*j->orig_state));
	if (!p)
		return -ENOMEM;
	j->orig_state = p;
	j->blocks[j->nr_blocks] = id;
	j->orig_zone[j->nr_blocks] = z;
	j->orig_state[j->nr_blocks] = s;
	j->nr_blocks++;
	return 0;
}

enum { K_OP, K_DEV, K_ROOT, K_POLICY, K_UNBIND, K_REBIND, K_PHASE, K_NR };
static const char *const key_names[K_NR] = {
	"op", "dev", "root", "policy", "unbind_started", "rebind_devdax", "phase",
};

static int set_key(struct mh_journal *j, int k, const char *v)
{
	int ph;

	switch (k) {
	case K_OP:
		return mh_parse_op(v, &j->op);
	case K_DEV:
		if (strlen(v) >= sizeof(j->dev) || mh_dax_name_valid(v))
			return -EINVAL;
		strcpy(j->dev, v);
		return 0;
	case K_ROOT:
		if (v[0] != '/' || strlen(v) >= sizeof(j->root))
			return -EINVAL;
		strcpy(j->root, v);
		return 0;
	case K_POLICY:
		if (!mh_policy_valid(v))
			return -EINVAL;
		strcpy(j->saved_policy, v);
		return 0;
	case K_UNBIND:
		return parse_flag(v, &j->unbind_started);
	case K_REBIND:
		return parse_flag(v, &j->rebind_devdax);
	case K_PHASE:
		ph = mh_name_index(phase_names, ARRAY_SIZE(phase_names), 0, v);
		j->phase = ph < 0 ? MH_PHASE_UNCHANGED : (enum mh_phase)ph;
		return ph < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* One line, NUL-terminated, no newline: words separated by single spaces. */
static int parse_line(struct mh_journal *j, char *line, unsigned *seen)
{
	char *tok[5];
	int n = 0, k;

	for (char *p = line; ; p++) {
		if (n == 5)
			return -EINVAL;
		tok[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p = '\0';
	}
	for (k = 0; k < n; k++)
		if (!*tok[k])
			return -EINVAL;		/* "", a double or trailing space */
	if (!strcmp(tok[0], "block"))
		return add_block(j, tok, n);
	k = mh_name_index(key_names, K_NR, 0, tok[0]);
	if (k < 0 || n != 2 || (*seen & (1u << k)))
		return -EINVAL;
	*seen |= 1u << k;
	return set_key(j, k, tok[1]);
}

int mh_journal_parse(const char *buf, size_t len, struct mh_journal *j, size_t *bad_line)
{
	const unsigned need = 1u << K_OP | 1u << K_DEV | 1u << K_ROOT | 1u << K_UNBIND |
			      1u << K_REBIND;
	char line[LINE_MAX_LEN + 1];
	unsigned seen = 0;
	size_t pos = 0, nr = 0;
	int err = 0;

	memset(j, 0, sizeof(*j));
	while (!err && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		nr++;
		/* Whole lines only, short ones, no NUL inside. */
		if (!nl || l > LINE_MAX_LEN || memchr(buf + pos, '\0', l)) {
			err = -EINVAL;
			break;
		}
		memcpy(line, buf + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (nr == 1)
			err = strcmp(line, JOURNAL_MAGIC) ? -EINVAL : 0;
		else
			err = parse_line(j, line, &seen);
	}
	if (!err && (seen & need) != need) {
		nr++;		/* a key is missing: "after the last line" */
		err = -EINVAL;
	}
	/* A journal of an older memhotctl has no phase: unbind_started says. */
	if (!err && !(seen & 1u << K_PHASE))
		j->phase = j->unbind_started ? MH_PHASE_UNBINDING : MH_PHASE_CHANGED;
	/* Both say whether the unbind was committed: they must agree. */
	if (!err && j->unbind_started != (j->phase >= MH_PHASE_UNBINDING)) {
		nr++;
		err = -EINVAL;
	}
	if (err) {
		if (bad_line)
			*bad_line = nr;
		mh_journal_free(j);
	}
	return err;
}

/* The whole file, capped, from an fd that was checked. */
static int read_capped(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *p;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= MH_JOURNAL_MAX_BYTES) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int open_journal(const char *dev, char *path, size_t plen)
{
	char name[64];
	int err, dfd, fd;

	err = journal_name(dev, JOURNAL_SUFFIX, name, sizeof(name));
	if (err)
		return err;
	snprintf(path, plen, "%s/%s", mh_run_dir(), name);
	dfd = mh_run_dir_open(false);
	if (dfd < 0)
		return dfd;
	/* Non-blocking: a FIFO planted here must not hang the open. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	close(dfd);
	if (err == -ELOOP) {
		mh_err("%s is a symlink: refused", path);
		return -EPERM;
	}
	return fd < 0 ? err : fd;
}

int mh_journal_read(const char *dev, struct mh_journal *j)
{
	char path[PATH_MAX + 80], *buf = NULL;
	size_t len = 0, bad = 0;
	int err, fd;

	memset(j, 0, sizeof(*j));
	fd = open_journal(dev, path, sizeof(path));
	if (fd < 0)
		return fd;
	err = mh_run_file_check(fd, path, 0644);
	if (!err)
		err = read_capped(fd, &buf, &len);
	close(fd);
	if (err == -EFBIG)
		mh_err("journal %s is larger than %u bytes: refused", path,
		       MH_JOURNAL_MAX_BYTES);
	if (err)
		return err;
	err = mh_journal_parse(buf, len, j, &bad);
	free(buf);
	if (!err && strcmp(j->dev, dev)) {
		mh_err("journal %s is for %s: refused", path, j->dev);
		mh_journal_free(j);
		return -EINVAL;
	}
	if (err == -EINVAL)
		mh_err("journal %s is not valid (line %zu): refused", path, bad);
	return err;
}

int mh_journal_exists(const char *dev)
{
	char name[64];
	struct stat st;
	int err, dfd;

	err = journal_name(dev, JOURNAL_SUFFIX, name, sizeof(name));
	if (err)
		return err;
	dfd = mh_run_dir_open(false);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	err = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 1;
	close(dfd);
	return err == -ENOENT ? 0 : err;
}

int mh_journal_remove(const char *dev)
{
	char name[64];
	int err, dfd;

	err = journal_name(dev, JOURNAL_SUFFIX, name, sizeof(name));
	if (err)
		return err;
	dfd = mh_run_dir_open(false);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	err = unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	close(dfd);
	return err;
}

int mh_journal_list(char ***names, size_t *count)
{
	size_t n = 0, slen = strlen(JOURNAL_SUFFIX);
	char **v = NULL, **p;
	struct dirent *de;
	DIR *dir;
	int dfd;

	*names = NULL;
	*count = 0;
	dfd = mh_run_dir_open(false);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char *name;

		if (len <= slen || strcmp(de->d_name + len - slen, JOURNAL_SUFFIX))
			continue;
		name = strndup(de->d_name, len - slen);
		if (!name)
			goto enomem;
		if (mh_dax_name_valid(name)) {
			free(name);
			continue;
		}
		p = realloc(v, (n + 1) * sizeof(*v));
		if (!p) {
			free(name);
			goto enomem;
		}
		v = p;
		v[n++] = name;
	}
	closedir(dir);
	*names = v;
	*count = n;
	return 0;
enomem:
	closedir(dir);
	while (n)
		free(v[--n]);
	free(v);
	return -ENOMEM;
}

void mh_journal_free(struct mh_journal *j)
{
	free(j->blocks);
	free(j->orig_zone);
	free(j->orig_state);
	j->blocks = NULL;
	j->orig_zone = NULL;
	j->orig_state = NULL;
	j->nr_blocks = 0;
}
