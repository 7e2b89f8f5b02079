package io.zeroframe.heaps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The dma-heaps this machine offers. Heap names vary by board (CMA heaps are called {@code linux,cma},
 * {@code reserved}, {@code default-pool}...), so Zeroframe enumerates the directory rather than guessing names.
 *
 * {@snippet :
 * for (HeapInfo heap : Heaps.list()) {
 *     System.out.println(heap.name() + (heap.accessible() ? "" : " (no access)"));
 * }
 * try (Heap heap = Heap.open("system")) {
 *     // heap.allocate(size)
 * }
 * }
 *
 * <p>Thread-safe: it keeps no state.
 */
public final class Heaps {
    /** Where the kernel puts dma-heap nodes. */
    public static final Path DIRECTORY = Path.of("/dev/dma_heap");

    private Heaps() {}

    /**
     * The heaps in {@link #DIRECTORY}, sorted by name; empty when the kernel has no dma-heaps
     * ({@code CONFIG_DMABUF_HEAPS} off) or none is registered.
     *
     * @throws IOException if the directory exists but cannot be read
     */
    public static List<HeapInfo> list() throws IOException {
        return list(DIRECTORY);
    }

    static List<HeapInfo> list(Path directory) throws IOException {
        try (Stream<Path> nodes = Files.list(directory)) {
            return nodes
                    .map(node -> new HeapInfo(node.getFileName().toString(), node,
                            Files.isReadable(node) && Files.isWritable(node)))
                    .sorted(Comparator.comparing(HeapInfo::name))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
