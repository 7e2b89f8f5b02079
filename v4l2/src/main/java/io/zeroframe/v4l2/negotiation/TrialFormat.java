package io.zeroframe.v4l2.negotiation;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.util.Optional;

/**
 * The first step of every trial on a queue: {@code VIDIOC_S_FMT} for a candidate's layout, and the check that the
 * driver kept it. V4L2 does not refuse a format it would change: it adjusts the size and {@code bytesperline} and
 * answers with what it chose. Every endpoint was checked against the candidate's layout, so a driver that lays
 * the frame out otherwise refuses the candidate here (call {@code VIDIOC_S_FMT}, errno EINVAL: what a driver that
 * did not adjust would answer), as a fixable refusal: another pitch or allocator may suit it.
 */
final class TrialFormat {
    private TrialFormat() {}

    /**
     * Sets {@code format} on {@code queue} with the size, pitches and buffer sizes of {@code layout} (the same
     * planes; {@code format} may differ from the layout's format only by alpha, ARGB8888 read as XRGB8888).
     *
     * @return {@link TrialResult#ACCEPTED} when the driver set exactly that, else the refusal
     */
    static TrialResult set(VideoQueue queue, PixelFormat format, FrameLayout layout) {
        VideoFormat request;
        try {
            request = request(queue.type(), format, layout);
        } catch (IllegalArgumentException e) {
            return TrialResult.fixable("VIDIOC_S_FMT", "EINVAL", e.getMessage());
        }
        VideoFormat set;
        try {
            set = queue.device().setFormat(request);
        } catch (KernelException e) {
            return Refusals.refused(e);
        }
        return mismatch(set, format, layout).map(why -> TrialResult.fixable("VIDIOC_S_FMT", "EINVAL", why))
                .orElse(TrialResult.ACCEPTED);
    }

    /** The request for {@code format} laid out as {@code layout}. */
    static VideoFormat request(BufferType type, PixelFormat format, FrameLayout layout) {
        VideoFormat planes = VideoFormat.of(type, layout);
        return new VideoFormat(type, FourCc.of(format), planes.width(), planes.height(), planes.field(), 0, 0, 0,
                0, 0, planes.planes());
    }

    /** Why the format the driver {@code set} does not lay frames out as {@code layout} in {@code format}; empty if it does. */
    static Optional<String> mismatch(VideoFormat set, PixelFormat format, FrameLayout layout) {
        Optional<FrameLayout> driver = set.toLayout();
        if (!set.fourcc().equals(FourCc.of(format)) || set.width() != layout.width()
                || set.height() != layout.height() || driver.isEmpty()
                || !driver.get().planes().equals(layout.planes())) {
            return Optional.of("the driver set " + set + " for " + format + " laid out as " + layout);
        }
        return Optional.empty();
    }
}
