package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.FdClosedException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The check that a blocking call wakes when another thread closes its object. */
public final class CloseWakes {
    private CloseWakes() {}

    /**
     * Runs {@code blocked} on another thread, waits until that thread sleeps in a system call
     * ({@link BlockedCall}), runs {@code close}, and asserts that the call ends with {@link FdClosedException}
     * ("closed by another thread while waiting").
     *
     * @return milliseconds from the close to the end of the call
     */
    public static long wakeAfterClose(Callable<?> blocked, Runnable close) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            BlockedCall blocking = new BlockedCall();
            Future<?> call = thread.submit(() -> {
                blocking.enter();
                return blocked.call();
            });
            blocking.awaitBlocked(call);
            long closed = System.nanoTime();
            close.run();
            ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
            long woken = (System.nanoTime() - closed) / 1_000_000;
            assertInstanceOf(FdClosedException.class, e.getCause(), e.getCause().toString());
            assertTrue(e.getCause().getMessage().endsWith("closed by another thread while waiting"),
                    e.getCause().getMessage());
            return woken;
        } finally {
            thread.shutdownNow();
            assertTrue(thread.awaitTermination(5, TimeUnit.SECONDS));
        }
    }
}
