package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vivid's own fault injection on its capture node, through its controls: each fault surfaces as the documented
 * exception, an errored buffer or dropped frames, and the stream restarts where the device allows. vivid's
 * "disconnect" is {@link DeviceLossDeviceTest}'s, on an instance of its own.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class FaultInjectionDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    private static void enqueueAll(VideoQueue queue, List<VideoBuffer> buffers) throws Exception {
        for (VideoBuffer buffer : buffers) {
            queue.enqueue(buffer);
        }
    }

    private static List<VideoBuffer> prepare(VideoDevice camera, VideoQueue queue, int count) throws Exception {
        camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
        return queue.allocate(count);
    }

    @Test
    void anInjectedQbufErrorFailsOneQbufAndTheNextSucceeds() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            List<VideoBuffer> buffers = prepare(camera, queue, 2);
            camera.controls().press("inject_vidioc_qbuf_error");
            KernelException e = assertThrows(KernelException.class, () -> queue.enqueue(buffers.get(0)));
            System.out.println("injected QBUF error: " + e.getMessage());
            assertEquals("VIDIOC_QBUF on " + node + ": EINVAL (Invalid argument): buffer 0", e.getMessage());
            assertFalse(buffers.get(0).isQueued());
            queue.enqueue(buffers.get(0));
            queue.enqueue(buffers.get(1));
            queue.streamOn();
            assertTrue(queue.dequeue(10_000).isPresent());
        }
    }

    @Test
    void anInjectedStreamonErrorFailsStreamonAndTheStreamStartsAfterwards() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            List<VideoBuffer> buffers = prepare(camera, queue, 2);
            enqueueAll(queue, buffers);
            camera.controls().press("inject_vidioc_streamon_error");
            KernelException e = assertThrows(KernelException.class, queue::streamOn);
            System.out.println("injected STREAMON error: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("VIDIOC_STREAMON on " + node + ": EINVAL"), e.getMessage());
            assertFalse(queue.isStreaming());
            // the buffers stay queued (vb2 keeps them on a failed start): the second STREAMON starts
            queue.streamOn();
            assertTrue(queue.dequeue(10_000).isPresent());
        }
    }

    @Test
    void aFatalStreamingErrorFailsDequeueWithEioAndTheStreamRestarts() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            List<VideoBuffer> buffers = prepare(camera, queue, 3);
            enqueueAll(queue, buffers);
            queue.streamOn();
            queue.enqueue(queue.dequeue(10_000).orElseThrow());
            camera.controls().press("inject_fatal_streaming_error");
            KernelException e = assertThrows(KernelException.class, () -> queue.dequeue(10_000));
            System.out.println("fatal streaming error: " + e.getMessage());
            assertEquals(Errno.EIO, e.errno());
            assertTrue(e.getMessage().endsWith("the stream failed (a fatal driver error): stop it and start again"));
            queue.streamOff();
            enqueueAll(queue, buffers);
            queue.streamOn();
            assertTrue(queue.dequeue(10_000).isPresent(), "the restarted stream delivers");
        }
    }

    @Test
    void anInjectedBufferErrorMarksOneBufferAndTheStreamGoesOn() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            List<VideoBuffer> buffers = prepare(camera, queue, 3);
            enqueueAll(queue, buffers);
            queue.streamOn();
            queue.enqueue(queue.dequeue(10_000).orElseThrow());
            camera.controls().press("inject_v4l2_buf_flag_error");
            int errored = 0;
            int good = 0;
            for (int i = 0; i < 4; i++) {
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                if (frame.isError()) {
                    errored++;
                    assertTrue(frame.flags().contains(BufferFlag.ERROR));
                } else {
                    good++;
                }
                queue.enqueue(frame);
            }
            System.out.println("inject_v4l2_buf_flag_error: " + errored + " errored, " + good + " good of 4");
            assertEquals(1, errored);
        }
    }

    @Test
    void droppedBuffersShowAsGapsInTheSequence() throws Exception {
        Path node = Vivid.capture();
        Vivid.ctl(node, "-p", "60");
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            List<VideoBuffer> buffers = prepare(camera, queue, 3);
            camera.controls().set("percentage_of_dropped_buffers", 100);
            enqueueAll(queue, buffers);
            queue.streamOn();
            assertEquals(Optional.empty(), queue.dequeue(500), "every frame dropped: nothing comes");
            camera.controls().set("percentage_of_dropped_buffers", 50);
            int gaps = 0;
            int last = -1;
            for (int i = 0; i < 20; i++) {
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
                assertFalse(frame.isError());
                if (last >= 0 && frame.sequence() != last + 1) {
                    gaps++;
                }
                last = frame.sequence();
                queue.enqueue(frame);
            }
            System.out.println("50% dropped: " + gaps + " sequence gaps in 20 frames");
            assertTrue(gaps > 0);
        } finally {
            Vivid.ctl(node, "-c", "percentage_of_dropped_buffers=0", "-p", "30");
        }
    }
}
