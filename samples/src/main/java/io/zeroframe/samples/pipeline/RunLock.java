package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import java.time.Duration;

/**
 * The lifecycle of a pipeline that runs on one thread and closes from any: at most one run at a time, none after
 * close, and a close during a run that ends it and waits for it to return before the pipeline frees what the run
 * uses (so a run never touches a freed object or a recycled fd).
 */
final class RunLock {
    private boolean running;
    private boolean closed;

    /**
     * A run begins.
     *
     * @throws IllegalStateException once closed, or while another run is in progress
     */
    synchronized void begin() {
        if (closed) {
            throw new IllegalStateException("the pipeline is closed");
        }
        if (running) {
            throw new IllegalStateException("the pipeline is already running on another thread");
        }
        running = true;
    }

    /** The run returned. */
    synchronized void end() {
        running = false;
        notifyAll();
    }

    /**
     * Marks the pipeline closed; during a run calls {@code stop} and waits for the run to return (an interrupt is
     * kept for after the wait, whose end is bounded by the run's).
     *
     * @return false when it was closed already: nothing to free
     */
    boolean close(Runnable stop) {
        boolean interrupted = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            if (running) {
                stop.run();
            }
            while (running) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** A run's body. */
    @FunctionalInterface
    interface Body<T> {
        T run() throws KernelException;
    }

    /** Runs {@code body} as a run: {@link #begin} before, {@link #end} after, however it ends. */
    <T> T run(Body<T> body) throws KernelException {
        begin();
        try {
            return body.run();
        } finally {
            end();
        }
    }

    /** A run's frame count, checked positive. */
    static long frames(long frames) {
        if (frames <= 0) {
            throw new IllegalArgumentException("frames must be positive: " + frames);
        }
        return frames;
    }

    /** The deadline ({@code System.nanoTime}) of a run of {@code duration}, checked positive; a year or more: none. */
    static long deadline(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        return System.nanoTime() + (duration.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE / 2
                : duration.toNanos());
    }

    /**
     * The timeout of a loop's next wait for a run until {@code deadline} ({@code System.nanoTime}; {@code
     * Long.MAX_VALUE} for none): {@code forever} without a deadline, a new {@code Duration} with one (a value object
     * per wait, only for timed runs), {@code null} once it passed.
     */
    static Duration timeout(long deadline, Duration forever) {
        if (deadline == Long.MAX_VALUE) {
            return forever;
        }
        long left = deadline - System.nanoTime();
        return left <= 0 ? null : Duration.ofNanos(left);
    }

    /** The first failure, with the later ones suppressed in it. */
    static Exception add(Exception failure, Exception e) {
        if (failure == null) {
            return e;
        }
        failure.addSuppressed(e);
        return failure;
    }

    /** Throws a run's failure, if any: a {@link KernelException} as it is, anything else as the runtime exception it is. */
    static void rethrow(Exception failure) throws KernelException {
        if (failure instanceof KernelException kernel) {
            throw kernel;
        }
        if (failure != null) {
            throw (RuntimeException) failure;
        }
    }
}
