// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal: a small text file per device saying what an operation is
 * changing, so that a run killed by SIGKILL can be finished or undone.
 *
 *	memhotctl-journal 1
 *	op remove
 *	dev dax0.0
 *	policy online		(only when the policy was changed)
 *	unbind_started 0
 *	rebind_devdax 1
 *	block 34 movable online
 *
 * Written to a temporary file, synced and renamed, so a reader sees the
 * old journal or the new one, never half of one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "lock.h"
#include "log.h"

#define JOURNAL_MAGIC	"memhotctl-journal 1"
#define JOURNAL_SUFFIX	".journal"

static const char *const op_names[] = {
	[MH_OP_ONLINE] = "online", [MH_OP_OFFLINE] = "offline", [MH_OP_REMOVE] = "remove",
};
static const char *const zone_names[] = {
	[MH_ZONE_UNKNOWN] = "unknown", [MH_ZONE_MOVABLE] = "movable",
	[MH_ZONE_NORMAL] = "normal", [MH_ZONE_NONE] = "none",
};
static const char *const state_names[] = {
	[MH_BLOCK_UNKNOWN] = "unknown", [MH_BLOCK_ONLINE] = "online",
	[MH_BLOCK_OFFLINE] = "offline", [MH_BLOCK_GOING_OFFLINE] = "going-offline",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static int journal_path(const char *dev, const char *suffix, char *buf, size_t len)
{
	int n;

	/* dev ends up in a path: only names the CLI would accept. */
	if (mh_dax_name_valid(dev))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s%s", mh_journal_dir(), dev, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void put(FILE *f, const struct mh_journal *j)
{
	size_t i;

	fprintf(f, "%s\nop %s\ndev %s\n", JOURNAL_MAGIC, op_names[j->op], j->dev);
	if (j->saved_policy[0])
		fprintf(f, "policy %s\n", j->saved_policy);
	fprintf(f, "unbind_started %d\nrebind_devdax %d\n", j->unbind_started,
		j->rebind_devdax);
	for (i = 0; i < j->nr_blocks; i++)
		fprintf(f, "block %llu %s %s\n", (unsigned long long)j->blocks[i],
			zone_names[j->orig_zone[i]], state_names[j->orig_state[i]]);
}

int mh_journal_write(const struct mh_journal *j)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd, err, dfd;
	FILE *f;

	err = journal_path(j->dev, JOURNAL_SUFFIX, path, sizeof(path));
	if (!err)
		err = journal_path(j->dev, JOURNAL_SUFFIX ".tmp", tmp, sizeof(tmp));
	if (err)
		return err;
	err = mh_mkdir_p(mh_journal_dir(), 0700);
	if (err)
		return err;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out_unlink;
	}
	put(f, j);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		goto out_unlink;
	/* The rename itself must survive a crash too. */
	dfd = open(mh_journal_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
out_unlink:
	unlink(tmp);
	mh_err("cannot write journal %s: %s", path, strerror(-err));
	return err;
}

static int add_block(struct mh_journal *j, const char *line)
{
	unsigned long long id;
	char zone[16], state[16];
	int z, s;
	void *p;

	if (sscanf(line, "block %llu %15s %15s", &id, zone, state) != 3)
		return -EINVAL;
	z = lookup(zone_names, ARRAY_SIZE(zone_names), zone);
	s = lookup(state_names, ARRAY_SIZE(state_names), state);
	if (z < 0 || s < 0)
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
	j->orig_zone[j->nr_blocks] = (enum mh_zone)z;
	j->orig_state[j->nr_blocks] = (enum mh_block_state)s;
	j->nr_blocks++;
	return 0;
}

static int parse_line(struct mh_journal *j, char *line)
{
	char word[40];
	int v, op;

	if (!strncmp(line, "block ", 6))
		return add_block(j, line);
	if (sscanf(line, "op %39s", word) == 1) {
		op = lookup(op_names, ARRAY_SIZE(op_names), word);
		if (op < 0)
			return -EINVAL;
		j->op = (enum mh_op)op;
	} else if (sscanf(line, "dev %31s", j->dev) == 1) {
		if (mh_dax_name_valid(j->dev))
			return -EINVAL;
	} else if (sscanf(line, "policy %31s", j->saved_policy) == 1) {
		;
	} else if (sscanf(line, "unbind_started %d", &v) == 1) {
		j->unbind_started = v != 0;
	} else if (sscanf(line, "rebind_devdax %d", &v) == 1) {
		j->rebind_devdax = v != 0;
	} else {
		return -EINVAL;
	}
	return 0;
}

int mh_journal_read(const char *dev, struct mh_journal *j)
{
	char path[PATH_MAX], line[256];
	int err, fd, n = 0;
	FILE *f;

	memset(j, 0, sizeof(*j));
	err = journal_path(dev, JOURNAL_SUFFIX, path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (n++ == 0)
			err = strcmp(line, JOURNAL_MAGIC) ? -EINVAL : 0;
		else if (line[0])
			err = parse_line(j, line);
	}
	fclose(f);
	if (!err && (!n || strcmp(j->dev, dev)))
		err = -EINVAL;
	if (err) {
		mh_err("journal %s is not valid", path);
		mh_journal_free(j);
	}
	return err;
}

int mh_journal_remove(const char *dev)
{
	char path[PATH_MAX];
	int err;

	err = journal_path(dev, JOURNAL_SUFFIX, path, sizeof(path));
	if (err)
		return err;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int mh_journal_list(char ***names, size_t *count)
{
	size_t n = 0, slen = strlen(JOURNAL_SUFFIX);
	char **v = NULL, **p;
	struct dirent *de;
	DIR *dir;

	*names = NULL;
	*count = 0;
	dir = opendir(mh_journal_dir());
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
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
