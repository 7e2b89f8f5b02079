/**
 * dma-buf file descriptors, CPU-access brackets, sync_file fences and udmabuf.
 *
 * <p>{@link io.zeroframe.dmabuf.DmaBuf} owns a dma-buf fd (from a dma-heap, a V4L2 export, a DRM PRIME export);
 * {@link io.zeroframe.dmabuf.SyncFile} owns a sync_file fence.
 */
module io.zeroframe.dmabuf {
    requires transitive io.zeroframe.bindings;
    requires org.slf4j;

    exports io.zeroframe.dmabuf;
    exports io.zeroframe.dmabuf.internal to io.zeroframe.heaps, io.zeroframe.v4l2, io.zeroframe.drm;
}
