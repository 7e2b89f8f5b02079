package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Heaps#allocators()} against the test bed's heaps: the system heap (the only one: Debian's 6.12 amd64
 * kernel has {@code CONFIG_CMA} off, so no CMA heap and no {@code /sys/kernel/mm/cma}), and a root-only second
 * node of it that the test bed's init makes in {@code /run/zf-locked/dma_heap} for the unprivileged test user.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class HeapAllocatorsDeviceTest {
    static final Path LOCKED = Path.of("/run/zf-locked/dma_heap");

    @Test
    void theSystemHeapIsListedUsableAndNotContiguous() throws Exception {
        assertEquals(List.of(Allocator.heap("system", false)), Heaps.allocators());
        assertTrue(Files.isDirectory(Path.of("/sys/class/dma_heap/system")));
        assertTrue(!Files.exists(Path.of("/sys/class/dma_heap/system/device")),
                "mainline registers heaps without a parent device");
    }

    @Test
    void aHeapNodeThisUserMayNotOpenIsListedWithOwnerModeAndFix() throws Exception {
        NodeAccess.Identity me = NodeAccess.Identity.current();
        assertNotEquals(0, me.uid(), "device tests run as an unprivileged user (scripts/test: --user 1000:1000)");
        List<Allocator> allocators = Heaps.allocators(LOCKED, HeapHints.KERNEL, NodeAccess::stat, me);
        assertEquals(List.of(Allocator.unusable(Allocator.Source.DMA_HEAP, "system",
                "/run/zf-locked/dma_heap/system is root:root 0600 and this process (" + me + ") may not open it for"
                        + " reading; add a udev rule giving a group access (SUBSYSTEM==\"dma_heap\","
                        + " KERNEL==\"system\", GROUP=\"video\", MODE=\"0660\") and run as a member of that group,"
                        + " or run as root")), allocators);
        assertTrue(me.groups().contains(44), "the test user is in group video: " + me);
    }
}
