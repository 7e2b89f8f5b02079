package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("device")
@ExtendWith(NoLeaks.class)
class HeapsDeviceTest {
    @Test
    void theSystemHeapIsListedAndAccessible() throws Exception {
        List<HeapInfo> heaps = Heaps.list();
        HeapInfo system = heaps.stream().filter(heap -> heap.name().equals("system")).findFirst()
                .orElseThrow(() -> new AssertionError("no system heap in " + heaps));
        assertEquals(Path.of("/dev/dma_heap/system"), system.path());
        assertTrue(system.accessible(), "the test bed grants the video group access to the system heap");
    }
}
