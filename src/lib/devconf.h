/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The administrator's wish for each dax device, from /etc/memhotctl.conf
 * and /etc/memhotctl.conf.d/\*.conf (memhotctl.conf(5)): entries select
 * devices by an identity that survives a reboot and name the state they
 * should be in. Loading and matching only; apply brings devices there.
 */
#ifndef MH_DEVCONF_H
#define MH_DEVCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "dax.h"
#include "sysroot.h"

#define MH_CONFIG_FILE		"etc/memhotctl.conf"
#define MH_CONFIG_DIR		"etc/memhotctl.conf.d"
/* A configuration file is small; a larger one is refused, not read. */
#define MH_CONFIG_FILE_MAX	(1u << 20)
#define MH_UUID_LEN		36

enum mh_conf_state {
	MH_CONF_SYSTEM_RAM = 1,
	MH_CONF_DEVDAX,
};

enum mh_conf_zone {
	MH_CONF_ZONE_MOVABLE = 0,	/* the default: removable again */
	MH_CONF_ZONE_NORMAL,
};

/* Which selectors an entry has; all of them must match a device. */
enum mh_conf_select {
	MH_SEL_UUID = 1 << 0,
	MH_SEL_START = 1 << 1,
	MH_SEL_NAME = 1 << 2,
	MH_SEL_NODE = 1 << 3,
	MH_SEL_KIND = 1 << 4,
};

struct mh_conf_entry {
	char file[256];			/* as the user knows it, for messages */
	unsigned line;			/* of the "[device]" header */
	unsigned select;		/* enum mh_conf_select bits */
	char uuid[MH_UUID_LEN + 1];	/* lower case */
	uint64_t start;
	char name[MH_DAX_NAME_MAX];
	int node;
	enum mh_dax_kind kind;
	enum mh_conf_state state;
	enum mh_conf_zone zone;
};

struct mh_config {
	size_t count;
	struct mh_conf_entry *v;	/* in file order, files in name order */
	size_t nr_files;		/* files read, 0 when there is none */
};

/* Where a configuration is wrong: file and line, and what. */
struct mh_conf_error {
	char file[256];
	unsigned line;
	char msg[256];
};

/* What identifies a device across reboots; fields absent are unset. */
struct mh_dev_identity {
	const char *name;		/* "dax0.0" */
	enum mh_dax_kind kind;
	bool has_start;
	uint64_t start;			/* the first range's physical start */
	int node;			/* target node, -1 when unknown */
	/*
	 * An NVDIMM device is known by two UUIDs, "" when absent: its
	 * namespace's, and its dax info block's, which is the "uuid" that
	 * ndctl create-namespace and ndctl list print for a devdax namespace.
	 */
	char uuid[MH_UUID_LEN + 1];
	char info_uuid[MH_UUID_LEN + 1];
};

/*
 * Read the main file and the drop-in directory under root (both may be
 * missing: an empty configuration). On the live system a file must be a
 * regular file owned by root and writable by no one else. Returns 0, or
 * -errno with err naming the file (and line) that is wrong: then cfg is
 * empty and nothing may be applied.
 */
int mh_config_load(struct mh_root *root, struct mh_config *cfg,
		   struct mh_conf_error *err);
/*
 * Instead of the defaults: path (absolute or from the working directory,
 * outside any sysroot) is one file, or a directory of *.conf read like the
 * drop-in directory. trust: refuse files root should not trust, as the
 * live defaults are. It must exist.
 */
int mh_config_load_path(const char *path, bool trust, struct mh_config *cfg,
			struct mh_conf_error *err);
/* What a device is known by, read under root. */
void mh_config_identity(struct mh_root *root, const struct mh_dax_dev *d,
			struct mh_dev_identity *id);
/* Parse one file's text, appending to cfg; file names it in messages. */
int mh_config_parse(const char *file, const char *text, struct mh_config *cfg,
		    struct mh_conf_error *err);
void mh_config_free(struct mh_config *cfg);
/* Whether root may act on a file of this owner and mode (live system). */
bool mh_config_trusted(const struct stat *st);

/*
 * The entry for a device: 1 and *out set, 0 when none matches, -EINVAL
 * (err naming both entries) when two entries of the same rank want
 * different things for it. Identity entries (uuid, start, name) win over
 * class entries (node, kind only).
 */
int mh_config_match(const struct mh_config *cfg, const struct mh_dev_identity *id,
		    const struct mh_conf_entry **out, struct mh_conf_error *err);

const char *mh_conf_state_name(enum mh_conf_state s);
const char *mh_conf_zone_name(enum mh_conf_zone z);

#endif
