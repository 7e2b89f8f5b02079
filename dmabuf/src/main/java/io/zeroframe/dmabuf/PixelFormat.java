package io.zeroframe.dmabuf;

import io.zeroframe.bindings.drm_fourcc.drm_fourcc_h;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.dmabuf.internal.FourCc;
import java.util.List;
import java.util.Optional;

/**
 * How the pixels of a frame lie in memory: planes, chroma subsampling, bytes per pixel, and the codes DRM
 * ({@code DRM_FORMAT_*}, drm_fourcc.h) and V4L2 ({@code V4L2_PIX_FMT_*}, videodev2.h) use for it. The same frame
 * moves between a camera and a display, and the two subsystems name the same memory layout differently; this
 * type is where the translation lives, so neither side guesses it.
 *
 * <p>Byte orders: DRM describes a pixel as a little-endian word ({@code [31:0] x:R:G:B} means the bytes in memory
 * are B, G, R, x), V4L2 describes the bytes in memory. So the same layout can have unrelated names:
 * {@link #XRGB8888} is V4L2 {@code XBGR32}, and {@link #RGB888} is V4L2 {@code BGR24}, not {@code RGB24}. Each
 * constant's description spells out its bytes.
 *
 * <p>The {@code M} variants ({@link #NV12M}, {@link #YUV420M}, ...) are V4L2's multi-planar codes: the same
 * layout with each plane in its own buffer. DRM has no separate codes for them (a DRM framebuffer takes a buffer
 * and offset per plane anyway), so their {@link #drmFourcc()} is the contiguous format's.
 *
 * <p>Immutable; equal when {@link #fourcc()} is equal. {@link #toString()} is the constant's name, e.g. "NV12".
 *
 * {@snippet :
 * PixelFormat format = PixelFormat.fromV4l2(pixelformatFromVidiocGFmt)   // e.g. 'NM12'
 *         .orElseThrow();
 * int addFb2Format = format.drmFourcc();                                  // 'NV12' for DRM_IOCTL_MODE_ADDFB2
 * FrameLayout layout = FrameLayout.of(format, 1280, 720, 64);
 * }
 *
 * <p>Immutable, so thread-safe.
 */
public final class PixelFormat {
    /**
     * One plane of a format: a plane {@code horizontalSubsampling} and {@code verticalSubsampling} times smaller
     * than the frame (1 for full resolution, 2 for 4:2:0 or 4:2:2 chroma), in which each run of
     * {@code pixelsPerBlock} samples takes {@code bytesPerBlock} bytes (1 sample for most formats; 2 for YUYV,
     * whose 4 bytes carry two pixels; a "sample" of an interleaved CbCr plane is the Cb, Cr pair).
     */
    public record Plane(int horizontalSubsampling, int verticalSubsampling, int pixelsPerBlock, int bytesPerBlock) {
        public Plane {
            if (horizontalSubsampling < 1 || verticalSubsampling < 1 || pixelsPerBlock < 1 || bytesPerBlock < 1) {
                throw new IllegalArgumentException("plane factors must be positive: " + horizontalSubsampling + ", "
                        + verticalSubsampling + ", " + pixelsPerBlock + ", " + bytesPerBlock);
            }
        }

        /**
         * Bits per sample as DRM's {@code DRM_IOCTL_MODE_CREATE_DUMB} takes them ({@code bpp}): 32 for XRGB8888,
         * 16 for YUYV (DRM counts 2 bytes per pixel), 8 for an NV12 luma plane, 16 for its CbCr plane.
         */
        public int bitsPerSample() {
            return bytesPerBlock * 8 / pixelsPerBlock;
        }
    }

    private static final Plane RGB32 = new Plane(1, 1, 1, 4);
    private static final Plane LUMA = new Plane(1, 1, 1, 1);
    private static final Plane CBCR_420 = new Plane(2, 2, 1, 2);
    private static final Plane CBCR_422 = new Plane(2, 1, 1, 2);
    private static final Plane CHROMA_420 = new Plane(2, 2, 1, 1);
    private static final Plane PACKED_422 = new Plane(1, 1, 2, 4);

    /** DRM {@code XRGB8888} ('XR24'), V4L2 {@code XBGR32} ('XR24'): bytes B, G, R, x. The usual scanout format. */
    public static final PixelFormat XRGB8888 = new PixelFormat("XRGB8888", drm_fourcc_h.DRM_FORMAT_XRGB8888(),
            videodev2_h.V4L2_PIX_FMT_XBGR32(), "32-bit RGB, bytes B G R x", false, RGB32);
    /** DRM {@code ARGB8888} ('AR24'), V4L2 {@code ABGR32} ('AR24'): bytes B, G, R, A. */
    public static final PixelFormat ARGB8888 = new PixelFormat("ARGB8888", drm_fourcc_h.DRM_FORMAT_ARGB8888(),
            videodev2_h.V4L2_PIX_FMT_ABGR32(), "32-bit RGB with alpha, bytes B G R A", false, RGB32);
    /** DRM {@code XBGR8888} ('XB24'), V4L2 {@code RGBX32} ('XB24'): bytes R, G, B, x. */
    public static final PixelFormat XBGR8888 = new PixelFormat("XBGR8888", drm_fourcc_h.DRM_FORMAT_XBGR8888(),
            videodev2_h.V4L2_PIX_FMT_RGBX32(), "32-bit RGB, bytes R G B x", false, RGB32);
    /**
     * DRM {@code RGB565} ('RG16'), V4L2 {@code RGB565} ('RGBP', not 'RG16'): a little-endian 16-bit word,
     * red in bits 15-11, green 10-5, blue 4-0.
     */
    public static final PixelFormat RGB565 = new PixelFormat("RGB565", drm_fourcc_h.DRM_FORMAT_RGB565(),
            videodev2_h.V4L2_PIX_FMT_RGB565(), "16-bit RGB 5:6:5, little-endian word R:G:B", false,
            new Plane(1, 1, 1, 2));
    /**
     * DRM {@code RGB888} ('RG24'): bytes B, G, R, which is V4L2 {@code BGR24} ('BGR3'). A trap: V4L2's
     * {@code RGB24} ('RGB3') has the same name and the opposite byte order; it is {@link #BGR888}.
     */
    public static final PixelFormat RGB888 = new PixelFormat("RGB888", drm_fourcc_h.DRM_FORMAT_RGB888(),
            videodev2_h.V4L2_PIX_FMT_BGR24(), "24-bit RGB, bytes B G R", false, new Plane(1, 1, 1, 3));
    /**
     * DRM {@code BGR888} ('BG24'): bytes R, G, B, which is V4L2 {@code RGB24} ('RGB3'). The trap of
     * {@link #RGB888} the other way round.
     */
    public static final PixelFormat BGR888 = new PixelFormat("BGR888", drm_fourcc_h.DRM_FORMAT_BGR888(),
            videodev2_h.V4L2_PIX_FMT_RGB24(), "24-bit RGB, bytes R G B", false, new Plane(1, 1, 1, 3));
    /** Packed 4:2:2 YCbCr, 'YUYV' in DRM and V4L2: bytes Y0 Cb Y1 Cr, two pixels in 4 bytes. */
    public static final PixelFormat YUYV = new PixelFormat("YUYV", drm_fourcc_h.DRM_FORMAT_YUYV(),
            videodev2_h.V4L2_PIX_FMT_YUYV(), "packed YCbCr 4:2:2, bytes Y0 Cb Y1 Cr", false, PACKED_422);
    /** Packed 4:2:2 YCbCr, 'UYVY' in DRM and V4L2: bytes Cb Y0 Cr Y1, two pixels in 4 bytes. */
    public static final PixelFormat UYVY = new PixelFormat("UYVY", drm_fourcc_h.DRM_FORMAT_UYVY(),
            videodev2_h.V4L2_PIX_FMT_UYVY(), "packed YCbCr 4:2:2, bytes Cb Y0 Cr Y1", false, PACKED_422);
    /** Semi-planar 4:2:0, 'NV12' in DRM and V4L2: a Y plane, then a half-height plane of Cb, Cr pairs. */
    public static final PixelFormat NV12 = new PixelFormat("NV12", drm_fourcc_h.DRM_FORMAT_NV12(),
            videodev2_h.V4L2_PIX_FMT_NV12(), "Y plane + CbCr plane, 4:2:0", false, LUMA, CBCR_420);
    /** Semi-planar 4:2:0 with Cr first, 'NV21' in DRM and V4L2. */
    public static final PixelFormat NV21 = new PixelFormat("NV21", drm_fourcc_h.DRM_FORMAT_NV21(),
            videodev2_h.V4L2_PIX_FMT_NV21(), "Y plane + CrCb plane, 4:2:0", false, LUMA, CBCR_420);
    /** Semi-planar 4:2:2, 'NV16' in DRM and V4L2: the CbCr plane has full height. */
    public static final PixelFormat NV16 = new PixelFormat("NV16", drm_fourcc_h.DRM_FORMAT_NV16(),
            videodev2_h.V4L2_PIX_FMT_NV16(), "Y plane + CbCr plane, 4:2:2", false, LUMA, CBCR_422);
    /** Planar 4:2:0, 'YU12' in DRM ({@code YUV420}) and V4L2 ({@code YUV420}, also called I420): Y, Cb, Cr. */
    public static final PixelFormat YUV420 = new PixelFormat("YUV420", drm_fourcc_h.DRM_FORMAT_YUV420(),
            videodev2_h.V4L2_PIX_FMT_YUV420(), "Y, Cb, Cr planes, 4:2:0", false, LUMA, CHROMA_420, CHROMA_420);
    /** Planar 4:2:0 with Cr first, 'YV12' in DRM ({@code YVU420}) and V4L2 ({@code YVU420}): Y, Cr, Cb. */
    public static final PixelFormat YVU420 = new PixelFormat("YVU420", drm_fourcc_h.DRM_FORMAT_YVU420(),
            videodev2_h.V4L2_PIX_FMT_YVU420(), "Y, Cr, Cb planes, 4:2:0", false, LUMA, CHROMA_420, CHROMA_420);
    /** {@link #NV12} with each plane in its own buffer: V4L2 {@code NV12M} ('NM12'). */
    public static final PixelFormat NV12M = new PixelFormat("NV12M", drm_fourcc_h.DRM_FORMAT_NV12(),
            videodev2_h.V4L2_PIX_FMT_NV12M(), "Y plane + CbCr plane, 4:2:0, separate buffers", true,
            LUMA, CBCR_420);
    /** {@link #NV21} with each plane in its own buffer: V4L2 {@code NV21M} ('NM21'). */
    public static final PixelFormat NV21M = new PixelFormat("NV21M", drm_fourcc_h.DRM_FORMAT_NV21(),
            videodev2_h.V4L2_PIX_FMT_NV21M(), "Y plane + CrCb plane, 4:2:0, separate buffers", true,
            LUMA, CBCR_420);
    /** {@link #NV16} with each plane in its own buffer: V4L2 {@code NV16M} ('NM16'). */
    public static final PixelFormat NV16M = new PixelFormat("NV16M", drm_fourcc_h.DRM_FORMAT_NV16(),
            videodev2_h.V4L2_PIX_FMT_NV16M(), "Y plane + CbCr plane, 4:2:2, separate buffers", true,
            LUMA, CBCR_422);
    /** {@link #YUV420} with each plane in its own buffer: V4L2 {@code YUV420M} ('YM12'). */
    public static final PixelFormat YUV420M = new PixelFormat("YUV420M", drm_fourcc_h.DRM_FORMAT_YUV420(),
            videodev2_h.V4L2_PIX_FMT_YUV420M(), "Y, Cb, Cr planes, 4:2:0, separate buffers", true,
            LUMA, CHROMA_420, CHROMA_420);
    /** {@link #YVU420} with each plane in its own buffer: V4L2 {@code YVU420M} ('YM21'). */
    public static final PixelFormat YVU420M = new PixelFormat("YVU420M", drm_fourcc_h.DRM_FORMAT_YVU420(),
            videodev2_h.V4L2_PIX_FMT_YVU420M(), "Y, Cr, Cb planes, 4:2:0, separate buffers", true,
            LUMA, CHROMA_420, CHROMA_420);

    private static final List<PixelFormat> ALL = List.of(XRGB8888, ARGB8888, XBGR8888, RGB565, RGB888, BGR888,
            YUYV, UYVY, NV12, NV21, NV16, YUV420, YVU420, NV12M, NV21M, NV16M, YUV420M, YVU420M);

    private final String name;
    private final int drmFourcc;
    private final int v4l2Fourcc;
    private final String description;
    private final boolean multiPlanar;
    private final List<Plane> planes;

    private PixelFormat(String name, int drmFourcc, int v4l2Fourcc, String description, boolean multiPlanar,
                        Plane... planes) {
        this.name = name;
        this.drmFourcc = drmFourcc;
        this.v4l2Fourcc = v4l2Fourcc;
        this.description = description;
        this.multiPlanar = multiPlanar;
        this.planes = List.of(planes);
    }

    /** Every format this class knows, contiguous ones first. */
    public static List<PixelFormat> all() {
        return ALL;
    }

    /**
     * The format with this DRM fourcc ({@code DRM_FORMAT_*}). A DRM code names a layout, not how it is spread
     * over buffers, so this is always the contiguous format ({@link #NV12}, never {@link #NV12M}).
     */
    public static Optional<PixelFormat> fromDrm(int drmFourcc) {
        return ALL.stream().filter(f -> !f.multiPlanar && f.drmFourcc == drmFourcc).findFirst();
    }

    /**
     * The format with this V4L2 code ({@code V4L2_PIX_FMT_*}, e.g. from {@code VIDIOC_ENUM_FMT}). The deprecated
     * {@code BGR32} ('BGR4'), whose fourth byte is alpha or padding as the driver pleases, is {@link #XRGB8888}: the
     * same bytes B, G, R, x, with the fourth byte ignored. Decoders still produce it (vicodec's stateful decoder for
     * 32-bit RGB streams), and a display takes it as {@code XRGB8888}.
     */
    public static Optional<PixelFormat> fromV4l2(int v4l2Fourcc) {
        if (v4l2Fourcc == videodev2_h.V4L2_PIX_FMT_BGR32()) {
            return Optional.of(XRGB8888);
        }
        return ALL.stream().filter(f -> f.v4l2Fourcc == v4l2Fourcc).findFirst();
    }

    /**
     * The code that identifies this format here: the DRM fourcc for contiguous formats, the V4L2 code for the
     * multi-planar {@code M} variants (which DRM does not name).
     */
    public int fourcc() {
        return multiPlanar ? v4l2Fourcc : drmFourcc;
    }

    /** {@link #fourcc()} as its four characters, e.g. "XR24", "NM12". */
    public String fourccName() {
        return FourCc.name(fourcc());
    }

    /** The code for {@code DRM_IOCTL_MODE_ADDFB2} and {@code IN_FORMATS}; the contiguous code for M variants. */
    public int drmFourcc() {
        return drmFourcc;
    }

    /** The code for V4L2's {@code pixelformat} fields. */
    public int v4l2Fourcc() {
        return v4l2Fourcc;
    }

    /** The name of the constant, e.g. "NV12", "XRGB8888". */
    public String name() {
        return name;
    }

    /** What the bytes are, e.g. "32-bit RGB, bytes B G R x". */
    public String description() {
        return description;
    }

    /** How many planes (1 for packed formats, 2 for NV12, 3 for YUV420). */
    public int planeCount() {
        return planes.size();
    }

    /** Plane {@code index}, 0 for luma or the packed plane. */
    public Plane plane(int index) {
        return planes.get(index);
    }

    /** All planes, in memory order. */
    public List<Plane> planes() {
        return planes;
    }

    /**
     * Whether this is a V4L2 multi-planar {@code M} variant, each plane in its own buffer (the
     * {@code V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE} API with one {@code v4l2_plane} per plane).
     */
    public boolean isMultiPlanar() {
        return multiPlanar;
    }

    /** How many buffers a frame of this format takes: 1, or one per plane for the M variants. */
    public int bufferCount() {
        return multiPlanar ? planes.size() : 1;
    }

    /** The contiguous form of an M variant ({@link #NV12} for {@link #NV12M}); this format otherwise. */
    public PixelFormat contiguous() {
        return multiPlanar ? fromDrm(drmFourcc).orElseThrow() : this;
    }

    /** The M variant with the same layout ({@link #NV12M} for {@link #NV12}), if V4L2 has one. */
    public Optional<PixelFormat> multiPlanarVariant() {
        if (multiPlanar) {
            return Optional.of(this);
        }
        return ALL.stream().filter(f -> f.multiPlanar && f.drmFourcc == drmFourcc).findFirst();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PixelFormat format && format.fourcc() == fourcc();
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(fourcc());
    }

    @Override
    public String toString() {
        return name;
    }
}
