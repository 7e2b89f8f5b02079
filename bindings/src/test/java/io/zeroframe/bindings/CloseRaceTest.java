package io.zeroframe.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.sys.ProcessFds;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.BlockedCall;
import io.zeroframe.bindings.testing.NoLeaks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link OwnedFd#close()} from one thread while others make calls through the same fd. */
@ExtendWith(NoLeaks.class)
class CloseRaceTest {
    private static final int ITERATIONS = 100_000;
    /** {@code F_SETFL}, the same on every Linux architecture; the generated bindings do not carry it. */
    private static final int F_SETFL = 4;

    /**
     * Thread A seals a memfd ({@code fcntl F_ADD_SEALS}) and asks it {@code FIONREAD} in a loop while thread B
     * closes it and at once opens a decoy memfd, which the kernel gives the lowest free number: the closed one,
     * unless a call of A still holds it. Had a call of A reached the recycled number, the decoy would be sealed.
     */
    @Test
    void closeRacingCallsNeverReachesARecycledFdNumber() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier done = new CyclicBarrier(2);
        AtomicReference<OwnedFd> target = new AtomicReference<>();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        int reused = 0;
        int deferred = 0;
        try (Arena arena = Arena.ofConfined()) {
            Future<?> loop = caller.submit(() -> {
                MemorySegment count = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
                for (int i = 0; i < ITERATIONS; i++) {
                    await(start);
                    OwnedFd fd = target.get();
                    try {
                        while (true) {
                            Syscalls.fcntl(fd, Syscalls.F_ADD_SEALS, Syscalls.F_SEAL_GROW);
                            Syscalls.ioctl(fd, Syscalls.FIONREAD, count);
                        }
                    } catch (FdClosedException expected) {
                        // the close won: every later call is refused before reaching the kernel
                    } catch (Throwable t) {
                        unexpected.compareAndSet(null, t);
                    }
                    await(done);
                }
                return null;
            });
            for (int i = 0; i < ITERATIONS; i++) {
                OwnedFd fd = Syscalls.memfdCreate("target", Syscalls.MFD_ALLOW_SEALING);
                int number = fd.get();
                target.set(fd);
                await(start);
                Thread.onSpinWait();
                fd.close();
                try (OwnedFd decoy = Syscalls.memfdCreate("decoy", Syscalls.MFD_ALLOW_SEALING)) {
                    if (decoy.get() == number) {
                        reused++;
                    } else {
                        deferred++;
                    }
                    await(done);
                    assertEquals(0, Syscalls.fcntl(decoy, Syscalls.F_GET_SEALS, 0),
                            "iteration " + i + ": a call reached the decoy that took fd " + number);
                }
                if (unexpected.get() != null) {
                    throw new AssertionError("iteration " + i, unexpected.get());
                }
            }
            loop.get(60, TimeUnit.SECONDS);
        } finally {
            caller.shutdownNow();
            assertTrue(caller.awaitTermination(10, TimeUnit.SECONDS));
        }
        // both outcomes occurred: the race was real, not a sequence
        assertTrue(reused > 0, "the decoy never took the closed number (" + deferred + " deferred)");
        assertTrue(deferred > 0, "no close ever met a call in flight (" + reused + " reused)");
    }

    /**
     * {@code close()} signals the wake eventfd while it still holds a use of the fd, so the last {@code endUse()}
     * cannot close the eventfd (and free its number for another file) before the signal's write. To hold
     * {@code close()} inside that write, the test puts the write end of a full pipe where the eventfd goes (a
     * private field): the 8-byte write blocks until the pipe is drained. While it blocks, the last use ends on
     * this thread; both numbers must stay allocated until the write is done. Before the fix that end released
     * them under the pending write (with a real eventfd, the write then reaches whatever file took the number).
     */
    @Test
    void closeSignalsItsWakeFdBeforeTheLastUseCanReleaseIt() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("target", 0);
        OwnedFd[] pipe = Syscalls.pipe(Syscalls.O_NONBLOCK);
        OwnedFd readEnd = pipe[0];
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            fill(pipe[1]);
            assertEquals(0, Syscalls.fcntl(pipe[1], F_SETFL, 0)); // blocking again: the next write waits
            int waker = pipe[1].release();
            MethodHandles.privateLookupIn(OwnedFd.class, MethodHandles.lookup())
                    .findVarHandle(OwnedFd.class, "waker", int.class).set(fd, waker);
            int raw = fd.beginUse("test");
            BlockedCall signal = new BlockedCall();
            Future<?> close = closer.submit(() -> {
                signal.enter();
                fd.close();
                return null;
            });
            signal.awaitBlocked(close); // close() is in its write to the "eventfd"
            fd.endUse();
            var open = ProcessFds.list();
            assertTrue(open.getOrDefault(raw, "").startsWith("/memfd:target"),
                    "the last endUse closed the fd while close() was still signalling: " + open.get(raw));
            assertTrue(open.getOrDefault(waker, "").startsWith("pipe:"),
                    "the last endUse closed the wake fd under close()'s pending write: " + open.get(waker));
            drain(readEnd);
            close.get(5, TimeUnit.SECONDS);
            assertTrue(fd.awaitClosed(5_000));
            open = ProcessFds.list();
            assertFalse(open.getOrDefault(raw, "").startsWith("/memfd:target"), "fd " + raw + " still open");
            assertFalse(open.containsKey(waker) && open.get(waker).equals(open.get(readEnd.get())),
                    "wake fd " + waker + " still open");
        } finally {
            drain(readEnd); // lets a close() still in its write finish
            closer.shutdownNow();
            assertTrue(closer.awaitTermination(10, TimeUnit.SECONDS));
            readEnd.close();
            pipe[1].close();
            fd.close();
        }
    }

    private static void fill(OwnedFd writeEnd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            for (MemorySegment chunk : new MemorySegment[] {arena.allocate(4096), arena.allocate(1)}) {
                try {
                    while (true) {
                        Syscalls.write(writeEnd, chunk);
                    }
                } catch (KernelException e) {
                    assertEquals(Errno.EAGAIN, e.errno(), e.getMessage());
                }
            }
        }
    }

    private static void drain(OwnedFd readEnd) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(65536);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            do {
                Syscalls.read(readEnd, buffer);
                Syscalls.ioctl(readEnd, Syscalls.FIONREAD, count);
            } while (count.get(ValueLayout.JAVA_INT, 0) > 0);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aCloseDuringACallReleasesTheNumberWhenTheCallEnds() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("in-use", 0);
        int raw = fd.beginUse("test");
        fd.close();
        assertFalse(fd.isOpen());
        assertEquals(-1, fd.get());
        assertTrue(ProcessFds.list().containsKey(raw), "closed while in use: the number must stay allocated");
        FdClosedException late = assertThrows(FdClosedException.class, () -> fd.beginUse("fstat"));
        assertEquals("fstat on memfd:in-use: EBADF (Bad file descriptor): the fd was already closed", late.getMessage());
        IllegalStateException release = assertThrows(IllegalStateException.class, fd::release);
        assertEquals("fd for memfd:in-use is already closed", release.getMessage());
        fd.endUse();
        assertFalse(ProcessFds.list().containsKey(raw), "the last call's end must close the fd");
        assertThrows(IllegalStateException.class, fd::endUse);
    }

    @Test
    void awaitClosedReturnsOnceTheWokenWaitersHaveLeftTheKernel() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd writeEnd = pipe[1]) {
            OwnedFd readEnd = pipe[0];
            int raw = readEnd.get();
            IllegalStateException early = assertThrows(IllegalStateException.class, () -> readEnd.awaitClosed(10));
            assertTrue(early.getMessage().startsWith("awaitClosed() before close() on fd "), early.getMessage());
            ExecutorService waiters = Executors.newFixedThreadPool(3);
            try {
                var calls = blockInPoll(waiters, readEnd, 3);
                readEnd.close();
                assertTrue(readEnd.awaitClosed(5_000), "woken waiters still in flight after 5 s");
                // every call has left the kernel and the number is gone, before the futures are even looked at
                assertFalse(ProcessFds.list().containsKey(raw), "fd " + raw + " still open after awaitClosed");
                for (Future<Integer> call : calls) {
                    var e = assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> call.get(5, TimeUnit.SECONDS));
                    assertInstanceOf(FdClosedException.class, e.getCause());
                }
                assertTrue(readEnd.awaitClosed(0), "nothing in flight: returns at once");
            } finally {
                waiters.shutdownNow();
                assertTrue(waiters.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void awaitClosedTimesOutWhileACallStaysInFlight() throws Exception {
        OwnedFd fd = Syscalls.memfdCreate("held", 0);
        int raw = fd.beginUse("test");
        fd.close();
        long start = System.nanoTime();
        assertFalse(fd.awaitClosed(50));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 49 && ms < 1000, ms + " ms");
        assertTrue(ProcessFds.list().containsKey(raw));
        fd.endUse();
        assertTrue(fd.awaitClosed(0));
        assertFalse(ProcessFds.list().containsKey(raw));
    }

    @Test
    void releaseIsRefusedWhileACallUsesTheFd() throws Exception {
        try (OwnedFd fd = Syscalls.memfdCreate("busy", 0)) {
            fd.beginUse("test");
            IllegalStateException e = assertThrows(IllegalStateException.class, fd::release);
            assertTrue(e.getMessage().endsWith("(memfd:busy) cannot be released while 1 call(s) use it"),
                    e.getMessage());
            fd.endUse();
        }
    }

    @Test
    void closeWakesAPollWithin100MsForEveryWaiter() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        try (OwnedFd writeEnd = pipe[1]) {
            OwnedFd readEnd = pipe[0];
            ExecutorService waiters = Executors.newFixedThreadPool(4);
            try {
                var calls = blockInPoll(waiters, readEnd, 4);
                long closed = System.nanoTime();
                readEnd.close();
                for (Future<Integer> call : calls) {
                    var e = assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> call.get(5, TimeUnit.SECONDS));
                    assertInstanceOf(FdClosedException.class, e.getCause());
                    assertEquals("poll (pipe) on pipe (read end): EBADF (Bad file descriptor): closed by another"
                            + " thread while waiting", e.getCause().getMessage());
                }
                long ms = Duration.ofNanos(System.nanoTime() - closed).toMillis();
                // typically well under 100 ms; at load 8 on two cores one run took longer
                assertTrue(ms < 1000, "waiters woke " + ms + " ms after close");
            } finally {
                waiters.shutdownNow();
                assertTrue(waiters.awaitTermination(5, TimeUnit.SECONDS));
            }
        }
    }

    /** {@code count} threads of {@code waiters} blocked in {@code waitFor(POLLIN)} on an empty pipe, each seen asleep in it. */
    private static java.util.List<Future<Integer>> blockInPoll(ExecutorService waiters, OwnedFd readEnd, int count)
            throws InterruptedException {
        var calls = new java.util.ArrayList<Future<Integer>>();
        var blocking = new java.util.ArrayList<BlockedCall>();
        for (int i = 0; i < count; i++) {
            BlockedCall call = new BlockedCall();
            blocking.add(call);
            calls.add(waiters.submit(() -> {
                call.enter();
                return Syscalls.waitFor(readEnd, Syscalls.POLLIN, -1, "poll (pipe)");
            }));
        }
        for (int i = 0; i < count; i++) {
            blocking.get(i).awaitBlocked(calls.get(i));
        }
        return calls;
    }
}
