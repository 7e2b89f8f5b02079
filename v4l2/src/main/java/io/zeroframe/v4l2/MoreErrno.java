package io.zeroframe.v4l2;

/**
 * Errno values V4L2 uses that {@link io.zeroframe.bindings.Errno} does not name (Linux
 * {@code include/uapi/asm-generic/errno.h}, the same on every architecture Zeroframe runs on; checked against
 * gcc's {@code <errno.h>} in {@code MoreErrnoTest}).
 */
final class MoreErrno {
    /** {@code #define ENOLCK 37}: DV timings not stable ({@code VIDIOC_QUERY_DV_TIMINGS}). */
    static final int ENOLCK = 37;
    /** {@code #define ENODATA 61}: the input or output has no standards / DV timings / selection target. */
    static final int ENODATA = 61;
    /** {@code #define ENOLINK 67}: no signal ({@code VIDIOC_QUERY_DV_TIMINGS}). */
    static final int ENOLINK = 67;

    private MoreErrno() {}
}
