package io.zeroframe.v4l2;

/**
 * A V4L2 fraction ({@code struct v4l2_fract}): frame intervals in seconds ({@code 1/30} is 30 frames per second),
 * pixel aspects. The kernel's fields are unsigned 32-bit; values above {@code Integer.MAX_VALUE} read as negative
 * ints and print unsigned.
 *
 * @param numerator   the numerator
 * @param denominator the denominator
 */
public record Fraction(int numerator, int denominator) {
    /** {@code numerator / denominator} (unsigned), NaN for a zero denominator. */
    public double value() {
        return denominator == 0 ? Double.NaN
                : (double) Integer.toUnsignedLong(numerator) / Integer.toUnsignedLong(denominator);
    }

    /** For a frame interval: the frame rate, {@code denominator / numerator}; NaN for a zero numerator. */
    public double perSecond() {
        return numerator == 0 ? Double.NaN
                : (double) Integer.toUnsignedLong(denominator) / Integer.toUnsignedLong(numerator);
    }

    /** E.g. "1/30". */
    @Override
    public String toString() {
        return Integer.toUnsignedString(numerator) + "/" + Integer.toUnsignedString(denominator);
    }
}
