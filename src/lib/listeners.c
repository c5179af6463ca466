// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The uevent listeners, from proc/net/netlink. A row per socket:
 *   sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
 * Eth is the protocol, Groups the first 32 multicast groups in hex. The
 * columns are found by their header names, so an added column does not
 * shift them. The kernel's own socket has no groups and is not counted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listeners.h"

#define NETLINK_UEVENT_PROTO	15	/* NETLINK_KOBJECT_UEVENT */
#define UEVENT_KERNEL_GROUP	1u	/* group 1: the kernel's; udev's is 2 */
#define MAX_COLUMNS		16
#define MAX_OWN_SOCKETS		64

/* Split line into at most MAX_COLUMNS words in place; returns the count. */
static int split(char *line, char **word)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t\n", &save); w && n < MAX_COLUMNS;
	     w = strtok_r(NULL, " \t\n", &save))
		word[n++] = w;
	return n;
}

static int column(char **word, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(word[i], name))
			return i;
	return -1;
}

static int parse_ul(const char *s, int base, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, base);
	return errno || end == s || *end ? -EINVAL : 0;
}

static bool is_own(unsigned long inode, const unsigned long *own, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (own[i] == inode)
			return true;
	return false;
}

int mh_uevent_listeners_parse(const char *table, const unsigned long *own,
			      size_t nr_own, unsigned *count)
{
	char *copy = strdup(table), *line, *save = NULL, *word[MAX_COLUMNS];
	int eth = -1, groups = -1, inode = -1, need, n, err = 0;
	unsigned found = 0;

	if (!copy)
		return -ENOMEM;
	line = strtok_r(copy, "\n", &save);
	n = line ? split(line, word) : 0;
	if (n && !strcmp(word[0], "sk")) {
		eth = column(word, n, "Eth");
		groups = column(word, n, "Groups");
		inode = column(word, n, "Inode");
	}
	if (eth < 0 || groups < 0 || inode < 0)
		err = -EINVAL;
	/* A row must reach the rightmost of the three columns. */
	need = eth > groups ? eth : groups;
	need = 1 + (need > inode ? need : inode);
	while (!err && (line = strtok_r(NULL, "\n", &save))) {
		unsigned long proto, mask, ino;

		n = split(line, word);
		if (n < need || parse_ul(word[eth], 10, &proto) ||
		    parse_ul(word[groups], 16, &mask) || parse_ul(word[inode], 10, &ino)) {
			err = -EINVAL;
			break;
		}
		if (proto == NETLINK_UEVENT_PROTO && (mask & UEVENT_KERNEL_GROUP) &&
		    !is_own(ino, own, nr_own))
			found++;
	}
	free(copy);
	if (!err)
		*count = found;
	return err;
}

/* This process's sockets (their inodes), from /proc/self/fd. */
static size_t own_sockets(unsigned long *own, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d))) {
		char target[64];
		ssize_t len = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);

		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &own[n]) == 1)
			n++;
	}
	closedir(d);
	return n;
}

int mh_uevent_listeners(struct mh_root *root, unsigned *count)
{
	unsigned long own[MAX_OWN_SOCKETS];
	size_t nr_own = 0;
	char *table = NULL;
	int err;

	err = mh_read_file(root, MH_PROC_NETLINK, &table);
	if (err)
		return err;
	if (mh_root_is_live(root))
		nr_own = own_sockets(own, MAX_OWN_SOCKETS);
	err = mh_uevent_listeners_parse(table, own, nr_own, count);
	free(table);
	return err;
}
