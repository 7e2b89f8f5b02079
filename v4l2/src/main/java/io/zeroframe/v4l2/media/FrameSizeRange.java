package io.zeroframe.v4l2.media;

/**
 * One entry of {@code VIDIOC_SUBDEV_ENUM_FRAME_SIZE} ({@code struct v4l2_subdev_frame_size_enum}): the sizes a pad
 * takes for one media-bus code, from the minimum to the maximum (equal for a discrete size). The driver may still
 * round a size within the range (steps are not reported by this ioctl).
 */
public record FrameSizeRange(int minWidth, int maxWidth, int minHeight, int maxHeight) {
    /** Whether {@code width x height} lies within the range. */
    public boolean contains(int width, int height) {
        return width >= minWidth && width <= maxWidth && height >= minHeight && height <= maxHeight;
    }

    @Override
    public String toString() {
        return minWidth == maxWidth && minHeight == maxHeight ? minWidth + "x" + minHeight
                : minWidth + "x" + minHeight + " - " + maxWidth + "x" + maxHeight;
    }
}
