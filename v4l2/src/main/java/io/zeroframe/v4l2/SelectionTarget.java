package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.io.IoCapability;

/** Selection targets ({@code V4L2_SEL_TGT_*}) of {@code VIDIOC_G/S_SELECTION}. */
public enum SelectionTarget {
    /** The crop rectangle: the part of the source that is captured (or the part of the output shown). */
    CROP(videodev2_h.V4L2_SEL_TGT_CROP()),
    /** The default crop rectangle (read-only). */
    CROP_DEFAULT(videodev2_h.V4L2_SEL_TGT_CROP_DEFAULT()),
    /** The bounds of the crop rectangle (read-only). */
    CROP_BOUNDS(videodev2_h.V4L2_SEL_TGT_CROP_BOUNDS()),
    /** The native size of the source or sink (settable where the input has {@link IoCapability#NATIVE_SIZE}). */
    NATIVE_SIZE(videodev2_h.V4L2_SEL_TGT_NATIVE_SIZE()),
    /** The compose rectangle: where in the buffer the picture goes. */
    COMPOSE(videodev2_h.V4L2_SEL_TGT_COMPOSE()),
    /** The default compose rectangle (read-only). */
    COMPOSE_DEFAULT(videodev2_h.V4L2_SEL_TGT_COMPOSE_DEFAULT()),
    /** The bounds of the compose rectangle (read-only). */
    COMPOSE_BOUNDS(videodev2_h.V4L2_SEL_TGT_COMPOSE_BOUNDS()),
    /** The compose rectangle with the padding the hardware writes (read-only). */
    COMPOSE_PADDED(videodev2_h.V4L2_SEL_TGT_COMPOSE_PADDED());

    private final int value;

    SelectionTarget(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }

    /** The kernel name, e.g. {@code V4L2_SEL_TGT_CROP_BOUNDS}. */
    public String kernelName() {
        return "V4L2_SEL_TGT_" + name();
    }
}
