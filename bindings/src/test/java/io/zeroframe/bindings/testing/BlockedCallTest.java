package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

/** What {@link BlockedCall} counts as blocked: a sleep in a system call, not a JVM lock, not a call that ended. */
@ExtendWith(NoLeaks.class)
class BlockedCallTest {
    @Test
    void aReadOfAnEmptyPipeIsBlocked() throws Exception {
        OwnedFd[] pipe = Syscalls.pipe(0);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (OwnedFd readEnd = pipe[0]; OwnedFd writeEnd = pipe[1]; Arena arena = Arena.ofShared()) {
            BlockedCall call = new BlockedCall();
            Future<Long> read = thread.submit(() -> {
                call.enter();
                return Syscalls.read(readEnd, arena.allocate(8));
            });
            String wchan = call.awaitBlocked(read);
            assertTrue(wchan.contains("pipe"), wchan);
            Syscalls.write(writeEnd, arena.allocateFrom("x"));
            assertEquals(2L, read.get(10, TimeUnit.SECONDS));
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aCallThatEndsInsteadOfBlockingFailsAtOnce() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            BlockedCall call = new BlockedCall();
            Future<String> quick = thread.submit(() -> {
                call.enter();
                return "done";
            });
            long start = System.nanoTime();
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> call.awaitBlocked(quick));
            assertEquals("the call ended instead of blocking (returned done)", e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aThreadWaitingOnAJavaLockIsNotBlockedInACall() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            BlockedCall call = new BlockedCall();
            Future<Boolean> parked = thread.submit(() -> {
                call.enter();
                return release.await(60, TimeUnit.SECONDS); // a futex, not a system call's wait
            });
            assertThrows(AssertionFailedError.class, () -> call.awaitBlocked(parked, 300));
        } finally {
            release.countDown();
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
