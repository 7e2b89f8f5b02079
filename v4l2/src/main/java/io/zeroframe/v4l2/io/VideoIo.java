package io.zeroframe.v4l2.io;

import java.util.Set;

/** What inputs and outputs have in common: an index, a name and the {@link IoCapability} bits. */
public sealed interface VideoIo permits VideoInput, VideoOutput {
    /** The number for {@code VIDIOC_S_INPUT} / {@code VIDIOC_S_OUTPUT}. */
    int index();

    /** Its name, e.g. "HDMI 0". */
    String name();

    /** What it supports: standards, DV timings, a native size. */
    Set<IoCapability> capabilities();

    /** Whether analog standards apply ({@code V4L2_IN_CAP_STD} / {@code V4L2_OUT_CAP_STD}). */
    default boolean hasStandards() {
        return capabilities().contains(IoCapability.STD);
    }

    /** Whether DV timings apply ({@code V4L2_IN_CAP_DV_TIMINGS} / {@code V4L2_OUT_CAP_DV_TIMINGS}). */
    default boolean hasDvTimings() {
        return capabilities().contains(IoCapability.DV_TIMINGS);
    }
}
