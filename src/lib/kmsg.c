// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's own reason for a failed offline, from its log. Offlining a
 * block, offline_pages() isolates its pages; where one cannot be isolated
 * (has_unmovable_pages(), mm/page_isolation.c) the kernel dumps that page
 * (dump_page(): "page: ... pfn:0x...", "flags: ...", on 6.12 "page_type:
 * ...", "raw: ...", "page dumped because: unmovable page"), and a page that
 * failed to migrate is dumped "because: migration failure". Both Debian
 * 6.1 and 6.12 print these unconditionally; the summary "memory offlining
 * [mem A-B] failed due to R" is a pr_debug, printed only where dynamic
 * debug enabled it. memhotctl does not enable it: that is a system-wide
 * setting others may rely on, needs debugfs (or /proc/dynamic_debug), is
 * refused under lockdown, and a SIGKILLed run could not restore it.
 *
 * Records are matched to a block by the page frame or the range they
 * name, never by their order alone: a record that names neither is not
 * this block's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "sysroot.h"

#define PAGE_SHIFT	12
#define KMSG_READ_BUF	8192	/* more than one record (1 KiB text + dictionary) */

/* Copy src[0..n) to dst, control and non-ASCII bytes as \xHH: the log is not ours. */
static void copy_escaped(char *dst, size_t size, const char *src, size_t n)
{
	size_t o = 0;

	if (!size)
		return;
	for (size_t i = 0; i < n && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c >= 0x7f) {
			if (o + 4 >= size)
				break;
			snprintf(dst + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			if (o + 1 >= size)
				break;
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
}

static void append(char *dst, size_t size, const char *sep, const char *src, size_t n)
{
	size_t o = strlen(dst);

	if (o && o + strlen(sep) < size) {
		strcpy(dst + o, sep);
		o += strlen(sep);
	}
	if (o < size)
		copy_escaped(dst + o, size - o, src, n);
}

static bool starts(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !memcmp(s, pfx, n);
}

/* The text of a record: after "PRIO,SEQ,TS,FLAGS;" or dmesg's "[  TS] ". */
static const char *record_text(const char *line, size_t *len)
{
	const char *semi = memchr(line, ';', *len), *p;

	if (semi) {
		for (p = line; p < semi && (*p == ',' || (*p >= '0' && *p <= '9') ||
					    *p == '-' || *p == '+' || *p == 'c'); p++)
			;
		if (p == semi && p > line) {
			*len -= (size_t)(semi + 1 - line);
			return semi + 1;
		}
	}
	if (*len && line[0] == '[') {
		p = memchr(line, ']', *len);
		if (p && p + 1 < line + *len && p[1] == ' ') {
			*len -= (size_t)(p + 2 - line);
			return p + 2;
		}
	}
	return line;
}

/* "pfn:0x118000" somewhere in the dump's first line. */
static bool find_pfn(const char *t, size_t len, uint64_t *pfn)
{
	char tmp[256], *p, *end;

	copy_escaped(tmp, sizeof(tmp), t, len);
	p = strstr(tmp, " pfn:");
	if (!p)
		return false;
	errno = 0;
	*pfn = strtoull(p + 5, &end, 16);
	return !errno && end != p + 5;
}

/*
 * "page:00000000a2cf702f refcount:1 mapcount:0 mapping:... index:...
 * pfn:0x118000" (6.1; 6.12 without the pointer): the hashed pointer,
 * mapping and index say nothing to an administrator; pfn first, then the
 * counts (6.1 shows a page type in mapcount).
 */
static void dump_begin(struct mh_kmsg_scan *s, const char *t, size_t len)
{
	static const char *const keep[] = { "refcount:", "mapcount:", "order:" };
	const char *p = t + 5, *e = t + len, *w;

	s->in_dump = true;
	s->dump[0] = '\0';
	s->have_pfn = find_pfn(t, len, &s->pfn);
	if (s->have_pfn)
		snprintf(s->dump, sizeof(s->dump), "pfn:0x%" PRIx64, s->pfn);
	while (p < e) {
		while (p < e && *p == ' ')
			p++;
		for (w = p; p < e && *p != ' '; p++)
			;
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			if (starts(w, (size_t)(p - w), keep[i]))
				append(s->dump, sizeof(s->dump), " ", w, (size_t)(p - w));
	}
}

static void dump_end(struct mh_kmsg_scan *s, const char *why, size_t len)
{
	struct mh_kmsg_reason *r = s->r;
	uint64_t first = s->start >> PAGE_SHIFT, last = s->end >> PAGE_SHIFT;

	s->in_dump = false;
	if (!s->have_pfn || s->pfn < first || s->pfn >= last)
		return;
	r->pages++;
	r->status = MH_KMSG_FOUND;
	/* The latest dump: the one about the attempt that failed last. */
	snprintf(r->page, sizeof(r->page), "%s", s->dump);
	copy_escaped(r->because, sizeof(r->because), why, len);
}

/* "memory offlining [mem 0x118000000-0x11fffffff] failed due to R" */
static void offlining_failed(struct mh_kmsg_scan *s, const char *t, size_t len)
{
	static const char due[] = "] failed due to ";
	char tmp[160], *p, *end;
	uint64_t a, b;

	copy_escaped(tmp, sizeof(tmp), t, len);
	p = tmp + strlen("memory offlining [mem ");
	a = strtoull(p, &end, 16);
	if (end == p || *end != '-')
		return;
	p = end + 1;
	b = strtoull(p, &end, 16);
	if (end == p || strncmp(end, due, strlen(due)))
		return;
	if (a >= s->end || b < s->start)
		return;
	s->r->status = MH_KMSG_FOUND;
	snprintf(s->r->failed, sizeof(s->r->failed), "%s", end + strlen(due));
}

void mh_kmsg_scan_init(struct mh_kmsg_scan *s, uint64_t start, uint64_t end,
		       struct mh_kmsg_reason *r)
{
	memset(s, 0, sizeof(*s));
	s->start = start;
	s->end = end;
	s->r = r;
}

void mh_kmsg_scan_line(struct mh_kmsg_scan *s, const char *line, size_t len)
{
	const char *t;

	if (len && line[len - 1] == '\n')
		len--;
	if (!len || line[0] == ' ')
		return;		/* empty, or a record's dictionary line */
	s->records++;
	t = record_text(line, &len);
	if (starts(t, len, "page:")) {
		dump_begin(s, t, len);
	} else if (starts(t, len, "page dumped because: ")) {
		if (s->in_dump)
			dump_end(s, t + 21, len - 21);
	} else if (starts(t, len, "memory offlining [mem ")) {
		offlining_failed(s, t, len);
	} else if (s->in_dump && (starts(t, len, "flags: ") || starts(t, len, "page_type: "))) {
		append(s->dump, sizeof(s->dump), ", ", t, len);
	} else if (s->in_dump && !starts(t, len, "raw: ") && !starts(t, len, "head: ") &&
		   !starts(t, len, "memcg:") && !starts(t, len, "anon ") &&
		   !starts(t, len, "aops:") && !starts(t, len, "ksm ") &&
		   !starts(t, len, "memcg")) {
		s->in_dump = false;	/* another record came between: not a dump line */
	}
}

void mh_kmsg_open(struct mh_kmsg *k, struct mh_root *root)
{
	int fd;

	k->tree = !mh_root_is_live(root);
	k->err = 0;
	fd = mh_root_openat(root, "dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	k->fd = fd >= 0 ? fd : -1;
	if (fd < 0)
		k->err = -fd;
}

void mh_kmsg_mark(struct mh_kmsg *k)
{
	if (k->fd >= 0 && lseek(k->fd, 0, SEEK_END) < 0) {
		k->err = errno;
		close(k->fd);
		k->fd = -1;
	}
}

static void unread(const struct mh_kmsg *k, struct mh_kmsg_reason *r)
{
	if (r->status == MH_KMSG_FOUND)
		return;
	r->status = MH_KMSG_UNREAD;
	if (k->tree && k->err == ENOENT)
		snprintf(r->why_not, sizeof(r->why_not), "the tree has no dev/kmsg");
	else
		snprintf(r->why_not, sizeof(r->why_not), "%s: %s",
			 k->tree ? "the tree's dev/kmsg" : "/dev/kmsg", mh_strerror(k->err));
}

/* Feed the complete lines of buf[0..*have) to s; keep the unfinished tail. */
static void feed(struct mh_kmsg_scan *s, char *buf, size_t *have, bool flush)
{
	size_t off = 0;
	char *nl;

	while (off < *have && (nl = memchr(buf + off, '\n', *have - off))) {
		mh_kmsg_scan_line(s, buf + off, (size_t)(nl - (buf + off)));
		off = (size_t)(nl - buf) + 1;
	}
	if (flush || (off == 0 && *have == KMSG_READ_BUF)) {
		if (off < *have)	/* a line longer than the buffer: cut */
			mh_kmsg_scan_line(s, buf + off, *have - off);
		off = *have;
	}
	memmove(buf, buf + off, *have - off);
	*have -= off;
}

void mh_kmsg_collect(struct mh_kmsg *k, uint64_t start, uint64_t end,
		     struct mh_kmsg_reason *r)
{
	struct mh_kmsg_reason found = { 0 };
	struct mh_kmsg_scan s;
	size_t have = 0, total = 0;
	char *buf;
	ssize_t n;

	if (k->fd < 0) {
		unread(k, r);
		return;
	}
	buf = malloc(KMSG_READ_BUF);
	if (!buf) {
		k->err = ENOMEM;
		unread(k, r);
		return;
	}
	mh_kmsg_scan_init(&s, start, end, &found);
	while (s.records < MH_KMSG_RECORDS_MAX && total < MH_KMSG_BYTES_MAX) {
		n = read(k->fd, buf + have, KMSG_READ_BUF - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			s.records++;	/* overwritten before we read them: go on */
			continue;
		}
		if (n <= 0)
			break;		/* EAGAIN: no more; or end of a recording */
		total += (size_t)n;
		have += (size_t)n;
		/* /dev/kmsg gives one record per read, without the dictionary's end. */
		feed(&s, buf, &have, !k->tree);
	}
	feed(&s, buf, &have, true);
	free(buf);
	/* Budget spent: skip the rest, the next mark starts from the end anyway. */
	if (s.records >= MH_KMSG_RECORDS_MAX || total >= MH_KMSG_BYTES_MAX)
		lseek(k->fd, 0, SEEK_END);
	if (found.status == MH_KMSG_FOUND) {
		/* Keep what an earlier attempt's dump said if this one named no page. */
		if (!found.page[0] && r->status == MH_KMSG_FOUND && r->page[0]) {
			memcpy(found.page, r->page, sizeof(found.page));
			memcpy(found.because, r->because, sizeof(found.because));
		}
		if (!found.failed[0] && r->status == MH_KMSG_FOUND)
			memcpy(found.failed, r->failed, sizeof(found.failed));
		found.pages += r->status == MH_KMSG_FOUND ? r->pages : 0;
		*r = found;
	} else if (r->status != MH_KMSG_FOUND) {
		r->status = MH_KMSG_SILENT;
	}
}

void mh_kmsg_close(struct mh_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static bool page_says(const struct mh_kmsg_reason *r, const char *what)
{
	return strstr(r->page, what) != NULL;
}

/*
 * 6.1 keeps the page type in _mapcount and shows it as mapcount: PG_table
 * 0x200 reads -512, PG_buddy -128, PG_offline -256; 6.12 prints page_type.
 */
const char *mh_kmsg_advice(const struct mh_kmsg_reason *r, bool timed_out)
{
	if (r->status == MH_KMSG_FOUND && r->page[0]) {
		if (page_says(r, "slab"))
			return "a slab page (kernel allocations) in a kernel zone: online such "
			       "memory movable from the start (online --zone movable), then the "
			       "kernel puts no slab there";
		if (page_says(r, "(table)") || page_says(r, "mapcount:-512,") ||
		    page_says(r, "mapcount:-512 "))
			return "a page table in a kernel zone: online such memory movable "
			       "from the start (online --zone movable)";
		if (page_says(r, "reserved"))
			return "a reserved page: the kernel keeps it until a reboot";
		if (page_says(r, "lru"))
			return "a page on an LRU list that did not migrate: it may be pinned "
			       "(RDMA, VFIO, io_uring, a driver's get_user_pages): find the "
			       "user and end it, or try again";
		if (!strcmp(r->because, "unmovable page"))
			return "an allocated page that is on no LRU list and of no movable "
			       "kind: a device driver's or the kernel's own; find the user "
			       "(the driver or module holding it) and release it";
		return NULL;
	}
	if (r->status == MH_KMSG_FOUND && strstr(r->failed, "notifier"))
		return "a memory notifier refused (a driver watching memory hotplug)";
	if (timed_out && (r->status == MH_KMSG_SILENT || r->status == MH_KMSG_FOUND))
		return "the kernel names no page: pages it can neither isolate nor "
		       "migrate, such as pages pinned by a driver, RDMA or VFIO, keep an "
		       "offline going until the deadline; find the user, or give more "
		       "--timeout if the block was only slow";
	return NULL;
}

void mh_kmsg_describe(const struct mh_kmsg_reason *r, char *buf, size_t len)
{
	switch (r->status) {
	case MH_KMSG_NONE:
		snprintf(buf, len, "kernel log: not looked at");
		break;
	case MH_KMSG_UNREAD:
		snprintf(buf, len, "kernel log not read: %s", r->why_not);
		break;
	case MH_KMSG_SILENT:
		snprintf(buf, len, "kernel log: nothing about this block");
		break;
	case MH_KMSG_FOUND:
		snprintf(buf, len, "kernel: %s%s%s%s%s%s%s", r->page[0] ? "page " : "",
			 r->page, r->page[0] ? ", dumped because: " : "",
			 r->page[0] ? r->because : "", r->page[0] && r->failed[0] ? "; " : "",
			 r->failed[0] ? "offlining failed due to " : "", r->failed);
		break;
	}
}
