/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every sysfs and procfs path memhotctl reads or writes, relative to the
 * root (live "/" or a --sysroot), in one place. The unit tests build their
 * trees from these too, so a path cannot drift between code and test.
 */
#ifndef MH_PATHS_H
#define MH_PATHS_H

#define MH_MEMORY_DIR		"sys/devices/system/memory"
/* The policy for blocks that appear (kmem's hot-add): saved and restored. */
#define MH_POLICY_ATTR		MH_MEMORY_DIR "/auto_online_blocks"
#define MH_NODE_DIR		"sys/devices/system/node"
#define MH_DAX_DEVICES_DIR	"sys/bus/dax/devices"
#define MH_DAX_DRIVERS_DIR	"sys/bus/dax/drivers"
#define MH_HOTPLUG_PARAMS_DIR	"sys/module/memory_hotplug/parameters"
#define MH_PROC_IOMEM		"proc/iomem"
#define MH_PROC_MEMINFO		"proc/meminfo"
#define MH_PROC_NETLINK		"proc/net/netlink"
#define MH_PROC_CMDLINE		"proc/cmdline"

#endif
