/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who else hears the kernel's uevents: the sockets of proc/net/netlink
 * that joined the kernel uevent group (NETLINK_KOBJECT_UEVENT, group 1).
 */
#ifndef MH_LISTENERS_H
#define MH_LISTENERS_H

#include "sysroot.h"

/*
 * Count the sockets under root's proc/net/netlink that receive the
 * kernel's uevents, less this process's own (on the live system, from
 * /proc/self/fd). 0 or -errno; -EINVAL: a table this parser does not know.
 * The table is per network namespace: a listener in another one is not
 * seen, though the kernel sends it the uevents too.
 */
int mh_uevent_listeners(struct mh_root *root, unsigned *count);

/* One table, parsed: own[] are socket inodes not to count. For tests. */
int mh_uevent_listeners_parse(const char *table, const unsigned long *own,
			      size_t nr_own, unsigned *count);

#endif
