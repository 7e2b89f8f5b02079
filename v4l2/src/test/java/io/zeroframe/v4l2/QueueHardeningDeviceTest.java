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
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.heaps.Heap;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failure paths and lifetimes of {@link VideoQueue} on vivid's single-planar capture and output nodes (instance 0):
 * closing while another thread holds a buffer's memory in a native call, a batch of {@code addBuffers} whose
 * mapping fails, stale buffers, opens racing the device's close, and the messages of misuse.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class QueueHardeningDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;

    @Test
    void aFailedBatchOnAFilledQueueLeavesNoHole() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(CAPTURE)) {
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            queue.allocate(2);
            try (QueueTestSupport.MappingBudget budget = QueueTestSupport.MappingBudget.fillLeaving(1)) {
                KernelException refused = assertThrows(KernelException.class, () -> queue.addBuffers(2, format));
                assertEquals(Errno.ENOMEM, refused.errno(), refused.getMessage());
            }
            assertEquals(2, queue.buffers().size());
            assertEquals(2, ProcessFds.mappingsOf(node.toString()), "the failed batch's mapping is undone");
            VideoBuffer added = queue.addBuffers(1, format).get(0);
            List<VideoBuffer> all = queue.buffers(); // threw NullPointerException on the holes
            System.out.println("after a failed batch: added " + added + ", buffers " + all);
            assertEquals(3, all.size());
            assertTrue(all.contains(added));
            queue.streamOff(); // threw NullPointerException on the holes
            for (VideoBuffer buffer : all) {
                queue.enqueue(buffer);
            }
            queue.streamOn();
            VideoBuffer frame = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame"));
            assertEquals(format.sizeImage(0), frame.bytesUsed(0));
        }
    }

    @Test
    void aStaleBufferIsNeitherMappedNorExported() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE);
             Arena arena = Arena.ofConfined()) {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            VideoBuffer old = queue.allocate(2).get(0);
            queue.allocate(2); // REQBUFS: index 0 is another buffer now
            IllegalStateException map = assertThrows(IllegalStateException.class, () -> old.map(0, arena));
            AtomicReference<DmaBuf> wrong = new AtomicReference<>();
            try {
                IllegalStateException export = assertThrows(IllegalStateException.class,
                        () -> wrong.set(old.export(0)));
                assertEquals(map.getMessage().replace("mmap", "VIDIOC_EXPBUF"), export.getMessage());
                System.out.println("stale export: " + export.getMessage());
            } finally {
                if (wrong.get() != null) {
                    wrong.get().close();
                }
            }
        }
    }

    @Test
    void opensRacingTheDevicesCloseLeaveNoFdOpen() throws Exception {
        Path node = Vivid.capture();
        VideoDevice camera = VideoDevice.open(node);
        List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CountDownLatch opening = new CountDownLatch(1);
        Thread opener = null;
        try {
            for (int i = 0; i < 150; i++) {
                opened.add(camera.openEvents()); // the device's close has these to close first: a wide window
            }
            opener = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        opened.add(i % 2 == 0 ? camera.openEvents() : camera.openQueue(CAPTURE));
                        opening.countDown();
                    }
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            assertTrue(opening.await(10, TimeUnit.SECONDS));
            camera.close();
            opener.join(10_000);
            assertInstanceOf(FdClosedException.class, ended.get(), String.valueOf(ended.get()));
            int late = opened.size() - 150;
            System.out.println("opens racing close: " + late + " opened before the close refused them: "
                    + ended.get().getMessage());
            assertEquals(0, QueueTestSupport.fdsOf(node), "fds of " + node + " after the device closed");
            for (AutoCloseable stream : opened) {
                if (stream instanceof VideoQueue queue) {
                    assertFalse(queue.isOpen(), queue.toString());
                }
            }
        } finally {
            camera.close();
            if (opener != null) {
                opener.join(10_000);
            }
            for (AutoCloseable stream : opened) {
                stream.close();
            }
        }
    }

    @Test
    void outputBytesUsedDefaultsToTheFormatsSizeForMmapAndDmaBuf() throws Exception {
        try (VideoDevice display = VideoDevice.open(Vivid.node(0, "out")); Heap heap = Heap.open("system")) {
            BufferType output = BufferType.VIDEO_OUTPUT;
            VideoFormat saved = display.getFormat(output);
            try (VideoQueue queue = display.openQueue(output)) {
                VideoFormat format = display.setFormat(VideoFormat.of(output, PixelFormat.YUYV, saved.width(),
                        saved.height()));
                long size = format.sizeImage(0);
                // buffers with room to spare (VIDIOC_CREATE_BUFS takes any sizeimage at least the format's)
                PlaneFormat plane = format.planes().get(0);
                VideoFormat roomy = new VideoFormat(output, format.fourcc(), format.width(), format.height(),
                        format.field(), 0, 0, 0, 0, 0, List.of(new PlaneFormat(plane.bytesPerLine(), size + 65536)));
                VideoBuffer mmap = queue.addBuffers(1, roomy).get(0);
                assertEquals(size + 65536, mmap.length(0), "the buffer's length");
                assertEquals(size, mmap.bytesUsed(0), "MMAP bytesused for " + format);
                queue.release();
                try (DmaBuf frame = heap.allocate(mmap.length(0))) {
                    VideoBuffer imported = queue.importDmaBufs(List.of(List.of(frame))).get(0);
                    assertEquals(size, imported.bytesUsed(0), "DMABUF bytesused for " + format);
                    queue.release();
                }
            } finally {
                display.setFormat(saved);
            }
        }
    }

    @Test
    void importDmaBufsRefusesAWrongArgumentBeforeAnyIoctl() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE);
             Heap heap = Heap.open("system")) {
            VideoFormat format = camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            try (DmaBuf a = heap.allocate(format.sizeImage(0)); DmaBuf b = heap.allocate(format.sizeImage(0))) {
                IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                        () -> queue.importDmaBufs(List.of(List.of(a, b))));
                System.out.println("two dma-bufs for one plane: " + two.getMessage());
                assertTrue(two.getMessage().startsWith("VIDIOC_REQBUFS on " + camera.path() + ": buffer 0 has 2"
                        + " dma-bufs"), two.getMessage());
                assertEquals(List.of(), queue.buffers());
            }
        }
    }

    @Test
    void releaseForgetsWhatWasQueued() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture()); VideoQueue queue = camera.openQueue(CAPTURE)) {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            VideoBuffer buffer = queue.allocate(2).get(0);
            queue.enqueue(buffer);
            assertTrue(buffer.isQueued());
            queue.release();
            assertFalse(buffer.isQueued(), "a freed buffer is not with the driver");
            IllegalArgumentException stale = assertThrows(IllegalArgumentException.class,
                    () -> queue.enqueue(buffer));
            assertEquals("VIDIOC_QBUF on " + camera.path() + ": " + buffer
                    + " is not one of this queue's current buffers", stale.getMessage());
        }
    }

    @Test
    void aQueueTypeTheNodeLacksIsRefusedWhenOpened() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            for (BufferType lacking : List.of(BufferType.VIDEO_CAPTURE_MPLANE, BufferType.META_CAPTURE)) {
                KernelException e = assertThrows(KernelException.class, () -> camera.openQueue(lacking).close());
                System.out.println("open " + lacking + ": " + e.getMessage());
                assertEquals(Errno.EINVAL, e.errno());
                assertTrue(e.getMessage().endsWith("the node has no " + lacking.kernelName() + " queue; its queues: "
                        + camera.bufferTypes()), e.getMessage());
            }
        }
    }

    @Test
    void aSecondOpenerIsToldAnotherFileHoldsTheBuffers() throws Exception {
        Path node = Vivid.capture();
        try (VideoDevice owner = VideoDevice.open(node); VideoQueue queue = owner.openQueue(CAPTURE);
             VideoDevice second = VideoDevice.open(node); VideoQueue other = second.openQueue(CAPTURE)) {
            owner.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 160, 120));
            queue.allocate(2);
            KernelException format = assertThrows(KernelException.class,
                    () -> second.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180)));
            KernelException allocate = assertThrows(KernelException.class, () -> other.allocate(2));
            System.out.println("second opener: " + format.getMessage() + " / " + allocate.getMessage());
            for (KernelException e : List.of(format, allocate)) {
                assertEquals(Errno.EBUSY, e.errno());
                assertTrue(e.getMessage().contains("another file holds the node's buffers"), e.getMessage());
            }
        }
    }
}
