// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libudev adapter, the only file that knows libudev. On the live system
 * with udevd running, block uevents confirm what sysfs says and show a
 * racing agent (a udev rule, kata, a hypervisor tool) onlining a block we
 * just offlined. sysfs stays the truth; udev is the witness.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libudev.h>

#include "udevwatch.h"
#include "block.h"
#include "log.h"

#define UDEV_CONTROL	"/run/udev/control"
#define SETTLE_POLL_MS	50

struct id_list {
	uint64_t *v;
	size_t n;
};

struct mh_udevwatch {
	struct udev *udev;
	struct udev_monitor *mon[2];	/* kernel and udev events */
	struct id_list online;		/* blocks seen going online, not yet polled */
	struct id_list offline_seen;	/* offline events from the kernel */
	struct id_list offline_done;	/* offline events udevd has finished with */
};

bool mh_udev_running(void)
{
	return access(UDEV_CONTROL, F_OK) == 0;
}

static struct udev_monitor *monitor(struct udev *udev, const char *name)
{
	struct udev_monitor *m = udev_monitor_new_from_netlink(udev, name);

	if (!m)
		return NULL;
	if (udev_monitor_filter_add_match_subsystem_devtype(m, "memory", NULL) < 0 ||
	    udev_monitor_enable_receiving(m) < 0) {
		udev_monitor_unref(m);
		return NULL;
	}
	return m;
}

int mh_udevwatch_open(struct mh_udevwatch **out)
{
	struct mh_udevwatch *w;

	*out = NULL;
	if (!mh_udev_running())
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->udev = udev_new();
	if (!w->udev)
		goto fail;
	w->mon[0] = monitor(w->udev, "kernel");
	w->mon[1] = monitor(w->udev, "udev");
	if (!w->mon[0] && !w->mon[1])
		goto fail;
	mh_dbg("watching memory uevents");
	*out = w;
	return 0;
fail:
	mh_warn("cannot watch memory uevents; relying on sysfs alone");
	mh_udevwatch_close(w);
	return 0;
}

void mh_udevwatch_close(struct mh_udevwatch *w)
{
	int i;

	if (!w)
		return;
	if (w->mon[0] || w->mon[1])
		mh_dbg("memory uevents no longer watched");
	for (i = 0; i < 2; i++)
		if (w->mon[i])
			udev_monitor_unref(w->mon[i]);
	if (w->udev)
		udev_unref(w->udev);
	free(w->online.v);
	free(w->offline_seen.v);
	free(w->offline_done.v);
	free(w);
}

/* memoryN -> N; false for anything else. */
static bool block_of(struct udev_device *d, uint64_t *id)
{
	const char *name = udev_device_get_sysname(d);

	return name && !mh_block_id_from_name(name, id);
}

/* Add id unless it is the last one added (events of one block come in a row). */
static void remember(struct id_list *l, uint64_t id)
{
	uint64_t *p;

	if (l->n && l->v[l->n - 1] == id)
		return;
	p = realloc(l->v, (l->n + 1) * sizeof(*p));
	if (!p)
		return;
	l->v = p;
	l->v[l->n++] = id;
}

/* Is id in l? From the end: the block waited for is mostly the last one seen. */
static bool has(const struct id_list *l, uint64_t id)
{
	for (size_t i = l->n; i-- > 0;)
		if (l->v[i] == id)
			return true;
	return false;
}

void mh_udevwatch_note(struct mh_udevwatch *w, bool from_udevd, const char *action,
		       uint64_t id)
{
	mh_dbg("uevent (%s) %s memory%llu", from_udevd ? "udev" : "kernel", action,
	       (unsigned long long)id);
	if (!strcmp(action, "online"))
		remember(&w->online, id);
	else if (!strcmp(action, "offline"))
		remember(from_udevd ? &w->offline_done : &w->offline_seen, id);
}

/* Fill p[] with the monitors' fds (who[i]: which monitor); how many. */
static int monitor_fds(struct mh_udevwatch *w, struct pollfd p[2], int who[2])
{
	int i, n;

	for (i = 0, n = 0; i < 2; i++) {
		if (!w->mon[i])
			continue;
		p[n].fd = udev_monitor_get_fd(w->mon[i]);
		p[n].events = POLLIN;
		p[n].revents = 0;
		who[n++] = i;
	}
	return n;
}

/*
 * Read what is pending on the monitors, and note each event: every one is
 * kept, whichever block is waited for, since the writer offlines blocks
 * ahead of the checks (the kernel's event of the next block often comes
 * before its wait; dropped, that wait ran out its 500 ms, and so did the
 * next, 30 s for 60 blocks). Asked twice a block, mostly with nothing
 * pending: one poll() says which monitor has anything, where a receive on
 * each found nothing with two syscalls (~60 us each in a TCG guest).
 */
static void drain(struct mh_udevwatch *w)
{
	struct pollfd p[2];
	int who[2], i, n = monitor_fds(w, p, who);

	if (n == 0 || poll(p, (nfds_t)n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct udev_monitor *m = w->mon[who[i]];
		struct udev_device *d;

		if (!p[i].revents)	/* POLLERR too: a receive clears an overrun */
			continue;
		while ((d = udev_monitor_receive_device(m))) {
			const char *action = udev_device_get_action(d);
			uint64_t id;

			if (action && block_of(d, &id))
				mh_udevwatch_note(w, who[i] == 1, action, id);
			udev_device_unref(d);
		}
	}
}

int mh_udevwatch_poll_online(struct mh_udevwatch *w, mh_block_claim_fn ours, void *ctx,
			     uint64_t *raced_block)
{
	size_t i;
	int ret = 0;

	if (!w)
		return 0;
	drain(w);
	for (i = 0; i < w->online.n && !ret; i++)
		if (ours(ctx, w->online.v[i])) {
			*raced_block = w->online.v[i];
			ret = 1;
		}
	w->online.n = 0;
	return ret;
}

/* Has udevd finished with an offline event of every block in ids[]? */
static bool all_offline_done(struct mh_udevwatch *w, const uint64_t *ids, size_t n)
{
	struct id_list *l = &w->offline_done;
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), mh_cmp_block_id);
	for (i = 0; i < n; i++)
		if (!l->n || !bsearch(&ids[i], l->v, l->n, sizeof(*l->v), mh_cmp_block_id))
			return false;
	return true;
}

/* Poll both monitors for up to ms (-1: no bound); -errno on failure. */
static int poll_monitors(struct mh_udevwatch *w, long ms)
{
	struct pollfd p[2];
	int who[2], n = monitor_fds(w, p, who);

	if (poll(p, (nfds_t)n, (int)ms) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

int mh_udevwatch_wait_offline_done(struct mh_udevwatch *w, const uint64_t *ids,
				   size_t n, const struct mh_deadline *d,
				   const volatile int *stop)
{
	int err;

	if (!w || !w->mon[1])
		return -ENOTSUP;
	for (;;) {
		long ms;

		drain(w);
		if (all_offline_done(w, ids, n))
			return 0;
		if (mh_stop_requested(stop))
			return -EINTR;
		ms = mh_deadline_left_ms(d, MH_STOP_POLL_MS);
		if (ms == 0)
			return -ETIMEDOUT;
		err = poll_monitors(w, ms);
		if (err)
			return err;
	}
}

int mh_udevwatch_wait_offline(struct mh_udevwatch *w, uint64_t block,
			      const struct mh_deadline *d)
{
	int err;

	if (!w)
		return 0;
	for (;;) {
		long ms;

		drain(w);
		if (has(&w->offline_seen, block))
			return 0;
		ms = mh_deadline_left_ms(d, -1);
		if (ms == 0)
			return -ETIMEDOUT;
		err = poll_monitors(w, ms);
		if (err)
			return err;
	}
}

struct mh_udevwatch *mh_udevwatch_new_detached(void)
{
	return calloc(1, sizeof(struct mh_udevwatch));
}

int mh_udev_settle(const struct mh_deadline *d, long cap_ms)
{
	struct mh_deadline until;
	struct udev_queue *q;
	struct udev *udev;
	int err = 0, fd;
	long left;

	if (!mh_udev_running())
		return 0;
	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	q = udev_queue_new(udev);
	if (!q) {
		udev_unref(udev);
		return -ENOMEM;
	}
	left = mh_deadline_left_ms(d, cap_ms);	/* -1: no bound at all */
	mh_deadline_set(&until, left / 1000.0);
	/* Woken when udevd removes its queue file (inotify), polled as well. */
	fd = udev_queue_get_fd(q);
	while (!udev_queue_get_queue_is_empty(q)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (left == 0 || mh_deadline_passed(&until)) {
			err = -ETIMEDOUT;
			break;
		}
		if (fd < 0) {
			mh_sleep_ms(SETTLE_POLL_MS, &until, NULL);
			continue;
		}
		if (poll(&p, 1, (int)mh_deadline_left_ms(&until, SETTLE_POLL_MS)) > 0)
			udev_queue_flush(q);
	}
	udev_queue_unref(q);
	udev_unref(udev);
	return err;
}
