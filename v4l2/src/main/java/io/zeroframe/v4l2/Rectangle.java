package io.zeroframe.v4l2;

/**
 * A rectangle in pixels ({@code struct v4l2_rect}): selection targets (crop, compose) and their bounds.
 *
 * @param left   the left edge (may be negative for some targets)
 * @param top    the top edge
 * @param width  the width
 * @param height the height
 */
public record Rectangle(int left, int top, int width, int height) {
    /** E.g. "(0,0)/640x480". */
    @Override
    public String toString() {
        return "(" + left + "," + top + ")/" + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height);
    }
}
