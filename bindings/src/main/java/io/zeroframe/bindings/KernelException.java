package io.zeroframe.bindings;

import java.io.IOException;
import java.io.Serial;

/**
 * A system call failed: carries the operation (the ioctl's kernel name such as {@code VIDIOC_QBUF}, or the
 * syscall such as {@code open}), the device or file it was made on, and the errno.
 *
 * <p>The message reads like {@code DRM_IOCTL_MODE_ATOMIC on /dev/dri/card1: EINVAL (Invalid argument)}, so it
 * can be grepped against the kernel documentation.
 *
 * <p>The same errno means different things in different places (ENODEV from a removed V4L2 device, from an
 * exporter that cannot mmap, or from a driver that refuses a PRIME import; EACCES on a device node or from DRM's
 * "not master"; EPERM from a file seal), so {@link #of} never guesses a subclass from the errno. The call site
 * that knows the meaning throws the subclass a caller acts on: {@link DeviceGoneException} (the device went away),
 * {@link DevicePermissionException} (with advice that fits the object), {@link FdClosedException} (the object was
 * closed before or during the call).
 */
public class KernelException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String path;
    private final int errno;

    /**
     * @param operation the kernel name of the failed call, e.g. {@code VIDIOC_QBUF} or {@code open}
     * @param path      the device or file path, or {@code null} when the call had none (e.g. {@code memfd_create})
     * @param errno     the errno the call returned
     * @param detail    what Zeroframe adds to the kernel's answer, or {@code null}
     */
    protected KernelException(String operation, String path, int errno, String detail) {
        super(format(operation, path, errno, detail));
        this.operation = operation;
        this.path = path;
        this.errno = errno;
    }

    /** A plain kernel failure; never a subclass (see the class comment). */
    public static KernelException of(String operation, String path, int errno) {
        return of(operation, path, errno, null);
    }

    /** Like {@link #of(String, String, int)}, with a sentence of context appended to the message. */
    public static KernelException of(String operation, String path, int errno, String detail) {
        return new KernelException(operation, path, errno, detail);
    }

    /** The failed operation's kernel name, e.g. {@code DMA_HEAP_IOCTL_ALLOC}. */
    public String operation() {
        return operation;
    }

    /** The device or file path the call was made on, or {@code null} when there was none. */
    public String path() {
        return path;
    }

    /** The errno value, e.g. {@link Errno#EINVAL}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EINVAL"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    private static String format(String operation, String path, int errno, String detail) {
        StringBuilder message = new StringBuilder(operation);
        if (path != null) {
            message.append(" on ").append(path);
        }
        message.append(": ").append(Errno.name(errno)).append(" (").append(Errno.description(errno)).append(')');
        if (detail != null && !detail.isEmpty()) {
            message.append(": ").append(detail);
        }
        return message.toString();
    }
}
