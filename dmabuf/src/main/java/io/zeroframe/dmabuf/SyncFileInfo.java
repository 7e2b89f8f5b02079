package io.zeroframe.dmabuf;

import java.util.List;

/**
 * A snapshot of a sync_file, from {@code SYNC_IOC_FILE_INFO}.
 *
 * @param name   the sync_file's name: the one given to {@link SyncFile#merge}, else the kernel's
 *               {@code driver-timeline-seqno} description
 * @param status the whole sync_file's state: signalled once every fence has
 * @param fences one entry per fence the sync_file waits for
 */
public record SyncFileInfo(String name, FenceStatus status, List<FenceInfo> fences) {
    public SyncFileInfo {
        fences = List.copyOf(fences);
    }

    /**
     * One fence of a sync_file ({@code struct sync_fence_info}).
     *
     * @param driver          the driver that created it, e.g. {@code "vgem"}
     * @param timeline        its timeline (the kernel's {@code obj_name})
     * @param status          its state
     * @param timestampNanos  when it signalled, in {@code CLOCK_MONOTONIC} nanoseconds; 0 while active
     */
    public record FenceInfo(String driver, String timeline, FenceStatus status, long timestampNanos) {}
}
