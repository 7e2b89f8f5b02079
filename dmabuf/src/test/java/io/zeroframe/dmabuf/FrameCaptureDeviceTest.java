package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.videodev2.v4l2_buffer;
import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.v4l2_pix_format_mplane;
import io.zeroframe.bindings.videodev2.v4l2_plane;
import io.zeroframe.bindings.videodev2.v4l2_plane_pix_format;
import io.zeroframe.bindings.videodev2.v4l2_requestbuffers;
import io.zeroframe.bindings.videodev2.videodev2_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A frame laid out by {@link FrameLayout} and allocated by {@link Frame#allocate} is what a driver fills: vivid's
 * multi-planar capture is told the calculator's pitches ({@code VIDIOC_S_FMT}), imports the frame's udmabuf
 * buffers ({@code V4L2_MEMORY_DMABUF}) and writes its test pattern into every row of every plane, at an odd size
 * where vivid's own {@code sizeimage} is smaller than the calculator's.
 */
@Tag("device")
class FrameCaptureDeviceTest extends DeviceTestSupport {
    private static final IoctlRequest VIDIOC_S_FMT = IoctlRequest.of("VIDIOC_S_FMT", videodev2_h.VIDIOC_S_FMT());
    private static final IoctlRequest VIDIOC_REQBUFS = IoctlRequest.of("VIDIOC_REQBUFS", videodev2_h.VIDIOC_REQBUFS());
    private static final IoctlRequest VIDIOC_QBUF = IoctlRequest.of("VIDIOC_QBUF", videodev2_h.VIDIOC_QBUF());
    private static final IoctlRequest VIDIOC_DQBUF = IoctlRequest.of("VIDIOC_DQBUF", videodev2_h.VIDIOC_DQBUF());
    private static final IoctlRequest VIDIOC_STREAMON =
            IoctlRequest.of("VIDIOC_STREAMON", videodev2_h.VIDIOC_STREAMON());
    private static final IoctlRequest VIDIOC_STREAMOFF =
            IoctlRequest.of("VIDIOC_STREAMOFF", videodev2_h.VIDIOC_STREAMOFF());
    private static final int TYPE = videodev2_h.V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE();

    @Test
    void vividFillsEveryRowOfFramesLaidOutHere() throws Exception {
        require(Udmabuf.DEVICE);
        List<String> unwritten = new ArrayList<>();
        try (OwnedFd video = LayoutDeviceTest.openVivid(videodev2_h.V4L2_CAP_VIDEO_CAPTURE_MPLANE(),
                Syscalls.O_NONBLOCK); Arena arena = Arena.ofConfined()) {
            LayoutDeviceTest.withScalingInput(video, arena, () -> {
                for (PixelFormat format : List.of(PixelFormat.YUV420M, PixelFormat.NV12M, PixelFormat.NV12,
                        PixelFormat.YUYV, PixelFormat.XRGB8888)) {
                    capture(video, arena, FrameLayout.of(format, 641, 479), unwritten);
                }
            });
        }
        System.out.println("rows vivid left unwritten: " + unwritten);
        assertEquals(List.of(), unwritten, "rows of the frames that vivid did not write");
    }

    private static void capture(OwnedFd video, Arena arena, FrameLayout layout, List<String> unwritten)
            throws Exception {
        String what = layout.format() + " " + layout.width() + "x" + layout.height();
        MemorySegment format = v4l2_format.allocate(arena);
        format.fill((byte) 0);
        v4l2_format.type(format, TYPE);
        MemorySegment mp = v4l2_format.fmt(format);
        v4l2_pix_format_mplane.width(mp, layout.width());
        v4l2_pix_format_mplane.height(mp, layout.height());
        v4l2_pix_format_mplane.pixelformat(mp, layout.format().v4l2Fourcc());
        v4l2_pix_format_mplane.field(mp, videodev2_h.V4L2_FIELD_NONE());
        for (int p = 0; p < layout.bufferCount(); p++) {
            v4l2_plane_pix_format.bytesperline(v4l2_pix_format_mplane.plane_fmt(mp, p), (int) layout.plane(p).pitch());
        }
        Syscalls.ioctl(video, VIDIOC_S_FMT, format);
        assertEquals(layout.format().v4l2Fourcc(), v4l2_pix_format_mplane.pixelformat(mp), what);
        assertEquals(layout.width(), v4l2_pix_format_mplane.width(mp), what);
        assertEquals(layout.height(), v4l2_pix_format_mplane.height(mp), what);
        assertEquals(layout.bufferCount(), v4l2_pix_format_mplane.num_planes(mp), what);
        for (int p = 0; p < layout.bufferCount(); p++) {
            MemorySegment plane = v4l2_pix_format_mplane.plane_fmt(mp, p);
            assertEquals(layout.plane(p).pitch(), v4l2_plane_pix_format.bytesperline(plane),
                    what + ": vivid takes the calculator's pitch of plane " + p);
            assertTrue(Integer.toUnsignedLong(v4l2_plane_pix_format.sizeimage(plane)) <= layout.bufferSize(p),
                    what + ": vivid's sizeimage fits the calculator's buffer " + p);
        }

        try (Frame frame = Frame.allocate(new UdmabufAllocator("capture"), layout)) {
            requestBuffers(video, arena, 1);
            try {
                MemorySegment buffer = v4l2_buffer.allocate(arena);
                MemorySegment planes = arena.allocate(v4l2_plane.layout(), layout.bufferCount());
                describe(buffer, planes, layout.bufferCount());
                for (int p = 0; p < layout.bufferCount(); p++) {
                    MemorySegment plane = planes.asSlice(p * v4l2_plane.layout().byteSize(), v4l2_plane.layout());
                    DmaBuf memory = frame.buffers().get(p);
                    v4l2_plane.m.fd(v4l2_plane.m(plane), memory.fd());
                    v4l2_plane.length(plane, (int) memory.size());
                }
                Syscalls.ioctl(video, VIDIOC_QBUF, buffer);
                MemorySegment type = arena.allocate(ValueLayout.JAVA_INT);
                type.set(ValueLayout.JAVA_INT, 0, TYPE);
                Syscalls.ioctl(video, VIDIOC_STREAMON, type);
                try {
                    describe(buffer, planes, layout.bufferCount());
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    int result;
                    while ((result = Syscalls.tryIoctl(video, VIDIOC_DQBUF, buffer)) == -Errno.EAGAIN) {
                        if (System.nanoTime() > deadline) {
                            fail(what + ": no frame from vivid within 10 s");
                        }
                        Thread.sleep(10);
                    }
                    assertEquals(0, result, what + ": VIDIOC_DQBUF errno");
                    assertEquals(0, v4l2_buffer.flags(buffer) & videodev2_h.V4L2_BUF_FLAG_ERROR(), what);
                } finally {
                    Syscalls.ioctl(video, VIDIOC_STREAMOFF, type);
                }
            } finally {
                requestBuffers(video, arena, 0);
            }
            checkEveryRowWritten(frame, layout, what, unwritten);
        }
    }

    private static void describe(MemorySegment buffer, MemorySegment planes, int count) {
        buffer.fill((byte) 0);
        v4l2_buffer.index(buffer, 0);
        v4l2_buffer.type(buffer, TYPE);
        v4l2_buffer.memory(buffer, videodev2_h.V4L2_MEMORY_DMABUF());
        v4l2_buffer.length(buffer, count);
        v4l2_buffer.m.planes(v4l2_buffer.m(buffer), planes);
    }

    private static void requestBuffers(OwnedFd video, Arena arena, int count) throws Exception {
        MemorySegment request = v4l2_requestbuffers.allocate(arena);
        request.fill((byte) 0);
        v4l2_requestbuffers.count(request, count);
        v4l2_requestbuffers.type(request, TYPE);
        v4l2_requestbuffers.memory(request, videodev2_h.V4L2_MEMORY_DMABUF());
        Syscalls.ioctl(video, VIDIOC_REQBUFS, request);
    }

    /**
     * Every row of every plane, up to the bytes its samples take, has a byte that is not 0: the buffers come
     * zeroed from udmabuf, and vivid's colour bars have no zero Y, Cb, Cr or RGB value, so a zero row is a row
     * vivid did not write.
     */
    private static void checkEveryRowWritten(Frame frame, FrameLayout layout, String what, List<String> unwritten)
            throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            for (int p = 0; p < layout.planes().size(); p++) {
                FrameLayout.Plane plane = layout.plane(p);
                DmaBuf buffer = frame.plane(p).buffer();
                MemorySegment pixels = buffer.map(arena, Access.READ);
                long rowBytes = FrameLayout.minimumPitch(layout.format().plane(p), layout.width());
                MemorySegment zeros = arena.allocate(rowBytes);
                List<Long> empty = new ArrayList<>();
                try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                    for (long row = 0; row < plane.rows(); row++) {
                        MemorySegment bytes = pixels.asSlice(plane.offset() + row * plane.pitch(), rowBytes);
                        if (bytes.mismatch(zeros) == -1) {
                            empty.add(row);
                        }
                    }
                }
                if (!empty.isEmpty()) {
                    unwritten.add(what + " plane " + p + " rows " + empty);
                }
            }
        }
    }
}
