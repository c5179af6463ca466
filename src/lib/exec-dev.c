// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device operations under the executor, and shared with recovery: bind a
 * driver, online a block, set the auto-online policy, each checked by a
 * re-read. They know nothing of a run (no struct exec): the lowest layer.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dax.h"
#include "exec-dev.h"
#include "paths.h"
#include "writer.h"
#include "names.h"
#include "errclass.h"

#define BACKOFF_CAP_MS		5000

void exec_state_path(uint64_t id, char *buf, size_t len)
{
	mh_block_attr_path(id, "state", buf, len);
}

unsigned exec_next_backoff(unsigned ms)
{
	return ms >= BACKOFF_CAP_MS / 2 ? BACKOFF_CAP_MS : (ms ? ms * 2 : 1);
}

void mh_exec_read_driver(struct mh_root *root, const char *dev, char *buf, size_t len)
{
	if (mh_dax_read_driver(root, dev, buf, len) < 0)
		snprintf(buf, len, "none");
}

int exec_driver_write(struct mh_root *root, const char *drv, const char *attr,
		      const char *dev, const struct mh_deadline *d,
		      const volatile int *stop)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), MH_DAX_DRIVERS_DIR "/%s/%s", drv, attr);
	return mh_write_attr_bounded(root, rel, dev, d, stop);
}

int mh_exec_bind_driver(struct mh_root *root, const char *dev, const char *drv,
			const struct mh_deadline *d, const volatile int *stop,
			struct mh_err *e)
{
	char cur[32];
	int err;

	mh_exec_read_driver(root, dev, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	if (strcmp(cur, "none")) {
		err = exec_driver_write(root, cur, "unbind", dev, d, stop);
		mh_exec_read_driver(root, dev, cur, sizeof(cur));
		if (strcmp(cur, "none"))
			return mh_err_set(e, err ? err : -EBUSY, NULL,
					  "%s: unbind from %s failed: %s", dev, cur,
					  strerror(err ? -err : EBUSY));
	}
	err = exec_driver_write(root, drv, "bind", dev, d, stop);
	if (err == -ENODEV) {
		/* No id match (a PMEM region and kmem, since ~6.3 HMEM and
		 * device_dax): new_id adds one and probes. */
		err = exec_driver_write(root, drv, "new_id", dev, d, stop);
		mh_exec_read_driver(root, dev, cur, sizeof(cur));
		if (!err && strcmp(cur, drv))
			err = exec_driver_write(root, drv, "bind", dev, d, stop);
	}
	/* drivers_probe-like writes can succeed and bind nothing: the link says. */
	mh_exec_read_driver(root, dev, cur, sizeof(cur));
	if (strcmp(cur, drv))
		return mh_err_set(e, err ? err : -ENODEV, NULL,
				  "%s: bind to %s failed (%s), driver is %s", dev, drv,
				  err ? strerror(-err) : "no error", cur);
	return 0;
}

int mh_exec_online_block(struct mh_root *root, uint64_t id, enum mh_zone zone,
			 const struct mh_deadline *d, unsigned max_retries,
			 unsigned backoff_ms, unsigned *attempts)
{
	struct mh_block blk = { .id = id };
	char rel[PATH_MAX];
	unsigned tries = 0;
	int err, r;

	exec_state_path(id, rel, sizeof(rel));
	for (;;) {
		r = mh_block_refresh(root, &blk);
		if (r < 0)
			return r;
		if (blk.state == MH_BLOCK_ONLINE)
			return 0;	/* the caller checks the zone */
		err = mh_write_attr_bounded(root, rel, mh_zone_online_cmd(zone), d, NULL);
		tries++;
		if (attempts)
			(*attempts)++;
		r = mh_block_refresh(root, &blk);
		if (r < 0)
			return r;
		if (blk.state == MH_BLOCK_ONLINE)
			return 0;
		if (!err)
			err = -EAGAIN;	/* took no effect: try again */
		if (mh_classify_errno(-err) != MH_ERR_RETRY || tries > max_retries)
			return err;
		mh_sleep_ms(backoff_ms, d, NULL);
		backoff_ms = exec_next_backoff(backoff_ms);
	}
}

/* The auto-online policy: the one place its attribute is named. */
int mh_exec_read_policy(struct mh_root *root, char *buf, size_t len)
{
	return mh_read_attr(root, MH_POLICY_ATTR, buf, len);
}

int mh_exec_set_policy(struct mh_root *root, const char *want,
		       const struct mh_deadline *d, const volatile int *stop)
{
	char cur[32];
	int err;

	err = mh_write_attr_bounded(root, MH_POLICY_ATTR, want, d, stop);
	if (mh_read_attr(root, MH_POLICY_ATTR, cur, sizeof(cur)) >= 0 && !strcmp(cur, want))
		return 0;
	return err ? err : -EIO;
}
