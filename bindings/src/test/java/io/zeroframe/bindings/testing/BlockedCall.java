package io.zeroframe.bindings.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * How a test knows that another thread is blocked inside a system call, without sleeping: the thread calls
 * {@link #enter()} just before the blocking call; the test calls {@link #awaitBlocked()}, which waits for that and
 * then reads the thread's {@code /proc/self/task/<tid>/stat} and {@code wchan} until the thread sleeps
 * interruptibly in the kernel on something other than a futex (a futex is a JVM lock or park, and disk reads of
 * class loading sleep uninterruptibly: either way the thread has not reached its call yet). A loaded
 * machine only makes the wait longer (bounded at 30 s); it can neither fail it early nor let the test go on while
 * the thread is still on its way.
 *
 * {@snippet :
 * BlockedCall call = new BlockedCall();
 * Future<Integer> waiter = executor.submit(() -> {
 *     call.enter();
 *     return Syscalls.waitFor(readEnd, Syscalls.POLLIN, -1, "poll (pipe)");
 * });
 * call.awaitBlocked(); // now the waiter sleeps in poll
 * }
 */
public final class BlockedCall {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final CountDownLatch entered = new CountDownLatch(1);
    private volatile Path task;

    /** Called by the thread that is about to block, as the last step before its call. */
    public void enter() {
        try {
            task = Path.of("/proc/thread-self").toRealPath(); // /proc/<pid>/task/<tid>
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entered.countDown();
    }

    /**
     * Waits until the thread that called {@link #enter()} sleeps in a system call (state S, a wait channel other
     * than a futex), checking every millisecond, for at most 30 s.
     *
     * @return the wait channel it sleeps in, e.g. {@code do_sys_poll}
     */
    public String awaitBlocked() throws InterruptedException {
        return awaitBlocked(null);
    }

    /**
     * {@link #awaitBlocked()}, failing at once if {@code call} (the task that runs the blocking call) ends instead:
     * the call did not block.
     */
    public String awaitBlocked(Future<?> call) throws InterruptedException {
        return awaitBlocked(call, LIMIT.toMillis());
    }

    /** {@link #awaitBlocked(Future)} giving up after {@code limitMillis}, for tests of this class. */
    String awaitBlocked(Future<?> call, long limitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
        assertTrue(entered.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS), "the thread never reached its call");
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            if (call != null && call.isDone()) {
                return fail("the call ended instead of blocking (" + outcome(call) + ")");
            }
            char state = state(task);
            String wchan = read(task.resolve("wchan"));
            if (state == 'S' && !wchan.equals("0") && !wchan.contains("futex")) {
                return wchan;
            }
            last = "state " + state + ", wchan " + wchan;
            Thread.sleep(1); // a bounded poll of /proc, not a synchronising sleep
        }
        return fail("the thread did not block in a system call within " + limitMillis + " ms (" + last + ")");
    }

    private static String outcome(Future<?> call) {
        try {
            return "returned " + call.get();
        } catch (ExecutionException e) {
            return "threw " + e.getCause();
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            return e.toString();
        }
    }

    private static char state(Path task) {
        String stat = read(task.resolve("stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2); // "tid (comm) S ...": comm may hold spaces and parentheses
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
