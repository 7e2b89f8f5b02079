package io.zeroframe.v4l2.format;

/**
 * A frame's width and height in pixels.
 *
 * @param width  pixels per line
 * @param height lines
 */
public record FrameSize(int width, int height) {
    public FrameSize {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("a frame size is not negative: " + width + "x" + height);
        }
    }

    /** E.g. "640x480". */
    @Override
    public String toString() {
        return Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height);
    }
}
