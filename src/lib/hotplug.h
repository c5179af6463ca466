/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory hotplug configuration: module parameters and kernel command line. */
#ifndef MH_HOTPLUG_H
#define MH_HOTPLUG_H

#include <stddef.h>
#include "sysroot.h"
#include "udevrules.h"

#define MH_HP_MAX_PARAMS 16

struct mh_hotplug_config {
	char auto_online[32];		/* "" when absent */
	size_t nr_params;		/* /sys/module/memory_hotplug/parameters/ */
	char param_name[MH_HP_MAX_PARAMS][48];
	char param_val[MH_HP_MAX_PARAMS][64];
	char memhp_default_state[32];	/* kernel command line, "" when absent */
	int movable_node;		/* kernel command line, -1 unknown */
	struct mh_udev_rules udev;	/* rules that online blocks, daxctl's */
};

/*
 * Fill hp from root, parameters sorted by name. What cannot be read is
 * left out (movable_node -1): the configuration is a report, not an input.
 * auto_online is not read here; it is part of every snapshot.
 */
void mh_hotplug_config_read(struct mh_root *root, struct mh_hotplug_config *hp);

#endif
