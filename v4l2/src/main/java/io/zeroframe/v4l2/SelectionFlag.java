package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/** Constraint flags of {@code VIDIOC_S_SELECTION} ({@code V4L2_SEL_FLAG_*}). */
public enum SelectionFlag {
    /** The driver may only grow the rectangle ({@code V4L2_SEL_FLAG_GE}). */
    GE(videodev2_h.V4L2_SEL_FLAG_GE()),
    /** The driver may only shrink the rectangle ({@code V4L2_SEL_FLAG_LE}). */
    LE(videodev2_h.V4L2_SEL_FLAG_LE()),
    /** Do not change other parts of the configuration ({@code V4L2_SEL_FLAG_KEEP_CONFIG}). */
    KEEP_CONFIG(videodev2_h.V4L2_SEL_FLAG_KEEP_CONFIG());

    private final int bit;

    SelectionFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }
}
