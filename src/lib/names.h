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
#include <stddef.h>

/* A value memory/auto_online_blocks accepts (mm/memory_hotplug.c). */
bool mh_policy_valid(const char *s);

/*
 * The index of s in a table of names (NULL entries skipped), searching from
 * first: the one lookup every name table of the library and its files use.
 * -1 when s is not there.
 */
int mh_name_index(const char *const *names, size_t n, size_t first, const char *s);

#endif
