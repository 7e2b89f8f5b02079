package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Multi-planar capture from vivid's instance 1 (NV12M and YUV420M, MMAP and DMABUF) with per-plane pixel checks.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class MultiPlanarDeviceTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final BufferType CAPTURE_MPLANE = BufferType.VIDEO_CAPTURE_MPLANE;

    /** The 75% bars in BT.601 limited-range Y'CbCr (what vivid draws for sRGB): Y, Cb, Cr per bar. */
    private static final int[][] BARS_75_YCBCR = {
            {180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58},
            {84, 184, 198}, {65, 100, 212}, {35, 212, 114}, {16, 128, 128}};

    @Test
    void nv12mAndYuv420mCaptureHoldTheBarsInEveryPlane() throws Exception {
        Path node = Vivid.node(1, "cap");
        Vivid.pattern(node, Vivid.COLORBAR_75);
        for (PixelFormat pixels : List.of(PixelFormat.NV12M, PixelFormat.YUV420M)) {
            try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE_MPLANE)) {
                VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE_MPLANE, pixels, WIDTH, HEIGHT));
                System.out.println("S_FMT: " + format);
                assertEquals(pixels.planeCount(), format.planes().size());
                assertEquals(pixels, format.toLayout().orElseThrow().format());
                List<VideoBuffer> buffers = queue.allocate(3);
                for (VideoBuffer buffer : buffers) {
                    assertEquals(pixels.planeCount(), buffer.planeCount());
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                for (int i = 0; i < 2; i++) {
                    VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                    assertFalse(frame.isError());
                    List<MemorySegment> planes = new ArrayList<>();
                    for (int p = 0; p < frame.planeCount(); p++) {
                        assertEquals(format.sizeImage(p), frame.bytesUsed(p), "plane " + p);
                        assertEquals(0, frame.dataOffset(p));
                        planes.add(frame.plane(p));
                    }
                    assertEquals(List.of(), wrongPlanes(pixels, format, planes), pixels + " frame " + i);
                    queue.enqueue(frame);
                }
            }
        }
    }

    @Test
    void multiPlanarDmaBufImportFromTheHeap() throws Exception {
        Path node = Vivid.node(1, "cap");
        Vivid.pattern(node, Vivid.COLORBAR_75);
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE_MPLANE);
             Heap heap = Heap.open("system")) {
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE_MPLANE, PixelFormat.NV12M, WIDTH, HEIGHT));
            List<DmaBuf> owned = new ArrayList<>();
            try {
                List<List<DmaBuf>> frames = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    DmaBuf luma = heap.allocate(format.sizeImage(0));
                    owned.add(luma);
                    DmaBuf chroma = heap.allocate(format.sizeImage(1));
                    owned.add(chroma);
                    frames.add(List.of(luma, chroma));
                }
                for (VideoBuffer buffer : queue.importDmaBufs(frames)) {
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                try (Arena arena = Arena.ofConfined()) {
                    List<MemorySegment> planes = new ArrayList<>();
                    List<CpuAccess> brackets = new ArrayList<>();
                    for (int p = 0; p < 2; p++) {
                        planes.add(frame.dmaBuf(p).map(arena, Access.READ));
                        brackets.add(frame.dmaBuf(p).cpuAccess(Access.READ));
                    }
                    assertEquals(List.of(), wrongPlanes(PixelFormat.NV12M, format, planes));
                    for (CpuAccess bracket : brackets) {
                        bracket.close();
                    }
                }
            } finally {
                owned.forEach(DmaBuf::close);
            }
        }
    }

    /** Bar probes in each plane of an NV12M or YUV420M frame that differ from the bars by more than 2. */
    private static List<String> wrongPlanes(PixelFormat pixels, VideoFormat format, List<MemorySegment> planes) {
        List<String> wrong = new ArrayList<>();
        long lumaPitch = format.planes().get(0).bytesPerLine();
        for (int[] probe : Vivid.barProbes(WIDTH, HEIGHT)) {
            int[] want = BARS_75_YCBCR[probe[0]];
            int x = probe[1];
            int y = probe[2];
            int luma = byteAt(planes.get(0), y * lumaPitch + x);
            int cb;
            int cr;
            if (pixels == PixelFormat.NV12M) {
                long chromaPitch = format.planes().get(1).bytesPerLine();
                long at = (y / 2) * chromaPitch + (x / 2) * 2L;
                cb = byteAt(planes.get(1), at);
                cr = byteAt(planes.get(1), at + 1);
            } else {
                long chromaPitch = format.planes().get(1).bytesPerLine();
                long at = (y / 2) * chromaPitch + x / 2;
                cb = byteAt(planes.get(1), at);
                cr = byteAt(planes.get(2), at);
            }
            if (Math.abs(luma - want[0]) > 2 || Math.abs(cb - want[1]) > 2 || Math.abs(cr - want[2]) > 2) {
                wrong.add(String.format("bar %d (%d,%d) Y %d Cb %d Cr %d, want %d %d %d", probe[0], x, y, luma, cb, cr,
                        want[0], want[1], want[2]));
            }
        }
        return wrong;
    }

    private static int byteAt(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
    }
}
