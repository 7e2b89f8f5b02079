package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One poll for frames and events ({@link VideoQueue#await}) on vivid's capture node: a control changed through
 * another open file wakes it as an event while the application holds every buffer, a requeued buffer wakes it as a
 * buffer, and close from another thread wakes it.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class AwaitDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    @Test
    void oneWaitSeesFramesAndEvents() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture());
             VideoDevice other = VideoDevice.open(Vivid.capture())) {
            try {
                camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
                VideoQueue queue = camera.openQueue(CAPTURE);
                VideoEvents events = camera.openEvents();
                int brightness = camera.controls().find("brightness").id();
                events.subscribe(EventType.CTRL, brightness, false);
                List<VideoBuffer> buffers = queue.allocate(2);
                for (VideoBuffer buffer : buffers) {
                    queue.enqueue(buffer);
                }
                queue.streamOn();

                assertEquals(Readiness.BUFFER, queue.await(10_000), "a frame");
                VideoBuffer first = queue.dequeue(0).orElseThrow();
                assertTrue(queue.await(10_000).buffer(), "the second frame");
                VideoBuffer second = queue.dequeue(0).orElseThrow();

                // the application holds both buffers: nothing can come until an event does
                long start = System.nanoTime();
                assertEquals(Readiness.NONE, queue.await(300));
                long waited = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waited >= 290, waited + " ms");
                other.controls().set("brightness", 90);
                assertEquals(Readiness.EVENT, queue.await(5_000), "the control change");
                VideoEvent event = events.next(0).orElseThrow();
                assertEquals(brightness, event.id());
                assertEquals(90, event.controlValue());

                queue.enqueue(first);
                assertEquals(Readiness.BUFFER, queue.await(10_000), "the requeued buffer, the event taken");
                VideoBuffer again = queue.dequeue(0).orElseThrow();
                assertEquals(first.index(), again.index());
                queue.enqueue(again);
                queue.enqueue(second);
                queue.dequeue(10_000).orElseThrow();
                queue.dequeue(10_000).orElseThrow();

                long woken = CloseWakes.wakeAfterClose(() -> queue.await(-1), queue::close);
                System.out.println("await: timed out after " + waited + " ms; close woke it after " + woken + " ms");
                events.close();
            } finally {
                other.controls().set("brightness", 128);
            }
        }
    }
}
