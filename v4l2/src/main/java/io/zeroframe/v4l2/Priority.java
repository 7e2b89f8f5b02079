package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.videodev2_h;

/**
 * Access priorities ({@code enum v4l2_priority}, {@code VIDIOC_G/S_PRIORITY}): while a file handle holds
 * {@link #RECORD}, other handles cannot change the device's settings (EBUSY).
 */
public enum Priority {
    UNSET(videodev2_h.V4L2_PRIORITY_UNSET()),
    BACKGROUND(videodev2_h.V4L2_PRIORITY_BACKGROUND()),
    INTERACTIVE(videodev2_h.V4L2_PRIORITY_INTERACTIVE()),
    RECORD(videodev2_h.V4L2_PRIORITY_RECORD());

    private final int value;

    Priority(int value) {
        this.value = value;
    }

    /** The kernel's value. */
    public int value() {
        return value;
    }

    /** The priority with the kernel's value {@code value}. */
    public static Priority of(int value) {
        for (Priority p : values()) {
            if (p.value == value) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown V4L2 priority " + value);
    }
}
