package io.zeroframe.dmabuf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where each plane of a linear frame lies: its buffer, offset, pitch (bytes per row) and size, computed from the
 * format, the frame's size and a stride alignment. It is what an allocator needs to know before asking a heap,
 * udmabuf or a DRM dumb buffer for memory, and what V4L2 ({@code bytesperline}, {@code sizeimage}) and DRM
 * ({@code pitches[]}, {@code offsets[]} of ADDFB2) are told about it.
 *
 * <p>The rules, for plane {@code i} of a {@link PixelFormat} with subsampling {@code hsub x vsub} and blocks of
 * {@code pixelsPerBlock} samples in {@code bytesPerBlock} bytes:
 * <ul>
 *   <li>Subsampled dimensions round up: a plane is {@code ceil(width / hsub)} samples wide and
 *       {@code ceil(height / vsub)} rows high, so a 641x479 NV12 frame has a 321x240 CbCr plane. A block that the
 *       width only partly fills counts whole: a 33-pixel YUYV row takes 17 blocks, 68 bytes. (V4L2's
 *       {@code v4l2_fill_pixfmt} and DRM dumb buffers compute 66 there; see the device test.)</li>
 *   <li>The minimum pitch of a plane is {@code ceil(samples / pixelsPerBlock) * bytesPerBlock}.</li>
 *   <li>Plane 0's pitch is its minimum rounded up to a multiple of {@code strideAlignment}.</li>
 *   <li>A chroma plane's pitch follows plane 0's in the ratio of their row sizes, as V4L2 defines
 *       {@code bytesperline} of planar formats: equal for NV12 and NV16, half for YUV420's Cb and Cr (rounded up),
 *       and never less than the plane's own minimum (for odd widths: NV12 of width 33 has a 34-byte CbCr row).
 *       So only plane 0's pitch is a multiple of {@code strideAlignment} in general; pass an alignment twice as
 *       large to get chroma pitches aligned too.</li>
 *   <li>Contiguous formats put the planes one after the other in one buffer, plane 0 at offset 0, without
 *       padding. The M variants ({@link PixelFormat#isMultiPlanar()}) put plane {@code i} in buffer {@code i}
 *       at offset 0.</li>
 *   <li>A plane's size is {@code pitch * rows}; a buffer's size is the sum of its planes' sizes (no rounding
 *       to pages: allocators do that).</li>
 * </ul>
 * For even sizes the figures are what the kernel computes: V4L2's {@code v4l2_fill_pixfmt} and
 * {@code v4l2_fill_pixfmt_mp} (drivers/media/v4l2-core/v4l2-common.c), vivid's {@code VIDIOC_TRY_FMT} (also with
 * an aligned {@code bytesperline}), and DRM dumb buffers' {@code DIV_ROUND_UP(width * bpp, 8)} pitch per plane;
 * the device test {@code LayoutDeviceTest} checks this. For odd sizes the kernel rounds some figures down where
 * this class rounds up (vivid gives a 641-pixel NV12M frame a 641-byte CbCr row for 642 bytes of samples, and
 * 479 rows 239.5 chroma rows' worth of {@code sizeimage}): these figures are never smaller than the kernel's, so
 * buffers laid out here satisfy those drivers too ({@code FrameCaptureDeviceTest}: given these pitches, vivid
 * captures a 641x479 YUV420M, NV12M, NV12, YUYV or XRGB8888 frame into every row of every plane, the 240th chroma
 * row included).
 *
 * <p>Immutable. Tiled layouts (modifiers other than {@link Modifier#LINEAR}) are the driver's business and not
 * computed here.
 *
 * {@snippet :
 * FrameLayout layout = FrameLayout.of(PixelFormat.NV12, 1280, 720, 64);
 * long lumaPitch = layout.plane(0).pitch();        // 1280
 * long chromaOffset = layout.plane(1).offset();    // 921600
 * long bytes = layout.totalSize();                 // 1382400
 * }
 *
 * <p>Immutable, so thread-safe.
 */
public final class FrameLayout {
    /**
     * One plane's place.
     *
     * @param buffer which buffer it is in: 0, or its own index for M variants
     * @param offset bytes from the start of that buffer
     * @param pitch  bytes from one row to the next (V4L2 {@code bytesperline}, DRM {@code pitches[i]})
     * @param rows   how many rows it has
     * @param size   {@code pitch * rows}
     */
    public record Plane(int buffer, long offset, long pitch, long rows, long size) {}

    private final PixelFormat format;
    private final int width;
    private final int height;
    private final int strideAlignment;
    private final List<Plane> planes;
    private final long totalSize;

    private FrameLayout(PixelFormat format, int width, int height, int strideAlignment, List<Plane> planes,
                        long totalSize) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.strideAlignment = strideAlignment;
        this.planes = List.copyOf(planes);
        this.totalSize = totalSize;
    }

    /**
     * The layout of a {@code width x height} frame of {@code format}, plane 0's pitch a multiple of
     * {@code strideAlignment} (1 for none; 64 or 256 are common for devices).
     *
     * @throws IllegalArgumentException for a width, height or alignment that is not positive, or a frame whose
     *         size does not fit in a {@code long}; the message names the value
     */
    public static FrameLayout of(PixelFormat format, int width, int height, int strideAlignment) {
        Objects.requireNonNull(format, "format");
        String what = format + " " + width + "x" + height;
        if (width <= 0) {
            throw new IllegalArgumentException(what + ": width " + width + " is not positive");
        }
        if (height <= 0) {
            throw new IllegalArgumentException(what + ": height " + height + " is not positive");
        }
        if (strideAlignment <= 0) {
            throw new IllegalArgumentException(what + ": stride alignment " + strideAlignment + " is not positive");
        }
        try {
            PixelFormat.Plane luma = format.plane(0);
            long lumaPitch = Math.multiplyExact(Math.ceilDiv(minimumPitch(luma, width), strideAlignment),
                    strideAlignment);
            List<Plane> planes = new ArrayList<>(format.planeCount());
            long offset = 0;
            long total = 0;
            for (int i = 0; i < format.planeCount(); i++) {
                PixelFormat.Plane plane = format.plane(i);
                long pitch = lumaPitch;
                if (i > 0) {
                    // bytes per luma pixel of this plane's rows over plane 0's, applied to plane 0's pitch
                    long derived = Math.ceilDiv(
                            Math.multiplyExact(lumaPitch, (long) plane.bytesPerBlock() * luma.pixelsPerBlock()),
                            (long) plane.pixelsPerBlock() * plane.horizontalSubsampling() * luma.bytesPerBlock());
                    pitch = Math.max(minimumPitch(plane, width), derived);
                }
                long rows = Math.ceilDiv(height, plane.verticalSubsampling());
                long size = Math.multiplyExact(pitch, rows);
                if (format.isMultiPlanar()) {
                    planes.add(new Plane(i, 0, pitch, rows, size));
                } else {
                    planes.add(new Plane(0, offset, pitch, rows, size));
                    offset = Math.addExact(offset, size);
                }
                total = Math.addExact(total, size);
            }
            return new FrameLayout(format, width, height, strideAlignment, planes, total);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + ": the frame is larger than " + Long.MAX_VALUE + " bytes");
        }
    }

    /** {@link #of(PixelFormat, int, int, int)} without stride alignment: the smallest pitches. */
    public static FrameLayout of(PixelFormat format, int width, int height) {
        return of(format, width, height, 1);
    }

    /**
     * The minimum pitch of {@code plane} for a frame {@code width} pixels wide: its samples, rounded up to whole
     * blocks.
     */
    static long minimumPitch(PixelFormat.Plane plane, int width) {
        long samples = Math.ceilDiv(width, plane.horizontalSubsampling());
        return Math.multiplyExact(Math.ceilDiv(samples, plane.pixelsPerBlock()), (long) plane.bytesPerBlock());
    }

    /** Plane {@code index}. */
    public Plane plane(int index) {
        return planes.get(index);
    }

    /** How many buffers the frame takes: 1, or one per plane for M variants. */
    public int bufferCount() {
        return format.bufferCount();
    }

    /** The bytes buffer {@code buffer} must hold: the end of its last plane. */
    public long bufferSize(int buffer) {
        Objects.checkIndex(buffer, bufferCount());
        long end = 0;
        for (Plane plane : planes) {
            if (plane.buffer() == buffer) {
                end = Math.max(end, plane.offset() + plane.size());
            }
        }
        return end;
    }

    /** The bytes of all planes together (for contiguous formats, the one buffer's size, V4L2's sizeimage). */
    public long totalSize() {
        return totalSize;
    }

    /** The pixel format. */
    public PixelFormat format() {
        return format;
    }

    /** The frame's width in pixels. */
    public int width() {
        return width;
    }

    /** The frame's height in rows. */
    public int height() {
        return height;
    }

    /** The alignment asked for: plane 0's pitch is a multiple of it. Not compared by {@link #equals}. */
    public int strideAlignment() {
        return strideAlignment;
    }

    /** One per plane of the format, in its order. */
    public List<Plane> planes() {
        return planes;
    }

    /**
     * Equal when both describe the same planes of the same format and size, whatever alignment was asked for: a
     * 1280-pixel NV12 frame aligned to 64 is the same layout as one aligned to 1 (both pitches are 1280).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof FrameLayout layout && layout.format.equals(format) && layout.width == width
                && layout.height == height && layout.planes.equals(planes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, width, height, planes);
    }

    /** E.g. {@code NV12 641x479 align 64 [buffer 0 @0 pitch 704 x 479 = 337216, ...]}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(format).append(' ').append(width).append('x').append(height)
                .append(" align ").append(strideAlignment).append(" [");
        for (Plane plane : planes) {
            text.append(plane == planes.getFirst() ? "" : ", ").append("buffer ").append(plane.buffer())
                    .append(" @").append(plane.offset()).append(" pitch ").append(plane.pitch()).append(" x ")
                    .append(plane.rows()).append(" = ").append(plane.size());
        }
        return text.append(']').toString();
    }
}
