package io.zeroframe.samples.preview;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ends {@code preview}'s run cleanly on SIGINT or SIGTERM (and any other start of the JVM's shutdown): a shutdown
 * hook stops the pipeline ({@code CaptureToScanout.stop}, {@code ThroughStages.stop}) and then waits, at most {@link #BOUND}, until the run's thread has
 * restored the display, printed its statistics and released the buffers ({@link #close}). The JVM then exits with
 * the status the signal set: 130 for SIGINT, 143 for SIGTERM (128 plus the signal number, as shells report it).
 *
 * <p>A signal before {@link #stops} stops the pipeline as soon as it is handed over; one before {@link #install}
 * ends the JVM at once, as there is nothing to restore yet. {@link #pause} waits for a time unless a signal came.
 */
final class SignalStop implements AutoCloseable {
    /** How long the hook waits for the run to end and clean up before the JVM exits anyway. */
    static final Duration BOUND = Duration.ofSeconds(3);

    private final CountDownLatch signalled = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onShutdown, "preview-signal");
    private volatile Runnable pipeline;

    private SignalStop() {}

    /** Registers the shutdown hook. */
    static SignalStop install() {
        SignalStop stop = new SignalStop();
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    /** What stops the pipeline on a signal from now on (its {@code stop}); called at once if a signal came already. */
    void stops(Runnable stop) {
        this.pipeline = stop;
        if (signalled()) {
            stop.run();
        }
    }

    /** Whether a signal (a shutdown) came. */
    boolean signalled() {
        return signalled.getCount() == 0;
    }

    /** Waits {@code time}, or less if a signal comes; whether it came. */
    boolean pause(Duration time) throws InterruptedException {
        return signalled.await(time.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void onShutdown() {
        signalled.countDown();
        Runnable stop = pipeline;
        if (stop != null) {
            stop.run();
        }
        try {
            if (!finished.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("preview: the run did not end within " + BOUND.toSeconds() + " s of the signal;"
                        + " exiting (the kernel releases the buffers and the display with the process)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The run has ended and cleaned up: lets a waiting hook return, or removes the hook when no shutdown is under
     * way. Idempotent.
     */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) and returns now
        }
    }
}
