// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/iomem, parsed strictly: "  start-end : name", two spaces a level. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iomem.h"

#define KMEM_RAM "System RAM (kmem)"

static int parse_hex(const char *s, size_t len, uint64_t *v)
{
	char buf[24];

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return mh_parse_u64(buf, 16, v);
}

static int parse_line(const char *l, size_t len, struct mh_iomem_entry *e)
{
	const char *p = l, *end = l + len, *dash, *colon;
	size_t spaces = 0, nl;

	while (p < end && *p == ' ') {
		p++;
		spaces++;
	}
	dash = memchr(p, '-', (size_t)(end - p));
	if (!dash)
		return -EINVAL;
	colon = memchr(dash, ':', (size_t)(end - dash));
	/* "end : name": exactly one space either side of the colon */
	if (!colon || colon - dash < 3 || colon[-1] != ' ' ||
	    colon + 1 >= end || colon[1] != ' ')
		return -EINVAL;
	if (parse_hex(p, (size_t)(dash - p), &e->r.start) ||
	    parse_hex(dash + 1, (size_t)(colon - 1 - (dash + 1)), &e->r.end) ||
	    e->r.end < e->r.start)
		return -EINVAL;
	e->depth = (int)(spaces / 2);
	p = colon + 2;
	nl = (size_t)(end - p);
	if (nl >= sizeof(e->name))
		nl = sizeof(e->name) - 1;
	memcpy(e->name, p, nl);
	e->name[nl] = '\0';
	return 0;
}

int mh_iomem_parse(const char *text, struct mh_iomem_entry **out, size_t *count)
{
	struct mh_iomem_entry *v = NULL, *tmp;
	size_t n = 0, cap = 0;
	const char *l = text;

	*out = NULL;
	*count = 0;
	while (*l) {
		size_t len = strcspn(l, "\n");

		if (len) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				tmp = realloc(v, cap * sizeof(*v));
				if (!tmp) {
					free(v);
					return -ENOMEM;
				}
				v = tmp;
			}
			if (parse_line(l, len, &v[n])) {
				free(v);
				return -EINVAL;
			}
			n++;
		}
		l += len;
		if (*l == '\n')
			l++;
	}
	*out = v;
	*count = n;
	return 0;
}

int mh_iomem_read(struct mh_root *root, struct mh_iomem_entry **out, size_t *count)
{
	char *buf = NULL;
	int ret;

	ret = mh_read_file(root, MH_PROC_IOMEM, &buf);
	if (ret)
		return ret;
	ret = mh_iomem_parse(buf, out, count);
	free(buf);
	return ret;
}

bool mh_iomem_has_kmem(const struct mh_iomem_entry *e, size_t count,
		       const struct mh_range *r)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(e[i].name, KMEM_RAM) &&
		    e[i].r.start <= r->end && r->start <= e[i].r.end)
			return true;
	return false;
}
