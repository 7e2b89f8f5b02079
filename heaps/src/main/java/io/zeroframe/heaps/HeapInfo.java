package io.zeroframe.heaps;

import java.nio.file.Path;

/**
 * A dma-heap node as found in {@code /dev/dma_heap}.
 *
 * @param name       the heap's name, e.g. {@code system} or a board's CMA heap such as {@code linux,cma}
 * @param path       the device node
 * @param accessible whether this process may open the node for reading, as {@link Heap#open} does
 */
public record HeapInfo(String name, Path path, boolean accessible) {}
