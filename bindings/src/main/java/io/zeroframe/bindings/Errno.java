package io.zeroframe.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Linux errno values that Zeroframe's callers act on, and the symbolic name and description of any errno.
 *
 * <p>Names and descriptions come from glibc's thread-safe {@code strerrorname_np} and {@code strerrordesc_np}
 * (glibc 2.32 and newer); where the C library lacks them the name is {@code "errno N"}.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ETIME = 62;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;

    private static final MethodHandle NAME = lookup("strerrorname_np");
    private static final MethodHandle DESCRIPTION = lookup("strerrordesc_np");

    private Errno() {}

    /** The symbolic name, e.g. {@code "EINVAL"}, or {@code "errno 4242"} for a value the C library does not know. */
    public static String name(int errno) {
        return call(NAME, errno).orElse("errno " + errno);
    }

    /** The C library's description, e.g. {@code "Invalid argument"}, or {@code "Unknown error N"}. */
    public static String description(int errno) {
        return call(DESCRIPTION, errno).orElse("Unknown error " + errno);
    }

    private static Optional<String> call(MethodHandle handle, int errno) {
        if (handle == null) {
            return Optional.empty();
        }
        try {
            MemorySegment text = (MemorySegment) handle.invokeExact(errno);
            if (text.equals(MemorySegment.NULL)) {
                return Optional.empty();
            }
            return Optional.of(text.reinterpret(256).getString(0));
        } catch (Throwable t) {
            throw new AssertionError("strerror downcall failed", t);
        }
    }

    private static MethodHandle lookup(String symbol) {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(symbol)
                .map(address -> linker.downcallHandle(address,
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElse(null);
    }
}
