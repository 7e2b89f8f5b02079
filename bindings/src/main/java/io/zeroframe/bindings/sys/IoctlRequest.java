package io.zeroframe.bindings.sys;

import java.util.Objects;

/**
 * An ioctl request number together with its kernel name, e.g. {@code VIDIOC_QBUF}, so that a failure can say
 * which call failed. Numbers come from the generated bindings (jextract evaluates the {@code _IOWR} macros).
 *
 * @param name   the kernel's name for the request
 * @param number the request number as the kernel encodes it (direction, size, type, number)
 */
public record IoctlRequest(String name, long number) {
    private static final int SIZE_SHIFT = 16;
    private static final int SIZE_MASK = (1 << 14) - 1;
    private static final int DIRECTION_SHIFT = 30;

    public IoctlRequest {
        Objects.requireNonNull(name, "name");
        if (number == 0) {
            throw new IllegalArgumentException("ioctl " + name + " has no request number");
        }
    }

    /** Shorthand for {@code new IoctlRequest(name, number)}. */
    public static IoctlRequest of(String name, long number) {
        return new IoctlRequest(name, number);
    }

    /** The argument size encoded in the request ({@code _IOC_SIZE}); 0 for requests without an argument struct. */
    public int argumentSize() {
        return (int) ((number >>> SIZE_SHIFT) & SIZE_MASK);
    }

    /** Whether the kernel reads or writes memory behind the argument ({@code _IOC_DIR} is not {@code _IOC_NONE}). */
    public boolean hasArgumentStruct() {
        return ((number >>> DIRECTION_SHIFT) & 3) != 0;
    }

    @Override
    public String toString() {
        return name + String.format(" (0x%08x)", number);
    }
}
