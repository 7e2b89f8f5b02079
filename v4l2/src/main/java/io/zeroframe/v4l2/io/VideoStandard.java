package io.zeroframe.v4l2.io;

import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;

/**
 * An analog video standard a node supports, as {@code VIDIOC_ENUMSTD} describes it ({@code struct v4l2_standard}).
 *
 * @param index       its position in the driver's list
 * @param id          its {@code v4l2_std_id} bits ({@code V4L2_STD_*}), e.g. 0x0000b000 for NTSC-M/M-JP/M-KR;
 *                    what {@link VideoDevice#setStandard(long)} takes
 * @param name        its name, e.g. "NTSC", "PAL-BG"
 * @param framePeriod the frame period, e.g. 1001/30000
 * @param frameLines  lines per frame, e.g. 525
 */
public record VideoStandard(int index, long id, String name, Fraction framePeriod, int frameLines) {
    @Override
    public String toString() {
        return String.format("%d: 0x%016x %s (%s s, %d lines)", index, id, name, framePeriod, frameLines);
    }
}
