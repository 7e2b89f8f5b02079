package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * The buffer types of V4L2 ({@code enum v4l2_buf_type}, {@code V4L2_BUF_TYPE_*}): which queue of a node a format,
 * a request for buffers or a stream is about. A memory-to-memory device has an {@code OUTPUT} queue (frames the
 * application gives the device) and a {@code CAPTURE} queue (frames the device produces).
 */
public enum BufferType {
    VIDEO_CAPTURE(videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE()),
    VIDEO_OUTPUT(videodev2_h.V4L2_BUF_TYPE_VIDEO_OUTPUT()),
    VIDEO_OVERLAY(videodev2_h.V4L2_BUF_TYPE_VIDEO_OVERLAY()),
    VBI_CAPTURE(videodev2_h.V4L2_BUF_TYPE_VBI_CAPTURE()),
    VBI_OUTPUT(videodev2_h.V4L2_BUF_TYPE_VBI_OUTPUT()),
    SLICED_VBI_CAPTURE(videodev2_h.V4L2_BUF_TYPE_SLICED_VBI_CAPTURE()),
    SLICED_VBI_OUTPUT(videodev2_h.V4L2_BUF_TYPE_SLICED_VBI_OUTPUT()),
    VIDEO_OUTPUT_OVERLAY(videodev2_h.V4L2_BUF_TYPE_VIDEO_OUTPUT_OVERLAY()),
    VIDEO_CAPTURE_MPLANE(videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE()),
    VIDEO_OUTPUT_MPLANE(videodev2_h.V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE()),
    SDR_CAPTURE(videodev2_h.V4L2_BUF_TYPE_SDR_CAPTURE()),
    SDR_OUTPUT(videodev2_h.V4L2_BUF_TYPE_SDR_OUTPUT()),
    META_CAPTURE(videodev2_h.V4L2_BUF_TYPE_META_CAPTURE()),
    META_OUTPUT(videodev2_h.V4L2_BUF_TYPE_META_OUTPUT());

    private final int value;

    BufferType(int value) {
        this.value = value;
    }

    /** The kernel's {@code V4L2_BUF_TYPE_*} value. */
    public int value() {
        return value;
    }

    /** The type whose kernel value is {@code value}. */
    public static BufferType of(int value) {
        for (BufferType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown V4L2 buffer type " + value);
    }

    /** The kernel name, e.g. {@code V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE}, for messages. */
    public String kernelName() {
        return "V4L2_BUF_TYPE_" + name();
    }

    /** Whether buffers of this type flow from the device to the application. */
    public boolean isCapture() {
        return switch (this) {
            case VIDEO_CAPTURE, VBI_CAPTURE, SLICED_VBI_CAPTURE, VIDEO_CAPTURE_MPLANE, SDR_CAPTURE, META_CAPTURE,
                 VIDEO_OVERLAY -> true;
            default -> false;
        };
    }

    /** Whether this is a multi-planar type, whose formats and buffers describe each plane separately. */
    public boolean isMultiPlanar() {
        return this == VIDEO_CAPTURE_MPLANE || this == VIDEO_OUTPUT_MPLANE;
    }
}
