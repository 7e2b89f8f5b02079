package io.zeroframe.v4l2;


import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streaming hot path adds no allocation of its own: 300 {@code VideoQueue.dequeue} + {@code enqueue} cycles on
 * vivid's capture node (after 300 warm-up cycles) allocate no more than the bare system calls underneath (per cycle
 * up to three {@code Syscalls.tryIoctl} and one {@code Syscalls.waitFor} with automatic-arena segments), measured
 * with the JVM's per-thread allocation counter ({@link io.zeroframe.bindings.testing.Allocations}).
 * Under the test bed's C1-only JIT the JDK's linker allocates a little per downcall, which C2 removes; JMH's
 * V4l2Queue measures the cycle under C2: 0 B/op on the benchmark thread.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class QueueAllocationDeviceTest {
    @Test
    void dequeueAndEnqueueAllocateNoMoreThanTheirSystemCalls() throws Exception {
        Path node = Vivid.capture();
        Vivid.ctl(node, "--set-fmt-video=width=320,height=180,pixelformat=XR24", "-p", "120");
        try (VideoDevice camera = VideoDevice.open(node)) {
            camera.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 320, 180));
            try (VideoQueue queue = camera.openQueue(BufferType.VIDEO_CAPTURE)) {
                for (VideoBuffer buffer : queue.allocate(4)) {
                    queue.enqueue(buffer);
                }
                queue.streamOn();
                cycles(queue, 300);
                long bytes = Allocations.of(() -> cycles(queue, 300));
                long baseline = bareSystemCalls();
                System.out.printf("300 dequeue+enqueue cycles allocated %d bytes (%.2f B/cycle); 300 x (3 bare"
                        + " ioctls + 1 waitFor) %d bytes (%.2f B/cycle)%n", bytes, bytes / 300.0, baseline,
                        baseline / 300.0);
                Allocations.assertNoMoreThanSystemCalls("dequeue+enqueue cycles", 300, bytes, baseline);
            }
        } finally {
            Vivid.ctl(node, "-p", "30");
        }
    }

    private static void cycles(VideoQueue queue, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            VideoBuffer frame = queue.dequeue(10_000).orElseThrow();
            queue.enqueue(frame);
        }
    }

    private static long bareSystemCalls() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd zero = Syscalls.open(Path.of("/dev/zero"), Syscalls.O_RDONLY)) {
            zero.wakeFd();
            MemorySegment argument = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
            return Allocations.ofRepeated(600, 300, () -> bare(pipe[0], zero, argument));
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    private static void bare(OwnedFd pipe, OwnedFd zero, MemorySegment argument) throws Exception {
        Syscalls.tryIoctl(pipe, Syscalls.FIONREAD, argument);
        Syscalls.tryIoctl(pipe, Syscalls.FIONREAD, argument);
        Syscalls.tryIoctl(pipe, Syscalls.FIONREAD, argument);
        Syscalls.waitFor(zero, Syscalls.POLLIN, 5000, "poll");
    }
}
