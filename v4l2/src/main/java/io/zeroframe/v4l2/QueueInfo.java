package io.zeroframe.v4l2;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a streaming queue offers, for choosing who allocates buffers and how (asked with
 * {@code VIDIOC_CREATE_BUFS} count 0, which changes nothing, or {@code VIDIOC_REQBUFS} count 0 on drivers without
 * {@code VIDIOC_CREATE_BUFS}).
 *
 * @param type                  the queue
 * @param capabilities          {@code V4L2_BUF_CAP_*}
 * @param unknownCapabilityBits capability bits {@link QueueCapability} does not name
 * @param maxBuffers            the most buffers the queue can hold ({@code max_num_buffers}); 32
 *                              ({@code VB2_MAX_FRAME}) where the kernel does not report it
 * @param createBuffers         whether {@code VIDIOC_CREATE_BUFS} works (buffers of other sizes, added later)
 * @param alignment             the alignment, in bytes, of MMAP buffers and of the dma-bufs the queue imports: the
 *                              page size ({@code vb2} maps and imports whole pages)
 */
public record QueueInfo(BufferType type, Set<QueueCapability> capabilities, int unknownCapabilityBits,
                        int maxBuffers, boolean createBuffers, long alignment) {
    public QueueInfo {
        capabilities = capabilities.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
    }

    /** Whether the driver allocates buffers that can be exported as dma-bufs ({@code VIDIOC_EXPBUF}). */
    public boolean canExport() {
        return capabilities.contains(QueueCapability.SUPPORTS_MMAP);
    }

    /** Whether the queue imports dma-bufs ({@code V4L2_MEMORY_DMABUF}). */
    public boolean canImport() {
        return capabilities.contains(QueueCapability.SUPPORTS_DMABUF);
    }
}
