package io.zeroframe.v4l2.negotiation;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.FormatLimits;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import java.util.List;

/** The limits of one format of a queue, from what the driver answered about it. */
final class Offers {
    /** The largest pitch alignment read from a padded {@code bytesperline}: larger powers of two are chance. */
    static final int MAX_PITCH_ALIGNMENT = 4096;
    /** What a padded {@code bytesperline} probe adds at least, and aligns to. */
    static final int PITCH_PROBE_PADDING = 64;

    private Offers() {}

    /**
     * The limits of {@code format} for a {@code width x height} frame:
     * <ul>
     *   <li>sizes from {@code VIDIOC_ENUM_FRAMESIZES}: a discrete list as the range of its sizes (step 1), a
     *       stepwise range with its steps, a continuous range with step 1, any size when not enumerated. A range
     *       cannot say which sizes inside it are missing, so where the driver would not take {@code width} or
     *       {@code height} ({@code tried}, its {@code VIDIOC_TRY_FMT} answer, has another), that dimension's range
     *       is only the one it would take, and the planner says so;</li>
     *   <li>pitch alignment: 1 where the driver's {@code bytesperline} is the minimal one, else the largest power
     *       of two (up to {@value #MAX_PITCH_ALIGNMENT}) that divides the padded {@code bytesperline} it chose;</li>
     *   <li>largest pitch: the driver's {@code bytesperline} when it does not honour a padded one
     *       ({@code honoursPitch} false), so that the planner pads only for drivers that keep the padding;</li>
     *   <li>planes in separate buffers as {@code separatePlanes} says; V4L2 implies plane offsets and rows, so no
     *       offset alignment or height padding.</li>
     * </ul>
     */
    static FormatLimits limits(PixelFormat format, FrameSizes sizes, VideoFormat tried, int width, int height,
                               boolean honoursPitch, boolean separatePlanes) {
        int[] w = {1, Integer.MAX_VALUE, 1};
        int[] h = {1, Integer.MAX_VALUE, 1};
        switch (sizes) {
            case FrameSizes.Discrete discrete when !discrete.sizes().isEmpty() -> {
                List<FrameSize> listed = discrete.sizes();
                w = range(listed.stream().mapToInt(FrameSize::width).min().orElseThrow(),
                        listed.stream().mapToInt(FrameSize::width).max().orElseThrow(), 1);
                h = range(listed.stream().mapToInt(FrameSize::height).min().orElseThrow(),
                        listed.stream().mapToInt(FrameSize::height).max().orElseThrow(), 1);
            }
            case FrameSizes.Stepwise stepwise -> {
                w = range(stepwise.min().width(), stepwise.max().width(), stepwise.stepWidth());
                h = range(stepwise.min().height(), stepwise.max().height(), stepwise.stepHeight());
            }
            case FrameSizes.Continuous continuous -> {
                w = range(continuous.min().width(), continuous.max().width(), 1);
                h = range(continuous.min().height(), continuous.max().height(), 1);
            }
            default -> { } // not enumerated
        }
        if (tried.width() != width && tried.width() > 0) {
            w = new int[] {tried.width(), tried.width(), 1};
        }
        if (tried.height() != height && tried.height() > 0) {
            h = new int[] {tried.height(), tried.height(), 1};
        }
        FormatLimits.Builder limits = FormatLimits.builder().width(w[0], w[1], w[2]).height(h[0], h[1], h[2])
                .separatePlanes(separatePlanes);
        long bytesPerLine = tried.planes().isEmpty() ? 0 : tried.planes().getFirst().bytesPerLine();
        if (bytesPerLine > 0 && tried.width() > 0) {
            long minimal = FrameLayout.of(format, tried.width(), 1).plane(0).pitch();
            if (bytesPerLine > minimal) {
                limits.pitchAlignment((int) Math.min(Long.lowestOneBit(bytesPerLine), MAX_PITCH_ALIGNMENT));
            }
            if (!honoursPitch) {
                limits.maxPitch(bytesPerLine);
            }
        }
        return limits.build();
    }

    /** A range {@code min..max} step {@code step}, kept positive and non-empty for unsigned or zero values. */
    private static int[] range(int min, int max, int step) {
        int low = Math.max(1, min);
        int high = max < low ? Integer.MAX_VALUE : max; // an unsigned maximum above Integer.MAX_VALUE
        return new int[] {low, high, Math.max(1, step)};
    }

    /**
     * The padded {@code bytesperline} that asks a driver whether it keeps a pitch it would not choose: the next
     * multiple of {@value #PITCH_PROBE_PADDING} above its own.
     */
    static long paddedPitch(long bytesPerLine) {
        return Math.ceilDiv(bytesPerLine + 1, PITCH_PROBE_PADDING) * PITCH_PROBE_PADDING;
    }
}
