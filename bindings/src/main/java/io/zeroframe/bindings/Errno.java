package io.zeroframe.bindings;

import io.zeroframe.bindings.libc.libc_h;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Linux errno values that Zeroframe's callers act on (from the kernel's uAPI headers, through jextract), and the symbolic name and description of any errno.
 *
 * <p>Names and descriptions come from glibc's thread-safe {@code strerrorname_np} and {@code strerrordesc_np}
 * (glibc 2.32 and newer); where the C library lacks them the name is {@code "errno N"}.
 */
public final class Errno {
    public static final int EPERM = libc_h.EPERM();
    public static final int ENOENT = libc_h.ENOENT();
    public static final int EINTR = libc_h.EINTR();
    public static final int EIO = libc_h.EIO();
    public static final int ENXIO = libc_h.ENXIO();
    public static final int EBADF = libc_h.EBADF();
    public static final int EAGAIN = libc_h.EAGAIN();
    public static final int ENOMEM = libc_h.ENOMEM();
    public static final int EACCES = libc_h.EACCES();
    public static final int EFAULT = libc_h.EFAULT();
    public static final int EBUSY = libc_h.EBUSY();
    public static final int EEXIST = libc_h.EEXIST();
    public static final int ENODEV = libc_h.ENODEV();
    public static final int EINVAL = libc_h.EINVAL();
    public static final int ENOTTY = libc_h.ENOTTY();
    public static final int ENOSPC = libc_h.ENOSPC();
    public static final int ESPIPE = libc_h.ESPIPE();
    public static final int EPIPE = libc_h.EPIPE();
    public static final int ERANGE = libc_h.ERANGE();
    /** V4L2: DV timings not stable ({@code VIDIOC_QUERY_DV_TIMINGS}). */
    public static final int ENOLCK = libc_h.ENOLCK();
    /** V4L2: the input or output has no standards / DV timings / selection target. */
    public static final int ENODATA = libc_h.ENODATA();
    public static final int ETIME = libc_h.ETIME();
    /** V4L2: no signal ({@code VIDIOC_QUERY_DV_TIMINGS}). */
    public static final int ENOLINK = libc_h.ENOLINK();
    public static final int EOPNOTSUPP = libc_h.EOPNOTSUPP();
    public static final int ETIMEDOUT = libc_h.ETIMEDOUT();

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
