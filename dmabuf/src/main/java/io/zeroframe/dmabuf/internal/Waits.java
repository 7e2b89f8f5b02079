package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import java.time.Duration;

/**
 * Waits on one fd with a timeout through {@link Syscalls#waitFor}: thread-safe (any number of threads may wait
 * on one fd), allocation-free, and woken by a close of the fd from another thread.
 */
public final class Waits {
    private Waits() {}

    /**
     * Polls {@code fd} for {@code events}.
     *
     * @param fd        borrowed for the call
     * @param operation names the wait in errors, e.g. {@code "poll (sync_file)"}
     * @return whether one of {@code events} was reported before the timeout
     * @throws io.zeroframe.bindings.FdClosedException if {@code fd} is closed before or during the wait
     * @throws KernelException a failing {@code poll}; POLLNVAL/POLLERR from the fd
     */
    public static boolean poll(OwnedFd fd, short events, Duration timeout, String operation) throws KernelException {
        int revents = Syscalls.waitFor(fd, events, toMillis(timeout), operation);
        if ((revents & (Syscalls.POLLNVAL | Syscalls.POLLERR)) != 0) {
            throw KernelException.of(operation, fd.path(),
                    (revents & Syscalls.POLLNVAL) != 0 ? Errno.EBADF : Errno.EIO,
                    String.format("poll reported revents 0x%x", revents));
        }
        return (revents & events) != 0;
    }

    /**
     * A timeout in whole milliseconds for {@code poll}, rounded up so that a wait never ends early; -1 (wait
     * forever) for durations of {@code Integer.MAX_VALUE} ms or more, {@code ChronoUnit.FOREVER} included.
     *
     * @throws IllegalArgumentException for a negative duration
     */
    public static int toMillis(Duration timeout) {
        return Syscalls.timeoutMillis(timeout);
    }
}
