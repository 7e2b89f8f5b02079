package io.zeroframe.bindings.sys;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.DevicePermissionException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import java.util.Objects;

/**
 * The one place where a failed call on an open device node (a V4L2 video node, a DRM card) becomes the exception
 * its caller acts on. One instance per kind of device, made with what that device's module knows (its advice for a
 * device that went away); each call adds what only the call site knows:
 * <ul>
 * <li>EBADF from an fd that is closed: {@link FdClosedException}, as {@link OwnedFd#beginUse} throws it (the object
 *     was closed before the call, or by another thread meanwhile: {@link Syscalls#tryIoctl} then answers EBADF
 *     without reaching the kernel). EBADF on an open fd is a plain failure (a bad fd inside the argument).
 * <li>ENODEV: {@link DeviceGoneException} with the device's advice. A call where ENODEV means something else (a DRM
 *     driver refusing a PRIME import) handles it before asking here.
 * <li>EACCES: {@link DevicePermissionException} only where the call site passes advice saying what the refusal means
 *     there (DRM's "not master"); elsewhere EACCES is a plain failure (V4L2 answers it for a read-only control).
 * <li>Anything else: a plain {@link KernelException} carrying the call site's detail.
 * </ul>
 * Immutable and thread-safe.
 */
public final class DeviceErrors {
    private final String goneAdvice;

    /**
     * @param goneAdvice what to do once the device is gone, e.g. "the video device is gone (unplugged or unbound);
     *                   close it and find the device again"
     */
    public DeviceErrors(String goneAdvice) {
        this.goneAdvice = Objects.requireNonNull(goneAdvice, "goneAdvice");
    }

    /** {@link #failure(OwnedFd, String, int, String, String)} for a call where EACCES has no special meaning. */
    public KernelException failure(OwnedFd on, String operation, int errno, String detail) {
        return failure(on, operation, errno, detail, null);
    }

    /**
     * The exception for {@code operation} on {@code on} failing with {@code errno}.
     *
     * @param on               the fd the call used (borrowed): the device's own, or a duplicate of it (a queue's,
     *                         an event reader's); every exception names its path
     * @param detail           what the call site adds (the object, the argument), or {@code null}
     * @param permissionAdvice what EACCES means for this call and what to do, or {@code null} when EACCES is an
     *                         ordinary failure of this call
     */
    public KernelException failure(OwnedFd on, String operation, int errno, String detail, String permissionAdvice) {
        if (errno == Errno.EBADF && !on.isOpen()) {
            return new FdClosedException(operation, on.path(), "the fd was already closed");
        }
        if (errno == Errno.ENODEV) {
            return new DeviceGoneException(operation, on.path(), errno, join(detail, goneAdvice));
        }
        if (errno == Errno.EACCES && permissionAdvice != null) {
            return new DevicePermissionException(operation, on.path(), errno, join(detail, permissionAdvice));
        }
        return KernelException.of(operation, on.path(), errno, detail);
    }

    /**
     * {@code e}, thrown by a {@link Syscalls} call on {@code on}, classified as {@link #failure} would: a plain
     * exception whose errno has a meaning here is replaced; a subclass (already classified) is returned as is.
     */
    public KernelException classify(OwnedFd on, KernelException e) {
        if (e.getClass() != KernelException.class) {
            return e;
        }
        KernelException classified = failure(on, e.operation(), e.errno(), null);
        return classified.getClass() == KernelException.class ? e : classified;
    }

    private static String join(String detail, String advice) {
        return detail == null || detail.isEmpty() ? advice : detail + "; " + advice;
    }
}
