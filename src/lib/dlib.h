/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries loaded on first use. libkmod (and libcrypto, liblzma and
 * libzstd behind it) and libcxl (which needs libkmod) were two thirds of
 * memhotctl's start-up (2.4 of 3.6 ms on x86, tens of ms in a QEMU
 * guest), paid by every run, though kmem is nearly always loaded already
 * and only devices of kind CXL ask libcxl anything.
 */
#ifndef MH_DLIB_H
#define MH_DLIB_H

#include <stddef.h>

/* One function to resolve: its name and where its pointer goes. */
struct mh_dsym {
	const char *name;
	void **slot;
};

/*
 * For a pointer declared `static typeof(fn) *dl_fn;` next to the library's
 * own header: the compiler checks the name and the type against it.
 */
#define MH_DSYM(fn) { #fn, (void **)&dl_##fn }

/*
 * Open soname once and fill every slot of syms. 0 when all are there
 * (again at once on later calls), -ELIBACC when the library or one of its
 * functions is missing (the reason is logged; no slot is left half filled).
 */
int mh_dlib_open(void **handle, const char *soname, const struct mh_dsym *syms,
		 size_t n);

#endif
