// SPDX-License-Identifier: GPL-2.0-or-later
/* Libraries loaded on first use: see dlib.h for why. */
#include <dlfcn.h>
#include <errno.h>

#include "dlib.h"
#include "log.h"

int mh_dlib_open(void **handle, const char *soname, const struct mh_dsym *syms,
		 size_t n)
{
	void *h;
	size_t i;

	if (*handle)
		return 0;
	h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		mh_err("cannot load %s: %s", soname, dlerror());
		return -ELIBACC;
	}
	for (i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			mh_err("%s has no %s", soname, syms[i].name);
			while (i > 0)
				*syms[--i].slot = NULL;
			dlclose(h);
			return -ELIBACC;
		}
	}
	*handle = h;
	return 0;
}
