package io.zeroframe.bench;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the benchmark thread itself allocates during an iteration, from the JVM's per-thread counter
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}); a benchmark takes this state as a parameter and JMH reports
 * {@link #threadAllocatedBytes} as a secondary result of each iteration, which {@link BenchMain} divides by the
 * iteration's operations.
 *
 * <p>Why beside JMH's gc profiler: {@code gc.alloc.rate.norm} sums the allocation of every thread in the JVM and
 * divides it by the iteration's operations. For a device-paced operation (a flip waits for the display, a dequeue
 * for the camera's next frame) an iteration holds a few hundred operations, and the runner's own per-iteration
 * work (about 7 KB in the test bed, measured from the slow dma-buf benchmarks) turns into tens of bytes per
 * operation that the operation never allocated. This counter sees only the thread that runs the operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long start;

    /** Bytes the benchmark thread allocated in this iteration (warm-up and warm-down operations included). */
    public long threadAllocatedBytes;

    @Setup(Level.Iteration)
    public void start() {
        threadAllocatedBytes = 0;
        start = THREADS.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        threadAllocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - start;
    }
}
