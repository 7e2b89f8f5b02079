package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * What a streaming queue supports: the capability bits {@code VIDIOC_REQBUFS} and {@code VIDIOC_CREATE_BUFS}
 * return ({@code V4L2_BUF_CAP_*}).
 */
public enum QueueCapability {
    /** {@code V4L2_BUF_CAP_SUPPORTS_MMAP}: driver-allocated buffers, mappable and exportable ({@code VIDIOC_EXPBUF}). */
    SUPPORTS_MMAP((int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_MMAP()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_USERPTR}: process memory by address. */
    SUPPORTS_USERPTR((int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_USERPTR()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_DMABUF}: imported dma-bufs. */
    SUPPORTS_DMABUF((int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_DMABUF()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_REQUESTS}: the media request API. */
    SUPPORTS_REQUESTS((int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_REQUESTS()),
    /**
     * {@code V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS}: {@code VIDIOC_REQBUFS} with count 0 succeeds while buffers are
     * still mapped or exported; their memory lives until the last mapping or dma-buf goes.
     */
    SUPPORTS_ORPHANED_BUFS((int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_M2M_HOLD_CAPTURE_BUF}: stateless decoders' capture-buffer holding. */
    SUPPORTS_M2M_HOLD_CAPTURE_BUF(videodev2_h.V4L2_BUF_CAP_SUPPORTS_M2M_HOLD_CAPTURE_BUF()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS}: non-coherent MMAP buffers on request. */
    SUPPORTS_MMAP_CACHE_HINTS(videodev2_h.V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS}: the queue reports its maximum buffer count. */
    SUPPORTS_MAX_NUM_BUFFERS(videodev2_h.V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS()),
    /** {@code V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS}: {@code VIDIOC_REMOVE_BUFS}. */
    SUPPORTS_REMOVE_BUFS(videodev2_h.V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS());

    private final int bit;

    QueueCapability(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The capabilities set in {@code bits}; {@link #unknownBits(int)} keeps the others. */
    public static Set<QueueCapability> decode(int bits) {
        return Bits.decode(QueueCapability.class, bits, QueueCapability::bit);
    }

    /** The bits of {@code bits} that no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(QueueCapability.class, Integer.toUnsignedLong(bits), QueueCapability::bit);
    }
}
