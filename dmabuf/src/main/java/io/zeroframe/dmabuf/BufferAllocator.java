package io.zeroframe.dmabuf;

import java.io.IOException;

/**
 * Something that hands out dma-bufs of a requested size: a dma-heap ({@code io.zeroframe.heaps.Heap}),
 * udmabuf-backed memory ({@link UdmabufAllocator}), and later DRM dumb buffers and V4L2 {@code VIDIOC_EXPBUF}.
 * {@link Frame#allocate} takes one, so the code that lays out a frame does not care where its memory comes from.
 *
 * {@snippet :
 * BufferAllocator allocator = new UdmabufAllocator();                 // or Heap.open("system")
 * try (Frame frame = Frame.allocate(allocator, FrameLayout.of(PixelFormat.NV12, 1280, 720, 64))) {
 *     DmaBuf buffer = frame.plane(0).buffer();                        // borrowed from the frame
 * }
 * }
 *
 * <p>Implementations say in their javadoc whether they are thread-safe.
 */
public interface BufferAllocator {
    /**
     * A new buffer of at least {@code size} bytes; the caller owns it. Implementations may round the size up (to
     * whole pages, typically); {@link DmaBuf#size()} tells the real size.
     *
     * @throws IllegalArgumentException if {@code size} is not positive or more than this allocator can ever give
     * @throws IOException when the kernel refuses ({@link io.zeroframe.bindings.KernelException}: ENOMEM, ...)
     */
    DmaBuf allocate(long size) throws IOException;

    /** What this allocator is, for messages and logs, e.g. {@code dma-heap /dev/dma_heap/system}. */
    String description();
}
