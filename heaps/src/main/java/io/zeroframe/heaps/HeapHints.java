package io.zeroframe.heaps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the kernel tells userspace about a dma-heap beyond its name, for {@link Heaps#allocators()}. The kernel has
 * no interface saying which heap suits which device (the 2023 dma-heap RFC asked for one), so these are hints;
 * where there are none, the planner's trials decide.
 * <ul>
 *   <li>Physically contiguous (CMA): the heap is named like a CMA area listed in {@code /sys/kernel/mm/cma/}
 *       ({@code CONFIG_CMA_SYSFS}, one directory per area; the CMA heap is named after its area); or, where that
 *       directory is absent, its name is one the kernel gives the default CMA area ({@code reserved} from
 *       {@code cma=} or {@code CONFIG_CMA_SIZE_MBYTES}, {@code linux,cma} from a device tree,
 *       {@code default_cma_region} in newer kernels) or contains "cma".</li>
 *   <li>Tied to a device: {@code /sys/class/dma_heap/NAME/device}, a link to the device that registered the heap,
 *       where a kernel makes one (mainline 6.12 registers heaps without a parent and has none); otherwise a name
 *       that is not one of the kernel's generic heaps ({@code system}, {@code system-uncached}, CMA) is taken as
 *       named for a device or a vendor's purpose.</li>
 * </ul>
 * Immutable.
 */
final class HeapHints {
    /** The running kernel's sysfs. */
    static final HeapHints KERNEL = new HeapHints(Path.of("/sys/kernel/mm/cma"), Path.of("/sys/class/dma_heap"));

    private static final Set<String> DEFAULT_CMA_NAMES = Set.of("reserved", "linux,cma", "default_cma_region");
    private static final Set<String> GENERIC = Set.of("system", "system-uncached");

    private final Path cmaAreas;
    private final Path heapClass;

    /**
     * @param cmaAreas  where CMA areas are listed ({@code /sys/kernel/mm/cma})
     * @param heapClass the dma-heap class directory ({@code /sys/class/dma_heap})
     */
    HeapHints(Path cmaAreas, Path heapClass) {
        this.cmaAreas = cmaAreas;
        this.heapClass = heapClass;
    }

    /** Why {@code heap} is taken as physically contiguous, e.g. "CMA area /sys/kernel/mm/cma/reserved"; empty if not. */
    Optional<String> contiguous(String heap) {
        if (Files.isDirectory(cmaAreas)) {
            Path area = cmaAreas.resolve(heap);
            return Files.isDirectory(area) ? Optional.of("CMA area " + area) : Optional.empty();
        }
        if (DEFAULT_CMA_NAMES.contains(heap)) {
            return Optional.of("named as the kernel names its default CMA area (no " + cmaAreas + " to check)");
        }
        if (heap.toLowerCase(Locale.ROOT).contains("cma")) {
            return Optional.of("'cma' in its name (no " + cmaAreas + " to check)");
        }
        return Optional.empty();
    }

    /**
     * Which device {@code heap} belongs to, e.g. "sysfs link /sys/class/dma_heap/NAME/device ->
     * ../../../platform/vpu"; or that its name suggests one; empty for the kernel's generic heaps.
     */
    Optional<String> device(String heap, boolean contiguous) {
        Path link = heapClass.resolve(heap).resolve("device");
        if (Files.isSymbolicLink(link)) {
            try {
                return Optional.of("sysfs link " + link + " -> " + Files.readSymbolicLink(link));
            } catch (IOException e) {
                return Optional.of("sysfs link " + link + " (unreadable: " + e.getMessage() + ")");
            }
        }
        if (contiguous || GENERIC.contains(heap)) {
            return Optional.empty();
        }
        return Optional.of("not one of the kernel's generic heaps: named for a device or a vendor's purpose");
    }
}
