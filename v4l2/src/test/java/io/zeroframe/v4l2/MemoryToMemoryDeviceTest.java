package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vim2m, the kernel's memory-to-memory test driver, converts frames written from Java: RGB24 in on its output
 * queue, YUYV out of its capture queue, both queues on one open node. The expected pixels are computed here with
 * vim2m's own integer formulas (drivers/media/test-drivers/vim2m.c, copy_two_pixels), so every byte must match.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class MemoryToMemoryDeviceTest {
    private static final int WIDTH = 64;
    private static final int HEIGHT = 32;
    private static final FourCc RGB24 = FourCc.of("RGB3");
    private static final FourCc YUYV = FourCc.of("YUYV");

    private static Path vim2m() throws Exception {
        List<VideoDeviceInfo> found = VideoDevices.findByDriver("vim2m");
        assertFalse(found.isEmpty(), "no vim2m node; device tests need the kernel test bed");
        return found.get(0).path();
    }

    /** A colourful, position-dependent test frame: R from x, G from y, B from both. */
    private static int[] rgb(int x, int y) {
        return new int[] {(x * 4) & 0xff, (y * 8) & 0xff, (x * 3 + y * 5) & 0xff};
    }

    private static void write(MemorySegment frame, long pitch) {
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int[] c = rgb(x, y);
                long at = y * pitch + x * 3L;
                frame.set(ValueLayout.JAVA_BYTE, at, (byte) c[0]);
                frame.set(ValueLayout.JAVA_BYTE, at + 1, (byte) c[1]);
                frame.set(ValueLayout.JAVA_BYTE, at + 2, (byte) c[2]);
            }
        }
    }

    /** vim2m's YUYV of pixels (x, y) and (x + 1, y): y0, u, y1, v. */
    private static int[] expectedYuyv(int x, int y) {
        int[] a = rgb(x, y);
        int[] b = rgb(x + 1, y);
        int y0 = (8453 * a[0] + 16594 * a[1] + 3223 * a[2] + 524288) >> 15;
        int u = (-4878 * a[0] - 9578 * a[1] + 14456 * a[2] + 4210688) >> 15;
        int v = (14456 * a[0] - 12105 * a[1] - 2351 * a[2] + 4210688) >> 15;
        int y1 = (8453 * b[0] + 16594 * b[1] + 3223 * b[2] + 524288) >> 15;
        return new int[] {y0 & 0xff, u & 0xff, y1 & 0xff, v & 0xff};
    }

    private static int wrongBytes(MemorySegment yuyv, long pitch) {
        int wrong = 0;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x += 2) {
                int[] want = expectedYuyv(x, y);
                for (int i = 0; i < 4; i++) {
                    if (Byte.toUnsignedInt(yuyv.get(ValueLayout.JAVA_BYTE, y * pitch + x * 2L + i)) != want[i]) {
                        wrong++;
                    }
                }
            }
        }
        return wrong;
    }

    @Test
    void vim2mConvertsRgb24FramesWrittenFromJavaToYuyv() throws Exception {
        try (VideoDevice m2m = VideoDevice.open(vim2m());
             VideoQueue source = m2m.openQueue(BufferType.VIDEO_OUTPUT);
             VideoQueue result = m2m.openQueue(BufferType.VIDEO_CAPTURE)) {
            assertTrue(m2m.info().deviceCapabilities().contains(VideoCapability.VIDEO_M2M), m2m.info().toString());
            VideoFormat in = m2m.setFormat(VideoFormat.of(BufferType.VIDEO_OUTPUT, RGB24, WIDTH, HEIGHT));
            VideoFormat out = m2m.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, YUYV, WIDTH, HEIGHT));
            System.out.println("vim2m: " + in + " -> " + out);
            List<VideoBuffer> inputs = source.allocate(2);
            List<VideoBuffer> outputs = result.allocate(2);
            for (VideoBuffer buffer : outputs) {
                result.enqueue(buffer);
            }
            source.streamOn();
            result.streamOn();
            for (int frame = 0; frame < 3; frame++) {
                VideoBuffer input = frame < 2 ? inputs.get(frame) : source.dequeue(10_000).orElseThrow();
                write(input.plane(0), in.planes().get(0).bytesPerLine());
                input.setBytesUsed(0, (int) in.sizeImage(0));
                input.setTimestampNanos(1_000_000_000L * (frame + 1) + 1000);
                source.enqueue(input);
                VideoBuffer converted = result.dequeue(10_000).orElseThrow(() -> new AssertionError("vim2m converted nothing"));
                assertFalse(converted.isError());
                assertEquals(out.sizeImage(0), converted.bytesUsed(0));
                assertEquals(frame, converted.sequence());
                assertEquals(1_000_000_000L * (frame + 1) + 1000, converted.timestampNanos(),
                        "the capture buffer carries the output buffer's timestamp");
                assertTrue(converted.flags().contains(BufferFlag.TIMESTAMP_COPY), converted.flags().toString());
                assertEquals(0, wrongBytes(converted.plane(0), out.planes().get(0).bytesPerLine()),
                        "bytes of frame " + frame + " that differ from vim2m's conversion");
                result.enqueue(converted);
            }
            System.out.println("vim2m: 3 frames, " + WIDTH * HEIGHT * 2 + " bytes each, all equal to the formula");
        }
    }

    @Test
    void vim2mConvertsBetweenImportedHeapBuffers() throws Exception {
        try (VideoDevice m2m = VideoDevice.open(vim2m());
             VideoQueue source = m2m.openQueue(BufferType.VIDEO_OUTPUT);
             VideoQueue result = m2m.openQueue(BufferType.VIDEO_CAPTURE);
             Heap heap = Heap.open("system")) {
            VideoFormat in = m2m.setFormat(VideoFormat.of(BufferType.VIDEO_OUTPUT, RGB24, WIDTH, HEIGHT));
            VideoFormat out = m2m.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, YUYV, WIDTH, HEIGHT));
            try (DmaBuf rgbBuffer = heap.allocate(in.sizeImage(0)); DmaBuf yuyvBuffer = heap.allocate(out.sizeImage(0));
                 Arena arena = Arena.ofConfined()) {
                MemorySegment rgbPixels = rgbBuffer.map(arena, Access.READ_WRITE);
                try (CpuAccess cpu = rgbBuffer.cpuAccess(Access.WRITE)) {
                    write(rgbPixels, in.planes().get(0).bytesPerLine());
                }
                VideoBuffer input = source.importDmaBufs(List.of(List.of(rgbBuffer))).get(0);
                VideoBuffer output = result.importDmaBufs(List.of(List.of(yuyvBuffer))).get(0);
                result.enqueue(output);
                source.enqueue(input);
                source.streamOn();
                result.streamOn();
                VideoBuffer converted = result.dequeue(10_000).orElseThrow();
                assertTrue(converted.dmaBuf(0) == yuyvBuffer);
                assertTrue(source.dequeue(10_000).isPresent(), "the source buffer comes back");
                MemorySegment yuyv = yuyvBuffer.map(arena, Access.READ);
                try (CpuAccess cpu = yuyvBuffer.cpuAccess(Access.READ)) {
                    assertEquals(0, wrongBytes(yuyv, out.planes().get(0).bytesPerLine()));
                }
            }
        }
    }
}
