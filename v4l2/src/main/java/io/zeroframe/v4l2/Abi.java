package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.v4l2_create_buffers;
import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * uAPI values of the 6.12 kernel's videodev2.h that the generated bindings (made from older installed headers)
 * lack; {@code AbiTest} checks them against gcc where the host's headers have them.
 */
final class Abi {
    private Abi() {}

    /** {@code V4L2_BUF_CAP_SUPPORTS_M2M_HOLD_CAPTURE_BUF (1 << 5)}, include/uapi/linux/videodev2.h. */
    static final int BUF_CAP_SUPPORTS_M2M_HOLD_CAPTURE_BUF = 1 << 5;
    /** {@code V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS (1 << 6)}. */
    static final int BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS = (int) videodev2_h.V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS();
    /** {@code V4L2_BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS (1 << 7)}, added in Linux 6.10. */
    static final int BUF_CAP_SUPPORTS_MAX_NUM_BUFFERS = 1 << 7;
    /** {@code V4L2_BUF_CAP_SUPPORTS_REMOVE_BUFS (1 << 8)}, added in Linux 6.10. */
    static final int BUF_CAP_SUPPORTS_REMOVE_BUFS = 1 << 8;

    /**
     * Offset of {@code __u32 max_num_buffers} in {@code struct v4l2_create_buffers} (Linux 6.10+): the field took
     * the place of {@code reserved[0]}, right after {@code flags}.
     */
    static final long CREATE_BUFFERS_MAX_NUM_BUFFERS_OFFSET = v4l2_create_buffers.reserved$offset();

    /** {@code V4L2_TYPE_IS_MULTIPLANAR}'s answer, for the kernel's value. */
    static boolean multiPlanar(int type) {
        return type == videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE()
                || type == videodev2_h.V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE();
    }
}
