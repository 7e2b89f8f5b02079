package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Output streaming through vivid's output node ("vivid-000-vid-out"), MMAP and DMABUF: frames written from Java are
 * queued, consumed at the output's frame rate and dequeued with their metadata.
 *
 * <p>vivid's output thread (vivid-kthread-out.c, {@code vivid_thread_vid_out_tick}) completes a buffer only while
 * at least one more is queued behind it: it keeps the newest queued frame as the one "on screen" (what its loopback
 * shows). A stream must therefore keep two or more buffers queued to get any back, and the last frame written only
 * returns at {@code VIDIOC_STREAMOFF} (as not dequeued). {@link #theNewestQueuedFrameStaysWithTheDriver} proves it.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class OutputDeviceTest {
    private static final BufferType OUTPUT = BufferType.VIDEO_OUTPUT;

    private VideoFormat saved;

    @BeforeEach
    void saveFormat() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out"))) {
            saved = display.getFormat(OUTPUT);
        }
    }

    @AfterEach
    void restoreFormat() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out"))) {
            display.setFormat(saved);
            assertEquals(saved, display.getFormat(OUTPUT));
        }
    }

    private static VideoFormat xrgb(VideoDevice display) throws Exception {
        VideoFormat asked = display.getFormat(OUTPUT);
        VideoFormat format = display.setFormat(VideoFormat.of(OUTPUT, PixelFormat.XRGB8888, asked.width(),
                asked.height()));
        System.out.println("output S_FMT: " + format);
        return format;
    }

    /** The byte frame {@code n} is filled with. */
    private static byte shade(int n) {
        return (byte) (0x11 * (n % 15 + 1));
    }

    @Test
    void mmapFramesWrittenFromJavaAreConsumedInOrderWithMetadata() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out"));
             VideoQueue queue = display.openQueue(OUTPUT)) {
            VideoFormat format = xrgb(display);
            int size = (int) format.sizeImage(0);
            List<VideoBuffer> buffers = queue.allocate(4);
            int count = buffers.size();
            int frames = 24;
            int written = 0;
            for (VideoBuffer buffer : buffers) {
                write(buffer, written++, size);
                queue.enqueue(buffer);
            }
            long start = System.nanoTime();
            queue.streamOn();
            int lastSequence = -1;
            long lastTimestamp = 0;
            long firstTimestamp = 0;
            // the newest queued frame stays with vivid: frames - 1 come back while streaming
            for (int n = 0; n < frames - 1; n++) {
                VideoBuffer done = queue.dequeue(5_000).orElseThrow(
                        () -> new AssertionError("vivid consumed nothing in 5 s"));
                long now = System.nanoTime();
                assertEquals(n % count, done.index(), "consumed in queueing order");
                assertFalse(done.isError(), done.toString());
                assertEquals(size, done.bytesUsed(0), "bytesused as queued");
                assertEquals(format.field(), done.field(), "the field as queued");
                assertTrue(done.flags().contains(BufferFlag.TIMESTAMP_MONOTONIC), done.flags().toString());
                assertFalse(done.flags().contains(BufferFlag.TIMESTAMP_COPY), "vivid stamps output buffers itself");
                // vivid numbers a frame by the time it is consumed: an output thread that fell behind (a loaded
                // machine) consumes the frames that waited within one jiffy, under one number, so the sequence
                // never goes back but may repeat
                assertTrue(done.sequence() >= lastSequence, done.sequence() + " after " + lastSequence);
                // vivid stamps the time it consumed the frame (CLOCK_MONOTONIC, as System.nanoTime on Linux),
                // replacing the one written
                assertNotEquals(stamp(n), done.timestampNanos());
                assertTrue(done.timestampNanos() >= start / 1000 * 1000 && done.timestampNanos() <= now,
                        done.timestampNanos() + " not within [" + start + ", " + now + "]");
                assertTrue(done.timestampNanos() > lastTimestamp);
                assertEquals(shade(n), done.plane(0).get(ValueLayout.JAVA_BYTE, size - 1), "vivid reads only");
                if (n == 0) {
                    firstTimestamp = done.timestampNanos();
                }
                lastSequence = done.sequence();
                lastTimestamp = done.timestampNanos();
                if (written < frames) {
                    write(done, written++, size);
                    queue.enqueue(done);
                }
            }
            assertEquals(frames, written);
            assertTrue(lastSequence >= frames / 2, "the sequence advanced with the frames: " + lastSequence);
            assertFalse(queue.dequeue(300).isPresent(), "the last frame stays queued");
            System.out.printf("output MMAP: %d frames consumed in %.1f ms, mean %.2f ms per frame, sequences 0..%d%n",
                    frames - 1, (lastTimestamp - firstTimestamp) / 1e6,
                    (lastTimestamp - firstTimestamp) / 1e6 / (frames - 2), lastSequence);
            queue.streamOff();
            for (VideoBuffer buffer : queue.buffers()) {
                assertFalse(buffer.isQueued(), "STREAMOFF returns every buffer");
            }
        }
    }

    private static long stamp(int n) {
        return 1_000_000_000L + n * 1_000_000L;
    }

    private static void write(VideoBuffer buffer, int n, int size) {
        buffer.plane(0).asSlice(0, size).fill(shade(n));
        buffer.setBytesUsed(0, size);
        buffer.setTimestampNanos(stamp(n));
    }

    @Test
    void theNewestQueuedFrameStaysWithTheDriver() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out"));
             VideoQueue queue = display.openQueue(OUTPUT)) {
            VideoFormat format = xrgb(display);
            int size = (int) format.sizeImage(0);
            List<VideoBuffer> buffers = queue.allocate(2);
            write(buffers.get(0), 0, size);
            queue.enqueue(buffers.get(0));
            queue.streamOn();
            long t0 = System.nanoTime();
            Optional<VideoBuffer> none = queue.dequeue(1_000);
            assertFalse(none.isPresent(), "a lone queued frame is never consumed");
            assertTrue(System.nanoTime() - t0 >= 900_000_000L, "waited the timeout");
            write(buffers.get(1), 1, size);
            queue.enqueue(buffers.get(1));
            t0 = System.nanoTime();
            VideoBuffer done = queue.dequeue(5_000).orElseThrow(() -> new AssertionError("a second frame frees none"));
            System.out.printf("output: the held frame came back %.1f ms after the next was queued%n",
                    (System.nanoTime() - t0) / 1e6);
            assertSame(buffers.get(0), done);
            assertFalse(done.isError());
            assertTrue(buffers.get(1).isQueued());
            queue.streamOff();
            assertFalse(buffers.get(1).isQueued(), "STREAMOFF returns the held frame");
        }
    }

    @Test
    void dmaBufFramesFromTheSystemHeapAreConsumedWithStablePairing() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out"));
             VideoQueue queue = display.openQueue(OUTPUT); Heap heap = Heap.open("system");
             Arena arena = Arena.ofConfined()) {
            VideoFormat format = xrgb(display);
            int size = (int) format.sizeImage(0);
            List<DmaBuf> heapBuffers = new ArrayList<>();
            try {
                List<List<DmaBuf>> frames = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    DmaBuf dmaBuf = heap.allocate(size);
                    heapBuffers.add(dmaBuf);
                    frames.add(List.of(dmaBuf));
                }
                List<VideoBuffer> buffers = queue.importDmaBufs(frames);
                int written = 0;
                for (VideoBuffer buffer : buffers) {
                    assertEquals(size, buffer.bytesUsed(0), "defaults to the whole frame");
                    fill(buffer.dmaBuf(0), arena, written++, size);
                    buffer.setTimestampNanos(stamp(buffer.index()));
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                int lastSequence = -1;
                int total = 9;
                for (int n = 0; n < total - 1; n++) {
                    VideoBuffer done = queue.dequeue(5_000).orElseThrow(
                            () -> new AssertionError("vivid consumed no dma-buf frame in 5 s"));
                    assertEquals(n % 3, done.index());
                    assertSame(heapBuffers.get(n % 3), done.dmaBuf(0), "stable pairing");
                    assertEquals(Memory.DMABUF, done.memory());
                    assertFalse(done.isError());
                    assertEquals(size, done.bytesUsed(0));
                    assertTrue(done.sequence() >= lastSequence, done.sequence() + " after " + lastSequence);
                    assertTrue(done.flags().contains(BufferFlag.TIMESTAMP_MONOTONIC));
                    lastSequence = done.sequence();
                    if (written < total) {
                        fill(done.dmaBuf(0), arena, written++, size);
                        queue.enqueue(done);
                    }
                }
                System.out.println("output DMABUF: " + (total - 1) + " frames consumed, last sequence " + lastSequence);
                queue.streamOff();
            } finally {
                queue.close();
                for (DmaBuf dmaBuf : heapBuffers) {
                    dmaBuf.close();
                }
            }
        }
    }

    private static void fill(DmaBuf dmaBuf, Arena arena, int n, int size) throws Exception {
        MemorySegment pixels = dmaBuf.map(arena, Access.READ_WRITE);
        try (CpuAccess cpu = dmaBuf.cpuAccess(Access.WRITE)) {
            pixels.asSlice(0, size).fill(shade(n));
        }
    }
}
