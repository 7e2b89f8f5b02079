package io.zeroframe.dmabuf;

import io.zeroframe.bindings.dma_buf.dma_buf_h;
import io.zeroframe.bindings.sys.Syscalls;

/**
 * What the CPU (or the party a fence stands for) does with a dma-buf: read it, write it, or both.
 *
 * <p>One value serves every call that takes a direction: the {@code DMA_BUF_SYNC_READ}/{@code _WRITE}/{@code _RW}
 * flags of {@code DMA_BUF_IOCTL_SYNC}, {@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE} and
 * {@code DMA_BUF_IOCTL_IMPORT_SYNC_FILE}, the protection of a mapping, and the poll events that wait for the
 * buffer to be idle.
 */
public enum Access {
    /** Reading only: waits for the buffer's writers, not for other readers. */
    READ(dma_buf_h.DMA_BUF_SYNC_READ(), Syscalls.PROT_READ, Syscalls.POLLIN),
    /** Writing only: waits for every fence, readers and writers. */
    WRITE(dma_buf_h.DMA_BUF_SYNC_WRITE(), Syscalls.PROT_WRITE, Syscalls.POLLOUT),
    /** Reading and writing: waits like {@link #WRITE}. */
    READ_WRITE(dma_buf_h.DMA_BUF_SYNC_RW(), Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.POLLOUT);

    private final int syncFlags;
    private final int protection;
    private final short pollEvents;

    Access(int syncFlags, int protection, short pollEvents) {
        this.syncFlags = syncFlags;
        this.protection = protection;
        this.pollEvents = pollEvents;
    }

    /** The {@code DMA_BUF_SYNC_READ}/{@code _WRITE}/{@code _RW} bits. */
    int syncFlags() {
        return syncFlags;
    }

    /** {@code PROT_READ} and/or {@code PROT_WRITE} for {@code mmap}. */
    int protection() {
        return protection;
    }

    /**
     * {@code POLLIN} (the dma-buf's write fences have signalled: safe to read) or {@code POLLOUT} (all its fences
     * have signalled: safe to write).
     */
    short pollEvents() {
        return pollEvents;
    }
}
