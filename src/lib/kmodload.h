/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libkmod adapter: load the kmem module when its driver is missing. */
#ifndef MH_KMODLOAD_H
#define MH_KMODLOAD_H

/* libkmod itself, loaded on first use (dlib.h): 0 or -ELIBACC. */
int mh_kmod_open_lib(void);

/* 0 when loaded (or already), -errno otherwise. */
int mh_kmod_load(const char *module);

#endif
