package io.zeroframe.dmabuf.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A small native scratch segment per thread, for the ioctl argument structs of calls that run per frame
 * ({@code DMA_BUF_IOCTL_SYNC}, sync_file export/import, {@code SYNC_IOC_FILE_INFO}; in the drm module, vblank and
 * CRTC-sequence requests and sync-object calls). Per thread rather than per
 * object, so that any number of threads may use one object at once and the calls allocate nothing.
 * A caller must not hold the segment across another call that uses it.
 */
public final class ThreadScratch {
    /**
     * Large enough for every struct it serves: the largest is {@code struct sync_file_info}, 56 bytes; the drm
     * module's {@code SyncObj} puts a struct of at most 40 bytes and its handle and point arrays within the first 80.
     */
    public static final long SIZE = 128;
    private static final ThreadLocal<MemorySegment> SLOT = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SIZE, 8));

    private ThreadScratch() {}

    /** This thread's scratch ({@link #SIZE} bytes, 8-aligned), zeroed; the same segment on every call. */
    public static MemorySegment get() {
        MemorySegment scratch = SLOT.get();
        scratch.fill((byte) 0);
        return scratch;
    }
}
