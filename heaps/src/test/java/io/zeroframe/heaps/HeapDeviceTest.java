package io.zeroframe.heaps;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Heap against the real dma-heaps of the test bed, after the kernel's dmabuf-heaps selftest. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class HeapDeviceTest {
    private static final long ONE_MIB = 1 << 20;

    @Test
    void everyHeapAllocatesZeroedMappableBuffers() throws Exception {
        List<HeapInfo> heaps = Heaps.list();
        assertFalse(heaps.isEmpty(), "no dma-heaps: the test bed has the system heap");
        for (HeapInfo info : heaps) {
            try (Heap heap = Heap.open(info.name()); DmaBuf buffer = heap.allocate(ONE_MIB);
                 Arena arena = Arena.ofConfined()) {
                assertEquals(info.path(), heap.path());
                assertEquals(ONE_MIB, buffer.size());
                assertEquals(info.name(), buffer.exporter());
                MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
                try (CpuAccess read = buffer.cpuAccess(Access.READ)) {
                    for (long offset = 0; offset < ONE_MIB; offset += Long.BYTES) {
                        assertEquals(0, pixels.get(JAVA_LONG, offset), info.name() + ": not zeroed at " + offset);
                    }
                }
                try (CpuAccess write = buffer.cpuAccess(Access.WRITE)) {
                    pixels.fill((byte) 0x3c);
                }
                try (CpuAccess read = buffer.cpuAccess(Access.READ)) {
                    assertEquals(0x3c3c3c3c3c3c3c3cL, pixels.get(JAVA_LONG, ONE_MIB - Long.BYTES));
                }
            }
        }
    }

    @Test
    void sizesRoundUpToPages() throws Exception {
        try (Heap heap = Heap.open("system"); DmaBuf buffer = heap.allocate(1)) {
            assertEquals(4096, buffer.size());
        }
    }

    @Test
    void badRequestsNameTheIoctlAndHeap() throws Exception {
        try (Heap heap = Heap.open("system")) {
            KernelException flags = assertThrows(KernelException.class, () -> heap.allocate(ONE_MIB, 1));
            assertEquals("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: EINVAL (Invalid argument)", flags.getMessage());
            // the system heap itself would allocate a terabyte page by page until the OOM killer struck
            IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                    () -> heap.allocate(1L << 40));
            assertTrue(huge.getMessage().startsWith("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: 1099511627776"
                    + " bytes is more than the memory available now (MemAvailable "), huge.getMessage());
            // MemTotal less 64 MiB got the JVM OOM-killed on a 1 GiB guest: what is not available is refused
            long total = meminfo("MemTotal:");
            IllegalArgumentException unavailable = assertThrows(IllegalArgumentException.class,
                    () -> heap.allocate(total - (64 << 20)));
            assertTrue(unavailable.getMessage().endsWith("of MemTotal " + total + "); the heap would allocate until"
                    + " the OOM killer stopped the process"), unavailable.getMessage());
            assertEquals("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: 0 bytes is not a size",
                    assertThrows(IllegalArgumentException.class, () -> heap.allocate(0)).getMessage());
        }
    }

    private static long meminfo(String field) throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/meminfo"))) {
            return lines.filter(line -> line.startsWith(field)).findFirst()
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024).orElseThrow();
        }
    }

    @Test
    void fourThreadsAllocateFromOneHeapAtOnce() throws Exception {
        try (Heap heap = Heap.open("system")) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                var tasks = new java.util.ArrayList<java.util.concurrent.Future<Long>>();
                for (int t = 0; t < 4; t++) {
                    long size = (t + 1) * ONE_MIB;
                    tasks.add(pool.submit(() -> {
                        long total = 0;
                        for (int i = 0; i < 200; i++) {
                            try (DmaBuf buffer = heap.allocate(size)) {
                                total += buffer.size();
                            }
                        }
                        return total;
                    }));
                }
                for (int t = 0; t < 4; t++) {
                    // a request struct shared between threads would hand one thread another's size or fd
                    assertEquals(200 * (t + 1) * ONE_MIB, (long) tasks.get(t).get(120, java.util.concurrent.TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aClosedHeapFailsWithEbadf() throws Exception {
        Heap heap = Heap.open("system");
        heap.close();
        heap.close();
        KernelException e = assertThrows(KernelException.class, () -> heap.allocate(ONE_MIB));
        assertEquals("DMA_HEAP_IOCTL_ALLOC on /dev/dma_heap/system: EBADF (Bad file descriptor):"
                + " the fd was already closed", e.getMessage());
    }

    @Test
    void aMissingHeapListsTheHeapsThereAre() {
        KernelException e = assertThrows(KernelException.class, () -> Heap.open("linux,cma"));
        assertEquals("open on /dev/dma_heap/linux,cma: ENOENT (No such file or directory):"
                + " no dma-heap 'linux,cma'; this machine has: system", e.getMessage());
    }

    @Test
    void aNodeWithoutPermissionSaysHowToGrantAccess() {
        // vivid's radio node is root-only in the test bed; the tests run as an unprivileged user
        KernelException e = assertThrows(KernelException.class, () -> Heap.open(Path.of("/dev"), "radio0"));
        assertInstanceOf(DevicePermissionException.class, e);
        assertTrue(e.getMessage().startsWith("open on /dev/radio0: EACCES (Permission denied): node is root:root"
                + " crw-------, this process runs as uid "), e.getMessage());
    }

    @Test
    void tenThousandCyclesLeaveNoFdOrMappingBehind() throws Exception {
        try (Heap heap = Heap.open("system")) {
            for (int i = 0; i < 10_000; i++) {
                try (DmaBuf buffer = heap.allocate(4096); Arena arena = Arena.ofConfined()) {
                    MemorySegment page = buffer.map(arena, Access.READ_WRITE);
                    try (CpuAccess write = buffer.cpuAccess(Access.WRITE)) {
                        page.set(JAVA_LONG, 0, i);
                    }
                }
            }
        }
    }

}
