package io.zeroframe.dmabuf.internal;

import io.zeroframe.bindings.sys.Syscalls;

/** The kernel's page size ({@code getpagesize()}), which udmabuf offsets and sizes must be multiples of. */
public final class PageSize {
    private PageSize() {}

    /** The page size in bytes, e.g. 4096 on x86-64. */
    public static long get() {
        return Syscalls.pageSize();
    }
}
