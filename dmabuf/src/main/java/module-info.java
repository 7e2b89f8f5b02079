/**
 * dma-buf file descriptors, CPU-access brackets, sync_file fences and udmabuf.
 *
 * <p>{@link io.zeroframe.dmabuf.DmaBuf} owns a dma-buf fd (from a dma-heap, a V4L2 export, a DRM PRIME export);
 * {@link io.zeroframe.dmabuf.SyncFile} owns a sync_file fence.
 *
 * <p>The frame model that V4L2 and DRM share: {@link io.zeroframe.dmabuf.PixelFormat} (with the DRM and V4L2
 * codes of each format), {@link io.zeroframe.dmabuf.Modifier}, {@link io.zeroframe.dmabuf.FrameLayout} (planes'
 * offsets, pitches and sizes), {@link io.zeroframe.dmabuf.Frame} (planes in dma-bufs, one owner) and
 * {@link io.zeroframe.dmabuf.BufferAllocator}, which dma-heaps and {@link io.zeroframe.dmabuf.UdmabufAllocator}
 * implement.
 *
 * <p>{@link io.zeroframe.dmabuf.negotiation.Planner} decides, from device-agnostic descriptions of the endpoints
 * and allocators, who allocates the buffers a producer and its consumers share, proves it through trial
 * operations, and explains the plan.
 */
module io.zeroframe.dmabuf {
    requires transitive io.zeroframe.bindings;
    requires org.slf4j;

    exports io.zeroframe.dmabuf;
    exports io.zeroframe.dmabuf.negotiation;
    exports io.zeroframe.dmabuf.internal to io.zeroframe.heaps, io.zeroframe.v4l2, io.zeroframe.drm;
}
