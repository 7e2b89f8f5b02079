package io.zeroframe.bench;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.StreamParameters;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the streaming cycle costs, without vivid's frame clock in it: {@link VideoQueue#dequeue}{@code (0)} (one
 * non-blocking {@code VIDIOC_DQBUF}) of a buffer the driver has already filled, and {@link VideoQueue#enqueue}
 * ({@code VIDIOC_QBUF}) of it, wall time per cycle. On vivid's capture node at its smallest webcam size and highest
 * rate (320x180 XRGB8888, 1/120 s, set here with {@code VIDIOC_S_FMT} and {@code VIDIOC_S_PARM}), {@value #BUFFERS}
 * MMAP buffers.
 *
 * <p>Before each cycle, outside the measurement (a {@link Level#Invocation} setup), the thread waits in
 * {@link VideoQueue#await} ({@code poll}) until a buffer is done; only this thread dequeues, so the measured
 * dequeue always finds it ready (one that does not fails the run). {@code v4l2_queue.c} does the same with raw
 * ioctls and times each cycle with {@code CLOCK_MONOTONIC}, as JMH times each invocation here. The cycle and the
 * wait allocate nothing on the benchmark thread ({@link ThreadAllocation}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V4l2Queue {
    static final int BUFFERS = 4;
    static final int WIDTH = 320;
    static final int HEIGHT = 180;
    /** vivid's fastest webcam rate, offered at its smallest size. */
    static final Fraction TIME_PER_FRAME = new Fraction(1, 120);

    private VideoDevice camera;
    private VideoQueue queue;

    @Setup(Level.Trial)
    public void open() throws IOException {
        VideoDeviceInfo node = VideoDevices.findByDriver("vivid").stream()
                .filter(info -> info.name().equals("vivid-000-vid-cap")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no vivid-000-vid-cap: run in the test bed"));
        camera = VideoDevice.open(node);
        VideoFormat format = camera.setFormat(
                VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, WIDTH, HEIGHT));
        StreamParameters parameters = camera.setTimePerFrame(BufferType.VIDEO_CAPTURE, TIME_PER_FRAME);
        if (format.width() != WIDTH || format.height() != HEIGHT
                || !parameters.timePerFrame().equals(TIME_PER_FRAME)) {
            throw new IllegalStateException("vivid gave " + format + " at " + parameters.timePerFrame()
                    + " s per frame, not " + WIDTH + "x" + HEIGHT + " at " + TIME_PER_FRAME);
        }
        queue = camera.openQueue(BufferType.VIDEO_CAPTURE);
        for (VideoBuffer buffer : queue.allocate(BUFFERS)) {
            queue.enqueue(buffer);
        }
        queue.streamOn();
    }

    @TearDown(Level.Trial)
    public void close() {
        camera.close(); // closes the queue: STREAMOFF, unmap, REQBUFS 0
    }

    /** Untimed: waits until vivid has filled a buffer. */
    @Setup(Level.Invocation)
    public void awaitFilled() throws KernelException {
        while (!queue.await(-1).buffer()) {
            // an event only (none are subscribed): wait again
        }
    }

    @Benchmark
    public int dequeueEnqueue(ThreadAllocation allocation) throws KernelException {
        Optional<VideoBuffer> done = queue.dequeue(0);
        if (done.isEmpty()) {
            throw new IllegalStateException("poll reported a buffer done, but VIDIOC_DQBUF found none");
        }
        VideoBuffer frame = done.get();
        queue.enqueue(frame);
        return frame.sequence();
    }
}
