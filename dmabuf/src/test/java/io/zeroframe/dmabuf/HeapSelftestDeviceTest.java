package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel's dmabuf-heaps selftest, for every heap found: allocate 1 MiB, map, write inside a bracket,
 * PRIME-import into vgem (a second device) and close.
 */
@Tag("device")
class HeapSelftestDeviceTest extends DeviceTestSupport {
    private static final long SIZE = 1 << 20;

    @Test
    void everyHeapsBuffersMapAndImportIntoVgem() throws Exception {
        List<Path> heaps;
        try (Stream<Path> nodes = Files.list(Path.of("/dev/dma_heap"))) {
            heaps = nodes.sorted().toList();
        }
        assertFalse(heaps.isEmpty(), "no dma-heaps: the test bed has the system heap");
        try (Vgem vgem = Vgem.open()) {
            for (Path heap : heaps) {
                try (DmaBuf buffer = DmaBuf.adopt(allocateRaw(heap, SIZE)); Arena arena = Arena.ofConfined()) {
                    MemorySegment pixels = buffer.map(arena, Access.READ_WRITE);
                    try (CpuAccess write = buffer.cpuAccess(Access.WRITE)) {
                        pixels.fill((byte) 0x11);
                    }
                    int handle = vgem.importPrime(buffer);
                    assertTrue(handle > 0, heap + ": GEM handle " + handle);
                    // GEM handles are per device and not reference counted: a second import returns the same one
                    assertEquals(handle, vgem.importPrime(buffer), heap + ": re-import gave a new handle");
                    try (CpuAccess read = buffer.cpuAccess(Access.READ)) {
                        assertEquals(0x1111111111111111L, pixels.get(JAVA_LONG, SIZE - Long.BYTES));
                    }
                }
            }
        }
    }
}
