// SPDX-License-Identifier: GPL-2.0-or-later
/* The memory hotplug configuration, as status reports it. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotplug.h"


static int param_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void read_params(struct mh_root *root, struct mh_hotplug_config *hp)
{
	char names[MH_HP_MAX_PARAMS][48];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if (mh_root_opendir(root, MH_HOTPLUG_PARAMS_DIR, &d))
		return;
	while ((de = readdir(d)) && n < MH_HP_MAX_PARAMS) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(names[0]))
			continue;
		strcpy(names[n++], de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), param_cmp);
	for (size_t i = 0; i < n; i++) {
		char rel[sizeof(MH_HOTPLUG_PARAMS_DIR) + 64];

		snprintf(rel, sizeof(rel), "%s/%.47s", MH_HOTPLUG_PARAMS_DIR, names[i]);
		/* Unreadable parameters are left out, not fatal. */
		if (mh_read_attr(root, rel, hp->param_val[hp->nr_params],
				 sizeof(hp->param_val[0])) < 0)
			continue;
		strcpy(hp->param_name[hp->nr_params++], names[i]);
	}
}

static void read_cmdline(struct mh_root *root, struct mh_hotplug_config *hp)
{
	char buf[4096], *tok, *save = NULL;

	if (mh_read_attr(root, MH_PROC_CMDLINE, buf, sizeof(buf)) < 0)
		return;
	hp->movable_node = 0;
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(tok, "memhp_default_state=", 20))
			snprintf(hp->memhp_default_state, sizeof(hp->memhp_default_state),
				 "%s", tok + 20);
		else if (!strcmp(tok, "movable_node"))
			hp->movable_node = 1;
	}
}

void mh_hotplug_config_read(struct mh_root *root, struct mh_hotplug_config *hp)
{
	hp->nr_params = 0;
	hp->memhp_default_state[0] = '\0';
	hp->movable_node = -1;
	read_params(root, hp);
	read_cmdline(root, hp);
	mh_udev_rules_scan(root, &hp->udev);
}
