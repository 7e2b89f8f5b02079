/**
 * Video4Linux2 devices: discovery, capabilities, inputs and outputs, formats, controls, events, and capture, output
 * and memory-to-memory streaming into and out of dma-bufs (MMAP + EXPBUF, DMABUF import, multi-planar).
 */
module io.zeroframe.v4l2 {
    requires transitive io.zeroframe.bindings;
    requires transitive io.zeroframe.dmabuf;
    requires org.slf4j;

    exports io.zeroframe.v4l2;
    exports io.zeroframe.v4l2.control;
    exports io.zeroframe.v4l2.format;
    exports io.zeroframe.v4l2.io;
    exports io.zeroframe.v4l2.media;
    exports io.zeroframe.v4l2.negotiation;
}
