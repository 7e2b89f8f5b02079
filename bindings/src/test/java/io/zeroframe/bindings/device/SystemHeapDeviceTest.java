package io.zeroframe.bindings.device;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.dma_heap.dma_heap_allocation_data;
import io.zeroframe.bindings.dma_heap.dma_heap_h;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The system dma-heap through the generated bindings and the native core: allocate, map, write, close. */
@Tag("device")
class SystemHeapDeviceTest extends DeviceTestSupport {
    private static final IoctlRequest DMA_HEAP_IOCTL_ALLOC =
            IoctlRequest.of("DMA_HEAP_IOCTL_ALLOC", dma_heap_h.DMA_HEAP_IOCTL_ALLOC());
    private static final long SIZE = 1 << 20;

    @Test
    void allocateMapWriteAndClose() throws Exception {
        Path heap = require("/dev/dma_heap/system");
        int buffer;
        try (OwnedFd heapFd = Syscalls.open(heap, Syscalls.O_RDWR);
             OwnedFd dmaBuf = allocate(heapFd, SIZE)) {
            buffer = dmaBuf.get();
            assertTrue(ProcessFds.list().get(buffer).startsWith("/dmabuf:"), ProcessFds.list().get(buffer));
            assertEquals(SIZE, Syscalls.lseek(dmaBuf, 0, Syscalls.SEEK_END));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pixels = Syscalls.mmap(dmaBuf, "mmap", 0, SIZE,
                        Syscalls.PROT_READ | Syscalls.PROT_WRITE, Syscalls.MAP_SHARED, arena);
                for (long offset = 0; offset < SIZE; offset += Long.BYTES) {
                    assertEquals(0, pixels.get(JAVA_LONG, offset), "new heap buffer not zeroed at " + offset);
                }
                pixels.fill((byte) 0xa5);
                assertEquals(0xa5a5a5a5a5a5a5a5L, pixels.get(JAVA_LONG, SIZE - Long.BYTES));
            }
            // a second mapping sees what the first wrote: both map the same buffer
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment again = Syscalls.mmap(dmaBuf, "mmap", 0, SIZE, Syscalls.PROT_READ,
                        Syscalls.MAP_SHARED, arena);
                assertEquals(0xa5a5a5a5a5a5a5a5L, again.get(JAVA_LONG, SIZE / 2));
            }
        }
        assertTrue(Files.notExists(Path.of("/proc/self/fd/" + buffer)) || !ProcessFds.list().containsKey(buffer));
    }

    @Test
    void invalidFdFlagsAreRejectedByTheKernel() throws Exception {
        try (OwnedFd heapFd = Syscalls.open(require("/dev/dma_heap/system"), Syscalls.O_RDWR);
             Arena arena = Arena.ofConfined()) {
            MemorySegment request = dma_heap_allocation_data.allocate(arena);
            dma_heap_allocation_data.len(request, SIZE);
            dma_heap_allocation_data.fd_flags(request, 0x7fffffff);
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.ioctl(heapFd, DMA_HEAP_IOCTL_ALLOC, request));
            assertEquals("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: EINVAL (Invalid argument)", e.getMessage());
        }
    }

    @Test
    void aClosedHeapFdFailsWithEbadf() throws Exception {
        OwnedFd heapFd = Syscalls.open(require("/dev/dma_heap/system"), Syscalls.O_RDWR);
        heapFd.close();
        KernelException e = assertThrows(KernelException.class, () -> allocate(heapFd, SIZE));
        assertEquals("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: EBADF (Bad file descriptor):"
                + " the fd was already closed", e.getMessage());
    }

    static OwnedFd allocate(OwnedFd heapFd, long size) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = dma_heap_allocation_data.allocate(arena);
            dma_heap_allocation_data.len(request, size);
            dma_heap_allocation_data.fd_flags(request, Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            Syscalls.ioctl(heapFd, DMA_HEAP_IOCTL_ALLOC, request);
            return OwnedFd.adopt(dma_heap_allocation_data.fd(request), "dma-buf (" + heapFd.path() + ")");
        }
    }
}
