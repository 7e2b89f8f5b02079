package io.zeroframe.bench;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The streaming hot path: one {@code VIDIOC_DQBUF} (waiting in {@code poll} for the next frame) and one
 * {@code VIDIOC_QBUF} of the same buffer ({@link VideoQueue#dequeue} + {@link VideoQueue#enqueue}) on vivid's
 * capture node, 4 MMAP buffers of 320x180 XRGB8888. The driver paces the cycle (the test-bed suite sets vivid to
 * its fastest rate, 120 frames/s, with v4l2-ctl), so the time per operation is mostly vivid's frame period, the
 * same for {@code v4l2_queue.c}; what the Java side must show is that the cycle allocates nothing (0 B/op on the
 * benchmark thread, {@link ThreadAllocation}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V4l2Queue {
    private VideoDevice camera;
    private VideoQueue queue;

    @Setup
    public void open() throws IOException {
        VideoDeviceInfo node = VideoDevices.findByDriver("vivid").stream()
                .filter(info -> info.name().equals("vivid-000-vid-cap")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no vivid-000-vid-cap: run in the test bed"));
        camera = VideoDevice.open(node);
        camera.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 320, 180));
        queue = camera.openQueue(BufferType.VIDEO_CAPTURE);
        for (VideoBuffer buffer : queue.allocate(4)) {
            queue.enqueue(buffer);
        }
        queue.streamOn();
    }

    @TearDown
    public void close() {
        camera.close(); // closes the queue: STREAMOFF, unmap, REQBUFS 0
    }

    @Benchmark
    public int dequeueEnqueue(ThreadAllocation allocation) throws KernelException {
        VideoBuffer frame = queue.dequeue(-1).orElseThrow();
        queue.enqueue(frame);
        return frame.sequence();
    }
}
