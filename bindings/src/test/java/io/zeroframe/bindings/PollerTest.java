package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.Allocations;
import io.zeroframe.bindings.testing.BlockedCall;
import io.zeroframe.bindings.testing.CloseWakes;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Poller} over pipes made through the bindings' syscalls: readiness, wake-ups, closes from other threads. */
@ExtendWith(NoLeaks.class)
class PollerTest {
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    @Test
    void reportsWhichOfSeveralSourcesIsReady() throws Exception {
        OwnedFd[] first = Syscalls.pipe(0);
        OwnedFd[] second = Syscalls.pipe(0);
        try (Poller poller = Poller.open(); OwnedFd r1 = first[0]; OwnedFd w1 = first[1];
             OwnedFd r2 = second[0]; OwnedFd w2 = second[1]) {
            int a = poller.register(PollSource.of(r1, PollSource.POLLIN));
            int b = poller.register(PollSource.of(r2, PollSource.POLLIN));
            int writable = poller.register(PollSource.of(w2, PollSource.POLLOUT));
            assertEquals(3, poller.size());

            assertEquals(1, poller.await(Duration.ZERO), "only the write end is ready");
            assertTrue(poller.ready(writable));
            assertFalse(poller.ready(a) || poller.ready(b) || poller.wokenUp());
            poller.unregister(writable);

            long start = System.nanoTime();
            assertEquals(0, poller.await(Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= 50_000_000L, "the timeout was waited for");

            write(w2);
            assertEquals(1, poller.await(FOREVER));
            assertFalse(poller.ready(a));
            assertTrue(poller.ready(b));
            assertEquals(PollSource.POLLIN, poller.revents(b));
            assertFalse(poller.closed(b));

            write(w1);
            assertEquals(2, poller.await(FOREVER));
            assertTrue(poller.ready(a) && poller.ready(b));

            w1.close(); // a hang-up is reported as ready: the source's own read then sees the end
            read(r1);
            assertEquals(2, poller.await(Duration.ZERO));
            assertTrue((poller.revents(a) & Syscalls.POLLHUP) != 0);
            assertTrue(poller.ready(a));

            poller.unregister(a);
            assertEquals(a, poller.register(PollSource.of(r2, PollSource.POLLIN)), "a freed key is reused");
            assertThrows(IllegalArgumentException.class, () -> poller.ready(7));
            assertThrows(IllegalArgumentException.class, () -> PollSource.of(r2, Syscalls.POLLHUP));
        }
    }

    @Test
    void wakeupEndsAWaitAndIsConsumed() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Poller poller = Poller.open(); OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
            int key = poller.register(PollSource.of(readEnd, PollSource.POLLIN));
            poller.wakeup();
            poller.wakeup();
            assertEquals(0, poller.await(FOREVER), "wake-ups made before the wait end it at once");
            assertTrue(poller.wokenUp());
            assertEquals(0, poller.await(Duration.ZERO), "and are consumed by it");
            assertFalse(poller.wokenUp());

            BlockedCall call = new BlockedCall();
            Future<Integer> waiter = thread.submit(() -> {
                call.enter();
                return poller.await(FOREVER);
            });
            call.awaitBlocked(waiter);
            poller.wakeup();
            assertEquals(0, waiter.get(5, TimeUnit.SECONDS));
            assertTrue(poller.wokenUp());
            assertFalse(poller.ready(key));
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aSourceClosedDuringTheWaitWakesItAndIsReportedClosed() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        OwnedFd[] other = Syscalls.pipe(0);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Poller poller = Poller.open(); OwnedFd writeEnd = pipe[1]; OwnedFd otherRead = other[0];
             OwnedFd otherWrite = other[1]) {
            OwnedFd readEnd = pipe[0];
            int key = poller.register(PollSource.of(readEnd, PollSource.POLLIN));
            int quiet = poller.register(PollSource.of(otherRead, PollSource.POLLIN));
            poller.await(Duration.ZERO); // makes the wake eventfd: the wait below allocates no fd

            BlockedCall call = new BlockedCall();
            Future<Integer> waiter = thread.submit(() -> {
                call.enter();
                return poller.await(FOREVER);
            });
            call.awaitBlocked(waiter);
            long closed = System.nanoTime();
            readEnd.close();
            assertEquals(1, waiter.get(5, TimeUnit.SECONDS));
            System.out.println("close woke the poller after " + (System.nanoTime() - closed) / 1_000 + " us");
            assertTrue(poller.closed(key));
            assertFalse(poller.ready(key));
            assertFalse(poller.closed(quiet) || poller.ready(quiet));
            assertTrue(readEnd.awaitClosed(1000), "the wait held the number until it returned, then let it go");

            assertEquals(1, poller.await(FOREVER), "a closed source is reported at once, not waited on");
            assertTrue(poller.closed(key));
            poller.unregister(key);
            assertEquals(0, poller.await(Duration.ZERO));
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    /** Several pollers on several threads wait on one fd (and on fds of their own); one close wakes them all. */
    @Test
    void oneCloseWakesEveryPollerOnEveryThread() throws Exception {
        int threads = 4;
        OwnedFd[] shared = Syscalls.pipe(0);
        List<OwnedFd> own = new ArrayList<>();
        List<Poller> pollers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (OwnedFd writeEnd = shared[1]) {
            List<BlockedCall> calls = new ArrayList<>();
            List<Future<Integer>> waits = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                OwnedFd[] pipe = Syscalls.pipe(0);
                own.add(pipe[0]);
                own.add(pipe[1]);
                Poller poller = Poller.open();
                pollers.add(poller);
                poller.register(PollSource.of(pipe[0], PollSource.POLLIN));
                int key = poller.register(PollSource.of(shared[0], PollSource.POLLIN));
                BlockedCall call = new BlockedCall();
                calls.add(call);
                waits.add(pool.submit(() -> {
                    call.enter();
                    int ready = poller.await(FOREVER);
                    return poller.closed(key) ? ready : -1;
                }));
            }
            for (int i = 0; i < threads; i++) {
                calls.get(i).awaitBlocked(waits.get(i));
            }
            shared[0].close();
            for (Future<Integer> wait : waits) {
                assertEquals(1, wait.get(5, TimeUnit.SECONDS), "woken, the shared fd reported closed");
            }
            assertTrue(shared[0].awaitClosed(1000), "the last wait to end released the number");
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
            pollers.forEach(Poller::close);
            own.forEach(OwnedFd::close);
        }
    }

    @Test
    void closingThePollerWakesItsWait() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]) {
            Poller poller = Poller.open();
            int key = poller.register(PollSource.of(readEnd, PollSource.POLLIN));
            long woken = CloseWakes.wakeAfterClose(() -> poller.await(FOREVER), poller::close);
            System.out.println("closing the poller woke it after " + woken + " ms");
            assertThrows(FdClosedException.class, () -> poller.await(Duration.ZERO));
            assertThrows(IllegalStateException.class, () -> poller.register(PollSource.of(readEnd, PollSource.POLLIN)));
            poller.wakeup(); // nothing, once closed
            poller.close();
            assertTrue(readEnd.isOpen(), "sources are not the poller's");
            assertFalse(poller.closed(key));
        }
    }

    /** A wait allocates no more than its bare {@code poll} downcall (C1's linker cost; see {@link Allocations}). */
    @Test
    void aWaitAllocatesNothing() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (Poller poller = Poller.open(); OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1];
             Arena arena = Arena.ofConfined()) {
            poller.register(PollSource.of(readEnd, PollSource.POLLIN));
            poller.register(PollSource.of(writeEnd, PollSource.POLLOUT));
            int cycles = 2_000;
            Duration timeout = Duration.ofMillis(10);
            long bytes = Allocations.ofRepeated(cycles, cycles, () -> {
                if (poller.await(timeout) != 1) {
                    throw new AssertionError("the write end is ready");
                }
            });
            MemorySegment bare = arena.allocate(Syscalls.POLLFD, 5);
            bare.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, writeEnd.get());
            bare.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, Syscalls.POLLOUT);
            long baseline = Allocations.ofRepeated(cycles, cycles, () -> Syscalls.poll(bare, 1, 10));
            System.out.println("await: " + bytes + " B for " + cycles + " waits; bare poll: " + baseline + " B");
            Allocations.assertNoMoreThanSystemCalls("Poller waits", cycles, bytes, baseline);
        }
    }

    private static void write(OwnedFd fd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.write(fd, arena.allocate(1));
        }
    }

    private static void read(OwnedFd fd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls.read(fd, arena.allocate(16));
        }
    }
}
