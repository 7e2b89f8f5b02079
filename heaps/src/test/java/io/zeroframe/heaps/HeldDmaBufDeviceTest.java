package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.HeldDmaBuf;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The accounting of held dma-bufs against buffers from the real system heap. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class HeldDmaBufDeviceTest {
    @Test
    void listsEachFdWithInodeSizeExporterAndName() throws Exception {
        List<HeldDmaBuf> before = HeldDmaBuf.list();
        try (Heap heap = Heap.open("system");
             DmaBuf first = heap.allocate(64 * 1024);
             DmaBuf second = heap.allocate(8192);
             DmaBuf copy = second.duplicate()) {
            first.setName("zf-accounting");
            List<HeldDmaBuf> held = HeldDmaBuf.list();
            assertEquals(before.size() + 3, held.size(), held.toString());
            HeldDmaBuf a = find(held, first.fd());
            HeldDmaBuf b = find(held, second.fd());
            HeldDmaBuf c = find(held, copy.fd());
            assertEquals(64 * 1024, a.size());
            assertEquals("system", a.exporter());
            assertEquals(Optional.of("zf-accounting"), a.name());
            assertEquals(Optional.empty(), b.name());
            assertEquals(b.inode(), c.inode(), "a duplicate is the same buffer");
            assertNotEquals(a.inode(), b.inode());
            assertTrue(held.containsAll(before));
        }
        assertEquals(before, HeldDmaBuf.list());
    }

    private static HeldDmaBuf find(List<HeldDmaBuf> held, int fd) {
        return held.stream().filter(buffer -> buffer.fd() == fd).findFirst()
                .orElseThrow(() -> new AssertionError("fd " + fd + " missing from " + held));
    }
}
