package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.FrameLayout;

/**
 * What an endpoint requires of a buffer in one format, besides the format itself: the frame sizes it takes,
 * how its rows and planes must be aligned, and where the memory may come from. These are the constraints that
 * Fuchsia's sysmem2 and the drm-constraints proposals carry; {@link #merge} combines two endpoints' limits the way
 * they do (the larger minimum, the smaller maximum, the lcm of alignments).
 *
 * <p>Build with {@link #builder()}; {@link #NONE} asks nothing beyond the format. Immutable.
 *
 * @param minWidth           smallest frame width in pixels
 * @param maxWidth           largest frame width in pixels
 * @param widthStep          the width must be a multiple of it
 * @param minHeight          smallest frame height in rows
 * @param maxHeight          largest frame height in rows
 * @param heightStep         the height must be a multiple of it
 * @param pitchAlignment     every plane 0 pitch must be a multiple of it (V4L2 {@code bytesperline}, DRM
 *                           {@code pitches[0]}); e.g. 64 for many scanout engines
 * @param offsetAlignment    every plane's offset in its buffer must be a multiple of it
 * @param heightPadding      rows allocated are the height rounded up to a multiple of it (e.g. 16 for a codec
 *                           working in macroblocks); 1 for none
 * @param maxPitch           largest pitch in bytes it can use
 * @param separatePlanes     whether the planes of a multi-planar format may lie in separate buffers
 *                           ({@code NV12M}); false when they must share one
 * @param contiguousRequired whether the memory must be physically contiguous (a device without an IOMMU); false
 *                           also when not known
 */
public record FormatLimits(int minWidth, int maxWidth, int widthStep, int minHeight, int maxHeight, int heightStep,
                           int pitchAlignment, int offsetAlignment, int heightPadding, long maxPitch,
                           boolean separatePlanes, boolean contiguousRequired) {
    /** No limits: any size, any alignment, separate planes allowed, any memory. */
    public static final FormatLimits NONE = builder().build();

    public FormatLimits {
        positive("widthStep", widthStep);
        positive("heightStep", heightStep);
        positive("pitchAlignment", pitchAlignment);
        positive("offsetAlignment", offsetAlignment);
        positive("heightPadding", heightPadding);
        positive("maxPitch", maxPitch);
        if (minWidth < 1 || minWidth > maxWidth || minHeight < 1 || minHeight > maxHeight) {
            throw new IllegalArgumentException("size range " + minWidth + "x" + minHeight + " to " + maxWidth + "x"
                    + maxHeight + " is empty or not positive");
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " " + value + " is not positive");
        }
    }

    /** A builder starting from {@link #NONE}'s values. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The limits a buffer must meet to satisfy both: the larger minimums, the smaller maximums, the lcm of steps
     * and alignments, separate planes only if both allow them, contiguous memory if either requires it.
     */
    public FormatLimits merge(FormatLimits other) {
        return new FormatLimits(Math.max(minWidth, other.minWidth), Math.min(maxWidth, other.maxWidth),
                lcm(widthStep, other.widthStep), Math.max(minHeight, other.minHeight),
                Math.min(maxHeight, other.maxHeight), lcm(heightStep, other.heightStep),
                lcm(pitchAlignment, other.pitchAlignment), lcm(offsetAlignment, other.offsetAlignment),
                lcm(heightPadding, other.heightPadding), Math.min(maxPitch, other.maxPitch),
                separatePlanes && other.separatePlanes, contiguousRequired || other.contiguousRequired);
    }

    /**
     * Why a {@code width x height} frame is outside these limits, or null when it is inside. A merged range may be
     * empty, in which case no size fits.
     */
    String sizeProblem(int width, int height) {
        if (width < minWidth || width > maxWidth || width % widthStep != 0) {
            return "width " + width + " is outside " + minWidth + ".." + maxWidth + " step " + widthStep;
        }
        if (height < minHeight || height > maxHeight || height % heightStep != 0) {
            return "height " + height + " is outside " + minHeight + ".." + maxHeight + " step " + heightStep;
        }
        return null;
    }

    /** Why {@code layout}'s pitches and offsets do not meet these limits, or null when they do. */
    String layoutProblem(FrameLayout layout) {
        for (FrameLayout.Plane plane : layout.planes()) {
            if (plane.pitch() > maxPitch) {
                return "pitch " + plane.pitch() + " is above its maximum " + maxPitch;
            }
            if (plane.offset() % offsetAlignment != 0) {
                return "plane offset " + plane.offset() + " is not a multiple of " + offsetAlignment;
            }
        }
        if (layout.plane(0).pitch() % pitchAlignment != 0) {
            return "pitch " + layout.plane(0).pitch() + " is not a multiple of " + pitchAlignment;
        }
        return null;
    }

    static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return Math.multiplyExact(a / x, b);
    }

    /** Builds {@link FormatLimits}; every setter returns this builder. Not thread-safe. */
    public static final class Builder {
        private int minWidth = 1;
        private int maxWidth = Integer.MAX_VALUE;
        private int widthStep = 1;
        private int minHeight = 1;
        private int maxHeight = Integer.MAX_VALUE;
        private int heightStep = 1;
        private int pitchAlignment = 1;
        private int offsetAlignment = 1;
        private int heightPadding = 1;
        private long maxPitch = Long.MAX_VALUE;
        private boolean separatePlanes = true;
        private boolean contiguousRequired;

        private Builder() {}

        /** Frame widths {@code min..max} in multiples of {@code step}. */
        public Builder width(int min, int max, int step) {
            minWidth = min;
            maxWidth = max;
            widthStep = step;
            return this;
        }

        /** Frame heights {@code min..max} in multiples of {@code step}. */
        public Builder height(int min, int max, int step) {
            minHeight = min;
            maxHeight = max;
            heightStep = step;
            return this;
        }

        /** Plane 0's pitch must be a multiple of {@code alignment} bytes. */
        public Builder pitchAlignment(int alignment) {
            pitchAlignment = alignment;
            return this;
        }

        /** Plane offsets must be multiples of {@code alignment} bytes. */
        public Builder offsetAlignment(int alignment) {
            offsetAlignment = alignment;
            return this;
        }

        /** Rows allocated are the height rounded up to a multiple of {@code rows}. */
        public Builder heightPadding(int rows) {
            heightPadding = rows;
            return this;
        }

        /** The largest pitch in bytes. */
        public Builder maxPitch(long bytes) {
            maxPitch = bytes;
            return this;
        }

        /** Whether planes may lie in separate buffers (true unless set). */
        public Builder separatePlanes(boolean allowed) {
            separatePlanes = allowed;
            return this;
        }

        /** Whether the memory must be physically contiguous (false unless set). */
        public Builder contiguousRequired(boolean required) {
            contiguousRequired = required;
            return this;
        }

        /** The limits; throws {@link IllegalArgumentException} for a non-positive alignment or an empty range. */
        public FormatLimits build() {
            return new FormatLimits(minWidth, maxWidth, widthStep, minHeight, maxHeight, heightStep, pitchAlignment,
                    offsetAlignment, heightPadding, maxPitch, separatePlanes, contiguousRequired);
        }
    }
}
