package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.heaps.Heap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link VideoQueue#addBuffers} ({@code VIDIOC_CREATE_BUFS}) on vivid's capture node: buffers sized for a larger
 * format join a streaming queue, are mapped like the others, and take part in the stream; a queue can be filled by
 * it alone, up to its maximum; misuse is refused naming the node.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class CreateBuffersDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    @Test
    void largerBuffersJoinAStreamingQueue() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            VideoFormat small = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
            try (VideoQueue queue = camera.openQueue(CAPTURE)) {
                assertTrue(queue.info().createBuffers(), queue.info().toString());
                List<VideoBuffer> first = queue.allocate(2);
                for (VideoBuffer buffer : first) {
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                VideoFormat large = camera.tryFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 1280, 720));
                List<VideoBuffer> added = queue.addBuffers(2, large);
                assertEquals(2, added.size());
                assertEquals(List.of(2, 3), added.stream().map(VideoBuffer::index).toList());
                for (VideoBuffer buffer : added) {
                    assertTrue(buffer.length(0) >= large.sizeImage(0), buffer + " for " + large);
                    assertEquals(buffer.length(0), buffer.plane(0).byteSize());
                    queue.enqueue(buffer);
                }
                assertEquals(4, queue.buffers().size());
                assertTrue(first.get(0).length(0) >= small.sizeImage(0) && first.get(0).length(0) < large.sizeImage(0));
                Set<Integer> seen = new TreeSet<>();
                for (int i = 0; i < 12; i++) {
                    VideoBuffer done = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame"));
                    seen.add(done.index());
                    assertEquals(small.sizeImage(0), done.bytesUsed(0), done.toString());
                    queue.enqueue(done);
                }
                assertEquals(Set.of(0, 1, 2, 3), seen, "indices dequeued");
                System.out.println("CREATE_BUFS: 2 buffers of " + added.get(0).length(0) + " B joined 2 of "
                        + first.get(0).length(0) + " B while streaming; 12 frames through indices " + seen);
                VideoFormat output = VideoFormat.of(BufferType.VIDEO_OUTPUT, PixelFormat.XRGB8888, 64, 64);
                IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                        () -> queue.addBuffers(1, output));
                assertTrue(wrongType.getMessage().startsWith("VIDIOC_CREATE_BUFS on " + camera.path()),
                        wrongType.getMessage());
            }
        }
    }

    @Test
    void aFreshQueueIsFilledByAddBuffersAloneUpToItsMaximum() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            String node = camera.path().toString();
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            try (VideoQueue queue = camera.openQueue(CAPTURE)) {
                int max = queue.info().maxBuffers();
                List<VideoBuffer> all = queue.addBuffers(max + 4, format);
                assertEquals(max, all.size(), "the driver grants up to max_num_buffers");
                assertEquals(max, ProcessFds.mappingsOf(node), "every buffer mapped");
                KernelException full = assertThrows(KernelException.class, () -> queue.addBuffers(1, format));
                System.out.println("full: " + full.getMessage());
                assertEquals("ENOBUFS", full.errnoName());
                assertTrue(full.getMessage().startsWith("VIDIOC_CREATE_BUFS on " + node + ": ENOBUFS"), full.getMessage());
                assertTrue(full.getMessage().endsWith("(the queue holds " + max + " of at most " + max + ")"),
                        full.getMessage());
                queue.enqueue(all.get(0));
                queue.enqueue(all.get(1));
                queue.streamOn();
                VideoBuffer done = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame"));
                assertEquals(format.sizeImage(0), done.bytesUsed(0), done.toString());
            }
            assertEquals(0, ProcessFds.mappingsOf(node), "the queue's mappings are gone");
        }
    }

    @Test
    void misuseIsRefusedNamingTheNode() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); Heap heap = Heap.open("system")) {
            String prefix = "VIDIOC_CREATE_BUFS on " + camera.path() + ": ";
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            VideoQueue queue = camera.openQueue(CAPTURE);
            try (queue) {
                IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                        () -> queue.addBuffers(0, format));
                assertEquals(prefix + "count must be positive: 0", none.getMessage());
                try (DmaBuf frame = heap.allocate(format.sizeImage(0))) {
                    queue.importDmaBufs(List.of(List.of(frame)));
                    IllegalStateException imported = assertThrows(IllegalStateException.class,
                            () -> queue.addBuffers(1, format));
                    assertEquals(prefix + "the queue holds imported dma-bufs; add MMAP buffers to an MMAP queue",
                            imported.getMessage());
                    queue.release();
                }
            }
            FdClosedException closed = assertThrows(FdClosedException.class, () -> queue.addBuffers(1, format));
            assertEquals(prefix + "EBADF (Bad file descriptor): the queue is closed", closed.getMessage());
        }
    }
}
