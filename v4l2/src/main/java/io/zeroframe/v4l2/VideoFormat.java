package io.zeroframe.v4l2;

import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.v4l2_pix_format;
import io.zeroframe.bindings.videodev2.v4l2_pix_format_mplane;
import io.zeroframe.bindings.videodev2.v4l2_plane_pix_format;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.format.FormatFlag;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The format of one queue of a video node ({@code struct v4l2_format} with {@code v4l2_pix_format} or, for the
 * multi-planar buffer types, {@code v4l2_pix_format_mplane}): what {@code VIDIOC_G_FMT}, {@code VIDIOC_TRY_FMT}
 * and {@code VIDIOC_S_FMT} answer, and what a request to them asks for.
 *
 * <p>The pixel format is kept as the V4L2 code ({@link #fourcc()}), so a code the frame model does not know (a
 * compressed format such as vicodec's {@code FWHT}, a Bayer format) stays visible; {@link #pixelFormat()} maps
 * it to the frame model's {@link PixelFormat} where there is one.
 *
 * {@snippet :
 * VideoFormat chosen = camera.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.YUYV, 640, 480));
 * long pitch = chosen.planes().get(0).bytesPerLine();
 * FrameLayout layout = chosen.toLayout().orElseThrow();   // for allocating dma-bufs to import
 * }
 *
 * @param type             the queue
 * @param fourcc           the V4L2 pixel format code ({@code pixelformat}, {@code V4L2_PIX_FMT_*})
 * @param width            pixels
 * @param height           lines (of the frame, or of a field for {@link Field#TOP}, {@link Field#BOTTOM} and
 *                         {@link Field#ALTERNATE})
 * @param field            interlacing
 * @param colorspace       {@code V4L2_COLORSPACE_*} (0 = default)
 * @param ycbcrEncoding    {@code V4L2_YCBCR_ENC_*} (0 = default)
 * @param quantization     {@code V4L2_QUANTIZATION_*} (0 = default)
 * @param transferFunction {@code V4L2_XFER_FUNC_*} (0 = default)
 * @param flags            {@code V4L2_PIX_FMT_FLAG_*}
 * @param planes           the memory planes: one for the single-planar API and for contiguous formats, one per
 *                         buffer for the {@code M} formats; in a request, {@code bytesPerLine} 0 lets the driver
 *                         choose
 */
public record VideoFormat(BufferType type, FourCc fourcc, int width, int height, Field field, int colorspace,
                          int ycbcrEncoding, int quantization, int transferFunction, int flags,
                          List<PlaneFormat> planes) {
    /**
     * {@code V4L2_PIX_FMT_FLAG_SET_CSC}: the request's colorimetry is what the application wants (capture queues;
     * output queues always take it).
     */
    public static final int FLAG_SET_CSC = videodev2_h.V4L2_PIX_FMT_FLAG_SET_CSC();

    /** {@code VIDEO_MAX_PLANES}. */
    static final int MAX_PLANES = io.zeroframe.bindings.videodev2.videodev2_h.VIDEO_MAX_PLANES();

    public VideoFormat {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fourcc, "fourcc");
        Objects.requireNonNull(field, "field");
        planes = List.copyOf(planes);
        if (planes.size() > MAX_PLANES) {
            throw new IllegalArgumentException("V4L2 formats have at most " + MAX_PLANES + " planes: " + planes);
        }
        if (!type.isMultiPlanar() && planes.size() > 1) {
            throw new IllegalArgumentException(type.kernelName() + " formats have one plane: " + planes);
        }
    }

    /**
     * A request for {@code format} at {@code width x height}, progressive, letting the driver choose pitches and
     * colorimetry.
     */
    public static VideoFormat of(BufferType type, PixelFormat format, int width, int height) {
        return of(type, FourCc.of(format), width, height);
    }

    /** A request for the V4L2 code {@code fourcc} (e.g. a compressed format the frame model does not name). */
    public static VideoFormat of(BufferType type, FourCc fourcc, int width, int height) {
        return new VideoFormat(type, fourcc, width, height, Field.NONE, 0, 0, 0, 0, 0, List.of());
    }

    /**
     * A request for the frame {@code layout} describes, with its pitches: plane 0's pitch for single-planar
     * formats, each buffer's pitch for the {@code M} formats. Use it to make the driver fill buffers allocated
     * elsewhere for that layout.
     *
     * @throws IllegalArgumentException for an {@code M} format on a single-planar queue
     */
    public static VideoFormat of(BufferType type, FrameLayout layout) {
        PixelFormat format = layout.format();
        if (format.isMultiPlanar() && !type.isMultiPlanar()) {
            throw new IllegalArgumentException(format + " needs a multi-planar queue, not " + type.kernelName());
        }
        List<PlaneFormat> planes = new ArrayList<>();
        for (int buffer = 0; buffer < layout.bufferCount(); buffer++) {
            long pitch = format.isMultiPlanar() ? layout.plane(buffer).pitch() : layout.plane(0).pitch();
            planes.add(new PlaneFormat(pitch, layout.bufferSize(buffer)));
        }
        return new VideoFormat(type, FourCc.of(format), layout.width(), layout.height(), Field.NONE, 0, 0, 0, 0,
                0, planes);
    }

    /**
     * This request with the colorimetry {@code colorspace}, {@code ycbcrEncoding}, {@code quantization} and
     * {@code transferFunction} ({@code V4L2_COLORSPACE_*}, {@code V4L2_YCBCR_ENC_*}, {@code V4L2_QUANTIZATION_*},
     * {@code V4L2_XFER_FUNC_*}) and {@link #FLAG_SET_CSC}, which asks a capture driver to produce it rather than
     * report its own. Drivers that can convert say so with {@link FormatFlag#CSC_COLORSPACE} and its siblings in
     * the format's enumeration; others answer with what they produce.
     */
    public VideoFormat withColorimetry(int colorspace, int ycbcrEncoding, int quantization, int transferFunction) {
        return new VideoFormat(type, fourcc, width, height, field, colorspace, ycbcrEncoding, quantization,
                transferFunction, flags | FLAG_SET_CSC, planes);
    }

    /** The frame model's format for {@link #fourcc()}, if it knows the code. */
    public Optional<PixelFormat> pixelFormat() {
        return fourcc.pixelFormat();
    }

    /** {@link #fourcc()} as four characters, e.g. "YUYV", "NM12", "FWHT". */
    public String fourccName() {
        return fourcc.toString();
    }

    /**
     * The frame model's layout of this format, when it describes the same memory: a pixel format the frame model
     * knows, progressive or whole-frame field order, and pitches and plane sizes that {@link FrameLayout} computes
     * for plane 0's pitch. Empty for compressed or unknown codes and for drivers that pad chroma planes or frames
     * differently.
     */
    public Optional<FrameLayout> toLayout() {
        Optional<PixelFormat> known = pixelFormat();
        if (known.isEmpty() || planes.isEmpty() || width <= 0 || height <= 0) {
            return Optional.empty();
        }
        PixelFormat format = known.get();
        if (format.bufferCount() != planes.size() || planes.get(0).bytesPerLine() <= 0) {
            return Optional.empty();
        }
        FrameLayout packed = FrameLayout.of(format, width, height);
        FrameLayout layout = packed.plane(0).pitch() == planes.get(0).bytesPerLine() ? packed
                : FrameLayout.of(format, width, height, (int) planes.get(0).bytesPerLine());
        for (int buffer = 0; buffer < planes.size(); buffer++) {
            long pitch = format.isMultiPlanar() ? layout.plane(buffer).pitch() : layout.plane(0).pitch();
            PlaneFormat plane = planes.get(buffer);
            if (pitch != plane.bytesPerLine() || layout.bufferSize(buffer) > plane.sizeImage()) {
                return Optional.empty();
            }
        }
        return Optional.of(layout);
    }

    /** The bytes a buffer for plane {@code index} needs ({@code sizeimage}). */
    public long sizeImage(int index) {
        return planes.get(index).sizeImage();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(fourccName()).append(' ').append(width).append('x').append(height);
        if (field != Field.NONE) {
            s.append(' ').append(field);
        }
        for (PlaneFormat plane : planes) {
            s.append(" [").append(plane.bytesPerLine()).append(" B/line, ").append(plane.sizeImage()).append(" B]");
        }
        return s.append(" (").append(type.kernelName()).append(')').toString();
    }

    /**
     * Writes this format into {@code format} ({@code struct v4l2_format}), zeroing what it does not set. A
     * single-planar format carries {@code priv = V4L2_PIX_FMT_PRIV_MAGIC}, so that the kernel reads its flags and
     * colorimetry instead of zeroing them on {@code VIDIOC_TRY_FMT} and {@code VIDIOC_S_FMT}.
     */
    void encode(MemorySegment format) {
        format.fill((byte) 0);
        v4l2_format.type(format, type.value());
        MemorySegment fmt = v4l2_format.fmt(format);
        if (type.isMultiPlanar()) {
            v4l2_pix_format_mplane.width(fmt, width);
            v4l2_pix_format_mplane.height(fmt, height);
            v4l2_pix_format_mplane.pixelformat(fmt, fourcc.value());
            v4l2_pix_format_mplane.field(fmt, field.value());
            v4l2_pix_format_mplane.colorspace(fmt, colorspace);
            v4l2_pix_format_mplane.ycbcr_enc(fmt, (byte) ycbcrEncoding);
            v4l2_pix_format_mplane.quantization(fmt, (byte) quantization);
            v4l2_pix_format_mplane.xfer_func(fmt, (byte) transferFunction);
            v4l2_pix_format_mplane.flags(fmt, (byte) flags);
            int count = planes.isEmpty() ? pixelFormat().map(PixelFormat::bufferCount).orElse(1) : planes.size();
            v4l2_pix_format_mplane.num_planes(fmt, (byte) count);
            for (int i = 0; i < planes.size(); i++) {
                MemorySegment plane = v4l2_pix_format_mplane.plane_fmt(fmt, i);
                v4l2_plane_pix_format.bytesperline(plane, (int) planes.get(i).bytesPerLine());
                v4l2_plane_pix_format.sizeimage(plane, (int) planes.get(i).sizeImage());
            }
        } else {
            v4l2_pix_format.width(fmt, width);
            v4l2_pix_format.height(fmt, height);
            v4l2_pix_format.pixelformat(fmt, fourcc.value());
            v4l2_pix_format.field(fmt, field.value());
            v4l2_pix_format.colorspace(fmt, colorspace);
            v4l2_pix_format.ycbcr_enc(fmt, ycbcrEncoding);
            v4l2_pix_format.quantization(fmt, quantization);
            v4l2_pix_format.xfer_func(fmt, transferFunction);
            v4l2_pix_format.flags(fmt, flags);
            // without the magic the kernel zeroes flags and colorimetry before the driver sees them (the fields
            // after priv were added to the struct later)
            v4l2_pix_format.priv(fmt, videodev2_h.V4L2_PIX_FMT_PRIV_MAGIC());
            if (!planes.isEmpty()) {
                v4l2_pix_format.bytesperline(fmt, (int) planes.get(0).bytesPerLine());
                v4l2_pix_format.sizeimage(fmt, (int) planes.get(0).sizeImage());
            }
        }
    }

    /** Reads {@code format} ({@code struct v4l2_format} of a video buffer type) as the kernel filled it. */
    static VideoFormat decode(MemorySegment format) {
        BufferType type = BufferType.of(v4l2_format.type(format));
        MemorySegment fmt = v4l2_format.fmt(format);
        if (type.isMultiPlanar()) {
            int count = Byte.toUnsignedInt(v4l2_pix_format_mplane.num_planes(fmt));
            List<PlaneFormat> planes = new ArrayList<>(count);
            for (int i = 0; i < Math.min(count, MAX_PLANES); i++) {
                MemorySegment plane = v4l2_pix_format_mplane.plane_fmt(fmt, i);
                planes.add(new PlaneFormat(Integer.toUnsignedLong(v4l2_plane_pix_format.bytesperline(plane)),
                        Integer.toUnsignedLong(v4l2_plane_pix_format.sizeimage(plane))));
            }
            return new VideoFormat(type, new FourCc(v4l2_pix_format_mplane.pixelformat(fmt)),
                    v4l2_pix_format_mplane.width(fmt), v4l2_pix_format_mplane.height(fmt),
                    Field.of(v4l2_pix_format_mplane.field(fmt)), v4l2_pix_format_mplane.colorspace(fmt),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.ycbcr_enc(fmt)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.quantization(fmt)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.xfer_func(fmt)),
                    Byte.toUnsignedInt(v4l2_pix_format_mplane.flags(fmt)), planes);
        }
        return new VideoFormat(type, new FourCc(v4l2_pix_format.pixelformat(fmt)), v4l2_pix_format.width(fmt),
                v4l2_pix_format.height(fmt), Field.of(v4l2_pix_format.field(fmt)), v4l2_pix_format.colorspace(fmt),
                v4l2_pix_format.ycbcr_enc(fmt), v4l2_pix_format.quantization(fmt), v4l2_pix_format.xfer_func(fmt),
                v4l2_pix_format.flags(fmt),
                List.of(new PlaneFormat(Integer.toUnsignedLong(v4l2_pix_format.bytesperline(fmt)),
                        Integer.toUnsignedLong(v4l2_pix_format.sizeimage(fmt)))));
    }
}
