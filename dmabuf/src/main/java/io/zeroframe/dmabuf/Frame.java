package io.zeroframe.dmabuf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A video frame in dma-buf memory: its format, size and modifier, and per plane the dma-buf, offset, pitch and
 * length it occupies. It is what a V4L2 queue fills and a DRM plane scans out, and what the two exchange, so
 * both describe their buffers this way. (Not a KMS framebuffer object: that is what DRM's ADDFB2 makes of a
 * frame's planes.)
 *
 * <p>One owner: a frame owns its dma-bufs. Several planes may share one buffer (a contiguous NV12 frame has both
 * planes in one); {@link #close()} closes each distinct {@link DmaBuf} object once, and is idempotent and safe to
 * call from any thread. The {@code DmaBuf}s that {@link Plane#buffer()} returns are borrowed from the frame:
 * use them while it is open, and {@link DmaBuf#duplicate()} one to keep it longer.
 *
 * {@snippet :
 * FrameLayout layout = FrameLayout.of(PixelFormat.NV12, 1280, 720, 64);
 * try (Frame frame = Frame.allocate(heap, layout)) {                 // a Heap, a UdmabufAllocator, ...
 *     Frame.Plane chroma = frame.plane(1);
 *     // ADDFB2: handles[i] from chroma.buffer().fd(), offsets[i] = chroma.offset(), pitches[i] = chroma.pitch()
 * }
 * }
 *
 * <p>Not thread-safe apart from {@link #close()}.
 */
public final class Frame implements AutoCloseable {
    /**
     * One plane of a frame.
     *
     * @param buffer the dma-buf holding it; owned by the frame once it is made
     * @param offset where the plane starts in {@code buffer}, in bytes
     * @param pitch  bytes from one row to the next
     * @param length the bytes the plane occupies from {@code offset}
     */
    public record Plane(DmaBuf buffer, long offset, long pitch, long length) {
        public Plane {
            Objects.requireNonNull(buffer, "buffer");
        }
    }

    private final PixelFormat format;
    private final int width;
    private final int height;
    private final Modifier modifier;
    private final List<Plane> planes;
    private final List<DmaBuf> buffers;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Frame(PixelFormat format, int width, int height, Modifier modifier, List<Plane> planes,
                  List<DmaBuf> buffers) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.modifier = modifier;
        this.planes = planes;
        this.buffers = buffers;
    }

    /**
     * A linear frame in new buffers from {@code allocator}: one buffer for a contiguous format, one per plane for
     * an M variant, each of {@link FrameLayout#bufferSize} bytes (or more, as the allocator rounds).
     *
     * @throws IOException from the allocator; the buffers allocated before the failure are closed, last first
     * @throws IllegalArgumentException if the allocator returned a buffer smaller than it was asked for (the
     *         buffers are closed)
     */
    public static Frame allocate(BufferAllocator allocator, FrameLayout layout) throws IOException {
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(layout, "layout");
        List<DmaBuf> buffers = new ArrayList<>(layout.bufferCount());
        try {
            for (int i = 0; i < layout.bufferCount(); i++) {
                buffers.add(allocator.allocate(layout.bufferSize(i)));
            }
        } catch (IOException | RuntimeException | Error e) {
            closeAll(buffers);
            throw e;
        }
        List<Plane> planes = new ArrayList<>(layout.planes().size());
        for (FrameLayout.Plane plane : layout.planes()) {
            planes.add(new Plane(buffers.get(plane.buffer()), plane.offset(), plane.pitch(), plane.size()));
        }
        return of(layout.format(), layout.width(), layout.height(), Modifier.LINEAR, planes);
    }

    /**
     * A frame of the given planes. Takes ownership of every plane's {@link DmaBuf}, also when this fails: the
     * buffers are then closed before the exception is thrown, so a caller never has to clean up after a refused
     * frame.
     *
     * <p>Checks that the planes fit, as DRM checks a framebuffer ({@code drm_framebuffer_check},
     * {@code drm_gem_fb_init_with_funcs}): one plane per plane of {@code format}; each buffer open; offsets not
     * negative; pitch and length positive; {@code offset + length <= buffer.size()}; and for a
     * {@link Modifier#LINEAR} frame, each pitch at least one row of the plane at the format's bytes per sample
     * ({@code drm_format_info_min_pitch}: 1282 bytes for a 641-pixel YUYV row, where {@link FrameLayout}
     * allocates whole blocks, 1284) and each length at least {@code pitch * (rows - 1)} plus one row (a plane of
     * one row, such as NV12's chroma at height 2, included). Other modifiers are tiled layouts whose pitch and size
     * only the driver knows. For every modifier, pitch, offset and length must fit in 32 bits, as DRM's
     * {@code pitches[]} and {@code offsets[]} and V4L2's {@code bytesperline}, {@code data_offset} and
     * {@code length} hold them: nothing is cut on the way to the kernel.
     *
     * @param planes one per plane of {@code format}; several may share a {@code DmaBuf}
     * @throws IllegalArgumentException naming the plane and the value that does not fit
     */
    public static Frame of(PixelFormat format, int width, int height, Modifier modifier, List<Plane> planes) {
        Objects.requireNonNull(planes, "planes");
        for (int i = 0; i < planes.size(); i++) {
            if (planes.get(i) == null) { // List.contains(null) throws on List.of lists
                closeAll(distinct(planes.stream().filter(Objects::nonNull).toList()));
                throw new NullPointerException("plane " + i + " is null");
            }
        }
        List<Plane> copy = List.copyOf(planes);
        List<DmaBuf> buffers = distinct(copy);
        try {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(modifier, "modifier");
            check(format, width, height, modifier, copy);
        } catch (RuntimeException e) {
            closeAll(buffers);
            throw e;
        }
        return new Frame(format, width, height, modifier, copy, buffers);
    }

    private static void check(PixelFormat format, int width, int height, Modifier modifier, List<Plane> planes) {
        String what = "frame " + format + " " + width + "x" + height;
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(what + ": the size is not positive");
        }
        if (planes.size() != format.planeCount()) {
            throw new IllegalArgumentException(what + ": " + planes.size() + " planes given, the format has "
                    + format.planeCount());
        }
        for (int i = 0; i < planes.size(); i++) {
            Plane plane = planes.get(i);
            String at = what + ", plane " + i + ": ";
            if (!plane.buffer().isOpen()) {
                throw new IllegalArgumentException(at + plane.buffer() + " is closed");
            }
            checkPlace(at, format.plane(i), width, height, modifier, plane.offset(), plane.pitch(), plane.length(),
                    plane.buffer().size());
        }
    }

    /**
     * Checks one plane's place in its buffer of {@code bufferSize} bytes (see {@link #of}); {@code at} begins each
     * message.
     */
    static void checkPlace(String at, PixelFormat.Plane layout, int width, int height, Modifier modifier,
                           long offset, long pitch, long length, long bufferSize) {
        if (offset < 0 || pitch <= 0 || length <= 0) {
            throw new IllegalArgumentException(at + "offset " + offset + ", pitch " + pitch + ", length " + length
                    + ": the offset must not be negative, the others positive");
        }
        // every consumer keeps these in 32 bits (DRM ADDFB2 pitches[] and offsets[]; V4L2 bytesperline,
        // data_offset and length): a larger value would be cut, not refused, on the way to the kernel
        unsigned32(at, "pitch", pitch);
        unsigned32(at, "offset", offset);
        unsigned32(at, "length", length);
        if (offset > bufferSize - length) {
            throw new IllegalArgumentException(at + "offset " + offset + " + length " + length
                    + " is beyond the end of the " + bufferSize + "-byte buffer");
        }
        if (modifier.equals(Modifier.LINEAR)) {
            long row = Math.ceilDiv(Math.ceilDiv(width, layout.horizontalSubsampling())
                    * (long) layout.bytesPerBlock(), layout.pixelsPerBlock());
            long rows = Math.ceilDiv(height, layout.verticalSubsampling());
            if (pitch < row) {
                throw new IllegalArgumentException(at + "pitch " + pitch + " is less than a row of " + row + " bytes");
            }
            if (length < row || (length - row) / pitch < rows - 1) {
                throw new IllegalArgumentException(at + "length " + length + " is less than " + rows + " row"
                        + (rows == 1 ? "" : "s") + " of pitch " + pitch + " (" + ((rows - 1) * pitch + row)
                        + " bytes)");
            }
        }
    }

    private static void unsigned32(String at, String field, long value) {
        if (value > 0xffff_ffffL) {
            throw new IllegalArgumentException(at + field + " " + value + " does not fit the kernel's 32-bit "
                    + field + " field (at most 4294967295)");
        }
    }

    /** The planes' buffers, each object once, in plane order. */
    private static List<DmaBuf> distinct(List<Plane> planes) {
        Set<DmaBuf> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<DmaBuf> buffers = new ArrayList<>();
        for (Plane plane : planes) {
            if (seen.add(plane.buffer())) {
                buffers.add(plane.buffer());
            }
        }
        return List.copyOf(buffers);
    }

    private static void closeAll(List<DmaBuf> buffers) {
        for (DmaBuf buffer : buffers.reversed()) {
            buffer.close();
        }
    }

    /** The pixel format. */
    public PixelFormat format() {
        return format;
    }

    /** The width in pixels. */
    public int width() {
        return width;
    }

    /** The height in rows. */
    public int height() {
        return height;
    }

    /** How the pixels are arranged within each plane; {@link Modifier#LINEAR} for {@link #allocate}d frames. */
    public Modifier modifier() {
        return modifier;
    }

    /** The planes, in the format's order; their buffers are borrowed from this frame. */
    public List<Plane> planes() {
        return planes;
    }

    /** Plane {@code index}; its buffer is borrowed from this frame. */
    public Plane plane(int index) {
        return planes.get(index);
    }

    /** The distinct buffers of the planes, each once, in plane order; borrowed from this frame. */
    public List<DmaBuf> buffers() {
        return buffers;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return open.get();
    }

    /** Closes each distinct buffer once, the last first; later calls do nothing. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            closeAll(buffers);
        }
    }

    @Override
    public String toString() {
        return "Frame[" + format + " " + width + "x" + height + " " + modifier + ", " + buffers.size() + " buffer"
                + (buffers.size() == 1 ? "" : "s") + (isOpen() ? "" : ", closed") + "]";
    }
}
