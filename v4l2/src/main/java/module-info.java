/**
 * Video4Linux2 devices: discovery now; capture and output into and out of dma-bufs (MMAP + EXPBUF, DMABUF
 * import, multi-planar) come with the V4L2 issue.
 */
module io.zeroframe.v4l2 {
    requires transitive io.zeroframe.bindings;
    requires transitive io.zeroframe.dmabuf;
    requires org.slf4j;

    exports io.zeroframe.v4l2;
}
