package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.sync_file.sync_fence_info;
import io.zeroframe.bindings.sync_file.sync_file_h;
import io.zeroframe.bindings.sync_file.sync_file_info;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.bindings.testing.SwSync;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    @Test
    void swSyncIoctlNumbersAreTheKernels() {
        assertEquals(0xc0285700L, SwSync.CREATE_FENCE_NUMBER);
        assertEquals(0x40045701L, SwSync.INC_NUMBER);
    }

    @Test
    void swSyncTimelinesSignalTheirFencesWhenTheTestSaysSo() throws Exception {
        try (SwSync timeline = SwSync.open(); Arena arena = Arena.ofConfined();
             OwnedFd fence = timeline.fence(1, "zeroframe-self-check")) {
            assertEquals("sw_sync", fenceDriver(fence, arena));
            assertEquals(0, pollIn(fence, arena), "a fence at 1 on a timeline at 0 is signalled");
            timeline.advance(1);
            assertEquals(1, pollIn(fence, arena), "the fence is not signalled after SW_SYNC_IOC_INC");
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
