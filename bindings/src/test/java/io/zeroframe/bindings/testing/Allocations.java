package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;

/**
 * What the calling thread allocates, by the JVM's per-thread counter ({@code com.sun.management.ThreadMXBean
 * .getCurrentThreadAllocatedBytes}, reached reflectively: the library's modules do not read jdk.management), for the
 * device tests that hold a hot path (dequeue+enqueue, flip, vblank request) to what its bare system calls allocate.
 *
 * <p>Why against a baseline and not against 0: the test bed runs C1 only, and under C1 each FFM downcall allocates
 * about 40 bytes inside the JDK's linker (C2 removes them once the call inlines; the JMH benchmarks measure that).
 */
public final class Allocations {
    /**
     * The margin per cycle: the JIT changing tiers inside the window (+1.5 B a cycle seen with C2 enabled); any
     * object the library allocated per call would add at least 16 B a cycle.
     */
    public static final long MARGIN_PER_CYCLE = 8;

    private static final Object THREADS;
    private static final Method ALLOCATED;

    static {
        try {
            THREADS = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A measured piece of work. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private Allocations() {}

    /** Bytes the calling thread allocated while running {@code work}, less the counter's own cost. */
    public static long of(Work work) throws Exception {
        long before = counter();
        work.run();
        long after = counter();
        long reading = counter() - after;
        return after - before - reading;
    }

    /** {@code work} run {@code warmup} times, then the bytes {@code count} more runs allocate. */
    public static long ofRepeated(int warmup, int count, Work work) throws Exception {
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        return of(() -> {
            for (int i = 0; i < count; i++) {
                work.run();
            }
        });
    }

    /**
     * Asserts that {@code cycles} cycles of {@code what} allocated no more than their bare system calls
     * ({@code baseline}, the same number of cycles) plus {@link #MARGIN_PER_CYCLE} a cycle.
     */
    public static void assertNoMoreThanSystemCalls(String what, int cycles, long bytes, long baseline) {
        assertTrue(bytes <= baseline + cycles * MARGIN_PER_CYCLE, bytes + " bytes allocated by " + cycles + " "
                + what + ", more than the " + baseline + " of their bare system calls + " + MARGIN_PER_CYCLE
                + " B per cycle");
    }

    private static long counter() throws ReflectiveOperationException {
        return (long) ALLOCATED.invoke(THREADS);
    }
}
