package io.zeroframe.dmabuf;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.internal.PageSize;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

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
 * <p>For the {@link io.zeroframe.dmabuf.negotiation.Planner}: {@link #describe()} says whether this process can use
 * udmabuf (and if not, why and the fix), {@link #source()} makes its trial buffers.
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class UdmabufAllocator implements BufferAllocator {
    /** {@code /dev/udmabuf}'s rule: opened for reading and writing, as {@link Udmabuf} does. */
    private static final NodeAccess.Rule NODE = new NodeAccess.Rule(Syscalls.O_RDWR, "KERNEL==\"udmabuf\"",
            "not present: load the udmabuf module (CONFIG_UDMABUF)");

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

    /**
     * udmabuf as the planner sees it: {@link Allocator#udmabuf()} when this process can open {@code /dev/udmabuf}
     * for reading and writing (tried with {@code open(2)} and closed at once), else
     * {@link Allocator#unusable} with the reason: {@code /dev/udmabuf not present: load the udmabuf module
     * (CONFIG_UDMABUF)}, or the node's owner, group and mode and the fix, e.g. {@code /dev/udmabuf is root:root
     * 0600 and this process (uid 1000, groups 44 1000) may not open it for reading and writing; add a udev rule
     * giving a group access (KERNEL=="udmabuf", GROUP="video", MODE="0660") and run as a member of that group, or
     * run as root}. Never throws for a missing or inaccessible node.
     */
    public static Allocator describe() {
        return described(NodeAccess.whyUnusable(Udmabuf.DEVICE, NODE));
    }

    static Allocator describe(Path node, NodeAccess.StatusReader reader, NodeAccess.Identity identity) {
        return described(NodeAccess.whyUnusable(node, NODE, reader, identity));
    }

    private static Allocator described(Optional<String> unusable) {
        return unusable.map(reason -> Allocator.unusable(Allocator.Source.UDMABUF, "udmabuf", reason))
                .orElseGet(Allocator::udmabuf);
    }

    /**
     * The trial side of {@link Allocator#udmabuf()} for {@link io.zeroframe.dmabuf.negotiation.DeviceTrials}: each
     * frame in buffers of a new {@link UdmabufAllocator} ({@link BufferSource#of}), one per memory plane, laid out
     * exactly as the candidate says; a kernel refusal (a missing or inaccessible node, EINVAL beyond
     * {@code udmabuf.size_limit_mb}) is answered as a refusal, not thrown. It keeps no fd: {@code /dev/udmabuf} is
     * opened and closed inside each allocation, so {@code release()} has nothing to free.
     */
    public static BufferSource source() {
        return BufferSource.of(Allocator.udmabuf(), new UdmabufAllocator());
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
