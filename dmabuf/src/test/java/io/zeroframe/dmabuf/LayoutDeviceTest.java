package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_version;
import io.zeroframe.bindings.drm_mode.drm_mode_create_dumb;
import io.zeroframe.bindings.drm_mode.drm_mode_destroy_dumb;
import io.zeroframe.bindings.sys.DeviceNodes;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_capability;
import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.v4l2_input;
import io.zeroframe.bindings.videodev2.v4l2_pix_format;
import io.zeroframe.bindings.videodev2.v4l2_pix_format_mplane;
import io.zeroframe.bindings.videodev2.v4l2_plane_pix_format;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.dmabuf.internal.FourCc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameLayout} against what the kernel computes for the same frames: vivid's {@code VIDIOC_TRY_FMT}
 * {@code bytesperline} and {@code sizeimage} on its single-planar and its multi-planar instance, and the
 * {@code pitch} and {@code size} of DRM dumb buffers on vgem and virtio-gpu. Every format at three sizes, one of
 * them odd in both directions.
 *
 * <p>Each test lists every difference it finds and compares the list with the differences explained below, so a
 * new difference, or an explained one that goes away, fails the test.
 */
@Tag("device")
class LayoutDeviceTest extends DeviceTestSupport {
    private static final IoctlRequest VIDIOC_QUERYCAP = IoctlRequest.of("VIDIOC_QUERYCAP", videodev2_h.VIDIOC_QUERYCAP());
    private static final IoctlRequest VIDIOC_TRY_FMT = IoctlRequest.of("VIDIOC_TRY_FMT", videodev2_h.VIDIOC_TRY_FMT());
    private static final IoctlRequest VIDIOC_ENUMINPUT =
            IoctlRequest.of("VIDIOC_ENUMINPUT", videodev2_h.VIDIOC_ENUMINPUT());
    private static final IoctlRequest VIDIOC_S_INPUT = IoctlRequest.of("VIDIOC_S_INPUT", videodev2_h.VIDIOC_S_INPUT());
    private static final IoctlRequest VIDIOC_G_INPUT = IoctlRequest.of("VIDIOC_G_INPUT", videodev2_h.VIDIOC_G_INPUT());
    private static final IoctlRequest DRM_IOCTL_VERSION = IoctlRequest.of("DRM_IOCTL_VERSION", drm_h.DRM_IOCTL_VERSION());
    private static final IoctlRequest DRM_IOCTL_MODE_CREATE_DUMB =
            IoctlRequest.of("DRM_IOCTL_MODE_CREATE_DUMB", drm_h.DRM_IOCTL_MODE_CREATE_DUMB());
    private static final IoctlRequest DRM_IOCTL_MODE_DESTROY_DUMB =
            IoctlRequest.of("DRM_IOCTL_MODE_DESTROY_DUMB", drm_h.DRM_IOCTL_MODE_DESTROY_DUMB());
    /** Width, height, stride alignment: three sizes with the smallest pitches, one with an aligned pitch. */
    private static final int[][] SIZES = {{640, 480, 1}, {1280, 720, 1}, {641, 479, 1}, {640, 480, 256}};

    // ---------------------------------------------------------------------------------------------------------
    // Differences between vivid and the calculator, explained.
    //
    // vivid (drivers/media/test-drivers/vivid/vivid-vid-cap.c, vivid_try_fmt_vid_cap) computes per buffer
    // bytesperline = width * bit_depth[p] / 8 and sizeimage = bytesperline * height / vdownsampling[p], with
    // bit_depth counted per luma pixel (4 for a YUV420 chroma plane, 8 for NV12's CbCr plane) and integer
    // division that rounds down. For even sizes that is exactly the calculator. For odd sizes it drops the last
    // chroma column and row: a 641x479 NV12 frame has 321 CbCr pairs (642 bytes) per row and 240 chroma rows;
    // vivid makes room for 641 bytes and 239.5 rows. The calculator rounds up, so its buffers are larger and
    // hold every sample; a driver that accepts vivid's sizes accepts these too (sizeimage is a minimum).
    // Packed YUYV and UYVY: vivid counts 16 bits per pixel, so 641 pixels get 1282 bytes and the last Y0 Cb Y1 Cr
    // block is cut after Cb; the calculator counts whole blocks, 1284 (v4l2_fill_pixfmt also says 1282).
    // And vivid adds data_offset (PLANE0_DATA_OFFSET, 128 bytes) to plane 0's sizeimage of NV16M, to test that
    // applications honour v4l2_plane.data_offset: data before the plane, not part of its layout.
    // ---------------------------------------------------------------------------------------------------------
    private static final List<String> VIVID_SINGLE_PLANAR_DIFFERENCES = List.of(
            "YUYV 641x479: bytesperline kernel 1282, calculator 1284",
            "YUYV 641x479: sizeimage kernel 614078, calculator 615036",
            "UYVY 641x479: bytesperline kernel 1282, calculator 1284",
            "UYVY 641x479: sizeimage kernel 614078, calculator 615036",
            "NV12 641x479: sizeimage kernel 460558, calculator 461119",
            "NV21 641x479: sizeimage kernel 460558, calculator 461119",
            "NV16 641x479: sizeimage kernel 614078, calculator 614557",
            "YUV420 641x479: sizeimage kernel 460557, calculator 461119",
            "YVU420 641x479: sizeimage kernel 460557, calculator 461119");
    /** The same for the single-buffer formats, then the M variants' chroma planes, then NV16M's data_offset. */
    private static final List<String> VIVID_MULTI_PLANAR_DIFFERENCES = List.of(
            "YUYV 641x479: plane 0 bytesperline kernel 1282, calculator 1284",
            "YUYV 641x479: plane 0 sizeimage kernel 614078, calculator 615036",
            "UYVY 641x479: plane 0 bytesperline kernel 1282, calculator 1284",
            "UYVY 641x479: plane 0 sizeimage kernel 614078, calculator 615036",
            "NV12 641x479: plane 0 sizeimage kernel 460558, calculator 461119",
            "NV21 641x479: plane 0 sizeimage kernel 460558, calculator 461119",
            "NV16 641x479: plane 0 sizeimage kernel 614078, calculator 614557",
            "YUV420 641x479: plane 0 sizeimage kernel 460557, calculator 461119",
            "YVU420 641x479: plane 0 sizeimage kernel 460557, calculator 461119",
            "NV12M 641x479: plane 1 bytesperline kernel 641, calculator 642",
            "NV12M 641x479: plane 1 sizeimage kernel 153519, calculator 154080",
            "NV21M 641x479: plane 1 bytesperline kernel 641, calculator 642",
            "NV21M 641x479: plane 1 sizeimage kernel 153519, calculator 154080",
            "NV16M 640x480: plane 0 sizeimage kernel 307328, calculator 307200",
            "NV16M 1280x720: plane 0 sizeimage kernel 921728, calculator 921600",
            "NV16M 641x479: plane 0 sizeimage kernel 307167, calculator 307039",
            "NV16M 641x479: plane 1 bytesperline kernel 641, calculator 642",
            "NV16M 641x479: plane 1 sizeimage kernel 307039, calculator 307518",
            "NV16M 640x480 pitch aligned to 256: plane 0 sizeimage kernel 368768, calculator 368640",
            "YUV420M 641x479: plane 1 bytesperline kernel 320, calculator 321",
            "YUV420M 641x479: plane 1 sizeimage kernel 76640, calculator 77040",
            "YUV420M 641x479: plane 2 bytesperline kernel 320, calculator 321",
            "YUV420M 641x479: plane 2 sizeimage kernel 76640, calculator 77040",
            "YVU420M 641x479: plane 1 bytesperline kernel 320, calculator 321",
            "YVU420M 641x479: plane 1 sizeimage kernel 76640, calculator 77040",
            "YVU420M 641x479: plane 2 bytesperline kernel 320, calculator 321",
            "YVU420M 641x479: plane 2 sizeimage kernel 76640, calculator 77040");
    private static final String DATA_OFFSET_PLANE = "NV16M";
    private static final long DATA_OFFSET = 128;

    // ---------------------------------------------------------------------------------------------------------
    // Differences between DRM dumb buffers and the calculator, explained.
    //
    // A dumb buffer is one plane of width x height samples at bpp bits: the driver's pitch is
    // DIV_ROUND_UP(width * bpp, 8) (drm_gem_shmem_dumb_create for vgem; width * 4 for virtio-gpu, which takes
    // only bpp 32), its size that times height, page aligned. Each plane of a format is asked for as its own
    // dumb buffer (subsampled width and height, the plane's bits per sample), as kms++ and modetest do.
    // YUYV and UYVY at an odd width: DRM counts 2 bytes per pixel (16 bpp), so 641 pixels get 1282 bytes,
    // which ends in the middle of the last Y0 Cb Y1 Cr block; the calculator counts whole blocks: 1284.
    // virtio-gpu makes only 32 bpp dumb buffers (virtio_gpu_mode_dumb_create: EINVAL otherwise), so it is
    // compared on the 32-bit formats, and its refusal of 16 bpp is checked on its own.
    // ---------------------------------------------------------------------------------------------------------
    private static final List<String> VGEM_DIFFERENCES = List.of(
            "YUYV 641x479 plane 0 (641x479 at 16 bpp): pitch kernel 1282, calculator 1284",
            "YUYV 641x479 plane 0 (641x479 at 16 bpp): size kernel 614400, calculator 618496",
            "UYVY 641x479 plane 0 (641x479 at 16 bpp): pitch kernel 1282, calculator 1284",
            "UYVY 641x479 plane 0 (641x479 at 16 bpp): size kernel 614400, calculator 618496");
    private static final List<String> VIRTIO_GPU_DIFFERENCES = List.of();

    @Test
    void vividSinglePlanarAgreesWithTheCalculator() throws Exception {
        List<String> differences = new ArrayList<>();
        try (OwnedFd video = openVivid(videodev2_h.V4L2_CAP_VIDEO_CAPTURE()); Arena arena = Arena.ofConfined()) {
            withScalingInput(video, arena, () -> {
                for (PixelFormat format : PixelFormat.all()) {
                    if (format.isMultiPlanar()) {
                        continue;
                    }
                    for (int[] size : SIZES) {
                        compareSinglePlanar(video, arena, format, size[0], size[1], size[2], differences);
                    }
                }
            });
        }
        report("vivid single-planar", differences, VIVID_SINGLE_PLANAR_DIFFERENCES);
    }

    @Test
    void vividMultiPlanarAgreesWithTheCalculator() throws Exception {
        List<String> differences = new ArrayList<>();
        try (OwnedFd video = openVivid(videodev2_h.V4L2_CAP_VIDEO_CAPTURE_MPLANE());
             Arena arena = Arena.ofConfined()) {
            withScalingInput(video, arena, () -> {
                for (PixelFormat format : PixelFormat.all()) {
                    for (int[] size : SIZES) {
                        compareMultiPlanar(video, arena, format, size[0], size[1], size[2], differences);
                    }
                }
            });
        }
        report("vivid multi-planar", differences, VIVID_MULTI_PLANAR_DIFFERENCES);
    }

    @Test
    void vgemDumbBuffersAgreeWithTheCalculator() throws Exception {
        compareDumbBuffers("vgem", bpp -> true, VGEM_DIFFERENCES);
    }

    @Test
    void virtioGpuDumbBuffersAgreeWithTheCalculator() throws Exception {
        compareDumbBuffers("virtio_gpu", bpp -> bpp == 32, VIRTIO_GPU_DIFFERENCES);
        try (OwnedFd card = openCard("virtio_gpu"); Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_mode_create_dumb.allocate(arena);
            drm_mode_create_dumb.width(request, 640);
            drm_mode_create_dumb.height(request, 480);
            drm_mode_create_dumb.bpp(request, 16);
            assertEquals(-Errno.EINVAL, Syscalls.tryIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, request),
                    "virtio-gpu refuses 16 bpp");
        }
    }

    // --- V4L2 -----------------------------------------------------------------------------------------------

    /**
     * TRY_FMT of one format and size. With a stride alignment above 1 it asks for the calculator's aligned pitch
     * as {@code bytesperline} (vivid takes any value from the minimum up), which shows that V4L2 derives the
     * chroma planes from it as the calculator does.
     */
    private static void compareSinglePlanar(OwnedFd video, Arena arena, PixelFormat format, int width, int height,
                                            int alignment, List<String> differences) throws KernelException {
        MemorySegment request = v4l2_format.allocate(arena);
        request.fill((byte) 0);
        v4l2_format.type(request, videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE());
        MemorySegment pix = v4l2_format.fmt(request);
        v4l2_pix_format.width(pix, width);
        v4l2_pix_format.height(pix, height);
        v4l2_pix_format.pixelformat(pix, format.v4l2Fourcc());
        v4l2_pix_format.field(pix, videodev2_h.V4L2_FIELD_NONE());
        if (alignment > 1) {
            v4l2_pix_format.bytesperline(pix, (int) FrameLayout.of(format, width, height, alignment).plane(0).pitch());
        }
        Syscalls.ioctl(video, VIDIOC_TRY_FMT, request);
        String what = describe(format, width, height, alignment);
        if (v4l2_pix_format.pixelformat(pix) != format.v4l2Fourcc()) {
            differences.add(what + ": refused (answered " + FourCc.name(v4l2_pix_format.pixelformat(pix)) + ")");
            return;
        }
        int w = v4l2_pix_format.width(pix);
        int h = v4l2_pix_format.height(pix);
        if (w != width || h != height) {
            differences.add(what + ": adjusted to " + w + "x" + h);
        }
        FrameLayout layout = FrameLayout.of(format, w, h, alignment);
        compare(differences, what, "bytesperline", Integer.toUnsignedLong(v4l2_pix_format.bytesperline(pix)),
                layout.plane(0).pitch());
        compare(differences, what, "sizeimage", Integer.toUnsignedLong(v4l2_pix_format.sizeimage(pix)),
                layout.totalSize());
    }

    /** The same through the multi-planar API: one {@code plane_fmt} per buffer. */
    private static void compareMultiPlanar(OwnedFd video, Arena arena, PixelFormat format, int width, int height,
                                           int alignment, List<String> differences) throws KernelException {
        MemorySegment request = v4l2_format.allocate(arena);
        request.fill((byte) 0);
        v4l2_format.type(request, videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE());
        MemorySegment mp = v4l2_format.fmt(request);
        v4l2_pix_format_mplane.width(mp, width);
        v4l2_pix_format_mplane.height(mp, height);
        v4l2_pix_format_mplane.pixelformat(mp, format.v4l2Fourcc());
        v4l2_pix_format_mplane.field(mp, videodev2_h.V4L2_FIELD_NONE());
        if (alignment > 1) {
            FrameLayout aligned = FrameLayout.of(format, width, height, alignment);
            for (int p = 0; p < aligned.bufferCount(); p++) {
                v4l2_plane_pix_format.bytesperline(v4l2_pix_format_mplane.plane_fmt(mp, p),
                        (int) aligned.plane(p).pitch());
            }
        }
        Syscalls.ioctl(video, VIDIOC_TRY_FMT, request);
        String what = describe(format, width, height, alignment);
        if (v4l2_pix_format_mplane.pixelformat(mp) != format.v4l2Fourcc()) {
            differences.add(what + ": refused (answered "
                    + FourCc.name(v4l2_pix_format_mplane.pixelformat(mp)) + ")");
            return;
        }
        int w = v4l2_pix_format_mplane.width(mp);
        int h = v4l2_pix_format_mplane.height(mp);
        if (w != width || h != height) {
            differences.add(what + ": adjusted to " + w + "x" + h);
        }
        FrameLayout layout = FrameLayout.of(format, w, h, alignment);
        int planes = v4l2_pix_format_mplane.num_planes(mp);
        compare(differences, what, "num_planes", planes, layout.bufferCount());
        for (int p = 0; p < Math.min(planes, layout.bufferCount()); p++) {
            MemorySegment plane = v4l2_pix_format_mplane.plane_fmt(mp, p);
            compare(differences, what, "plane " + p + " bytesperline",
                    Integer.toUnsignedLong(v4l2_plane_pix_format.bytesperline(plane)), layout.plane(p).pitch());
            compare(differences, what, "plane " + p + " sizeimage",
                    Integer.toUnsignedLong(v4l2_plane_pix_format.sizeimage(plane)), layout.bufferSize(p));
        }
    }

    interface VideoAction {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} with vivid switched to its first input that is not a webcam: the webcam input offers
     * fixed frame sizes only, the others scale to any size from 16x16 up. Switches back afterwards.
     */
    static void withScalingInput(OwnedFd video, Arena arena, VideoAction action) throws Exception {
        MemorySegment index = arena.allocate(ValueLayout.JAVA_INT);
        Syscalls.ioctl(video, VIDIOC_G_INPUT, index);
        int previous = index.get(ValueLayout.JAVA_INT, 0);
        MemorySegment input = v4l2_input.allocate(arena);
        int chosen = -1;
        for (int i = 0; chosen < 0; i++) {
            input.fill((byte) 0);
            v4l2_input.index(input, i);
            if (Syscalls.tryIoctl(video, VIDIOC_ENUMINPUT, input) < 0) {
                fail("vivid on " + video.path() + " has no input other than a webcam");
            }
            if (!v4l2_input.name(input).getString(0).startsWith("Webcam")) {
                chosen = i;
            }
        }
        index.set(ValueLayout.JAVA_INT, 0, chosen);
        Syscalls.ioctl(video, VIDIOC_S_INPUT, index);
        try {
            action.run();
        } finally {
            index.set(ValueLayout.JAVA_INT, 0, previous);
            Syscalls.ioctl(video, VIDIOC_S_INPUT, index);
        }
    }

    /** The first vivid node whose device capabilities include {@code capability}. */
    static OwnedFd openVivid(int capability) throws IOException {
        return openVivid(capability, 0);
    }

    /** The same, opened with {@code O_RDWR} and {@code flags}. */
    static OwnedFd openVivid(int capability, int flags) throws IOException {
        List<String> seen = new ArrayList<>();
        for (Path node : DeviceNodes.list(Path.of("/dev"), "video")) {
            OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR | flags);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cap = v4l2_capability.allocate(arena);
                Syscalls.ioctl(fd, VIDIOC_QUERYCAP, cap);
                String driver = v4l2_capability.driver(cap).getString(0);
                int caps = v4l2_capability.device_caps(cap);
                if (driver.equals("vivid") && (caps & capability) != 0) {
                    return fd;
                }
                seen.add(node + "=" + driver + "/0x" + Integer.toHexString(caps));
            } catch (KernelException | RuntimeException e) {
                fd.close();
                throw e;
            }
            fd.close();
        }
        return fail("no vivid node with capability 0x" + Integer.toHexString(capability) + " among " + seen
                + "; the test bed loads vivid with n_devs=2 multiplanar=1,2");
    }

    // --- DRM ------------------------------------------------------------------------------------------------

    private static void compareDumbBuffers(String driver, IntPredicate makesBpp, List<String> explained)
            throws Exception {
        List<String> differences = new ArrayList<>();
        long page = Syscalls.pageSize();
        try (OwnedFd card = openCard(driver); Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_mode_create_dumb.allocate(arena);
            MemorySegment destroy = drm_mode_destroy_dumb.allocate(arena);
            for (PixelFormat format : PixelFormat.all()) {
                if (format.isMultiPlanar()) {
                    continue; // same planes as the contiguous form
                }
                for (int[] size : SIZES) {
                    if (size[2] != 1) {
                        continue; // DRM_IOCTL_MODE_CREATE_DUMB takes no pitch: it is output only
                    }
                    FrameLayout layout = FrameLayout.of(format, size[0], size[1]);
                    for (int p = 0; p < format.planeCount(); p++) {
                        PixelFormat.Plane plane = format.plane(p);
                        if (!makesBpp.test(plane.bitsPerSample())) {
                            continue;
                        }
                        int width = Math.ceilDiv(size[0], plane.horizontalSubsampling());
                        int rows = Math.ceilDiv(size[1], plane.verticalSubsampling());
                        String what = format + " " + size[0] + "x" + size[1] + " plane " + p + " (" + width + "x"
                                + rows + " at " + plane.bitsPerSample() + " bpp)";
                        request.fill((byte) 0);
                        drm_mode_create_dumb.width(request, width);
                        drm_mode_create_dumb.height(request, rows);
                        drm_mode_create_dumb.bpp(request, plane.bitsPerSample());
                        int result = Syscalls.tryIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, request);
                        if (result < 0) {
                            differences.add(what + ": refused, errno " + -result);
                            continue;
                        }
                        drm_mode_destroy_dumb.handle(destroy, drm_mode_create_dumb.handle(request));
                        Syscalls.ioctl(card, DRM_IOCTL_MODE_DESTROY_DUMB, destroy);
                        long pitch = Integer.toUnsignedLong(drm_mode_create_dumb.pitch(request));
                        FrameLayout.Plane expected = layout.plane(p);
                        compare(differences, what, "pitch", pitch, expected.pitch());
                        compare(differences, what, "size", drm_mode_create_dumb.size(request),
                                Math.ceilDiv(expected.size(), page) * page);
                    }
                }
            }
        }
        report(driver + " dumb buffers", differences, explained);
    }

    /**
     * Opens the primary node of the card whose driver is {@code driver}: by the sysfs link
     * {@code /sys/class/drm/cardN/device/driver}, or, for a card whose device no driver is bound to (vgem
     * registers a bare platform device), by the name {@code DRM_IOCTL_VERSION} reports.
     */
    private static OwnedFd openCard(String driver) throws IOException {
        List<Path> cards = DeviceNodes.list(Path.of("/dev/dri"), "card");
        List<String> seen = new ArrayList<>();
        for (Path node : cards) {
            Path link = Path.of("/sys/class/drm", node.getFileName().toString(), "device", "driver");
            Optional<String> bound = Files.isSymbolicLink(link)
                    ? Optional.of(Files.readSymbolicLink(link).getFileName().toString()) : Optional.empty();
            seen.add(node + " sysfs driver " + bound.orElse("(none)"));
            if (bound.isPresent() && bound.get().equals(driver)) {
                return Syscalls.open(node, Syscalls.O_RDWR);
            }
        }
        for (Path node : cards) {
            OwnedFd fd = Syscalls.open(node, Syscalls.O_RDWR);
            try {
                String name = versionName(fd);
                if (name.equals(driver)) {
                    return fd;
                }
                seen.add(node + " DRM_IOCTL_VERSION " + name);
            } catch (KernelException | RuntimeException e) {
                fd.close();
                throw e;
            }
            fd.close();
        }
        return fail("no DRM card with driver " + driver + ": " + seen);
    }

    private static String versionName(OwnedFd card) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = drm_version.allocate(arena);
            Syscalls.ioctl(card, DRM_IOCTL_VERSION, version);
            MemorySegment name = arena.allocate(drm_version.name_len(version) + 1);
            drm_version.name(version, name);
            drm_version.date_len(version, 0);
            drm_version.desc_len(version, 0);
            Syscalls.ioctl(card, DRM_IOCTL_VERSION, version);
            return name.getString(0);
        }
    }

    private static String describe(PixelFormat format, int width, int height, int alignment) {
        return format + " " + width + "x" + height + (alignment > 1 ? " pitch aligned to " + alignment : "");
    }

    // --- comparison -----------------------------------------------------------------------------------------

    private static void compare(List<String> differences, String what, String field, long kernel, long calculator) {
        if (kernel != calculator) {
            differences.add(what + ": " + field + " kernel " + kernel + ", calculator " + calculator);
        }
    }

    private static void report(String source, List<String> differences, List<String> explained) {
        System.out.println(source + ": " + differences.size() + " differences");
        differences.forEach(d -> System.out.println("  " + d));
        assertEquals(String.join("\n", explained), String.join("\n", differences),
                source + ": the differences from the calculator are not the ones explained in this test");
        for (String difference : differences) {
            if (!difference.contains(" kernel ")) {
                continue;
            }
            String[] figures = difference.substring(difference.lastIndexOf(" kernel ") + 8).split(", calculator ");
            long kernel = Long.parseLong(figures[0]);
            long calculator = Long.parseLong(figures[1]);
            if (difference.startsWith(DATA_OFFSET_PLANE + " ") && difference.contains("plane 0 sizeimage")) {
                assertEquals(DATA_OFFSET, kernel - calculator, difference);
            } else {
                assertTrue(kernel <= calculator, "the calculator must never give less than the kernel: " + difference);
            }
        }
    }
}
