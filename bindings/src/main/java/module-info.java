/**
 * Zeroframe's low layer: jextract-generated kernel uAPI bindings and the hand-written native core.
 *
 * <p>{@code io.zeroframe.bindings} is public: the owned file descriptor ({@link io.zeroframe.bindings.OwnedFd})
 * and the kernel exception family that every Zeroframe module throws. The syscall layer
 * ({@code io.zeroframe.bindings.sys}) and the generated packages ({@code io.zeroframe.bindings.<header>})
 * are exported only to Zeroframe's own modules: generated types never appear in public API.
 */
module io.zeroframe.bindings {
    requires org.slf4j;

    exports io.zeroframe.bindings;

    exports io.zeroframe.bindings.sys
            to io.zeroframe.dmabuf, io.zeroframe.heaps, io.zeroframe.v4l2, io.zeroframe.drm, io.zeroframe.bench;

    exports io.zeroframe.bindings.dma_heap to io.zeroframe.heaps, io.zeroframe.bench, io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.dma_buf to io.zeroframe.dmabuf, io.zeroframe.bench;
    exports io.zeroframe.bindings.sync_file to io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.udmabuf to io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.videodev2 to io.zeroframe.v4l2, io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.media to io.zeroframe.v4l2;
    exports io.zeroframe.bindings.v4l2_subdev to io.zeroframe.v4l2;
    exports io.zeroframe.bindings.drm to io.zeroframe.drm, io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.drm_mode to io.zeroframe.drm, io.zeroframe.dmabuf;
    exports io.zeroframe.bindings.drm_fourcc to io.zeroframe.drm, io.zeroframe.v4l2, io.zeroframe.dmabuf;
}
