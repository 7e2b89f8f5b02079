package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.dma_heap.dma_heap_allocation_data;
import io.zeroframe.bindings.dma_heap.dma_heap_h;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the dma-buf device tests: they run against real drivers (the test bed or a host that has them) and fail,
 * never skip, when a device is missing. Each test must leave the process's fds as it found them.
 */
@ExtendWith(NoLeaks.class)
abstract class DeviceTestSupport {
    static final Path SYSTEM_HEAP = Path.of("/dev/dma_heap/system");
    private static final IoctlRequest DMA_HEAP_IOCTL_ALLOC =
            IoctlRequest.of("DMA_HEAP_IOCTL_ALLOC", dma_heap_h.DMA_HEAP_IOCTL_ALLOC());




    static Path require(Path node) {
        if (!Files.exists(node)) {
            fail(node + " is missing: device tests need the kernel test bed (scripts/test boots it)");
        }
        return node;
    }

    /** A system-heap buffer as a raw owned fd (the heaps module's allocation API is not this module's). */
    static OwnedFd allocateRaw(long size) throws KernelException {
        return allocateRaw(SYSTEM_HEAP, size);
    }

    /** A buffer from the heap at {@code heapNode}, as a raw owned fd. */
    static OwnedFd allocateRaw(Path heapNode, long size) throws KernelException {
        try (OwnedFd heap = Syscalls.open(require(heapNode), Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
            MemorySegment request = dma_heap_allocation_data.allocate(arena);
            dma_heap_allocation_data.len(request, size);
            dma_heap_allocation_data.fd_flags(request, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            Syscalls.ioctl(heap, DMA_HEAP_IOCTL_ALLOC, request);
            return OwnedFd.adopt(dma_heap_allocation_data.fd(request), "dma-buf (" + heapNode + ")");
        }
    }

    static DmaBuf allocate(long size) throws KernelException {
        return DmaBuf.adopt(allocateRaw(size));
    }
}
