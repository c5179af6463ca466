// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device name from the command line is checked against "daxX.Y" before
 * it becomes part of any path; refusals list what is there instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dax.h"

static int name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	unsigned long xa = 0, xb = 0, ya = 0, yb = 0;

	sscanf(x, "dax%lu.%lu", &xa, &xb);
	sscanf(y, "dax%lu.%lu", &ya, &yb);
	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (xb != yb)
		return xb < yb ? -1 : 1;
	return strcmp(x, y);
}

size_t cli_list_devices(struct cli_ctx *ctx, char ***out)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = NULL;

	*out = NULL;
	if (mh_root_opendir(ctx->root, MH_DAX_DEVICES_DIR, &d))
		return 0;
	while ((de = readdir(d))) {
		char **nn;

		if (mh_dax_name_valid(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)	/* names is NULL when the bus has no device */
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	return n;
}

void cli_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void cli_present_devices(struct cli_ctx *ctx, char *buf, size_t len)
{
	char **names;
	size_t n = cli_list_devices(ctx, &names), off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", names[i]);
	}
	cli_free_names(names, n);
	if (!n)
		snprintf(buf, len, "none");
}

int cli_check_devname(struct cli_ctx *ctx, const char *name, bool must_exist)
{
	char present[1024];
	struct mh_err e;
	int err;

	if (mh_dax_name_valid(name)) {
		cli_present_devices(ctx, present, sizeof(present));
		/* the user's name: cli_err() shows its control bytes escaped */
		cli_err("'%s': not a dax device name, expected daxX.Y (present: %s)",
			name, present);
		return MH_EXIT_USAGE;
	}
	if (!must_exist)
		return 0;
	/* The name is now known to be daxX.Y: safe to put in a path. */
	err = mh_dax_dev_check(ctx->root, name, &e);
	if (err == -ENODEV) {
		cli_present_devices(ctx, present, sizeof(present));
		cli_err("'%s': no such dax device (present: %s)", name, present);
		return MH_EXIT_USAGE;
	}
	if (err < 0) {
		/* there, but its link cannot be followed (a loop...) */
		cli_read_error(name, &e);
		return MH_EXIT_ERROR;
	}
	return 0;
}
