/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every name memhotctl gives an enum, in one file (names.c): what the
 * journal writes, --dry-run and JSON print, options and sysfs accept.
 * The lookups of one type are declared next to it (block.h, dax.h,
 * plan.h, errclass.h); this header holds what has no type of its own.
 */
#ifndef MH_NAMES_H
#define MH_NAMES_H

#include <stdbool.h>

/* A value memory/auto_online_blocks accepts (mm/memory_hotplug.c). */
bool mh_policy_valid(const char *s);

#endif
