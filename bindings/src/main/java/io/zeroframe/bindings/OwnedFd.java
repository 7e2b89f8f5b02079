package io.zeroframe.bindings;

import io.zeroframe.bindings.sys.Syscalls;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file descriptor this object owns: closed exactly once, by {@link #close()}, unless ownership is given up
 * with {@link #release()}.
 *
 * <p>Every fd carries the path (or a description such as {@code memfd:frames}) it was opened from, so that
 * every failure made through it names the device. Once closed, system calls made through it fail with a
 * {@link KernelException} for EBADF without reaching the kernel, so a recycled fd number is never touched.
 *
 * <p>Closing is idempotent and safe to race with another {@code close()}; other uses are not thread-safe
 * against a concurrent close. No cleaner closes a forgotten fd: a leak stays visible in /proc/self/fd.
 *
 * {@snippet :
 * try (OwnedFd fd = Syscalls.open(Path.of("/dev/dma_heap/system"), Syscalls.O_RDWR)) {
 *     // borrow fd.get() for the duration of a call
 * }
 * }
 */
public final class OwnedFd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedFd.class);
    private static final VarHandle FD;

    static {
        try {
            FD = MethodHandles.lookup().findVarHandle(OwnedFd.class, "fd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int fd;
    private final String path;

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

    /** Borrows the raw fd number for one call; {@code -1} once closed or released. */
    public int get() {
        return fd;
    }

    /** The device or file this fd was opened from, for messages. */
    public String path() {
        return path;
    }

    /** Whether this object still owns an fd. */
    public boolean isOpen() {
        return fd >= 0;
    }

    /**
     * Gives up ownership: the caller must close the returned fd.
     *
     * @throws IllegalStateException if already closed or released
     */
    public int release() {
        int old = (int) FD.getAndSet(this, -1);
        if (old < 0) {
            throw new IllegalStateException("fd for " + path + " is already closed");
        }
        return old;
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
     * Closes the fd; later calls do nothing. A failing {@code close(2)} still frees the fd on Linux, so only
     * EBADF, which means something else closed this fd behind its owner's back, is reported, as an
     * {@link IllegalStateException}; other errors are logged.
     */
    @Override
    public void close() {
        int old = (int) FD.getAndSet(this, -1);
        if (old < 0) {
            return;
        }
        int errno = Syscalls.close(old);
        if (errno == Errno.EBADF) {
            throw new IllegalStateException(KernelException.of("close", path, errno,
                    "fd " + old + " was closed by something that did not own it").getMessage());
        } else if (errno != 0) {
            LOG.warn("{}", KernelException.of("close", path, errno).getMessage());
        }
    }

    @Override
    public String toString() {
        int current = fd;
        return current >= 0 ? "fd " + current + " (" + path + ")" : "closed fd (" + path + ")";
    }
}
