package io.zeroframe.v4l2;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Where V4L2 puts each plane of a frame of a format: in which memory plane (the dma-buf of {@code VIDIOC_EXPBUF}
 * or of a {@code V4L2_MEMORY_DMABUF} import), at which offset, with which pitch. V4L2 does not report offsets; it
 * implies them:
 * <ul>
 *   <li>one memory plane per plane ({@code M} formats such as {@code NM12}): plane {@code i} at offset 0 of memory
 *       plane {@code i}, its pitch that plane's {@code bytesperline};</li>
 *   <li>one memory plane (the single-planar API, or a contiguous format such as {@code NV12} on the multi-planar
 *       API): the planes one after the other, plane 1 at {@code bytesperline * height}, chroma pitches derived from
 *       {@code bytesperline} as the V4L2 format pages define them ({@link FrameLayout}'s rules).</li>
 * </ul>
 */
final class FramePlanes {
    /**
     * One plane's place.
     *
     * @param memoryPlane the memory plane (dma-buf) it is in
     * @param offset      bytes from the start of that memory plane
     * @param pitch       bytes per row
     * @param length      bytes it occupies: pitch times its rows
     */
    record Spot(int memoryPlane, long offset, long pitch, long length) {}

    private FramePlanes() {}

    /**
     * The places of the planes of {@code pixels} in a frame of {@code format}.
     *
     * @throws IllegalStateException for a format whose memory planes do not fit {@code pixels} (a count that is
     *         neither 1 nor its plane count) or whose {@code bytesperline} is less than a row
     */
    static List<Spot> of(VideoFormat format, PixelFormat pixels) {
        int memoryPlanes = format.planes().size();
        List<Spot> spots = new ArrayList<>(pixels.planeCount());
        if (memoryPlanes > 1 && memoryPlanes == pixels.planeCount()) {
            for (int p = 0; p < memoryPlanes; p++) {
                long pitch = format.planes().get(p).bytesPerLine();
                long rows = Math.ceilDiv(format.height(), pixels.plane(p).verticalSubsampling());
                spots.add(new Spot(p, 0, pitch, pitch * rows));
            }
            return List.copyOf(spots);
        }
        if (memoryPlanes != 1) {
            throw new IllegalStateException(format + ": " + memoryPlanes + " memory planes for " + pixels + ", which has "
                    + pixels.planeCount() + " planes");
        }
        long bytesPerLine = format.planes().getFirst().bytesPerLine();
        if (bytesPerLine < 1 || bytesPerLine > Integer.MAX_VALUE) {
            throw new IllegalStateException(format + ": bytesperline " + bytesPerLine + " does not describe rows");
        }
        FrameLayout layout = FrameLayout.of(pixels.contiguous(), format.width(), format.height(), (int) bytesPerLine);
        if (layout.plane(0).pitch() != bytesPerLine) {
            throw new IllegalStateException(format + ": bytesperline " + bytesPerLine + " is less than a row of "
                    + pixels + " (" + FrameLayout.of(pixels.contiguous(), format.width(), 1).plane(0).pitch()
                    + " bytes)");
        }
        for (FrameLayout.Plane plane : layout.planes()) {
            spots.add(new Spot(0, plane.offset(), plane.pitch(), plane.size()));
        }
        return List.copyOf(spots);
    }
}
