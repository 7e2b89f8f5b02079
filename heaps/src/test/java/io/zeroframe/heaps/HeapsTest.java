package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.dmabuf.internal.NodeAccess;
import io.zeroframe.dmabuf.negotiation.Allocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class HeapsTest {
    @Test
    void listsNodesSortedByNameWithAccess(@TempDir Path directory) throws Exception {
        Files.createFile(directory.resolve("system"));
        Files.createFile(directory.resolve("linux,cma"));
        List<HeapInfo> heaps = Heaps.list(directory);
        assertEquals(List.of("linux,cma", "system"), heaps.stream().map(HeapInfo::name).toList());
        assertEquals(directory.resolve("system"), heaps.get(1).path());
        assertTrue(heaps.get(1).accessible());
    }

    @Test
    void aMissingDirectoryMeansNoHeaps(@TempDir Path directory) throws Exception {
        assertEquals(List.of(), Heaps.list(directory.resolve("dma_heap")));
    }

    @Test
    void allocatorsListUsableHeapsContiguousFirstThenTheUnusable(@TempDir Path root) throws Exception {
        Path directory = Files.createDirectory(root.resolve("dma_heap"));
        for (String name : List.of("system", "vpu_secure", "reserved")) {
            Files.createFile(directory.resolve(name));
        }
        Files.createSymbolicLink(directory.resolve("gone"), root.resolve("nowhere"));
        HeapHints hints = new HeapHints(Files.createDirectories(root.resolve("cma/reserved")).getParent(),
                Files.createDirectory(root.resolve("class")));
        List<Allocator> allocators = Heaps.allocators(directory, hints, NodeAccess::stat,
                new NodeAccess.Identity(1000, Set.of(1000)));
        assertEquals(List.of(Allocator.heap("reserved", true), Allocator.heap("system", false),
                Allocator.heap("vpu_secure", false), Allocator.unusable(Allocator.Source.DMA_HEAP, "gone",
                        directory.resolve("gone") + " is gone: the heap was listed a moment ago")), allocators);
    }

    @Test
    void theCmaAreasInSysfsDecideWhichHeapsAreContiguous(@TempDir Path root) throws Exception {
        Path areas = Files.createDirectories(root.resolve("cma/linux,cma")).getParent();
        HeapHints sysfs = new HeapHints(areas, root.resolve("class"));
        assertEquals(Optional.of("CMA area " + areas.resolve("linux,cma")), sysfs.contiguous("linux,cma"));
        assertEquals(Optional.empty(), sysfs.contiguous("reserved"), "not an area this kernel has");
        assertEquals(Optional.empty(), sysfs.contiguous("system"));
    }

    @Test
    void withoutSysfsCmaTheKernelsNamesForCmaAreasDecide(@TempDir Path root) {
        HeapHints names = new HeapHints(root.resolve("cma"), root.resolve("class"));
        String noSysfs = " (no " + root.resolve("cma") + " to check)";
        for (String name : List.of("reserved", "linux,cma", "default_cma_region")) {
            assertEquals(Optional.of("named as the kernel names its default CMA area" + noSysfs),
                    names.contiguous(name));
        }
        assertEquals(Optional.of("'cma' in its name" + noSysfs), names.contiguous("vendor-CMA-pool"));
        assertEquals(Optional.empty(), names.contiguous("system"));
        assertEquals(Optional.empty(), names.contiguous("system-uncached"));
    }

    @Test
    void aSysfsDeviceLinkOrAVendorNameTiesAHeapToADevice(@TempDir Path root) throws Exception {
        Path heapClass = root.resolve("class");
        Files.createDirectories(heapClass.resolve("carveout"));
        Files.createSymbolicLink(heapClass.resolve("carveout/device"), Path.of("../../../platform/vpu"));
        HeapHints hints = new HeapHints(root.resolve("cma"), heapClass);
        assertEquals(Optional.of("sysfs link " + heapClass.resolve("carveout/device") + " -> ../../../platform/vpu"),
                hints.device("carveout", false));
        assertEquals(Optional.of("not one of the kernel's generic heaps: named for a device or a vendor's purpose"),
                hints.device("mtk_svp", false));
        assertEquals(Optional.empty(), hints.device("system", false));
        assertEquals(Optional.empty(), hints.device("system-uncached", false));
        assertEquals(Optional.empty(), hints.device("reserved", true));
    }

    @Test
    void aSourceOpensTheNodeOnAllocateAndClosesItOnRelease(@TempDir Path directory) throws Exception {
        // a plain file stands in for the node: it opens, and DMA_HEAP_IOCTL_ALLOC on it fails with ENOTTY
        Path node = Files.createFile(directory.resolve("system"));
        Allocator system = Allocator.heap("system", false);
        BufferSource source = Heaps.source(system, directory);
        assertEquals(system, source.allocator());
        assertFalse(ProcessFds.list().containsValue(node.toString()), "nothing opened before allocating");
        var made = source.allocate(new Candidate(system, PixelFormat.XRGB8888, Modifier.LINEAR,
                FrameLayout.of(PixelFormat.XRGB8888, 16, 16, 64)));
        assertEquals(TrialResult.fixable("DMA_HEAP_IOCTL_ALLOC", "ENOTTY", "dma-heap " + node
                + " could not allocate 1024 bytes"), made.result());
        assertTrue(ProcessFds.list().containsValue(node.toString()), "the node stays open until release");
        source.release();
        assertFalse(ProcessFds.list().containsValue(node.toString()), "release closes it");
        source.release();
    }

    @Test
    void onlyHeapsHaveHeapSources() {
        assertEquals("udmabuf is not a dma-heap", assertThrows(IllegalArgumentException.class,
                () -> Heaps.source(Allocator.udmabuf())).getMessage());
    }
}
