package io.zeroframe.dmabuf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Java memory shared with devices: a Memfd's pages as a udmabuf dma-buf, both ways. */
@Tag("device")
class MemfdDeviceTest extends DeviceTestSupport {
    private static final long SIZE = 16 * Syscalls.pageSize();

    @Test
    void writesThroughEitherMappingAreSeenThroughTheOther() throws Exception {
        try (Memfd memory = Memfd.create("zf-shared", SIZE);
             DmaBuf buffer = memory.toDmaBuf();
             Arena arena = Arena.ofConfined()) {
            assertEquals(SIZE, buffer.size());
            assertEquals("udmabuf", buffer.exporter());
            MemorySegment java = memory.map(arena);
            MemorySegment device = buffer.map(arena, Access.READ_WRITE);
            java.set(JAVA_LONG, SIZE - Long.BYTES, 0x5eed_f00dL);
            try (CpuAccess read = buffer.cpuAccess(Access.READ)) {
                assertEquals(0x5eed_f00dL, device.get(JAVA_LONG, SIZE - Long.BYTES));
            }
            try (CpuAccess write = buffer.cpuAccess(Access.WRITE)) {
                device.set(JAVA_LONG, 0, 0xfeedL);
            }
            assertEquals(0xfeedL, java.get(JAVA_LONG, 0));
        }
    }
}
