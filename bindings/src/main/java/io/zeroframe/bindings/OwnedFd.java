package io.zeroframe.bindings;

import io.zeroframe.bindings.sys.Syscalls;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file descriptor this object owns: closed exactly once, by {@link #close()}, unless ownership is given up
 * with {@link #release()}.
 *
 * <p>Every fd carries the path (or a description such as {@code memfd:frames}) it was opened from, so that
 * every failure made through it names the device.
 *
 * <p><b>Thread-safe; {@link #close()} may race any use.</b> A system call brackets its use of the fd number with
 * {@link #beginUse(String)} and {@link #endUse()}. Closing while calls are in flight only marks the fd closed: the
 * number is released to the kernel by the last call to end, so no call ever reaches a recycled fd number. Calls
 * that begin after {@code close()} fail with {@link FdClosedException} without reaching the kernel. Calls that
 * block ({@code poll}-based waits, socket receives) also poll this fd's {@linkplain #wakeFd() wake eventfd},
 * which {@code close()} signals, so they return promptly with {@code FdClosedException}.
 *
 * <p>No cleaner closes a forgotten fd: a leak stays visible in /proc/self/fd.
 *
 * {@snippet :
 * try (OwnedFd fd = Syscalls.open(Path.of("/dev/dma_heap/system"), Syscalls.O_RDWR)) {
 *     int raw = fd.beginUse("DMA_HEAP_IOCTL_ALLOC");   // throws FdClosedException once closed
 *     try {
 *         // pass raw to the kernel
 *     } finally {
 *         fd.endUse();
 *     }
 * }
 * }
 */
public final class OwnedFd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedFd.class);
    private static final VarHandle STATE;
    /** Set in {@link #state} by close() or release(); the low 32 bits count the calls in flight. */
    private static final long CLOSED = 1L << 32;
    /** Set with CLOSED by release(): the fd now belongs to someone else and is never closed here. */
    private static final long RELEASED = 1L << 33;
    private static final long USERS = 0xffff_ffffL;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(OwnedFd.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private final String path;
    private volatile long state;
    /** The eventfd that {@link #close()} signals to wake blocked waits; -1 until a wait needs it. */
    private volatile int waker = -1;

    private OwnedFd(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Takes ownership of a raw file descriptor.
     *
     * @param fd   an open fd that nothing else will close
     * @param path the device or file it refers to, used in error messages
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public static OwnedFd adopt(int fd, String path) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd + " (" + path + ")");
        }
        return new OwnedFd(fd, Objects.requireNonNull(path, "path"));
    }

    /**
     * The raw fd number, for messages and for callers that pass it on inside a {@link #beginUse} bracket; -1 once
     * closed or released. Outside such a bracket the number may be closed and reused by the time it is used.
     */
    public int get() {
        return (state & CLOSED) != 0 ? -1 : fd;
    }

    /**
     * Begins a use of the fd number by one call: until the matching {@link #endUse()}, a concurrent
     * {@link #close()} defers the release of the number. Allocates nothing.
     *
     * @param operation names the call in the exception, e.g. {@code VIDIOC_DQBUF}
     * @return the raw fd, valid until {@code endUse()}
     * @throws FdClosedException if this fd is closed or released
     */
    public int beginUse(String operation) throws FdClosedException {
        long s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new FdClosedException(operation, path, "the fd was already closed");
            }
        } while (!STATE.weakCompareAndSet(this, s, s + 1));
        return fd;
    }

    /** Ends a use begun with {@link #beginUse}; the last use to end after a {@code close()} closes the fd. */
    public void endUse() {
        long after = (long) STATE.getAndAdd(this, -1L) - 1;
        if ((after & USERS) == USERS) {
            throw new IllegalStateException("endUse() without beginUse() on " + this);
        }
        if (after == CLOSED) {
            int errno = closeNow();
            if (errno != 0) {
                LOG.warn("{}", KernelException.of("close", path, errno, "deferred close after the last call").getMessage());
            }
        }
    }

    /**
     * The eventfd that {@link #close()} signals, for calls that block in {@code poll}: poll it beside this fd and
     * treat its readiness as "closed". Created on first use (one more fd, closed with this one); an owner that
     * blocks often may create it up front, so that its fds do not change later. A caller about to block checks
     * {@link #isOpen()} once more after obtaining it, so that a close that raced its creation is not missed.
     *
     * @throws KernelException EMFILE when the process is out of fds
     */
    public int wakeFd() throws KernelException {
        int w = waker;
        if (w >= 0) {
            return w;
        }
        synchronized (this) {
            if (waker < 0) {
                long s = state;
                if ((s & CLOSED) != 0 && (s & USERS) == 0) {
                    throw new FdClosedException("eventfd", path, "the fd was already closed");
                }
                waker = Syscalls.eventfd();
            }
            return waker;
        }
    }

    /** The device or file this fd was opened from, for messages. */
    public String path() {
        return path;
    }

    /** Whether this object still owns an fd that is not closing. */
    public boolean isOpen() {
        return (state & CLOSED) == 0;
    }

    /**
     * Gives up ownership: the caller must close the returned fd.
     *
     * @throws IllegalStateException if already closed or released, or if a call is using the fd
     */
    public int release() {
        long s = state;
        if ((s & CLOSED) != 0) {
            throw new IllegalStateException("fd for " + path + " is already closed");
        }
        if (!STATE.compareAndSet(this, 0L, CLOSED | RELEASED)) {
            throw new IllegalStateException("fd " + fd + " (" + path + ") cannot be released while "
                    + (state & USERS) + " call(s) use it");
        }
        closeWaker();
        return fd;
    }

    /**
     * A new owned fd for the same open file ({@code fcntl(F_DUPFD_CLOEXEC)}), with the same path.
     *
     * @throws KernelException EBADF if this fd is closed, EMFILE when the process is out of fds
     */
    public OwnedFd duplicate() throws KernelException {
        return adopt(Syscalls.fcntl(this, Syscalls.F_DUPFD_CLOEXEC, 0), path);
    }

    /**
     * Closes the fd; later calls do nothing. Safe from any thread at any time: with calls in flight the number is
     * released when the last one ends, and blocked waits are woken. A failing {@code close(2)} still frees the fd
     * on Linux, so only EBADF, which means something else closed this fd behind its owner's back, is reported, as
     * an {@link IllegalStateException}; other errors are logged.
     */
    @Override
    public void close() {
        long s;
        long closing;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
            // with calls in flight, close() takes a use of its own: the last endUse() (maybe its own) closes the
            // fd and the waker, so the waker stays open, and its number ours, until the signal is written
            closing = (s & USERS) == 0 ? s | CLOSED : (s | CLOSED) + 1;
        } while (!STATE.compareAndSet(this, s, closing));
        if ((s & USERS) != 0) {
            int w = waker;
            if (w >= 0) {
                Syscalls.eventfdSignal(w);
            }
            endUse();
            return;
        }
        int errno = closeNow();
        if (errno == Errno.EBADF) {
            throw new IllegalStateException(KernelException.of("close", path, errno,
                    "fd " + fd + " was closed by something that did not own it").getMessage());
        } else if (errno != 0) {
            LOG.warn("{}", KernelException.of("close", path, errno).getMessage());
        }
    }

    /**
     * After {@link #close()}: waits up to {@code timeoutMillis} until no call uses the fd any more, so its number
     * has been released to the kernel. An owner calls it when what it does next must not overlap a call still in
     * flight on another thread: {@code close()} wakes blocked waits, but a woken {@code poll} still runs one more
     * pass over its fds, and a driver's poll can act on the file (vb2 starts read() emulation on a queue that has
     * just freed its buffers). Returns at once if nothing is in flight.
     *
     * @return {@code true} once the fd is released, {@code false} if a call was still in flight at the timeout
     * @throws IllegalStateException if {@link #close()} was not called first (the wait could not end)
     */
    public boolean awaitClosed(long timeoutMillis) {
        if ((state & CLOSED) == 0) {
            throw new IllegalStateException("awaitClosed() before close() on " + this);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (int spins = 0; (state & USERS) != 0; spins++) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000); // woken waits end within a scheduler tick or two
            }
        }
        return true;
    }

    private int closeNow() {
        int errno = Syscalls.close(fd);
        closeWaker();
        return errno;
    }

    private synchronized void closeWaker() {
        int w = waker;
        if (w >= 0) {
            waker = -1;
            Syscalls.close(w);
        }
    }

    @Override
    public String toString() {
        return (state & CLOSED) == 0 ? "fd " + fd + " (" + path + ")" : "closed fd (" + path + ")";
    }
}
