package io.zeroframe.v4l2.format;

import io.zeroframe.v4l2.VideoDevice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a queue offers for one format: its description, its frame sizes and, for each discrete size, its frame
 * intervals. What the pipeline negotiates with ({@link VideoDevice#formatOffers(BufferType)}); the same
 * information {@code v4l2-ctl --list-formats-ext} prints.
 *
 * @param format    the format ({@code VIDIOC_ENUM_FMT})
 * @param sizes     its frame sizes ({@code VIDIOC_ENUM_FRAMESIZES})
 * @param intervals for each discrete size, its frame intervals ({@code VIDIOC_ENUM_FRAMEINTERVALS}), in the
 *                  sizes' order; empty for stepwise and continuous sizes (ask
 *                  {@link VideoDevice#frameIntervals(FourCc, int, int)} for a size of your choice)
 */
public record FormatOffer(FormatDescription format, FrameSizes sizes, Map<FrameSize, FrameIntervals> intervals) {
    public FormatOffer {
        intervals = Collections.unmodifiableMap(new LinkedHashMap<>(intervals));
    }

    /** The intervals at {@code size}, {@link FrameIntervals#NONE} if not enumerated. */
    public FrameIntervals intervalsAt(FrameSize size) {
        return intervals.getOrDefault(size, FrameIntervals.NONE);
    }

    @Override
    public String toString() {
        return format + " " + sizes;
    }
}
