package io.zeroframe.v4l2.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink's relabelling (an ARGB8888 frame into a queue set to XRGB8888: the same bytes, dma-bufs duplicated for
 * the import and closed at release) and the endpoints of vim2m's two queues, on the test bed's drivers.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class QueueSinkDeviceTest {
    private static VideoDeviceInfo node(String driver, String name) throws Exception {
        for (VideoDeviceInfo info : VideoDevices.findByDriver(driver)) {
            if (name == null || info.name().equals(name)) {
                return info;
            }
        }
        throw new AssertionError("no " + driver + " node " + name + "; device tests need the kernel test bed");
    }

    @Test
    void anArgbFrameIsImportedAsXrgbIntoAQueueThatTakesOnlyXrgb() throws Exception {
        BufferType capture = BufferType.VIDEO_CAPTURE;
        try (VideoDevice camera = VideoDevice.open(node("vivid", "vivid-000-vid-cap"));
             VideoQueue queue = camera.openQueue(capture); Heap heap = Heap.open("system")) {
            Endpoint xrgbOnly = Endpoint.builder("vivid XR24 only", Role.PRODUCER)
                    .offer(FormatOffer.linear(PixelFormat.XRGB8888)).imports(true).build();
            QueueSink sink = new QueueSink(queue, xrgbOnly);
            FrameLayout layout = FrameLayout.of(PixelFormat.ARGB8888, 640, 480);
            try (Frame frame = Frame.allocate(heap, layout)) {
                TrialResult imported = sink.importFrame(frame, new Candidate(Allocator.heap("system", false),
                        PixelFormat.ARGB8888, Modifier.LINEAR, layout));
                assertEquals(TrialResult.ACCEPTED, imported);
                assertEquals(FourCc.of(PixelFormat.XRGB8888), camera.getFormat(capture).fourcc());
                VideoBuffer buffer = queue.buffers().getFirst();
                assertNotSame(frame.plane(0).buffer(), buffer.dmaBuf(0));
                assertTrue(buffer.dmaBuf(0).sameBufferAs(frame.plane(0).buffer()), "a duplicate of the frame's fd");
            } finally {
                sink.release();
            }
            assertEquals(List.of(), queue.buffers());
        }
    }

    @Test
    void vim2mQueuesAreStagesOnEitherSide() throws Exception {
        try (VideoDevice vim2m = VideoDevice.open(node("vim2m", null));
             VideoQueue output = vim2m.openQueue(BufferType.VIDEO_OUTPUT);
             VideoQueue capture = vim2m.openQueue(BufferType.VIDEO_CAPTURE)) {
            for (VideoQueue queue : List.of(output, capture)) {
                Endpoint endpoint = VideoEndpoint.of(queue, Role.STAGE, 640, 480).endpoint();
                System.out.println(endpoint.name() + ": " + endpoint.offers() + ", "
                        + endpoint.offers().getFirst().limits() + ", exports " + endpoint.exports() + ", imports "
                        + endpoint.imports() + ", holds " + endpoint.holds());
                assertEquals("vim2m " + vim2m.path() + " " + (queue == output ? "output" : "capture"),
                        endpoint.name());
                assertFalse(endpoint.offers().isEmpty());
                assertTrue(endpoint.imports());
                assertTrue(endpoint.exports().isPresent());
                assertEquals(1, endpoint.holds());
            }
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> VideoEndpoint.of(output, Role.PRODUCER, 640, 480));
            assertTrue(wrong.getMessage().contains("an output queue cannot be a PRODUCER"), wrong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> VideoEndpoint.of(capture, Role.CONSUMER, 640, 480));
        }
    }
}
