package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.Objects;

/**
 * One way to make the buffers that the planner considers: who allocates, in which format and modifier, laid out
 * how. {@link Trials} get it to try allocating, importing and showing one such buffer.
 *
 * @param allocator where the memory comes from
 * @param format    the format the buffer is laid out in (the producer's)
 * @param modifier  its modifier
 * @param layout    its planes' pitches and offsets, from {@link FrameLayout}
 */
public record Candidate(Allocator allocator, PixelFormat format, Modifier modifier, FrameLayout layout) {
    public Candidate {
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modifier, "modifier");
        Objects.requireNonNull(layout, "layout");
    }

    /** E.g. {@code XRGB8888 LINEAR pitch 2560 from dma-heap system}. */
    @Override
    public String toString() {
        return format + " " + modifier + " pitch " + layout.plane(0).pitch() + " from " + allocator;
    }
}
