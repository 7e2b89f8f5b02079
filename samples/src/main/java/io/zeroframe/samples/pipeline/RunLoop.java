package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.v4l2.VideoQueue;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The run both pipelines make ({@link CaptureToScanout}, {@link ThroughStages}): one thread waits in one
 * {@link Poller} on the camera, the display and whatever else the pipeline polls, and after each wait the pipeline
 * serves what is ready, until the asked frames were shown, the deadline passed or {@link #stop}; then the pipeline's
 * end runs whatever happened, and the first failure is thrown. The pipeline's thread CPU time is read at the start and
 * at the end (a system call each, so not per pass). One run at a time ({@link RunLock}); {@link #stop} and
 * {@link #close} from any thread.
 */
final class RunLoop {
    /** A step of the pipeline's that may fail in the kernel, with a number: the CPU time at the start, the frames. */
    @FunctionalInterface
    interface Step {
        void take(long value) throws KernelException;
    }

    private final RunLock lifecycle = new RunLock();
    private final Poller poller;
    private final Scanout scanout;
    private final CameraWatch camera;
    private final Step start;
    private final Step serve;
    private final LongSupplier shown;
    private final UnaryOperator<Exception> finish;
    private final LongConsumer ended;
    private volatile boolean stopRequested;

    /**
     * @param scanout the display end, or {@code null} for a pipeline whose consumer is the application
     * @param start  before the loop: counters reset (given the thread's CPU time now), buffers queued, streams on
     * @param serve  after each wait: serves what the poller found ready (given the frames asked)
     * @param shown  frames shown so far in this run
     * @param finish the end of the run, after the loop or a failure: returns the first failure, others suppressed
     * @param ended  the run ended, having used that much of its thread's CPU time
     */
    RunLoop(Poller poller, Scanout scanout, VideoQueue camera, Step start, Step serve, LongSupplier shown,
            UnaryOperator<Exception> finish, LongConsumer ended) {
        this.poller = poller;
        this.scanout = scanout;
        this.camera = new CameraWatch(camera, poller);
        this.start = start;
        this.serve = serve;
        this.shown = shown;
        this.finish = finish;
        this.ended = ended;
    }

    /** The camera as the loop watches it; the pipeline reports its queue calls to it. */
    CameraWatch camera() {
        return camera;
    }

    /**
     * Runs the pipeline's steps until {@code frames} were shown or {@code deadline} ({@code System.nanoTime},
     * {@code Long.MAX_VALUE} for none) passed or {@link #stop}.
     *
     * @throws IllegalStateException once closed, during another run, or when the poller found the camera or the
     *         display closed
     */
    void run(long frames, long deadline) throws KernelException {
        lifecycle.run(() -> {
            once(frames, deadline);
            return null;
        });
    }

    private void once(long frames, long deadline) throws KernelException {
        long cpuStart = RunCpu.now();
        Exception failure = null;
        try {
            start.take(cpuStart);
            Duration forever = ChronoUnit.FOREVER.getDuration();
            for (Duration timeout = RunLock.timeout(deadline, forever);
                    timeout != null && !stopRequested && shown.getAsLong() < frames;
                    timeout = RunLock.timeout(deadline, forever)) {
                camera.watch();
                poller.await(timeout);
                boolean displayClosed = scanout != null && scanout.closed();
                if (displayClosed || camera.closed()) {
                    throw new IllegalStateException("the " + (displayClosed ? scanout.display() : camera)
                            + " was closed while the pipeline streamed from it");
                }
                serve.take(frames);
            }
        } catch (KernelException | RuntimeException e) {
            failure = e;
        } finally {
            failure = finish.apply(failure);
            ended.accept(RunCpu.now() - cpuStart);
            stopRequested = false;
        }
        RunLock.rethrow(failure);
    }

    /** Ends the current run, or the next one if none is in progress: wakes its wait. Any thread; allocates nothing. */
    void stop() {
        stopRequested = true;
        poller.wakeup();
    }

    /**
     * Ends a run in progress as {@link #stop} does and waits for it to return, then closes the poller and the
     * scanout's requests. Idempotent; any thread.
     */
    void close() {
        if (lifecycle.close(this::stop)) {
            poller.close();
            if (scanout != null) {
                scanout.close();
            }
        }
    }
}
