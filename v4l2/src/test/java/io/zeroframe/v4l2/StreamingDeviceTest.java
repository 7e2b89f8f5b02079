package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streaming queue's lifetimes and failures on vivid's capture node: timeouts, close from another thread,
 * 1,000 queue/dequeue cycles without leaks, and the misuse a caller can make (REQBUFS while mapped or streaming,
 * a buffer queued twice, a dequeue before STREAMON, a closed queue).
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class StreamingDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    private static VideoQueue streaming(VideoDevice camera, int count) throws Exception {
        camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
        VideoQueue queue = camera.openQueue(CAPTURE);
        for (VideoBuffer buffer : queue.allocate(count)) {
            queue.enqueue(buffer);
        }
        queue.streamOn();
        return queue;
    }

    @Test
    void aDequeueThatTimesOutIsEmpty() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = streaming(camera, 2)) {
            assertTrue(queue.dequeue(10_000).isPresent());
            assertTrue(queue.dequeue(10_000).isPresent());
            // both buffers are with the application: nothing can come
            long start = System.nanoTime();
            assertEquals(Optional.empty(), queue.dequeue(300));
            long waited = (System.nanoTime() - start) / 1_000_000;
            System.out.println("timed-out dequeue returned empty after " + waited + " ms (timeout 300 ms)");
            assertTrue(waited >= 290 && waited < 3000, waited + " ms");
            assertEquals(Optional.empty(), queue.dequeue(0));
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedDequeue() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            VideoQueue queue = streaming(camera, 2);
            queue.dequeue(10_000).orElseThrow();
            queue.dequeue(10_000).orElseThrow();
            long woken = CloseWakes.wakeAfterClose(() -> queue.dequeue(-1), queue::close);
            System.out.println("blocked dequeue woke " + woken + " ms after close");
            assertFalse(queue.isOpen());
            FdClosedException after = assertThrows(FdClosedException.class, () -> queue.dequeue(0));
            assertTrue(after.getMessage().startsWith("VIDIOC_DQBUF on " + camera.path()), after.getMessage());
            // the device is still usable: the queue freed its buffers, so the format can change. Until close()
            // waited for the woken dequeue to leave poll, its last pass could see the freed queue and start vb2's
            // read() emulation, and this S_FMT got EBUSY (2-6 of 80 repetitions; 0 of 80 since)
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 640, 480));
        }
    }

    @Test
    void awaitOnAQueueWithoutBuffersWaitsForEventsOnlyAndAllocatesNothing() throws Exception {
        // vb2 starts read() emulation (buffers and a stream of its own) when a capture node without buffers is
        // polled for POLLIN; the node would then refuse S_FMT with EBUSY until it closed
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE)) {
            long start = System.nanoTime();
            Readiness ready = queue.await(200);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertFalse(ready.buffer(), ready.toString());
            assertFalse(ready.event(), ready.toString());
            assertTrue(waited >= 190, "await returned after " + waited + " ms: it did not wait");
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 640, 480)); // EBUSY if it had started
            assertEquals(0, ProcessFds.mappingsOf(camera.path().toString()));
        }
    }

    @Test
    void closingTheDeviceClosesItsQueues() throws Exception {
        VideoDevice camera = VideoDevice.open(Vivid.capture());
        VideoQueue queue = streaming(camera, 2);
        VideoBuffer buffer = queue.dequeue(10_000).orElseThrow();
        MemorySegment plane = buffer.plane(0);
        camera.close();
        assertFalse(queue.isOpen());
        assertThrows(IllegalStateException.class, () -> plane.get(ValueLayout.JAVA_BYTE, 0), "unmapped");
        assertEquals(0, ProcessFds.mappingsOf(camera.path().toString()));
    }

    @Test
    void aThousandCyclesLeaveNoFdsOrMappings() throws Exception {
        Path node = Vivid.capture();
        Vivid.ctl(node, "--set-fmt-video=width=320,height=180,pixelformat=XR24", "-p", "120");
        try (VideoDevice camera = VideoDevice.open(node)) {
            for (int round = 0; round < 2; round++) {
                NoLeaks.Snapshot before = NoLeaks.Snapshot.take();
                long start;
                int errors = 0;
                try (VideoQueue queue = streaming(camera, 4)) {
                    assertEquals(4, ProcessFds.mappingsOf(node.toString()));
                    start = System.nanoTime();
                    for (int i = 0; i < 500; i++) {
                        VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                        errors += frame.isError() ? 1 : 0;
                        queue.enqueue(frame);
                    }
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                System.out.println("round " + round + ": 500 QBUF+DQBUF cycles in " + ms + " ms ("
                        + (500_000L / Math.max(1, ms)) + " frames/s), " + errors + " errored");
                assertEquals(0, errors);
                assertEquals(0, ProcessFds.mappingsOf(node.toString()), "the queue's mappings are gone");
                before.assertUnchanged("by 500 cycles and a queue close");
            }
        } finally {
            Vivid.ctl(node, "-p", "30");
        }
    }

    @Test
    void reqbufsWhileBuffersAreMappedInTheCallersArenaIsRefused() throws Exception {
        for (Function<Void, Arena> kind : List.<Function<Void, Arena>>of(v -> Arena.ofConfined(), v -> Arena.ofShared())) {
            try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE)) {
                camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
                List<VideoBuffer> buffers = queue.allocate(2);
                Arena arena = kind.apply(null);
                MemorySegment mine = buffers.get(1).map(0, arena);
                mine.set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
                assertEquals(42, buffers.get(1).plane(0).get(ValueLayout.JAVA_BYTE, 0), "one buffer, two mappings");
                KernelException busy = assertThrows(KernelException.class, queue::release);
                System.out.println("mapped: " + busy.getMessage());
                assertEquals(Errno.EBUSY, busy.errno());
                assertEquals("VIDIOC_REQBUFS on " + camera.path() + ": EBUSY (Device or resource busy): 1 mapping(s)"
                        + " of this queue's buffers are still open in the caller's arenas (VideoBuffer.map): close"
                        + " those arenas before the buffers are freed", busy.getMessage());
                assertThrows(KernelException.class, () -> queue.allocate(3));
                assertEquals(2, queue.buffers().size(), "nothing was freed");
                arena.close();
                assertEquals(3, queue.allocate(3).size());
                assertThrows(IllegalStateException.class, () -> buffers.get(1).plane(0).get(ValueLayout.JAVA_BYTE, 0),
                        "the old buffers' mappings are gone");
                assertThrows(IllegalArgumentException.class, () -> queue.enqueue(buffers.get(0)),
                        "a buffer of the old allocation");
            }
        }
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE)) {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
            KernelException noBuffers = assertThrows(KernelException.class, queue::streamOn);
            assertTrue(noBuffers.getMessage().startsWith("VIDIOC_STREAMON on " + camera.path() + ": EINVAL"),
                    noBuffers.getMessage());
            List<VideoBuffer> buffers = queue.allocate(2);
            queue.enqueue(buffers.get(0));
            KernelException twice = assertThrows(KernelException.class, () -> queue.enqueue(buffers.get(0)));
            assertEquals("VIDIOC_QBUF on " + camera.path() + ": EINVAL (Invalid argument): buffer 0 is queued already",
                    twice.getMessage());
            KernelException notStreaming = assertThrows(KernelException.class, () -> queue.dequeue(100));
            System.out.println("not streaming: " + notStreaming.getMessage());
            assertEquals(Errno.EINVAL, notStreaming.errno());
            queue.streamOn();
            KernelException busy = assertThrows(KernelException.class, () -> queue.allocate(2));
            assertEquals(Errno.EBUSY, busy.errno(), busy.getMessage());
            KernelException format = assertThrows(KernelException.class,
                    () -> camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 640, 480)));
            assertEquals(Errno.EBUSY, format.errno(), format.getMessage());
            System.out.println("streaming: " + busy.getMessage() + " / " + format.getMessage());
            queue.close();
            FdClosedException closed = assertThrows(FdClosedException.class, () -> queue.enqueue(buffers.get(1)));
            assertInstanceOf(KernelException.class, closed);
        }
    }
}
