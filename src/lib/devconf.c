// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhotctl.conf(5): "[device]" entries of "key = value" lines. The parser
 * is strict on purpose: apply runs as root at boot, so a typo must stop it
 * with the file and line, not quietly select another device.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "devconf.h"
#include "paths.h"
#include "names.h"

static const char *const state_names[] = {
	[MH_CONF_SYSTEM_RAM] = "system-ram",
	[MH_CONF_DEVDAX] = "devdax",
};

static const char *const zone_names[] = {
	[MH_CONF_ZONE_MOVABLE] = "movable",
	[MH_CONF_ZONE_NORMAL] = "normal",
};

const char *mh_conf_state_name(enum mh_conf_state s)
{
	return s == MH_CONF_SYSTEM_RAM || s == MH_CONF_DEVDAX ? state_names[s] : "?";
}

const char *mh_conf_zone_name(enum mh_conf_zone z)
{
	return z == MH_CONF_ZONE_NORMAL ? zone_names[z] : zone_names[MH_CONF_ZONE_MOVABLE];
}

static int set_error(struct mh_conf_error *err, const char *file, unsigned line,
		     const char *fmt, ...)
{
	va_list ap;

	if (err) {
		snprintf(err->file, sizeof(err->file), "%s", file);
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The names status prints, so a kind is spelt one way everywhere. */
static enum mh_dax_kind kind_from_name(const char *s)
{
	static const enum mh_dax_kind kinds[] = {
		MH_KIND_NVDIMM, MH_KIND_E820, MH_KIND_HMEM, MH_KIND_CXL,
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(s, mh_dax_kind_name(kinds[i])))
			return kinds[i];
	return MH_KIND_UNKNOWN;
}

/* 8-4-4-4-12 hex digits, stored in lower case as sysfs shows them. */
static bool parse_uuid(const char *s, char *out)
{
	size_t i;

	if (strlen(s) != MH_UUID_LEN)
		return false;
	for (i = 0; i < MH_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[MH_UUID_LEN] = '\0';
	return true;
}

/* "0x..." hex or decimal, as /proc/iomem and humans write addresses. */
static bool parse_start(const char *s, uint64_t *val)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return mh_parse_u64(s + 2, 16, val) == 0;
	return mh_parse_u64(s, 10, val) == 0;
}

/* The value of one key into e; a message (without file:line) on error. */
static const char *set_key(struct mh_conf_entry *e, const char *key, const char *val)
{
	static const struct {
		const char *key;
		unsigned bit;
	} selectors[] = {
		{ "uuid", MH_SEL_UUID }, { "start", MH_SEL_START },
		{ "name", MH_SEL_NAME }, { "node", MH_SEL_NODE },
		{ "kind", MH_SEL_KIND },
	};
	size_t i;
	int v;

	for (i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
		if (strcmp(key, selectors[i].key))
			continue;
		if (e->select & selectors[i].bit)
			return "key given twice in one entry";
		e->select |= selectors[i].bit;
		switch (selectors[i].bit) {
		case MH_SEL_UUID:
			return parse_uuid(val, e->uuid) ? NULL :
				"uuid is not a UUID (8-4-4-4-12 hex digits)";
		case MH_SEL_START:
			return parse_start(val, &e->start) ? NULL :
				"start is not an address (0x hex or decimal)";
		case MH_SEL_NAME:
			if (mh_dax_name_valid(val))
				return "name is not a dax device name (daxX.Y)";
			snprintf(e->name, sizeof(e->name), "%s", val);
			return NULL;
		case MH_SEL_NODE:
			return mh_parse_int(val, &e->node) == 0 && e->node >= 0 ? NULL :
				"node is not a node number";
		default:
			e->kind = kind_from_name(val);
			return e->kind != MH_KIND_UNKNOWN ? NULL :
				"kind must be nvdimm, e820, hmem or cxl";
		}
	}
	if (!strcmp(key, "state")) {
		if (e->state)
			return "key given twice in one entry";
		v = mh_name_index(state_names, sizeof(state_names) / sizeof(state_names[0]), 0, val);
		e->state = v > 0 ? (enum mh_conf_state)v : 0;
		return v > 0 ? NULL : "state must be system-ram or devdax";
	}
	if (!strcmp(key, "zone")) {
		v = mh_name_index(zone_names, sizeof(zone_names) / sizeof(zone_names[0]), 0, val);
		if (v < 0)
			return "zone must be movable or normal";
		e->zone = (enum mh_conf_zone)v;
		return NULL;
	}
	return "unknown key (uuid, start, name, node, kind, state, zone)";
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* An entry is whole when it selects something and says what to be. */
static int finish_entry(const struct mh_conf_entry *e, bool zone_given,
			struct mh_conf_error *err)
{
	if (!e->select)
		return set_error(err, e->file, e->line,
				 "entry selects no device (uuid, start, name, node or kind)");
	if (!e->state)
		return set_error(err, e->file, e->line, "entry has no state");
	if (zone_given && e->state != MH_CONF_SYSTEM_RAM)
		return set_error(err, e->file, e->line, "zone is only for state system-ram");
	return 0;
}

static int append(struct mh_config *cfg, const struct mh_conf_entry *e)
{
	struct mh_conf_entry *v;

	v = realloc(cfg->v, (cfg->count + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	cfg->v = v;
	cfg->v[cfg->count++] = *e;
	return 0;
}

int mh_config_parse(const char *file, const char *text, struct mh_config *cfg,
		    struct mh_conf_error *err)
{
	struct mh_conf_entry cur;
	bool in_entry = false, zone_given = false;
	unsigned lineno = 0;
	const char *p = text;
	char line[1024];
	int ret;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *s, *eq;

		lineno++;
		if (len >= sizeof(line))
			return set_error(err, file, lineno, "line longer than %zu bytes",
					 sizeof(line) - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (strcmp(s, "[device]"))
				return set_error(err, file, lineno,
						 "unknown section (only [device])");
			if (in_entry) {
				ret = finish_entry(&cur, zone_given, err);
				if (!ret)
					ret = append(cfg, &cur);
				if (ret)
					return ret;
			}
			memset(&cur, 0, sizeof(cur));
			snprintf(cur.file, sizeof(cur.file), "%s", file);
			cur.line = lineno;
			cur.node = -1;
			in_entry = true;
			zone_given = false;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			return set_error(err, file, lineno, "not a \"key = value\" line");
		if (!in_entry)
			return set_error(err, file, lineno, "key outside a [device] entry");
		*eq = '\0';
		s = trim(s);
		if (!strcmp(s, "zone")) {
			if (zone_given)
				return set_error(err, file, lineno,
						 "key given twice in one entry");
			zone_given = true;
		}
		{
			const char *why = set_key(&cur, s, trim(eq + 1));

			if (why)
				return set_error(err, file, lineno, "%s: %s", s, why);
		}
	}
	if (in_entry) {
		ret = finish_entry(&cur, zone_given, err);
		if (!ret)
			ret = append(cfg, &cur);
		return ret;
	}
	return 0;
}

void mh_config_free(struct mh_config *cfg)
{
	free(cfg->v);
	memset(cfg, 0, sizeof(*cfg));
}

bool mh_config_trusted(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * One file's text. On the live system root reads what root trusts: a
 * regular file (never a FIFO or a device that blocks), owned by root and
 * not writable by anyone else, or another user could choose what apply does.
 */
static int read_conf(struct mh_root *root, const char *rel, const char *shown,
		     bool trust, char **text, struct mh_conf_error *err)
{
	struct stat st;
	size_t size;
	ssize_t n;
	char *buf;
	int fd, ret = 0;

	fd = mh_root_openat(root, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -ENOENT)
		return -ENOENT;
	if (fd < 0) {
		set_error(err, shown, 0, "cannot open: %s", mh_strerror(fd));
		return fd;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		set_error(err, shown, 0, "cannot stat: %s", mh_strerror(ret));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -MH_ENOTREG;
		set_error(err, shown, 0, "not a regular file");
	} else if (trust && !mh_config_trusted(&st)) {
		ret = -EPERM;
		set_error(err, shown, 0,
			  "not owned by root or writable by others: not trusted");
	} else if (st.st_size > MH_CONFIG_FILE_MAX) {
		ret = -EFBIG;
		set_error(err, shown, 0, "larger than %u bytes", MH_CONFIG_FILE_MAX);
	}
	if (ret) {
		close(fd);
		return ret;
	}
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* One read: a regular file gives what fstat() saw, or less. */
	n = read(fd, buf, size);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret) {
		free(buf);
		set_error(err, shown, 0, "cannot read: %s", mh_strerror(ret));
		return ret;
	}
	buf[(size_t)n <= size ? (size_t)n : size] = '\0';
	if (strlen(buf) != (size_t)n) {
		free(buf);
		set_error(err, shown, 0, "contains a NUL byte: not a text file");
		return -EINVAL;
	}
	*text = buf;
	return 0;
}

static int load_one(struct mh_root *root, const char *rel, bool trust,
		    struct mh_config *cfg, struct mh_conf_error *err)
{
	char shown[256];
	char *text = NULL;
	int ret;

	mh_root_errpath(root, rel, shown, sizeof(shown));
	ret = read_conf(root, rel, shown, trust, &text, err);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = mh_config_parse(shown, text, cfg, err);
	free(text);
	if (!ret)
		cfg->nr_files++;
	return ret;
}

static bool is_conf_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && l > 5 && !strcmp(n + l - 5, ".conf");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Drop-ins in name order, so "10-x.conf" comes before "20-y.conf". */
static int load_dir(struct mh_root *root, const char *dirrel, bool trust,
		    struct mh_config *cfg, struct mh_conf_error *err)
{
	char **names = NULL, **tmp, rel[512];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int ret;

	ret = mh_root_opendir(root, dirrel, &d);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		char shown[256];

		mh_root_errpath(root, dirrel, shown, sizeof(shown));
		return set_error(err, shown, 0, "cannot read the directory: %s",
				 mh_strerror(ret)), ret;
	}
	while ((de = readdir(d))) {
		if (!is_conf_name(de->d_name))
			continue;
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp || !(tmp[n] = strdup(de->d_name))) {
			names = tmp ? tmp : names;
			ret = -ENOMEM;
			break;
		}
		names = tmp;
		n++;
	}
	closedir(d);
	if (!ret && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (!ret) {
			snprintf(rel, sizeof(rel), "%s/%s", dirrel, names[i]);
			ret = load_one(root, rel, trust, cfg, err);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int mh_config_load(struct mh_root *root, struct mh_config *cfg,
		   struct mh_conf_error *err)
{
	bool trust = mh_root_is_live(root);
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = load_one(root, MH_CONFIG_FILE, trust, cfg, err);
	if (!ret)
		ret = load_dir(root, MH_CONFIG_DIR, trust, cfg, err);
	if (ret)
		mh_config_free(cfg);
	return ret;
}

int mh_config_load_path(const char *path, bool trust, struct mh_config *cfg,
			struct mh_conf_error *err)
{
	char abs[PATH_MAX], cwd[PATH_MAX];
	struct mh_root *root = NULL;
	struct stat st;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (path[0] == '/')
		ret = snprintf(abs, sizeof(abs), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		ret = snprintf(abs, sizeof(abs), "%s/%s", cwd, path);
	else
		ret = -1;
	if (ret < 0 || (size_t)ret >= sizeof(abs))
		return set_error(err, path, 0, "path too long or no working directory"),
		       -ENAMETOOLONG;
	/* Named by the administrator: it must exist, unlike the defaults. */
	if (lstat(abs, &st))
		return ret = -errno, set_error(err, path, 0, "%s", mh_strerror(ret)), ret;
	ret = mh_root_open("/", &root);
	if (ret)
		return set_error(err, path, 0, "cannot open /: %s", mh_strerror(ret)), ret;
	if (S_ISDIR(st.st_mode))
		ret = load_dir(root, abs + 1, trust, cfg, err);
	else
		ret = load_one(root, abs + 1, trust, cfg, err);
	mh_root_close(root);
	if (ret)
		mh_config_free(cfg);
	return ret;
}

/* A UUID attribute, lower case, into uuid ("" when absent or not one). */
static void read_uuid(struct mh_root *root, const char *rel, char *uuid)
{
	char buf[64];			/* room for the newline read */
	size_t i;

	uuid[0] = '\0';
	if (mh_read_attr(root, rel, buf, sizeof(buf)) != MH_UUID_LEN)
		return;
	for (i = 0; i <= MH_UUID_LEN; i++)
		uuid[i] = (char)tolower((unsigned char)buf[i]);
}

/*
 * An NVDIMM device's namespace UUID, and its info block's UUID from the
 * nd dax device that is its parent (where the "namespace" attribute is).
 */
static void read_nvdimm_uuids(struct mh_root *root, const struct mh_dax_dev *d,
			      struct mh_dev_identity *id)
{
	char rel[128];

	if (d->kind != MH_KIND_NVDIMM || strncmp(d->backing, "namespace", 9))
		return;
	snprintf(rel, sizeof(rel), "sys/bus/nd/devices/%.*s/uuid",
		 (int)strcspn(d->backing, " "), d->backing);
	read_uuid(root, rel, id->uuid);
	snprintf(rel, sizeof(rel), MH_DAX_DEVICES_DIR "/%s/../uuid", d->name);
	read_uuid(root, rel, id->info_uuid);
}

void mh_config_identity(struct mh_root *root, const struct mh_dax_dev *d,
			struct mh_dev_identity *id)
{
	*id = (struct mh_dev_identity){
		.name = d->name,
		.kind = d->kind,
		.has_start = d->nr_ranges > 0,
		.start = d->nr_ranges ? d->ranges[0].start : 0,
		.node = d->target_node,
	};
	read_nvdimm_uuids(root, d, id);
}

static bool entry_matches(const struct mh_conf_entry *e, const struct mh_dev_identity *id)
{
	if ((e->select & MH_SEL_UUID) && (!id->uuid[0] || strcasecmp(id->uuid, e->uuid)) &&
	    (!id->info_uuid[0] || strcasecmp(id->info_uuid, e->uuid)))
		return false;
	if ((e->select & MH_SEL_START) && (!id->has_start || id->start != e->start))
		return false;
	if ((e->select & MH_SEL_NAME) && (!id->name || strcmp(id->name, e->name)))
		return false;
	if ((e->select & MH_SEL_NODE) && id->node != e->node)
		return false;
	if ((e->select & MH_SEL_KIND) && id->kind != e->kind)
		return false;
	return true;
}

/* Identity entries name one device; class entries (node, kind) many. */
static int rank(const struct mh_conf_entry *e)
{
	return e->select & (MH_SEL_UUID | MH_SEL_START | MH_SEL_NAME) ? 2 : 1;
}

static bool same_wish(const struct mh_conf_entry *a, const struct mh_conf_entry *b)
{
	return a->state == b->state &&
	       (a->state != MH_CONF_SYSTEM_RAM || a->zone == b->zone);
}

int mh_config_match(const struct mh_config *cfg, const struct mh_dev_identity *id,
		    const struct mh_conf_entry **out, struct mh_conf_error *err)
{
	const struct mh_conf_entry *best = NULL;
	int top = 0;
	size_t i;

	*out = NULL;
	for (i = 0; i < cfg->count; i++)
		if (entry_matches(&cfg->v[i], id) && rank(&cfg->v[i]) > top)
			top = rank(&cfg->v[i]);
	/* Among the entries of the top rank, every one must want the same. */
	for (i = 0; i < cfg->count; i++) {
		const struct mh_conf_entry *e = &cfg->v[i];

		if (!entry_matches(e, id) || rank(e) != top)
			continue;
		if (!best)
			best = e;
		else if (!same_wish(e, best))
			return set_error(err, e->file, e->line,
					 "%s: this entry and the one at %s:%u want different states",
					 id->name ? id->name : "device", best->file, best->line);
	}
	*out = best;
	return best ? 1 : 0;
}
