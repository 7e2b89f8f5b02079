/**
 * dma-buf file descriptors, CPU-access brackets, sync_file fences and udmabuf (built by the dma-buf issue).
 */
module io.zeroframe.dmabuf {
    requires transitive io.zeroframe.bindings;
    requires org.slf4j;
}
