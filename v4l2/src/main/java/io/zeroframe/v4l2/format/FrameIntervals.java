package io.zeroframe.v4l2.format;

import io.zeroframe.v4l2.Fraction;
import java.util.List;

/**
 * The frame intervals (seconds per frame) a format allows at one frame size, as
 * {@code VIDIOC_ENUM_FRAMEINTERVALS} reports them ({@code V4L2_FRMIVAL_TYPE_*}).
 */
public sealed interface FrameIntervals {
    /** No interval information: the driver does not enumerate intervals (EINVAL or ENOTTY at index 0). */
    FrameIntervals NONE = new Discrete(List.of());

    /**
     * {@code V4L2_FRMIVAL_TYPE_DISCRETE}: exactly these intervals, in the driver's order; empty when the driver
     * does not enumerate them ({@link #NONE}).
     *
     * @param intervals the intervals, e.g. 1/30
     */
    record Discrete(List<Fraction> intervals) implements FrameIntervals {
        public Discrete {
            intervals = List.copyOf(intervals);
        }

        @Override
        public String toString() {
            return intervals.isEmpty() ? "not enumerated" : "discrete " + intervals;
        }
    }

    /**
     * {@code V4L2_FRMIVAL_TYPE_STEPWISE}: from {@code min} to {@code max} in steps of {@code step}.
     *
     * @param min  the shortest interval (the highest frame rate)
     * @param max  the longest interval
     * @param step the step
     */
    record Stepwise(Fraction min, Fraction max, Fraction step) implements FrameIntervals {
        @Override
        public String toString() {
            return "stepwise " + min + " - " + max + " with step " + step;
        }
    }

    /**
     * {@code V4L2_FRMIVAL_TYPE_CONTINUOUS}: any interval from {@code min} to {@code max}.
     *
     * @param min the shortest interval
     * @param max the longest interval
     */
    record Continuous(Fraction min, Fraction max) implements FrameIntervals {
        @Override
        public String toString() {
            return "continuous " + min + " - " + max;
        }
    }
}
