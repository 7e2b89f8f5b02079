package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class HeapTest {
    @Test
    void aMissingHeapSaysWhichHeapsExist(@TempDir Path directory) throws Exception {
        Files.createFile(directory.resolve("system"));
        Files.createFile(directory.resolve("reserved"));
        Map<Integer, String> before = ProcessFds.list();
        KernelException e = assertThrows(KernelException.class, () -> Heap.open(directory, "linux,cma"));
        assertEquals("open on " + directory.resolve("linux,cma") + ": ENOENT (No such file or directory):"
                + " no dma-heap 'linux,cma'; this machine has: reserved, system", e.getMessage());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(before, ProcessFds.list());
    }

    @Test
    void aKernelWithoutHeapsSaysSo(@TempDir Path directory) {
        KernelException e = assertThrows(KernelException.class,
                () -> Heap.open(directory.resolve("dma_heap"), "system"));
        assertEquals("open on " + directory.resolve("dma_heap/system") + ": ENOENT (No such file or directory):"
                + " no dma-heap 'system'; this kernel offers none (CONFIG_DMABUF_HEAPS_SYSTEM / _CMA off?)",
                e.getMessage());
    }

    @Test
    void namesThatAreNotHeapNamesAreRejected() {
        assertEquals("not a dma-heap name: '../video0'",
                assertThrows(IllegalArgumentException.class, () -> Heap.open("../video0")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Heap.open(""));
    }
}
