package io.zeroframe.v4l2.format;

import java.util.List;

/**
 * The frame sizes a format allows, as {@code VIDIOC_ENUM_FRAMESIZES} reports them: a list of discrete sizes,
 * a stepwise range, or a continuous range ({@code V4L2_FRMSIZE_TYPE_*}).
 */
public sealed interface FrameSizes {
    /** No size information: the driver does not enumerate sizes for the format (EINVAL at index 0). */
    FrameSizes NONE = new Discrete(List.of());

    /** Whether a frame of {@code width} x {@code height} is one of these sizes. */
    boolean allows(int width, int height);

    /**
     * {@code V4L2_FRMSIZE_TYPE_DISCRETE}: exactly these sizes, in the driver's order; empty when the driver
     * does not enumerate sizes ({@link #NONE}).
     *
     * @param sizes the sizes
     */
    record Discrete(List<FrameSize> sizes) implements FrameSizes {
        public Discrete {
            sizes = List.copyOf(sizes);
        }

        @Override
        public boolean allows(int width, int height) {
            return sizes.contains(new FrameSize(width, height));
        }

        @Override
        public String toString() {
            return sizes.isEmpty() ? "not enumerated" : "discrete " + sizes;
        }
    }

    /**
     * {@code V4L2_FRMSIZE_TYPE_STEPWISE}: from {@code min} to {@code max} in steps.
     *
     * @param min        the smallest size
     * @param max        the largest size
     * @param stepWidth  the width step
     * @param stepHeight the height step
     */
    record Stepwise(FrameSize min, FrameSize max, int stepWidth, int stepHeight) implements FrameSizes {
        @Override
        public boolean allows(int width, int height) {
            return in(width, min.width(), max.width(), stepWidth) && in(height, min.height(), max.height(), stepHeight);
        }

        private static boolean in(int value, int min, int max, int step) {
            long v = Integer.toUnsignedLong(value);
            long lo = Integer.toUnsignedLong(min);
            return v >= lo && v <= Integer.toUnsignedLong(max) && (step == 0 || (v - lo) % Integer.toUnsignedLong(step) == 0);
        }

        @Override
        public String toString() {
            return "stepwise " + min + " - " + max + " with step " + Integer.toUnsignedString(stepWidth) + "/"
                    + Integer.toUnsignedString(stepHeight);
        }
    }

    /**
     * {@code V4L2_FRMSIZE_TYPE_CONTINUOUS}: any size from {@code min} to {@code max}.
     *
     * @param min the smallest size
     * @param max the largest size
     */
    record Continuous(FrameSize min, FrameSize max) implements FrameSizes {
        @Override
        public boolean allows(int width, int height) {
            return Integer.compareUnsigned(width, min.width()) >= 0 && Integer.compareUnsigned(width, max.width()) <= 0
                    && Integer.compareUnsigned(height, min.height()) >= 0
                    && Integer.compareUnsigned(height, max.height()) <= 0;
        }

        @Override
        public String toString() {
            return "continuous " + min + " - " + max;
        }
    }
}
