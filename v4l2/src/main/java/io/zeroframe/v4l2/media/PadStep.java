package io.zeroframe.v4l2.media;

/**
 * One format set on one pad while {@link MediaPipeline} configured a path: what was asked and what the driver
 * answered ({@code VIDIOC_SUBDEV_S_FMT}, or {@code VIDIOC_S_FMT} for the video node, whose answer is shown as the
 * media-bus format it must match).
 *
 * @param pad       the pad, e.g. {@code "Debayer A":1}
 * @param requested the format asked for
 * @param answered  the format the driver set
 */
public record PadStep(String pad, MediaBusFormat requested, MediaBusFormat answered) {
    /** Whether the driver set the code and size that were asked for. */
    public boolean accepted() {
        return requested.sameCodeAndSize(answered);
    }

    @Override
    public String toString() {
        return pad + " asked " + requested + ", answered " + answered;
    }
}
