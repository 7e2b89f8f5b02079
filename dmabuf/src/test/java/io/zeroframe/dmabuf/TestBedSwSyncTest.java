package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sync_file.sync_fence_info;
import io.zeroframe.bindings.sync_file.sync_file_h;
import io.zeroframe.bindings.sync_file.sync_file_info;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Test bed self-check: sw_sync (built out of tree; the guest's init mounts debugfs and opens its control file to
 * the test user) gives timelines whose fences signal when the test says so, as the fence tests rely on. Fails,
 * never skips, when it is missing (tag "testbed": runs only in the test bed).
 */
@Tag("testbed")
class TestBedSwSyncTest extends DeviceTestSupport {
    private static final IoctlRequest SYNC_IOC_FILE_INFO =
            IoctlRequest.of("SYNC_IOC_FILE_INFO", sync_file_h.SYNC_IOC_FILE_INFO());

    // <asm-generic/ioctl.h>: _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    /*
     * sw_sync's ioctls are in no uAPI header (drivers/dma-buf/sw_sync.c defines them), so jextract cannot give
     * their numbers: they are computed here the way <asm-generic/ioctl.h> does.
     *   struct sw_sync_create_fence_data { __u32 value; char name[32]; __s32 fence; };  (40 bytes)
     *   SW_SYNC_IOC_CREATE_FENCE = _IOWR('W', 0, struct sw_sync_create_fence_data)
     *   SW_SYNC_IOC_INC          = _IOW('W', 1, __u32)
     */
    private static final int CREATE_FENCE_DATA_SIZE = 40;
    private static final long CREATE_FENCE_VALUE = 0;
    private static final long CREATE_FENCE_NAME = 4;
    private static final long CREATE_FENCE_FENCE = 36;
    private static final IoctlRequest SW_SYNC_IOC_CREATE_FENCE =
            IoctlRequest.of("SW_SYNC_IOC_CREATE_FENCE", ioc(IOC_READ | IOC_WRITE, 'W', 0, CREATE_FENCE_DATA_SIZE));
    private static final IoctlRequest SW_SYNC_IOC_INC = IoctlRequest.of("SW_SYNC_IOC_INC", ioc(IOC_WRITE, 'W', 1, 4));
    private static final Path SW_SYNC = Path.of("/sys/kernel/debug/sync/sw_sync");

    private static long ioc(int direction, char type, int number, int size) {
        return ((long) direction << 30) | ((long) size << 16) | ((long) type << 8) | number;
    }

    @Test
    void swSyncIoctlNumbersAreTheKernels() {
        assertEquals(0xc0285700L, SW_SYNC_IOC_CREATE_FENCE.number());
        assertEquals(0x40045701L, SW_SYNC_IOC_INC.number());
    }

    @Test
    void swSyncTimelinesSignalTheirFencesWhenTheTestSaysSo() throws Exception {
        if (!Files.exists(SW_SYNC)) {
            fail(SW_SYNC + " is missing: sw_sync not loaded or debugfs not mounted (the test bed's init does both)");
        }
        try (OwnedFd timeline = Syscalls.open(SW_SYNC, Syscalls.O_RDWR); Arena arena = Arena.ofConfined()) {
            MemorySegment create = arena.allocate(CREATE_FENCE_DATA_SIZE, 4);
            create.set(ValueLayout.JAVA_INT, CREATE_FENCE_VALUE, 1);
            create.asSlice(CREATE_FENCE_NAME, 32).setString(0, "zeroframe-self-check");
            Syscalls.ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, create);
            try (OwnedFd fence = OwnedFd.adopt(create.get(ValueLayout.JAVA_INT, CREATE_FENCE_FENCE), "sw_sync fence")) {
                assertEquals("sw_sync", fenceDriver(fence, arena));
                assertEquals(0, pollIn(fence, arena), "a fence at 1 on a timeline at 0 is signalled");
                MemorySegment step = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                Syscalls.ioctl(timeline, SW_SYNC_IOC_INC, step);
                assertEquals(1, pollIn(fence, arena), "the fence is not signalled after SW_SYNC_IOC_INC");
            }
        }
    }

    private static String fenceDriver(OwnedFd fence, Arena arena) throws Exception {
        MemorySegment info = sync_file_info.allocate(arena);
        Syscalls.ioctl(fence, SYNC_IOC_FILE_INFO, info);
        assertEquals(1, sync_file_info.num_fences(info));
        MemorySegment fences = sync_fence_info.allocate(arena);
        sync_file_info.sync_fence_info(info, fences.address());
        Syscalls.ioctl(fence, SYNC_IOC_FILE_INFO, info);
        return sync_fence_info.driver_name(fences).getString(0);
    }

    private static int pollIn(OwnedFd fd, Arena arena) throws Exception {
        MemorySegment pollFd = arena.allocate(Syscalls.POLLFD);
        pollFd.set(ValueLayout.JAVA_INT, 0, fd.get());
        pollFd.set(ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
        return Syscalls.poll(pollFd, 1, 0);
    }
}
