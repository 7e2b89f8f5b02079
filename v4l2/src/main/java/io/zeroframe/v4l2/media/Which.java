package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.v4l2_subdev.v4l2_subdev_h;

/**
 * Which of a sub-device's two configurations a call reads or writes ({@code enum v4l2_subdev_format_whence}): the one
 * the hardware uses, or the file handle's private scratch one for trying a configuration without applying it.
 */
public enum Which {
    /** {@code V4L2_SUBDEV_FORMAT_TRY}: this file handle's trial configuration; the device is not changed. */
    TRY(v4l2_subdev_h.V4L2_SUBDEV_FORMAT_TRY()),
    /** {@code V4L2_SUBDEV_FORMAT_ACTIVE}: the configuration the device streams with. */
    ACTIVE(v4l2_subdev_h.V4L2_SUBDEV_FORMAT_ACTIVE());

    private final int value;

    Which(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }
}
