package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel's buffers are freed whatever happens on the way: a queue closed (through its device) while another
 * thread holds a buffer's memory in a native call, and a fresh queue whose mapping fails in {@code addBuffers}.
 * Each leaves the node free for the next opener (vb2 gives a node's buffers to one file at a time), which is what
 * the tests check with a second file.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class QueueReleaseDeviceTest {
    private static final BufferType CAPTURE = BufferType.VIDEO_CAPTURE;
    private static final BufferType MPLANE = BufferType.VIDEO_CAPTURE_MPLANE;

    @Test
    void closeWhileAnotherThreadReadsIntoAPlaneReleasesTheFdsAndTheBuffers() throws Exception {
        Path node = Vivid.capture();
        OwnedFd[] pipe = Syscalls.pipe(0);
        VideoDevice camera = VideoDevice.open(node);
        AtomicReference<Object> read = new AtomicReference<>();
        Thread reader = null;
        try {
            camera.setFormat(VideoFormat.of(CAPTURE, PixelFormat.XRGB8888, 320, 180));
            VideoQueue queue = camera.openQueue(CAPTURE);
            MemorySegment plane = queue.allocate(2).get(0).plane(0).asSlice(0, 16);
            reader = Thread.ofPlatform().start(() -> {
                try {
                    read.set(Syscalls.read(pipe[0], plane)); // blocks in read(2) holding the plane's arena
                } catch (Throwable t) {
                    read.set(t);
                }
            });
            QueueTestSupport.awaitBlockedInRead(pipe[0].get());

            camera.close(); // must neither throw nor leave an fd open
            assertFalse(camera.isOpen());
            assertFalse(queue.isOpen());
            assertEquals(0, QueueTestSupport.fdsOf(node), "fds of " + node + " after close");
            // the kernel's buffers were freed (REQBUFS 0): another file may allocate
            try (VideoDevice other = VideoDevice.open(node); VideoQueue second = other.openQueue(CAPTURE)) {
                assertEquals(2, second.allocate(2).size());
            }
        } finally {
            camera.close();
            Syscalls.write(pipe[1], Arena.ofAuto().allocate(16));
            if (reader != null) {
                reader.join(10_000);
            }
            pipe[0].close();
            pipe[1].close();
        }
        assertEquals(16L, read.get(), "the read into the plane ended");
        // the queue's mappings go once the native call no longer holds them
        QueueTestSupport.awaitTrue(() -> ProcessFds.mappingsOf(node.toString()) == 0,
                "the queue's mappings of " + node + " unmapped");
    }

    @Test
    void aFreshQueueWhoseMappingFailsKeepsNoBufferNorMapping() throws Exception {
        Path node = Vivid.node(1, "cap");
        try (VideoDevice camera = VideoDevice.open(node); VideoQueue queue = camera.openQueue(MPLANE)) {
            VideoFormat format = camera.setFormat(VideoFormat.of(MPLANE, PixelFormat.XRGB8888, 160, 120));
            KernelException refused;
            try (QueueTestSupport.MappingBudget budget = QueueTestSupport.MappingBudget.fillLeaving(1)) {
                refused = assertThrows(KernelException.class, () -> queue.addBuffers(2, format));
            }
            System.out.println("fresh addBuffers, second mmap refused: " + refused.getMessage());
            assertEquals(Errno.ENOMEM, refused.errno(), refused.getMessage());
            assertEquals(List.of(), queue.buffers());
            assertEquals(0, ProcessFds.mappingsOf(node.toString()), "the first buffer's mapping is undone");
            // no buffer stays in the kernel: the format may change (EBUSY while buffers exist)
            camera.setFormat(VideoFormat.of(MPLANE, PixelFormat.XRGB8888, 320, 180));
            assertEquals(2, queue.addBuffers(2, camera.getFormat(MPLANE)).size());
        }
    }
}
