package io.zeroframe.dmabuf.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The kernel's page size ({@code getpagesize()}), which udmabuf offsets and sizes must be multiples of. */
public final class PageSize {
    private static final long VALUE = query();

    private PageSize() {}

    /** The page size in bytes, e.g. 4096 on x86-64. */
    public static long get() {
        return VALUE;
    }

    private static long query() {
        Linker linker = Linker.nativeLinker();
        MethodHandle getpagesize = linker.downcallHandle(
                linker.defaultLookup().find("getpagesize")
                        .orElseThrow(() -> new UnsatisfiedLinkError("C library has no getpagesize")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        try {
            return (int) getpagesize.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("getpagesize failed", t);
        }
    }
}
