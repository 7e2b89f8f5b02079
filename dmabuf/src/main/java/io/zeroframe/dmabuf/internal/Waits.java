package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.foreign.MemoryLayout;
import java.time.Duration;
import java.util.Objects;

/** {@code poll} on one fd with a timeout, through a caller-owned {@code struct pollfd} scratch segment. */
public final class Waits {
    private static final VarHandle FD = Syscalls.POLLFD.varHandle(MemoryLayout.PathElement.groupElement("fd"));
    private static final VarHandle EVENTS =
            Syscalls.POLLFD.varHandle(MemoryLayout.PathElement.groupElement("events"));
    private static final VarHandle REVENTS =
            Syscalls.POLLFD.varHandle(MemoryLayout.PathElement.groupElement("revents"));

    private Waits() {}

    /**
     * Polls {@code fd} for {@code events}.
     *
     * @param pollFd    scratch of at least {@link Syscalls#POLLFD}'s size, reused across calls
     * @param fd        borrowed for the call
     * @param operation names the wait in errors, e.g. {@code "poll (sync_file)"}
     * @return whether one of {@code events} was reported before the timeout
     * @throws KernelException EBADF if {@code fd} is closed; a failing {@code poll}; POLLNVAL/POLLERR from the fd
     */
    public static boolean poll(MemorySegment pollFd, OwnedFd fd, short events, Duration timeout, String operation)
            throws KernelException {
        int millis = toMillis(timeout);
        int raw = fd.get();
        if (raw < 0) {
            throw KernelException.of(operation, fd.path(), Errno.EBADF, "the fd was already closed");
        }
        FD.set(pollFd, 0L, raw);
        EVENTS.set(pollFd, 0L, events);
        REVENTS.set(pollFd, 0L, (short) 0);
        int ready = Syscalls.poll(pollFd, 1, millis);
        short revents = (short) REVENTS.get(pollFd, 0L);
        if ((revents & (Syscalls.POLLNVAL | Syscalls.POLLERR)) != 0) {
            throw KernelException.of(operation, fd.path(),
                    (revents & Syscalls.POLLNVAL) != 0 ? Errno.EBADF : Errno.EIO,
                    String.format("poll reported revents 0x%x", revents));
        }
        return ready > 0 && (revents & events) != 0;
    }

    /**
     * A timeout in whole milliseconds for {@code poll}, rounded up so that a wait never ends early; durations
     * beyond {@code Integer.MAX_VALUE} ms are clamped (about 24 days).
     *
     * @throws IllegalArgumentException for a negative duration
     */
    public static int toMillis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        Duration rounded = timeout.plusNanos(999_999);
        long millis = rounded.getSeconds() >= Integer.MAX_VALUE / 1000 ? Integer.MAX_VALUE : rounded.toMillis();
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
