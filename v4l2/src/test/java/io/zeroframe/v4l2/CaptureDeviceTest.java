package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.UdmabufAllocator;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.DumbBuffer;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Capture from vivid's single-planar node (instance 0) in MMAP and DMABUF modes: the pixels are what vivid was told
 * to draw through its controls (75% colour bars, solid red, green and blue), checked at several positions, in the
 * queue's mappings, in EXPBUF'd dma-bufs and in imported dma-heap, udmabuf and vgem dumb buffers.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class CaptureDeviceTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    @Test
    void formatsGetTrySetAndTheLayoutTheyDescribe() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            VideoFormat set = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            System.out.println("S_FMT: " + set);
            assertEquals(PixelFormat.XRGB8888, set.pixelFormat().orElseThrow());
            assertEquals(List.of(new PlaneFormat(WIDTH * 4, WIDTH * 4 * HEIGHT)), set.planes());
            assertEquals(Field.NONE, set.field());
            assertEquals(set, camera.getFormat(CAPTURE));
            assertEquals(FrameLayout.of(PixelFormat.XRGB8888, WIDTH, HEIGHT), set.toLayout().orElseThrow());

            VideoFormat tried = camera.tryFormat(VideoFormat.of(CAPTURE, PixelFormat.NV12, 320, 180));
            assertEquals("NV12", tried.fourccName());
            assertEquals(List.of(new PlaneFormat(320, 320 * 180 * 3 / 2)), tried.planes());
            assertEquals(FrameLayout.of(PixelFormat.NV12, 320, 180), tried.toLayout().orElseThrow());
            assertEquals(set, camera.getFormat(CAPTURE), "TRY_FMT changed nothing");

            // vivid has no MJPEG: TRY_FMT substitutes, S_FMT refuses and says so
            FourCc mjpeg = FourCc.of("MJPG");
            assertFalse(camera.tryFormat(VideoFormat.of(CAPTURE, mjpeg, WIDTH, HEIGHT)).fourccName().equals("MJPG"));
            KernelException lacking = assertThrows(KernelException.class,
                    () -> camera.setFormat(VideoFormat.of(CAPTURE, mjpeg, WIDTH, HEIGHT)));
            System.out.println("lacking: " + lacking.getMessage());
            assertEquals(Errno.EINVAL, lacking.errno());
            assertTrue(lacking.getMessage().startsWith("VIDIOC_S_FMT on " + camera.path()
                    + ": EINVAL (Invalid argument): V4L2_BUF_TYPE_VIDEO_CAPTURE does not offer MJPG"),
                    lacking.getMessage());
            assertTrue(lacking.getMessage().contains("; it offers YUYV UYVY YVYU VYUY"), lacking.getMessage());
            assertTrue(lacking.getMessage().contains(" XR24 "), lacking.getMessage());
            assertEquals(set, camera.getFormat(CAPTURE), "the refused S_FMT changed nothing");

            KernelException noQueue = assertThrows(KernelException.class, () -> camera.getFormat(BufferType.VIDEO_OUTPUT));
            assertTrue(noQueue.getMessage().startsWith("VIDIOC_G_FMT on " + camera.path() + ": EINVAL"),
                    noQueue.getMessage());
        }
    }

    @Test
    void theQueueDescribesWhatItSupports() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoQueue queue = camera.openQueue(CAPTURE)) {
            QueueInfo info = queue.info();
            System.out.println("queue: " + info);
            assertTrue(info.capabilities().containsAll(List.of(QueueCapability.SUPPORTS_MMAP,
                    QueueCapability.SUPPORTS_DMABUF, QueueCapability.SUPPORTS_ORPHANED_BUFS,
                    QueueCapability.SUPPORTS_MAX_NUM_BUFFERS)), info.toString());
            assertEquals(0, info.unknownCapabilityBits());
            assertTrue(info.canExport() && info.canImport() && info.createBuffers());
            assertTrue(info.maxBuffers() >= 32, info.toString());
            assertEquals(4096, info.alignment());
            assertEquals(List.of(), queue.buffers(), "describing allocated nothing");
        }
    }

    @Test
    void mmapCaptureHoldsTheColourBarsAndSolidColours() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            long pitch = format.planes().get(0).bytesPerLine();
            List<VideoBuffer> buffers = queue.allocate(4);
            assertEquals(4, buffers.size());
            for (VideoBuffer buffer : buffers) {
                assertEquals(Memory.MMAP, buffer.memory());
                assertEquals(1, buffer.planeCount());
                assertTrue(buffer.length(0) >= format.sizeImage(0));
                assertEquals(buffer.length(0), buffer.plane(0).byteSize());
            }
            for (int pattern : new int[] {Vivid.COLORBAR_75, Vivid.SOLID_RED, Vivid.SOLID_GREEN, Vivid.SOLID_BLUE}) {
                Vivid.pattern(node, pattern);
                for (VideoBuffer buffer : buffers) {
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                List<VideoBuffer> frames = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    VideoBuffer frame = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame in 10 s"));
                    frames.add(frame);
                    assertFalse(frame.isError());
                    assertEquals(format.sizeImage(0), frame.bytesUsed(0));
                    assertEquals(Field.NONE, frame.field());
                    assertTrue(frame.flags().contains(BufferFlag.TIMESTAMP_MONOTONIC), frame.flags().toString());
                    List<String> wrong = pattern == Vivid.COLORBAR_75
                            ? Vivid.wrongBars(frame.plane(0), pitch, WIDTH, HEIGHT)
                            : Vivid.wrongSolid(frame.plane(0), pitch, WIDTH, HEIGHT, solid(pattern));
                    assertEquals(List.of(), wrong, "pattern " + pattern + " frame " + frame.sequence());
                    queue.enqueue(frame);
                }
                // metadata of consecutive frames: sequence numbers and timestamps go up
                queue.streamOff();
                System.out.println("pattern " + pattern + ": 3 frames checked, last sequence "
                        + frames.get(2).sequence());
            }
        }
    }

    @Test
    void sequenceAndTimestampsAdvance() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            for (VideoBuffer buffer : queue.allocate(3)) {
                queue.enqueue(buffer);
            }
            queue.streamOn();
            int lastSequence = -1;
            int firstSequence = -1;
            long lastTimestamp = 0;
            for (int i = 0; i < 5; i++) {
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                long now = System.nanoTime();
                // vivid numbers a frame by the time it is filled: a capture thread that fell behind (a loaded
                // machine) fills the buffers that waited within one jiffy under one number (vivid-kthread-cap), so
                // the sequence never goes back but may repeat; the timestamp is read per frame and always grows
                assertTrue(frame.sequence() >= lastSequence, frame.sequence() + " after " + lastSequence);
                assertTrue(frame.timestampNanos() > lastTimestamp);
                if (i == 0) {
                    firstSequence = frame.sequence();
                }
                // vivid stamps frames from its own frame clock, close to CLOCK_MONOTONIC (which nanoTime reads)
                assertTrue(Math.abs(frame.timestampNanos() - now) < 5_000_000_000L,
                        "CLOCK_MONOTONIC timestamp " + frame.timestampNanos() + " vs nanoTime " + now);
                lastSequence = frame.sequence();
                lastTimestamp = frame.timestampNanos();
                queue.enqueue(frame);
            }
            assertTrue(lastSequence > firstSequence, "the sequence advanced over 5 frames: " + firstSequence
                    + " .. " + lastSequence);
        }
    }

    @Test
    void exportedMmapBuffersAreReadableThroughTheDmaBufApi() throws Exception {
        Path node = Vivid.capture();
        Vivid.pattern(node, Vivid.COLORBAR_75);
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            List<VideoBuffer> buffers = queue.allocate(2);
            List<DmaBuf> exported = new ArrayList<>();
            try {
                for (VideoBuffer buffer : buffers) {
                    exported.add(buffer.export(0));
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                DmaBuf dmaBuf = exported.get(frame.index());
                assertTrue(dmaBuf.size() >= format.sizeImage(0));
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment pixels = dmaBuf.map(arena, Access.READ);
                    try (CpuAccess cpu = dmaBuf.cpuAccess(Access.READ)) {
                        assertEquals(List.of(), Vivid.wrongBars(pixels, WIDTH * 4, WIDTH, HEIGHT));
                        assertEquals(-1, pixels.asSlice(0, format.sizeImage(0))
                                .mismatch(frame.plane(0).asSlice(0, format.sizeImage(0))), "same memory");
                    }
                }
                queue.streamOff();
            } finally {
                exported.forEach(DmaBuf::close);
            }
        }
    }

    @Test
    void dmaBufCaptureIntoHeapUdmabufAndVgemBuffers() throws Exception {
        Path node = Vivid.capture();
        long size = WIDTH * 4L * HEIGHT;
        // the display side's buffer comes from the drm module: a vgem dumb buffer, PRIME-exported
        try (Heap heap = Heap.open("system");
                DrmDevice vgem = DrmDevice.open(DrmDevices.findByDriver("vgem").orElseThrow(
                        () -> new AssertionError("no vgem card: device tests need the kernel test bed")).path());
                DumbBuffer dumb = vgem.createDumbBuffer(WIDTH, HEIGHT, 32)) {
            List<DmaBuf> owned = new ArrayList<>();
            try {
                owned.add(heap.allocate(size));
                owned.add(new UdmabufAllocator("v4l2-test").allocate(size));
                owned.add(dumb.exportDmaBuf());
                String[] names = {"system heap", "udmabuf", "vgem dumb buffer (PRIME)"};
                for (int pattern : new int[] {Vivid.COLORBAR_75, Vivid.SOLID_GREEN}) {
                    Vivid.pattern(node, pattern);
                    try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
                        camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
                        List<VideoBuffer> buffers = queue.importDmaBufs(List.of(List.of(owned.get(0)),
                                List.of(owned.get(1)), List.of(owned.get(2))));
                        for (VideoBuffer buffer : buffers) {
                            assertEquals(Memory.DMABUF, buffer.memory());
                            queue.enqueue(buffer);
                        }
                        queue.streamOn();
                        boolean[] seen = new boolean[3];
                        int count = 0;
                        while (count < 3) {
                            VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                            assertFalse(frame.isError());
                            // the pairing is stable: index i is always dma-buf i
                            assertTrue(frame.dmaBuf(0) == owned.get(frame.index()));
                            if (!seen[frame.index()]) {
                                seen[frame.index()] = true;
                                count++;
                                List<String> wrong = read(frame.dmaBuf(0), pattern);
                                assertEquals(List.of(), wrong, names[frame.index()] + " pattern " + pattern);
                            }
                            queue.enqueue(frame);
                        }
                        System.out.println("pattern " + pattern + " captured into " + String.join(", ", names));
                    }
                }
            } finally {
                owned.forEach(DmaBuf::close);
            }
        }
    }

    private static List<String> read(DmaBuf buffer, int pattern) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment pixels = buffer.map(arena, Access.READ);
            try (CpuAccess cpu = buffer.cpuAccess(Access.READ)) {
                return pattern == Vivid.COLORBAR_75 ? Vivid.wrongBars(pixels, WIDTH * 4, WIDTH, HEIGHT)
                        : Vivid.wrongSolid(pixels, WIDTH * 4, WIDTH, HEIGHT, solid(pattern));
            }
        }
    }

    private static int solid(int pattern) {
        return switch (pattern) {
            case Vivid.SOLID_RED -> 0xff0000;
            case Vivid.SOLID_GREEN -> 0x00ff00;
            case Vivid.SOLID_BLUE -> 0x0000ff;
            default -> throw new IllegalArgumentException("not a solid pattern: " + pattern);
        };
    }

    @Test
    void aDmaBufTooSmallIsRefusedWithBothSizes() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE);
             Heap heap = Heap.open("system"); DmaBuf small = heap.allocate(4096)) {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> queue.importDmaBufs(List.of(List.of(small))));
            System.out.println("too small: " + e.getMessage());
            assertEquals("VIDIOC_REQBUFS on " + camera.path() + ": dma-buf of buffer 0 plane 0 is too small: 4096"
                    + " bytes, the format XR24 640x480 needs 1228800 (sizeimage)", e.getMessage());
            assertEquals(List.of(), queue.buffers());
        }
    }
}
