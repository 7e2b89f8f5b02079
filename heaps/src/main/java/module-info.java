/**
 * The kernel's dma-heaps: discovery of {@code /dev/dma_heap} and allocation of dma-bufs from a heap.
 */
module io.zeroframe.heaps {
    requires transitive io.zeroframe.bindings;
    requires transitive io.zeroframe.dmabuf;
    requires org.slf4j;

    exports io.zeroframe.heaps;
}
