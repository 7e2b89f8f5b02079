// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module glue for building the kernel's sw_sync (drivers/dma-buf/sw_sync.c and sync_debug.c, unchanged)
 * as a loadable module for the Zeroframe test bed. Upstream CONFIG_SW_SYNC is a bool, so the code
 * has no module licence, and sync_debug.c calls sync_file_get_name(), which the kernel does not export.
 *
 * There is deliberately no module_exit: upstream never removes sw_sync's debugfs files (sync_debug.c
 * relies on that), so this module, like the built-in code it stands for, cannot be unloaded.
 *
 * Written for Zeroframe; not part of the kernel.
 */
#include <linux/dma-fence.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sync_file.h>

/*
 * The name the sync/info debugfs file shows for a sync_file: the name user space gave it when
 * merging, else "<driver>-<timeline><context>-<seqno>" of its fence (the kernel's format, so that
 * the debugfs output reads the same as with a built-in sw_sync).
 */
char *sync_file_get_name(struct sync_file *sync_file, char *buf, int len)
{
	struct dma_fence *fence;

	if (sync_file->user_name[0] != '\0') {
		strscpy(buf, sync_file->user_name, len);
		return buf;
	}
	fence = sync_file->fence;
	snprintf(buf, len, "%s-%s%llu-%lld", fence->ops->get_driver_name(fence),
		 fence->ops->get_timeline_name(fence), fence->context, fence->seqno);
	return buf;
}

MODULE_DESCRIPTION("sw_sync timelines and fences through debugfs (built out of tree for testing)");
MODULE_LICENSE("GPL");
