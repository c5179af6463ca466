// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding udev rules that online memory blocks, for status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udevrules.h"

/* In udev's order: a file of the same name in an earlier one wins. */
static const char *const rule_dirs[] = {
	"etc/udev/rules.d", "run/udev/rules.d", "usr/lib/udev/rules.d", "lib/udev/rules.d",
};

struct rule_file {
	char name[128];
	size_t dir;
};

/*
 * ATTR{state}="online..." (an assignment, not a match: "==" never has
 * '"' right after its first '='), or a RUN program writing "online"
 * into a block's state file (RUN+="/bin/sh -c 'echo online > .../state'").
 */
bool mh_udev_line_onlines(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#')
		return false;
	if (strstr(line, "ATTR{state}=\"online") || strstr(line, "ATTR{state}+=\"online"))
		return true;
	return strstr(line, "RUN") && strstr(line, "online") && strstr(line, "/state");
}

static bool is_rules_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && l > 6 && l < sizeof(((struct rule_file *)0)->name) &&
	       !strcmp(n + l - 6, ".rules");
}

static bool have_name(const struct rule_file *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return true;
	return false;
}

/* Names of every directory, the first of each name only. */
static size_t list_rules(struct mh_root *root, struct rule_file **out)
{
	struct rule_file *f = NULL, *tmp;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rule_dirs) / sizeof(rule_dirs[0]); i++) {
		struct dirent *de;
		DIR *d;

		if (mh_root_opendir(root, rule_dirs[i], &d))
			continue;
		while ((de = readdir(d))) {
			if (!is_rules_name(de->d_name) || have_name(f, n, de->d_name))
				continue;
			tmp = realloc(f, (n + 1) * sizeof(*f));
			if (!tmp)
				break;
			f = tmp;
			snprintf(f[n].name, sizeof(f[n].name), "%s", de->d_name);
			f[n++].dir = i;
		}
		closedir(d);
	}
	*out = f;
	return n;
}

static int cmp_rule_file(const void *a, const void *b)
{
	return strcmp(((const struct rule_file *)a)->name, ((const struct rule_file *)b)->name);
}

/* A regular file's text, bounded; NULL for a link, FIFO, device, or too big. */
static char *read_rules(struct mh_root *root, const char *rel)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = mh_root_openat(root, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size <= MH_UDEV_RULES_FILE_MAX)
		buf = malloc((size_t)st.st_size + 1);
	if (buf) {
		n = read(fd, buf, (size_t)st.st_size);
		if (n < 0) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	close(fd);
	return buf;
}

static void add_rule(struct mh_udev_rules *r, const char *shown, unsigned line,
		     const char *text, size_t len)
{
	struct mh_udev_rule *u;

	if (r->count++ >= MH_UDEV_MAX_RULES)
		return;
	u = &r->v[r->count - 1];
	snprintf(u->file, sizeof(u->file), "%s", shown);
	u->line = line;
	snprintf(u->text, sizeof(u->text), "%.*s", (int)len, text);
}

static void scan_file(struct mh_root *root, const char *rel, struct mh_udev_rules *r)
{
	char shown[256], *text = read_rules(root, rel), *p, *nl;
	unsigned line = 0;

	if (!text)
		return;
	mh_root_errpath(root, rel, shown, sizeof(shown));
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (mh_udev_line_onlines(p))
			add_rule(r, shown, line, p, strlen(p));
		if (!nl)
			break;
	}
	free(text);
}

void mh_udev_rules_scan(struct mh_root *root, struct mh_udev_rules *r)
{
	struct rule_file *f = NULL;
	size_t n = list_rules(root, &f);
	char rel[256];

	memset(r, 0, sizeof(*r));
	/* udev reads them in name order, whichever directory won. */
	qsort(f, n, sizeof(*f), cmp_rule_file);
	for (size_t i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "%s/%s", rule_dirs[f[i].dir], f[i].name);
		if (!strcmp(f[i].name, MH_DAXCTL_RULES)) {
			struct stat st;
			int fd = mh_root_openat(root, rel, O_RDONLY | O_NOFOLLOW |
						O_NONBLOCK | O_CLOEXEC);

			/* A mask (a link to /dev/null) or a FIFO is not daxctl's rule. */
			if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size)
				mh_root_errpath(root, rel, r->daxctl, sizeof(r->daxctl));
			if (fd >= 0)
				close(fd);
			continue;
		}
		scan_file(root, rel, r);
	}
	free(f);
}
