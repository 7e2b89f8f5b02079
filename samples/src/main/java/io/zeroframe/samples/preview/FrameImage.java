package io.zeroframe.samples.preview;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A frame's pixels as 8-bit RGB, for {@code preview --save-last}: reads a {@link Frame} through read-only mappings
 * of its dma-bufs inside CPU-access brackets ({@code mmap PROT_READ} and {@code DMA_BUF_IOCTL_SYNC} START/END with
 * {@code DMA_BUF_SYNC_READ}) and writes a PNG. Only between runs: the pipeline itself never maps a buffer.
 *
 * <p>Formats ({@link #SUPPORTED}), each honouring every plane's offset and pitch: XRGB8888, ARGB8888 (alpha
 * dropped), XBGR8888, RGB565, and the YCbCr formats YUYV, UYVY, NV12, NV21 (and their M variants), converted as
 * BT.601 limited range (Y 16-235, Cb/Cr 16-240), the default of SDTV cameras and of vivid's webcam input. Linear
 * frames only: a tiled modifier's layout is the driver's secret.
 */
final class FrameImage {
    /** The formats {@link #rgb} converts, by {@link PixelFormat#contiguous()} name. */
    static final List<String> SUPPORTED = List.of("XRGB8888", "ARGB8888", "XBGR8888", "RGB565", "YUYV", "UYVY",
            "NV12", "NV21");
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One plane's bytes as the CPU sees them.
     *
     * @param memory the mapped buffer (or any segment) holding the plane
     * @param offset where the plane's first row starts in {@code memory}
     * @param pitch  bytes from one row to the next
     */
    record PlaneBytes(MemorySegment memory, long offset, long pitch) {}

    private FrameImage() {}

    /**
     * Writes {@code frame} as a PNG to {@code file}: maps each of its dma-bufs read-only, brackets the read with
     * {@code DMA_BUF_IOCTL_SYNC} (READ), converts, unmaps, then encodes.
     *
     * @throws IllegalArgumentException a format or modifier not supported, naming it
     * @throws KernelException mapping ({@code mmap}: ENODEV when the exporter cannot map) or the sync ioctl
     * @throws IOException writing the file
     */
    static void save(Frame frame, Path file) throws IOException {
        BufferedImage image = image(frame.width(), frame.height(), read(frame));
        try (var stream = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", stream)) {
                throw new IOException("no PNG writer in this JDK (javax.imageio)");
            }
        }
    }

    /** The frame's pixels as {@code 0xRRGGBB}, row by row (see {@link #save}). */
    static int[] read(Frame frame) throws KernelException {
        check(frame.format(), frame.modifier());
        try (Arena arena = Arena.ofConfined()) {
            Map<DmaBuf, MemorySegment> mapped = new IdentityHashMap<>();
            for (DmaBuf buffer : frame.buffers()) {
                mapped.put(buffer, buffer.map(arena, Access.READ));
            }
            List<PlaneBytes> planes = new ArrayList<>(frame.planes().size());
            for (Frame.Plane plane : frame.planes()) {
                planes.add(new PlaneBytes(mapped.get(plane.buffer()), plane.offset(), plane.pitch()));
            }
            List<CpuAccess> brackets = new ArrayList<>(mapped.size());
            KernelException failure = null;
            try {
                for (DmaBuf buffer : frame.buffers()) {
                    brackets.add(buffer.cpuAccess(Access.READ));
                }
                return rgb(frame.format(), frame.width(), frame.height(), planes);
            } finally {
                for (CpuAccess bracket : brackets.reversed()) {
                    try {
                        bracket.close();
                    } catch (KernelException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    /** {@code pixels} ({@code 0xRRGGBB}, row by row) as an image. */
    static BufferedImage image(int width, int height, int[] pixels) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    private static void check(PixelFormat format, Modifier modifier) {
        if (!SUPPORTED.contains(format.contiguous().name())) {
            throw new IllegalArgumentException("cannot convert " + format + " frames to RGB; supported: "
                    + String.join(", ", SUPPORTED) + " (and their M variants)");
        }
        if (!modifier.equals(Modifier.LINEAR)) {
            throw new IllegalArgumentException("cannot convert " + format + " frames with modifier " + modifier
                    + " to RGB: linear frames only");
        }
    }

    /**
     * Converts {@code width x height} pixels of {@code format} from {@code planes} (one per plane of the format)
     * to {@code 0xRRGGBB}, row by row.
     *
     * @throws IllegalArgumentException an unsupported format, a wrong plane count, or a plane that does not fit
     *         its memory
     */
    static int[] rgb(PixelFormat format, int width, int height, List<PlaneBytes> planes) {
        check(format, Modifier.LINEAR);
        if (planes.size() != format.planeCount()) {
            throw new IllegalArgumentException(format + " has " + format.planeCount() + " planes, not "
                    + planes.size());
        }
        for (int i = 0; i < planes.size(); i++) {
            PixelFormat.Plane layout = format.plane(i);
            long rows = (height + layout.verticalSubsampling() - 1) / layout.verticalSubsampling();
            long samples = (width + layout.horizontalSubsampling() - 1) / layout.horizontalSubsampling();
            long rowBytes = (samples + layout.pixelsPerBlock() - 1) / layout.pixelsPerBlock() * layout.bytesPerBlock();
            PlaneBytes plane = planes.get(i);
            long end = plane.offset() + plane.pitch() * (rows - 1) + rowBytes;
            if (plane.offset() < 0 || plane.pitch() < rowBytes || end > plane.memory().byteSize()) {
                throw new IllegalArgumentException(format + " plane " + i + " (offset " + plane.offset() + ", pitch "
                        + plane.pitch() + ", " + rows + " rows of " + rowBytes + " bytes) does not fit its "
                        + plane.memory().byteSize() + " bytes");
            }
        }
        int[] out = new int[width * height];
        PlaneBytes first = planes.getFirst();
        switch (format.contiguous().name()) {
            case "XRGB8888", "ARGB8888" -> rgb32(first, width, height, out, false);
            case "XBGR8888" -> rgb32(first, width, height, out, true);
            case "RGB565" -> rgb565(first, width, height, out);
            case "YUYV" -> packed422(first, width, height, out, 0, 1, 3);
            case "UYVY" -> packed422(first, width, height, out, 1, 0, 2);
            case "NV12" -> semiPlanar420(first, planes.get(1), width, height, out, 0, 1);
            case "NV21" -> semiPlanar420(first, planes.get(1), width, height, out, 1, 0);
            default -> throw new AssertionError(format); // check() admits only the cases above
        }
        return out;
    }

    /** Little-endian 32-bit words {@code xRGB} ({@code swap}: {@code xBGR}). */
    private static void rgb32(PlaneBytes plane, int width, int height, int[] out, boolean swap) {
        for (int y = 0; y < height; y++) {
            long row = plane.offset() + y * plane.pitch();
            for (int x = 0; x < width; x++) {
                int word = plane.memory().get(INT_LE, row + 4L * x);
                out[y * width + x] = swap
                        ? (word & 0xff) << 16 | (word & 0xff00) | (word >> 16 & 0xff)
                        : word & 0xffffff;
            }
        }
    }

    /** Little-endian 16-bit words, red in bits 15-11, green 10-5, blue 4-0; each widened by repeating its top bits. */
    private static void rgb565(PlaneBytes plane, int width, int height, int[] out) {
        for (int y = 0; y < height; y++) {
            long row = plane.offset() + y * plane.pitch();
            for (int x = 0; x < width; x++) {
                int word = Short.toUnsignedInt(plane.memory().get(SHORT_LE, row + 2L * x));
                int r = word >> 11;
                int g = word >> 5 & 0x3f;
                int b = word & 0x1f;
                out[y * width + x] = (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
            }
        }
    }

    /** Two pixels in 4 bytes: the byte positions of Y0 (Y1 is 2 further), Cb and Cr. */
    private static void packed422(PlaneBytes plane, int width, int height, int[] out, int y0, int cb, int cr) {
        for (int y = 0; y < height; y++) {
            long row = plane.offset() + y * plane.pitch();
            for (int x = 0; x < width; x++) {
                long pair = row + 4L * (x >> 1);
                out[y * width + x] = ycbcr(byteAt(plane, pair + y0 + 2 * (x & 1)), byteAt(plane, pair + cb),
                        byteAt(plane, pair + cr));
            }
        }
    }

    /** A Y plane and a half-width, half-height plane of Cb/Cr pairs: the positions of Cb and Cr in a pair. */
    private static void semiPlanar420(PlaneBytes luma, PlaneBytes chroma, int width, int height, int[] out, int cb,
                                      int cr) {
        for (int y = 0; y < height; y++) {
            long lumaRow = luma.offset() + y * luma.pitch();
            long chromaRow = chroma.offset() + (y >> 1) * chroma.pitch();
            for (int x = 0; x < width; x++) {
                long pair = chromaRow + 2L * (x >> 1);
                out[y * width + x] = ycbcr(byteAt(luma, lumaRow + x), byteAt(chroma, pair + cb),
                        byteAt(chroma, pair + cr));
            }
        }
    }

    private static int byteAt(PlaneBytes plane, long offset) {
        return Byte.toUnsignedInt(plane.memory().get(ValueLayout.JAVA_BYTE, offset));
    }

    /**
     * BT.601 limited range to {@code 0xRRGGBB}, in 8.8 fixed point: R = 1.164(Y-16) + 1.596(Cr-128),
     * G = 1.164(Y-16) - 0.391(Cb-128) - 0.813(Cr-128), B = 1.164(Y-16) + 2.018(Cb-128), clamped to 0-255.
     */
    static int ycbcr(int luma, int cb, int cr) {
        int c = 298 * (luma - 16) + 128;
        int d = cb - 128;
        int e = cr - 128;
        int r = Math.clamp((c + 409 * e) >> 8, 0, 255);
        int g = Math.clamp((c - 100 * d - 208 * e) >> 8, 0, 255);
        int b = Math.clamp((c + 516 * d) >> 8, 0, 255);
        return r << 16 | g << 8 | b;
    }
}
