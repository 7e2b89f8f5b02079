package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.internal.PageSize;
import java.util.Objects;

/**
 * Allocates dma-bufs from ordinary memory through udmabuf: each allocation is a fresh sealed {@link Memfd} of the
 * size rounded up to whole pages, turned into a dma-buf with {@code UDMABUF_CREATE} on {@code /dev/udmabuf}.
 * The memfd is closed before {@link #allocate} returns; the kernel keeps its pages for as long as the dma-buf
 * lives, so the returned {@link DmaBuf} is the only fd left open. libcamera falls back to the same when the
 * machine has no usable dma-heap.
 *
 * <p>The kernel limits each buffer to {@code udmabuf.size_limit_mb} (64 MiB by default) and refuses larger ones
 * with EINVAL. udmabuf memory is cached system memory: devices that need physically contiguous buffers cannot
 * use it.
 *
 * {@snippet :
 * BufferAllocator memory = new UdmabufAllocator();
 * try (DmaBuf buffer = memory.allocate(640 * 480 * 4)) {      // 1228800 bytes, already a page multiple
 *     // hand buffer.fd() to V4L2 (V4L2_MEMORY_DMABUF) or import it into DRM
 * }
 * }
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class UdmabufAllocator implements BufferAllocator {
    private final String name;

    /** An allocator whose memfds are called {@code zeroframe-frame} (visible in /proc/PID/fd until closed). */
    public UdmabufAllocator() {
        this("zeroframe-frame");
    }

    /** An allocator whose memfds are called {@code name}. */
    public UdmabufAllocator(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * A dma-buf of {@code size} bytes rounded up to whole pages, zero-filled; the caller owns it.
     *
     * @throws IllegalArgumentException if {@code size} is not positive or cannot be rounded up to a page
     * @throws KernelException from {@code memfd_create}, {@code ftruncate} (ENOMEM, ENOSPC), or
     *         {@code UDMABUF_CREATE} (EINVAL beyond {@code udmabuf.size_limit_mb}; a missing or inaccessible
     *         {@code /dev/udmabuf})
     */
    @Override
    public DmaBuf allocate(long size) throws KernelException {
        long page = PageSize.get();
        if (size <= 0 || size > Long.MAX_VALUE - page) {
            throw new IllegalArgumentException("udmabuf allocation of " + size + " bytes: "
                    + (size <= 0 ? "not a positive size" : "too large to round up to whole pages"));
        }
        try (Memfd memory = Memfd.create(name, Math.ceilDiv(size, page) * page)) {
            return memory.toDmaBuf();
        }
    }

    @Override
    public String description() {
        return "udmabuf (" + Udmabuf.DEVICE + ")";
    }

    @Override
    public String toString() {
        return "UdmabufAllocator[" + name + "]";
    }
}
