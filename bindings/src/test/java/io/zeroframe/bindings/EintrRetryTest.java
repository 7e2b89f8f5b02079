package io.zeroframe.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.BlockedCall;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real signals interrupt blocked calls: a handler installed without SA_RESTART makes poll and read fail with
 * EINTR, which Syscalls must retry. A control shows the raw call does see EINTR under the same signals.
 */
@ExtendWith(NoLeaks.class)
class EintrRetryTest {
    /** A real-time signal the JVM does not use (glibc reserves 32 and 33). */
    private static final int SIGNAL = 40;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SIGACTION = handle("sigaction", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETTID = handle("gettid", JAVA_INT);
    private static final MethodHandle GETPID = handle("getpid", JAVA_INT);
    private static final MethodHandle TGKILL = handle("tgkill", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle RAW_POLL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("poll").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            Linker.Option.captureCallState("errno"));

    @BeforeAll
    static void installHandlerWithoutRestart() throws Throwable {
        // struct sigaction (glibc, x86-64 and arm64): handler, sigset_t mask[128], int flags, restorer
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(152, 8);
            // The handler must be async-signal-safe and ignore its int argument: sched_yield is both.
            action.set(ADDRESS, 0, LINKER.defaultLookup().find("sched_yield").orElseThrow());
            action.set(JAVA_INT, 136, 0);
            assertEquals(0, (int) SIGACTION.invokeExact(SIGNAL, action, MemorySegment.NULL));
        }
    }

    @Test
    void rawPollSeesEintrUnderTheseSignals() throws Throwable {
        int result = whileSignalled(() -> {
            try (Arena arena = Arena.ofConfined()) {
                OwnedFd[] pipe = Syscalls.pipe(0);
                try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]) {
                    MemorySegment pollFd = pollIn(arena, in);
                    MemorySegment errno = arena.allocate(CAPTURE);
                    int ret = (int) RAW_POLL.invokeExact(errno, pollFd, 1L, 5000);
                    return ret == -1 ? -(int) ERRNO.get(errno, 0L) : ret;
                }
            }
        });
        assertEquals(-Errno.EINTR, result, "the control poll was not interrupted: the test proves nothing");
    }

    @Test
    void pollIsRetriedWithTheTimeLeft() throws Throwable {
        long start = System.nanoTime();
        int ready = whileSignalled(() -> {
            try (Arena arena = Arena.ofConfined()) {
                OwnedFd[] pipe = Syscalls.pipe(0);
                try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]) {
                    return Syscalls.poll(pollIn(arena, in), 1, 600);
                }
            }
        });
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, ready);
        assertTrue(elapsedMillis >= 590, "poll gave up early, after " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 3000, "poll restarted its full timeout, took " + elapsedMillis + " ms");
    }

    /**
     * The writer waits until the reader sleeps in {@code read(2)}, lets three signals reach it there, waits until it
     * sleeps in {@code read(2)} again (retried after EINTR), and only then writes.
     */
    @Test
    void readIsRetried() throws Throwable {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd in = pipe[0]; OwnedFd out = pipe[1]) {
            BlockedCall reading = new BlockedCall();
            AtomicInteger signals = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    reading.awaitBlocked();
                    int sent = signals.get();
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (signals.get() < sent + 3 && System.nanoTime() < deadline) {
                        Thread.sleep(5); // a bounded poll of the signal count
                    }
                    reading.awaitBlocked();
                    Syscalls.write(out, arena.allocateFrom("late"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long read = whileSignalled(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    reading.enter();
                    return (int) Syscalls.read(in, arena.allocate(16));
                }
            }, signals);
            writer.join();
            assertEquals(5, read);
            assertTrue(signals.get() >= 3, signals + " signals");
        }
    }

    /** Runs {@code call} on a new thread while signalling that thread every 20 ms. */
    private static int whileSignalled(BlockingCall call) throws Throwable {
        return whileSignalled(call, new AtomicInteger());
    }

    /** {@link #whileSignalled(BlockingCall)}, counting the signals sent in {@code signals}. */
    private static int whileSignalled(BlockingCall call, AtomicInteger signals) throws Throwable {
        AtomicInteger tid = new AtomicInteger();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                tid.set((int) GETTID.invokeExact());
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        int pid = (int) GETPID.invokeExact();
        while (!result.isDone()) {
            Thread.sleep(20); // the signals' period
            if (tid.get() != 0 && !result.isDone()) {
                int ignored = (int) TGKILL.invokeExact(pid, tid.get(), SIGNAL);
                signals.incrementAndGet();
            }
        }
        thread.join();
        assertTrue(signals.get() > 0, "no signal was sent");
        return result.get();
    }

    @FunctionalInterface
    private interface BlockingCall {
        int call() throws Throwable;
    }

    private static MemorySegment pollIn(Arena arena, OwnedFd fd) {
        MemorySegment pollFd = arena.allocate(Syscalls.POLLFD);
        pollFd.set(JAVA_INT, 0, fd.get());
        pollFd.set(JAVA_SHORT, 4, Syscalls.POLLIN);
        return pollFd;
    }

    private static MethodHandle handle(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(result, arguments));
    }
}
