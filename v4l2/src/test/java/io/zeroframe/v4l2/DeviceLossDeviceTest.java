package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A device that disappears while it streams: vivid's {@code disconnect} control unregisters its instance's nodes as
 * unplugging a USB camera would. The test bed loads a third vivid instance (vivid-002) for this test alone, so that a
 * leak here (which would keep the instance disconnected) cannot break the tests of the other instances.
 *
 * <p>After the loss every call on the node throws {@link DeviceGoneException}, a buffer exported before the loss
 * still holds its pixels (the dma-buf keeps its memory), and closing the queue, the event reader and the device
 * releases every fd and mapping ({@link NoLeaks}). vivid then "reconnects" the instance, which it does only once the
 * last file of its nodes is released: the node answering again is the kernel's own proof that nothing stayed open.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DeviceLossDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    @Test
    void afterADisconnectEveryCallSaysTheDeviceIsGoneAndCloseReleasesEverything() throws Exception {
        Path node = Vivid.node(2, "cap");
        VideoDevice camera = VideoDevice.open(node);
        VideoQueue queue = null;
        VideoEvents events = null;
        DmaBuf exported = null;
        try (Arena arena = Arena.ofConfined()) {
            Vivid.pattern(camera, Vivid.COLORBAR_75);
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
            queue = camera.openQueue(CAPTURE);
            List<VideoBuffer> buffers = queue.allocate(3);
            exported = buffers.get(0).export(0);
            MemorySegment mapped = buffers.get(1).plane(0); // a mapping in the queue's arena
            for (VideoBuffer buffer : buffers) {
                queue.enqueue(buffer);
            }
            events = camera.openEvents();
            events.subscribe(EventType.CTRL, camera.controls().find("brightness").id(), false);
            queue.streamOn();
            VideoBuffer first = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame in 10 s"));
            queue.enqueue(first);
            int framesBefore = first.sequence() + 1;

            camera.controls().press("disconnect");

            // every call on the node now says the device is gone, naming the call and the node
            VideoQueue stream = queue;
            DeviceGoneException dequeue = assertThrows(DeviceGoneException.class, () -> stream.dequeue(5_000));
            assertGone(dequeue, "VIDIOC_DQBUF", node);
            assertGone(assertThrows(DeviceGoneException.class, () -> camera.getFormat(CAPTURE)), "VIDIOC_G_FMT", node);
            assertGone(assertThrows(DeviceGoneException.class, () -> camera.controls().get("brightness")),
                    "VIDIOC_G_EXT_CTRLS", node);
            VideoEvents reader = events;
            assertGone(assertThrows(DeviceGoneException.class, () -> reader.next(1_000)), "VIDIOC_DQEVENT", node);
            assertGone(assertThrows(DeviceGoneException.class, stream::streamOff), "VIDIOC_STREAMOFF", node);
            DeviceGoneException map = assertThrows(DeviceGoneException.class, () -> buffers.get(2).map(0, arena));
            assertGone(map, "mmap (V4L2 buffer 2 plane 0)", node);
            assertTrue(dequeue.getMessage().contains("close it and find the device again"), dequeue.getMessage());
            // a new open finds no device: the node is gone or answers ENODEV
            KernelException reopen = assertThrows(KernelException.class, () -> VideoDevice.open(node).close());
            assertTrue(reopen.errno() == Errno.ENOENT || reopen instanceof DeviceGoneException, reopen.toString());
            System.out.println("device loss: reopen " + reopen.getMessage());

            // memory the application holds stays valid: the mapping in the queue's arena and the exported dma-buf
            long sum = 0;
            for (long at = 0; at < mapped.byteSize(); at += 4096) {
                sum += mapped.get(ValueLayout.JAVA_BYTE, at);
            }
            assertTrue(mapped.byteSize() >= format.sizeImage(0), "mapping of " + mapped.byteSize() + " B, sum " + sum);
            MemorySegment pixels = exported.map(arena, Access.READ);
            try (var bracket = exported.cpuAccess(Access.READ)) {
                long pitch = format.planes().get(0).bytesPerLine();
                assertEquals(List.of(), Vivid.wrongBars(pixels, pitch, format.width(), format.height()),
                        "the frame exported before the loss");
            }
            System.out.println("device loss: " + framesBefore + " frame(s) before the disconnect; after it "
                    + dequeue.getMessage());
        } finally {
            // close releases everything although the kernel refuses every call now
            if (exported != null) {
                exported.close();
            }
            if (events != null) {
                events.close();
            }
            if (queue != null) {
                queue.close();
                assertFalse(queue.isOpen());
            }
            camera.close();
        }
        // vivid re-registers a disconnected instance when the last file of its nodes is released
        // (vivid_fop_release: "reconnect"), so the node answering again proves nothing was left open
        long start = System.nanoTime();
        try (VideoDevice again = VideoDevice.open(node)) {
            assertEquals("vivid-002-vid-cap", again.info().name());
            assertEquals(CAPTURE, again.getFormat(CAPTURE).type());
        }
        System.out.printf("device loss: the node answered again %.1f ms after the last close%n",
                (System.nanoTime() - start) / 1e6);
    }

    private static void assertGone(KernelException e, String operation, Path node) {
        assertEquals(operation, e.operation(), e.getMessage());
        assertEquals(node.toString(), e.path(), e.getMessage());
        assertEquals(Errno.ENODEV, e.errno(), e.getMessage());
    }
}
