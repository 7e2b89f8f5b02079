package io.zeroframe.samples.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time of a pipeline's run thread, read by the run when it starts and ends (a system call each, so not per
 * frame) and by another thread meanwhile. Guarded by the pipeline's tally.
 */
final class RunCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private long used;
    /** The running run's thread, -1 between runs; and that thread's CPU time when it started. */
    private long thread = -1;
    private long start;

    /** The current thread's CPU time, nanoseconds. */
    static long now() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** A run started on the current thread, whose CPU time was then {@code cpuStart}. */
    void running(long cpuStart) {
        thread = Thread.currentThread().threadId();
        start = cpuStart;
        used = 0;
    }

    /** The run ended, having used {@code cpuNanos}. */
    void ended(long cpuNanos) {
        used = cpuNanos;
        thread = -1;
    }

    /** The CPU time of the current run so far, or of the last one. */
    long used() {
        if (thread >= 0) {
            long now = THREADS.getThreadCpuTime(thread); // -1 once the thread has died
            return now >= 0 ? now - start : used;
        }
        return used;
    }
}
