package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;

/**
 * An open CPU-access bracket on a {@link DmaBuf}: {@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_START} was
 * issued when it was opened, {@link #close()} issues {@code DMA_BUF_SYNC_END}. Between the two, the CPU may
 * touch the buffer's mapping in the {@link #access() direction} given; the kernel does the cache maintenance a
 * non-coherent device needs and waits for the device's pending work.
 *
 * <p>Obtained from {@link DmaBuf#cpuAccess(Access)}. Brackets of one buffer may overlap (the kernel keeps no
 * state between START and END); closing the buffer ends every bracket still open. A bracket belongs to the
 * thread that opened it: close it there.
 */
public final class CpuAccess implements AutoCloseable {
    private final DmaBuf buffer;
    private final Access access;
    private boolean open = true;

    CpuAccess(DmaBuf buffer, Access access) {
        this.buffer = buffer;
        this.access = access;
    }

    /** The direction this bracket was opened for. */
    public Access access() {
        return access;
    }

    /** Whether {@link #close()} has not run yet. */
    public boolean isOpen() {
        return open;
    }

    /**
     * Ends the bracket: {@code DMA_BUF_IOCTL_SYNC} with {@code DMA_BUF_SYNC_END}. Later calls do nothing; if the
     * buffer was closed first, its close already ended the bracket. The bracket is over even when the ioctl fails.
     *
     * @throws KernelException the failed {@code DMA_BUF_IOCTL_SYNC}, naming the buffer
     */
    @Override
    public void close() throws KernelException {
        if (!open) {
            return;
        }
        open = false;
        buffer.endCpuAccess(access);
    }

    @Override
    public String toString() {
        return "CpuAccess[" + access + (open ? ", open" : ", closed") + ", " + buffer + "]";
    }
}
