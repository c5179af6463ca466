// SPDX-License-Identifier: GPL-2.0
/*
 * memhot_fault: test-only module that makes memory hot-remove fail for real.
 *
 * It pins pages on a NUMA node so that the memory block holding them cannot
 * be offlined:
 *  - in a ZONE_MOVABLE block the page is assumed movable by the isolation
 *    check, but it is neither on the LRU nor movable_ops, so offline_pages()
 *    cannot migrate it and retries until the writer has a signal pending;
 *  - in a kernel-zone block has_unmovable_pages() finds it at once and the
 *    offline fails with EBUSY ("unmovable page").
 *
 * Control file: /sys/kernel/debug/memhot_fault/ctl
 *   write "pin NODE COUNT"          pin COUNT order-0 pages anywhere on NODE
 *   write "pinblock NODE BLOCK COUNT"
 *                                   pin COUNT pages that lie in memory block
 *                                   BLOCK (pages elsewhere are given back)
 *   write "release"                 free every pinned page
 *   read                            "pinned N" then one "block B pages N"
 *                                   line per memory block holding pins,
 *                                   then "pfn 0xPFN" per pinned page (the
 *                                   first MHF_LIST_MAX): what memhotctl
 *                                   names after a failed offline, checked
 * lock_device_hotplug() is not exported by Debian's 6.1 nor 6.12 kernels
 * (Module.symvers), so holding device_hotplug_lock is left to userspace: an
 * endless offline of a pinned block holds it for as long as it runs.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/* Upper bound per command: a guest node is at most a few GiB. */
#define MHF_MAX_PAGES	(1UL << 20)
/* pfns listed by a read at most: a "pin" of a whole node is not listed whole. */
#define MHF_LIST_MAX	4096

static DEFINE_MUTEX(mhf_lock);
static LIST_HEAD(mhf_pinned);
static unsigned long mhf_count;
static struct dentry *mhf_dir;

static unsigned long mhf_block_of(struct page *page)
{
	return (unsigned long)(PFN_PHYS(page_to_pfn(page)) /
			       memory_block_size_bytes());
}

static void mhf_release_list(struct list_head *head)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, head, lru) {
		list_del(&page->lru);
		__free_pages(page, 0);
	}
}

static struct page *mhf_alloc(int node)
{
	/* No OOM killer, no warning: running out just ends the search. */
	return alloc_pages_node(node, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE |
				__GFP_NOWARN | __GFP_NORETRY, 0);
}

static int mhf_pin(int node, unsigned long count)
{
	unsigned long i;

	for (i = 0; i < count; i++) {
		struct page *page = mhf_alloc(node);

		if (!page)
			return i ? 0 : -ENOMEM;
		list_add_tail(&page->lru, &mhf_pinned);
		mhf_count++;
	}
	return 0;
}

/*
 * Allocate until COUNT pages inside BLOCK are found; every other page is held
 * meanwhile (so the allocator moves on) and given back at the end.
 */
static int mhf_pin_block(int node, unsigned long block, unsigned long count)
{
	LIST_HEAD(others);
	unsigned long found = 0, tries = 0;

	while (found < count && tries++ < MHF_MAX_PAGES) {
		struct page *page = mhf_alloc(node);

		if (!page)
			break;
		if (mhf_block_of(page) == block) {
			list_add_tail(&page->lru, &mhf_pinned);
			mhf_count++;
			found++;
		} else {
			list_add_tail(&page->lru, &others);
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	mhf_release_list(&others);
	return found ? 0 : -ENOSPC;
}

static ssize_t mhf_ctl_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	unsigned long count, block;
	char buf[64];
	int node, ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	mutex_lock(&mhf_lock);
	if (sscanf(buf, "pinblock %d %lu %lu", &node, &block, &count) == 3) {
		ret = -EINVAL;
		if (node >= 0 && node < MAX_NUMNODES &&
		    node_state(node, N_MEMORY) && count && count <= 4096)
			ret = mhf_pin_block(node, block, count);
	} else if (sscanf(buf, "pin %d %lu", &node, &count) == 2) {
		ret = -EINVAL;
		if (node >= 0 && node < MAX_NUMNODES &&
		    node_state(node, N_MEMORY) && count && count <= MHF_MAX_PAGES)
			ret = mhf_pin(node, count);
	} else if (!strncmp(buf, "release", 7)) {
		mhf_release_list(&mhf_pinned);
		mhf_count = 0;
		ret = 0;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&mhf_lock);
	return ret ? ret : len;
}

static int mhf_ctl_show(struct seq_file *m, void *v)
{
	unsigned long cur = ULONG_MAX, n = 0;
	struct page *page;

	mutex_lock(&mhf_lock);
	seq_printf(m, "pinned %lu\n", mhf_count);
	/* Pages are listed in allocation order; merge runs of one block. */
	list_for_each_entry(page, &mhf_pinned, lru) {
		unsigned long b = mhf_block_of(page);

		if (b != cur && n) {
			seq_printf(m, "block %lu pages %lu\n", cur, n);
			n = 0;
		}
		cur = b;
		n++;
	}
	if (n)
		seq_printf(m, "block %lu pages %lu\n", cur, n);
	n = 0;
	list_for_each_entry(page, &mhf_pinned, lru) {
		if (n++ == MHF_LIST_MAX)
			break;
		seq_printf(m, "pfn 0x%lx\n", page_to_pfn(page));
	}
	mutex_unlock(&mhf_lock);
	return 0;
}

static int mhf_ctl_open(struct inode *inode, struct file *file)
{
	return single_open(file, mhf_ctl_show, NULL);
}

static const struct file_operations mhf_ctl_fops = {
	.owner = THIS_MODULE,
	.open = mhf_ctl_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = mhf_ctl_write,
};

static int __init mhf_init(void)
{
	mhf_dir = debugfs_create_dir("memhot_fault", NULL);
	debugfs_create_file("ctl", 0600, mhf_dir, NULL, &mhf_ctl_fops);
	return 0;
}

static void __exit mhf_exit(void)
{
	debugfs_remove_recursive(mhf_dir);
	mhf_release_list(&mhf_pinned);
}

module_init(mhf_init);
module_exit(mhf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memhotctl tests: pin pages to make memory offline fail");
