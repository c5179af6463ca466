/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unit tests' one way to put a file into their temporary trees. */
#ifndef MH_TESTFILE_H
#define MH_TESTFILE_H

#include <stdio.h>
#include <sys/stat.h>

/*
 * dir/rel holds text, with mode unless it is negative. A file that cannot
 * be written is not reported here: the checks that read it fail.
 */
static __attribute__((unused))
void test_put_file(const char *dir, const char *rel, const char *text, int mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	if (mode >= 0)
		chmod(p, (mode_t)mode);
}

#endif
