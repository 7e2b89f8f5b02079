package io.zeroframe.bindings.testing;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sw_sync timeline, for tests: fences that signal when the test says so, standing for a GPU job or any producer
 * that finishes asynchronously. The test bed builds sw_sync out of tree, mounts debugfs and opens
 * {@code /sys/kernel/debug/sync/sw_sync} to the test user. Each {@link #fence} is a sync_file that signals when the
 * timeline reaches its value; {@link #advance} moves the timeline on. Closing the timeline signals its remaining
 * fences (with an error). Any thread, one at a time.
 */
public final class SwSync implements AutoCloseable {
    /** The control file; each open is a new timeline at 0. */
    public static final Path CONTROL = Path.of("/sys/kernel/debug/sync/sw_sync");
    // <asm-generic/ioctl.h>: _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr. sw_sync's ioctls
    // are in no uAPI header (drivers/dma-buf/sw_sync.c defines them):
    //   struct sw_sync_create_fence_data { __u32 value; char name[32]; __s32 fence; };  (40 bytes)
    //   SW_SYNC_IOC_CREATE_FENCE = _IOWR('W', 0, struct sw_sync_create_fence_data)
    //   SW_SYNC_IOC_INC          = _IOW('W', 1, __u32)
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int CREATE_FENCE_DATA_SIZE = 40;
    private static final long CREATE_FENCE_VALUE = 0;
    private static final long CREATE_FENCE_NAME = 4;
    private static final long CREATE_FENCE_FENCE = 36;
    /** The number of {@code SW_SYNC_IOC_CREATE_FENCE} as computed here (the kernel's is 0xc0285700). */
    public static final long CREATE_FENCE_NUMBER = ioc(IOC_READ | IOC_WRITE, 'W', 0, CREATE_FENCE_DATA_SIZE);
    /** The number of {@code SW_SYNC_IOC_INC} as computed here (the kernel's is 0x40045701). */
    public static final long INC_NUMBER = ioc(IOC_WRITE, 'W', 1, 4);
    private static final IoctlRequest SW_SYNC_IOC_CREATE_FENCE =
            IoctlRequest.of("SW_SYNC_IOC_CREATE_FENCE", CREATE_FENCE_NUMBER);
    private static final IoctlRequest SW_SYNC_IOC_INC = IoctlRequest.of("SW_SYNC_IOC_INC", INC_NUMBER);

    private final OwnedFd timeline;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment create = arena.allocate(CREATE_FENCE_DATA_SIZE, 4);
    private final MemorySegment step = arena.allocate(ValueLayout.JAVA_INT);

    private SwSync(OwnedFd timeline) {
        this.timeline = timeline;
    }

    private static long ioc(int direction, char type, int number, int size) {
        return ((long) direction << 30) | ((long) size << 16) | ((long) type << 8) | number;
    }

    /** A new timeline at 0; fails (never skips) when sw_sync is missing. */
    public static SwSync open() throws IOException {
        if (!Files.exists(CONTROL)) {
            throw new AssertionError(CONTROL + " is missing: sw_sync not loaded or debugfs not mounted (the test"
                    + " bed's init does both)");
        }
        return new SwSync(Syscalls.open(CONTROL, Syscalls.O_RDWR));
    }

    /** A sync_file fd (the caller owns it) that signals when the timeline reaches {@code value}. */
    public OwnedFd fence(int value, String name) throws KernelException {
        create.fill((byte) 0);
        create.set(ValueLayout.JAVA_INT, CREATE_FENCE_VALUE, value);
        create.asSlice(CREATE_FENCE_NAME, 32).setString(0, name);
        Syscalls.ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, create);
        return OwnedFd.adopt(create.get(ValueLayout.JAVA_INT, CREATE_FENCE_FENCE), "sw_sync fence " + name);
    }

    /** Moves the timeline {@code steps} on, signalling the fences it reaches. */
    public void advance(int steps) throws KernelException {
        step.set(ValueLayout.JAVA_INT, 0, steps);
        Syscalls.ioctl(timeline, SW_SYNC_IOC_INC, step);
    }

    @Override
    public void close() {
        timeline.close();
        arena.close();
    }
}
