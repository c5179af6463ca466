/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udev rules that work against memhotctl: lines that online memory blocks
 * (the kernel's default zone, usually Normal) and daxctl's reconfigure
 * rule, which would race apply on the same devices.
 */
#ifndef MH_UDEVRULES_H
#define MH_UDEVRULES_H

#include <stddef.h>
#include "sysroot.h"

#define MH_UDEV_MAX_RULES	16
/* A rules file is small; a larger one is not read. */
#define MH_UDEV_RULES_FILE_MAX	(1u << 20)
#define MH_DAXCTL_RULES		"90-daxctl-device.rules"

struct mh_udev_rule {
	char file[256];			/* as shown: the tree's path */
	unsigned line;
	char text[160];			/* the line, cut */
};

struct mh_udev_rules {
	size_t count;			/* found; more than MH_UDEV_MAX_RULES: cut */
	struct mh_udev_rule v[MH_UDEV_MAX_RULES];
	char daxctl[256];		/* daxctl's rule file, "" when not installed */
};

/*
 * Scan the rule directories under root as udev does (/etc, /run, /usr/lib,
 * /lib; a name in an earlier one hides it in the later ones). Regular
 * files only, read without following a last symlink, at most
 * MH_UDEV_RULES_FILE_MAX bytes each; what cannot be read is left out.
 */
void mh_udev_rules_scan(struct mh_root *root, struct mh_udev_rules *r);
/* Whether one rule line writes "online..." to a memory block's state. */
bool mh_udev_line_onlines(const char *line);

#endif
