package io.zeroframe.heaps;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.dma_heap.dma_heap_allocation_data;
import io.zeroframe.bindings.dma_heap.dma_heap_h;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.BufferAllocator;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * An open dma-heap: allocates dma-bufs ({@code DMA_HEAP_IOCTL_ALLOC}).
 *
 * {@snippet :
 * try (Heap heap = Heap.open("system");
 *      DmaBuf frame = heap.allocate(640 * 480 * 4)) {
 *     // share frame with V4L2, DRM or another process
 * }
 * }
 *
 * <p>Thread-safe: any number of threads may {@link #allocate} from one heap at once (each call uses its own
 * request struct), and {@link #close()} may come from any thread; buffers already allocated stay valid.
 */
public final class Heap implements BufferAllocator, AutoCloseable {
    /**
     * How a heap's node is opened: read-only, as Android's libdmabufheap does (its nodes are 0444 there); the
     * kernel checks no file mode for {@code DMA_HEAP_IOCTL_ALLOC}, and each buffer's own mode comes from
     * {@code fd_flags}.
     */
    static final int OPEN_FLAGS = Syscalls.O_RDONLY;
    private static final IoctlRequest DMA_HEAP_IOCTL_ALLOC =
            IoctlRequest.of("DMA_HEAP_IOCTL_ALLOC", dma_heap_h.DMA_HEAP_IOCTL_ALLOC());

    private final String name;
    private final OwnedFd fd;

    private Heap(String name, OwnedFd fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Opens the heap called {@code name} in {@code /dev/dma_heap}, read-only (what the kernel needs to allocate).
     *
     * @throws KernelException ENOENT for a heap this machine does not have (the message lists the ones it has);
     *         {@link io.zeroframe.bindings.DevicePermissionException} when this process may not open the node
     *         (the message names its owner and mode and how to grant access)
     * @throws IllegalArgumentException for a name that is empty or contains '/'
     */
    public static Heap open(String name) throws KernelException {
        return open(Heaps.DIRECTORY, name);
    }

    static Heap open(Path directory, String name) throws KernelException {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("not a dma-heap name: '" + name + "'");
        }
        Path node = directory.resolve(name);
        try {
            return new Heap(name, Syscalls.open(node, OPEN_FLAGS));
        } catch (KernelException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            throw KernelException.of("open", node.toString(), Errno.ENOENT,
                    "no dma-heap '" + name + "'; " + available(directory));
        }
    }

    private static String available(Path directory) {
        try {
            var heaps = Heaps.list(directory);
            return heaps.isEmpty()
                    ? "this kernel offers none (CONFIG_DMABUF_HEAPS_SYSTEM / _CMA off?)"
                    : "this machine has: " + heaps.stream().map(HeapInfo::name).collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "cannot list " + directory + ": " + e.getMessage();
        }
    }

    /** The heap's name, e.g. {@code system}. */
    public String name() {
        return name;
    }

    /** The heap's node, e.g. {@code /dev/dma_heap/system}. */
    public Path path() {
        return Path.of(fd.path());
    }

    /**
     * Allocates a buffer of at least {@code size} bytes (the kernel rounds up to whole pages), readable and
     * writable, close-on-exec. The system heap's buffers come back zeroed.
     *
     * <p>The kernel's system heap does not refuse a size larger than memory up front: it allocates page by page
     * until the OOM killer ends the process (measured: on a 1 GiB guest, MemTotal minus 64 MiB was enough).
     * Zeroframe therefore refuses sizes the machine cannot give right now: more than {@code MemAvailable} in
     * /proc/meminfo, read at the call for sizes above a sixteenth of {@code MemTotal} (smaller ones, the common
     * case, cost no read of /proc).
     *
     * @throws KernelException {@code DMA_HEAP_IOCTL_ALLOC}: ENOMEM when the heap is exhausted, EINVAL for a
     *         size the heap refuses; {@link io.zeroframe.bindings.FdClosedException} once this heap is closed
     * @throws IllegalArgumentException if {@code size} is not positive or exceeds the memory available now
     */
    @Override
    public DmaBuf allocate(long size) throws KernelException {
        return allocate(size, 0);
    }

    /**
     * Like {@link #allocate(long)}, with heap flags. The kernel defines none yet
     * ({@code DMA_HEAP_VALID_HEAP_FLAGS} is 0) and answers any other value with EINVAL.
     */
    public DmaBuf allocate(long size, long heapFlags) throws KernelException {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA_HEAP_IOCTL_ALLOC on " + fd.path() + ": " + size
                    + " bytes is not a size");
        }
        long available;
        if (size > MemoryInfo.TOTAL / 16 && size > (available = MemoryInfo.available())) {
            throw new IllegalArgumentException("DMA_HEAP_IOCTL_ALLOC on " + fd.path() + ": " + size
                    + " bytes is more than the memory available now (MemAvailable " + available + " bytes of MemTotal "
                    + MemoryInfo.TOTAL + "); the heap would allocate until the OOM killer stopped the process");
        }
        int raw;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = dma_heap_allocation_data.allocate(arena);
            dma_heap_allocation_data.len(request, size);
            dma_heap_allocation_data.fd_flags(request, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            dma_heap_allocation_data.heap_flags(request, heapFlags);
            Syscalls.ioctl(fd, DMA_HEAP_IOCTL_ALLOC, request);
            raw = dma_heap_allocation_data.fd(request);
        }
        return DmaBufAccess.wrap(OwnedFd.adopt(raw, "dma-buf from " + fd.path()));
    }

    /** {@code dma-heap /dev/dma_heap/NAME}. */
    @Override
    public String description() {
        return "dma-heap " + fd.path();
    }

    /** Closes the heap's node; buffers already allocated stay valid. Idempotent; safe from any thread. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "Heap[" + name + ", " + fd + "]";
    }

    /** MemAvailable and MemTotal from /proc/meminfo; Long.MAX_VALUE where they cannot be read. */
    private static final class MemoryInfo {
        private static final Path MEMINFO = Path.of("/proc/meminfo");
        static final long TOTAL = read("MemTotal:");

        static long available() {
            return read("MemAvailable:");
        }

        private static long read(String field) {
            try (var lines = Files.lines(MEMINFO)) {
                return lines.filter(line -> line.startsWith(field))
                        .map(line -> Long.parseLong(line.substring(field.length()).replace("kB", "").strip()) * 1024)
                        .findFirst().orElse(Long.MAX_VALUE);
            } catch (IOException | RuntimeException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}
