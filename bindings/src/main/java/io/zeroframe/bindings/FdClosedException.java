package io.zeroframe.bindings;

import java.io.Serial;

/**
 * The call could not be made, or was cut short, because its object was closed: either before the call began
 * ("the fd was already closed") or by another thread while the call was blocked waiting ("closed while
 * waiting"). The errno is EBADF; the kernel was not asked, or the wait was abandoned, so no recycled fd number
 * was touched.
 */
public final class FdClosedException extends KernelException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * @param operation the call that could not be made, e.g. {@code poll (sync_file)}
     * @param path      the closed object's path
     * @param detail    how it was closed, e.g. {@code "closed by another thread while waiting"}
     */
    public FdClosedException(String operation, String path, String detail) {
        super(operation, path, Errno.EBADF, detail);
    }
}
